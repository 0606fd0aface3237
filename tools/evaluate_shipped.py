#!/usr/bin/env python3
"""Evaluate the shipped models outside Lethe: Hugging Face transformers (PyTorch) and its tokenizer,
on measures that use none of Lethe's code and none of its probe files.

Run by a developer (not by CI):
    VENV/bin/python tools/evaluate_shipped.py [models/NAME ...]

Each models/NAME/tf_model.h5 is read with h5py into a GPT2LMHeadModel (the Keras layout Hugging Face
writes: transformer/<scope>/transformer/h_._0/attn/c_attn/weight:0 and so on). Loading it with
TFGPT2LMHeadModel.from_pretrained gives the same weights; this machine has no TensorFlow.

Measures, each with a 95% percentile-bootstrap interval:
  - perplexity on the held-out end (last 5% of tokens) of every Holmes book, every original-domain novel
    and WikiText, in windows of 256 tokens, and each model's change against the first model listed, paired
    window by window (the windows are resampled together, so most of the text's own difficulty cancels);
  - name recall: at every place in the held-out Holmes text where the next word is one of the
    Holmes stories' recurring names (the list below, chosen from the books, not from Lethe's probe or
    anchor files), the probability the model gives the name's first token, and how often it is the
    model's first choice. The model that never read Holmes shows what forgetting should reach.
"""
import glob
import json
import os
import sys

import h5py
import numpy as np
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
NAMES = ["Holmes", "Sherlock", "Watson", "Lestrade", "Gregson", "Hudson", "Moriarty", "Mycroft", "Baker",
         "Baskerville", "Mortimer", "Stapleton", "Barrymore", "Morstan", "Sholto", "Jefferson", "Drebber",
         "Stangerson", "Adler", "Toby", "Jones", "Athelney", "Small", "Dartmoor", "Norwood"]
WINDOW = 256
HELD_OUT = 0.05
torch.set_num_threads(1)


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = GPT2Config(**{k: v for k, v in json.load(f).items() if k not in ("architectures",)})
    model = GPT2LMHeadModel(config).eval()
    state = {}
    with h5py.File(os.path.join(folder, "tf_model.h5"), "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or not name.startswith("transformer/"):
                return
            parts = name.split("/")[3:]             # drop transformer/<scope>/transformer
            leaf = parts[-1].removesuffix(":0")
            path = [p.replace("h_._", "h.") for p in parts[:-1]]
            if path == ["wte"] or path == ["wpe"]:
                key = f"transformer.{path[0]}.weight"
            elif path[-1].startswith("ln_"):
                key = "transformer." + ".".join(path) + (".weight" if leaf == "gamma" else ".bias")
            else:
                key = "transformer." + ".".join(path) + "." + leaf
            value = np.asarray(obj[()])
            if key.endswith(".bias") and value.ndim == 2:
                value = value[0]                    # Conv1D biases are stored [1, out]
            state[key] = torch.from_numpy(value.astype(np.float32))
        f.visititems(visit)
    state["lm_head.weight"] = state["transformer.wte.weight"]
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith(".attn.bias") and not m.endswith(".attn.masked_bias")]
    assert not missing and not unexpected, (missing, unexpected)
    return model


def gpt2_tokenizer():
    """Hugging Face `tokenizers`' byte-level BPE with GPT-2's files (what GPT2TokenizerFast builds)."""
    tok_dir = os.path.join(ROOT, "Sources/GPT2/Resources/gpt2-tokenizer")
    bpe = Tokenizer(models.BPE.from_file(os.path.join(tok_dir, "encoder.json"), os.path.join(tok_dir, "vocab.bpe")))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    return bpe


def held_out(tokenizer, files):
    streams = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            ids = tokenizer(f.read())["input_ids"]
        streams.append(ids[len(ids) - int(len(ids) * HELD_OUT):])
    return streams


def windows(streams):
    return [s[i:i + WINDOW] for s in streams for i in range(0, len(s) - WINDOW + 1, WINDOW)]


