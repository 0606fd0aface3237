#!/usr/bin/env python3
"""Fine-tune the shipped models outside Lethe, as someone who downloads them would: Hugging Face's
GPT2ForSequenceClassification (PyTorch), its own new head, its own padding and truncation, on reviews
Lethe's attacks and SOPHON's training never read.

Run by a developer (not by CI), on a free machine (about 2 minutes per model, seed and epoch on one core):
    VENV/bin/python tools/attack_shipped.py models/gpt2-mini models/gpt2-mini-sophon-k50 [runs/X.h5 ...]

Each argument is a model folder (config.json + tf_model.h5) or a tf_model.h5-layout file, read with
evaluate_shipped.load (h5py, no Lethe code). The attack:
  - data: the first 1,000 reviews of examples/data/sentiment/imdb_train.tsv and the first 500 of
    imdb_test.tsv, the full-length IMDB subsets. Lethe's attacks use the short-review subsets and SOPHON
    trains on the short training reviews, so these texts are new to both. Each review is cut to 128
    tokens by the tokenizer (--truncation right keeps the beginning, Hugging Face's default; left keeps the end);
  - model: GPT2ForSequenceClassification with a new score head (Hugging Face's N(0, 0.02) init),
    pad token 50256, the last real token's state classified;
  - optimizer: torch.optim.AdamW (lr 1e-3, weight decay 0.01), batches of 8, 3 epochs, 3 seeds;
  - test accuracy on all 500 test reviews before training and after every epoch, with a 95% interval:
    a percentile bootstrap that resamples the seeds and one set of test reviews shared by the drawn
    seeds (all seeds answer the same reviews).
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch
from transformers import GPT2Config, GPT2ForSequenceClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate_shipped import ROOT, gpt2_tokenizer, load  # noqa: E402

PAD = 50256


def reviews(path, limit, bpe, max_tokens, truncation):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, text = line.rstrip("\n").split("\t", 1)
            texts.append(text)
            labels.append(int(label))
            if len(texts) == limit:
                break
    ids = [e.ids for e in bpe.encode_batch(texts)]
    ids = [i[:max_tokens] if truncation == "right" else i[-max_tokens:] for i in ids]
    return ids, np.asarray(labels)


def batch(ids, rows):
    length = max(len(ids[r]) for r in rows)
    tokens = torch.full((len(rows), length), PAD, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, r in enumerate(rows):
        tokens[i, :len(ids[r])] = torch.tensor(ids[r])
        mask[i, :len(ids[r])] = 1
    return tokens, mask


def classifier(path):
    folder = path if os.path.isdir(path) else None
    if folder is None:   # a bare tf_model.h5-layout file: its config from the model folder beside it, or gpt2-mini's
        folder = tempfile.mkdtemp()
        with open(os.path.join(ROOT, "models/gpt2-mini/config.json")) as f:
            config = json.load(f)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f)
        os.symlink(os.path.abspath(path), os.path.join(folder, "tf_model.h5"))
    lm = load(folder)
    config = GPT2Config.from_dict({**lm.config.to_dict(), "num_labels": 2, "pad_token_id": PAD})
    model = GPT2ForSequenceClassification(config)   # score head: Hugging Face's N(0, 0.02)
    missing, unexpected = model.load_state_dict({k: v for k, v in lm.state_dict().items() if k.startswith("transformer.")}, strict=False)
    assert missing == ["score.weight"] and not unexpected, (missing, unexpected)
    return model


@torch.no_grad()
def correct(model, ids, labels):
    model.eval()
    hits = []
    for start in range(0, len(ids), 32):
        rows = list(range(start, min(start + 32, len(ids))))
        tokens, mask = batch(ids, rows)
        hits += (model(input_ids=tokens, attention_mask=mask).logits.argmax(-1).numpy() == labels[rows]).tolist()
    return np.asarray(hits, dtype=float)


def crossed_bootstrap(per_seed, rng, reps=4000):
    """Mean accuracy and the 2.5/97.5 percentiles: seeds resampled, one resample of the reviews shared by them."""
    per_seed = np.asarray(per_seed)
    seeds, items = per_seed.shape
    draws = np.empty(reps)
    for r in range(reps):
        s = rng.integers(0, seeds, seeds) if seeds > 1 else np.zeros(1, dtype=int)
        i = rng.integers(0, items, items)
        draws[r] = per_seed[np.ix_(s, i)].mean()
    return per_seed.mean(), np.percentile(draws, 2.5), np.percentile(draws, 97.5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="+")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--truncation", choices=["right", "left"], default="right")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bpe = gpt2_tokenizer()
    data = os.path.join(ROOT, "examples/data/sentiment")
    train_ids, train_labels = reviews(os.path.join(data, "imdb_train.tsv"), args.train, bpe, args.max_tokens, args.truncation)
    test_ids, test_labels = reviews(os.path.join(data, "imdb_test.tsv"), args.test, bpe, args.max_tokens, args.truncation)
    print(f"attack: AdamW lr {args.lr:g} (weight decay 0.01), new head, batches of 8, {args.epochs} epochs, {args.seeds} seeds; "
          f"{len(train_ids)} training reviews, {len(test_ids)} test reviews, cut to {args.max_tokens} tokens ({args.truncation} truncation)")
    print(f"{'model':34s} " + " ".join(f"{'epoch ' + str(e):>22s}" for e in range(args.epochs + 1)) + "   final train loss per seed")
    for path in args.models:
        curves, losses = [], []
        for seed in range(args.seeds):
            torch.manual_seed(seed)
            model = classifier(os.path.join(ROOT, path) if not os.path.isabs(path) else path)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
            order_rng = np.random.default_rng(seed)
            curve = [correct(model, test_ids, test_labels)]
            for _ in range(args.epochs):
                model.train()
                total, count = 0.0, 0
                order = order_rng.permutation(len(train_ids))
                for start in range(0, len(order), 8):
                    rows = order[start:start + 8].tolist()
                    tokens, mask = batch(train_ids, rows)
                    loss = model(input_ids=tokens, attention_mask=mask, labels=torch.tensor(train_labels[rows])).loss
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(rows)
                    count += len(rows)
                curve.append(correct(model, test_ids, test_labels))
            curves.append(curve)
            losses.append(total / count)
        rng = np.random.default_rng(0)
        cells = []
        for e in range(args.epochs + 1):
            m, lo, hi = crossed_bootstrap([c[e] for c in curves], rng)
            cells.append(f"{m:.3f} [{lo:.3f}, {hi:.3f}]")
        print(f"{os.path.basename(path.rstrip('/')):34s} " + " ".join(f"{c:>22s}" for c in cells)
              + "   " + ", ".join(f"{l:.3f}" for l in losses), flush=True)


if __name__ == "__main__":
    main()