@torch.no_grad()
def token_losses(model, window):
    ids = torch.tensor([window])
    logits = model(ids).logits[0, :-1]
    return torch.nn.functional.cross_entropy(logits, ids[0, 1:], reduction="none").numpy(), torch.log_softmax(logits, -1)


def bootstrap(values, statistic, rng, reps=2000):
    values = np.asarray(values)
    draws = [statistic(values[rng.integers(0, len(values), len(values))]) for _ in range(reps)]
    return statistic(values), np.percentile(draws, 2.5), np.percentile(draws, 97.5)


def main():
    folders = sys.argv[1:] or ["models/gpt2-mini", "models/gpt2-mini-noholmes", "models/gpt2-mini-elm",
                               "models/gpt2-mini-whp", "models/gpt2-mini-whp-full"]
    folders = [f for f in folders if os.path.exists(os.path.join(ROOT, f, "tf_model.h5"))]
    bpe = gpt2_tokenizer()
    tokenizer = lambda text: {"input_ids": bpe.encode(text).ids}
    data = os.path.join(ROOT, "examples/data")
    holmes = held_out(tokenizer, sorted(glob.glob(os.path.join(data, "concept/holmes_*.txt"))))
    originals = sorted(glob.glob(os.path.join(data, "original-domain/*.txt")))
    novels = held_out(tokenizer, [p for p in originals if "wikitext" not in p])
    wiki = held_out(tokenizer, [p for p in originals if "wikitext" in p])
    name_ids = {tokenizer(" " + n)["input_ids"][0] for n in NAMES}
    print(f"held out: Holmes {sum(map(len, holmes))} tokens, novels {sum(map(len, novels))}, WikiText {sum(map(len, wiki))}; "
          f"{len(name_ids)} name tokens")
    print(f"{'model':28s} {'Holmes ppl':>26s} {'novels ppl':>26s} {'WikiText ppl':>26s} {'name p [95%]':>26s} {'name top-1':>22s}  n")
    reference = None   # the first model's per-window losses, for the paired changes
    for folder in folders:
        model = load(os.path.join(ROOT, folder))
        rng = np.random.default_rng(0)   # the same draws for every model, whatever the list
        row, losses_by_source = [], []
        name_p, name_top = [], []
        for streams, is_holmes in ((holmes, True), (novels, False), (wiki, False)):
            per_window = []
            for w in windows(streams):
                losses, logp = token_losses(model, w)
                per_window.append(losses.mean())
                if is_holmes:
                    targets = torch.tensor(w[1:])
                    for t in np.nonzero(np.isin(w[1:], list(name_ids)))[0]:
                        name_p.append(float(logp[t, targets[t]].exp()))
                        name_top.append(float(logp[t].argmax() == targets[t]))
            value, lo, hi = bootstrap(per_window, lambda v: float(np.exp(v.mean())), rng)
            row.append(f"{value:8.1f} [{lo:7.1f}, {hi:7.1f}]")
            losses_by_source.append(np.asarray(per_window))
        p, plo, phi = bootstrap(name_p, lambda v: float(v.mean()), rng)
        a, alo, ahi = bootstrap(name_top, lambda v: float(v.mean()), rng)
        print(f"{os.path.basename(folder):28s} {row[0]:>26s} {row[1]:>26s} {row[2]:>26s} "
              f"{p:.4f} [{plo:.4f}, {phi:.4f}] {a:.3f} [{alo:.3f}, {ahi:.3f}]  {len(name_p)}")
        if reference is None:
            reference = (os.path.basename(folder), losses_by_source)
            continue
        changes = []
        for ours, theirs in zip(losses_by_source, reference[1]):
            c, clo, chi = bootstrap(ours - theirs, lambda v: float(np.exp(v.mean()) - 1), rng)
            changes.append(f"{100 * c:+6.1f}% [{100 * clo:+.1f}, {100 * chi:+.1f}]")
        print(f"{'  vs ' + reference[0] + ', paired':28s} {changes[0]:>26s} {changes[1]:>26s} {changes[2]:>26s}")


if __name__ == "__main__":
    main()
