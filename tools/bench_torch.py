#!/usr/bin/env python3
"""PyTorch side of Lethe's benchmarks: the same workloads as `lethe bench`, on the same machine.

    VENV/bin/python tools/bench_torch.py train --layers 12 --width 768 --heads 12 --seq 128 --batch 4
    VENV/bin/python tools/bench_torch.py forward --layers 12 --width 768 --heads 12 --seq 128 --batch 4
    VENV/bin/python tools/bench_torch.py generate --layers 12 --width 768 --heads 12 --new 128
    VENV/bin/python tools/bench_torch.py features --batch 32 --seq 128
    VENV/bin/python tools/bench_torch.py sgemm
    VENV/bin/python tools/bench_torch.py finetune --layers 6 --width 128 --heads 2   # `lethe bench finetune`
    VENV/bin/python tools/bench_torch.py sophon --layers 6 --width 128 --heads 2     # `lethe bench sophon`
Threads: torch.set_num_threads(--threads, default 2). Prints one line per measurement (median of --reps).
"""
import argparse
import statistics
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def model_for(a, dropout):
    cfg = GPT2Config(n_layer=a.layers, n_embd=a.width, n_head=a.heads, n_positions=max(1024, a.seq + 1),
                     resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout)
    m = GPT2LMHeadModel(cfg)
    m.config._attn_implementation = a.attn
    return m


def timed(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["train", "forward", "features", "generate", "sgemm", "finetune", "sophon"])
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--width", type=int, default=768)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--new", type=int, default=128)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    if a.what == "sgemm":
        for m, n, k in [(512, 3072, 768), (1024, 1024, 1024)]:
            x, y = torch.randn(m, k), torch.randn(k, n)
            s = timed(lambda: x @ y, 10)
            print(f"sgemm {m}x{n}x{k}: {2 * m * n * k / s / 1e9:.1f} GFLOP/s")
        return
    if a.what == "train":
        m = model_for(a, 0.0)
        m.train()
        opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
        ids = torch.randint(0, 50257, (a.batch, a.seq))

        def step():
            loss = m(input_ids=ids, labels=ids).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        s = timed(step, a.reps)
        print(f"train step {a.batch}x{a.seq}: {s * 1000:.0f} ms, {a.batch * a.seq / s:.0f} tokens/s")
    elif a.what == "finetune":
        attack_epoch(a)
    elif a.what == "sophon":
        sophon_iteration(a)
    elif a.what == "forward":
        m = model_for(a, 0.0).eval()
        ids = torch.randint(0, 50257, (a.batch, a.seq))
        with torch.no_grad():
            s = timed(lambda: m(input_ids=ids), a.reps)
        print(f"forward {a.batch}x{a.seq}: {s * 1000:.0f} ms, {a.batch * a.seq / s:.0f} tokens/s")
    elif a.what == "features":
        m = model_for(a, 0.0).transformer.eval()   # final hidden states (after ln_f), no LM head
        ids = torch.randint(0, 50257, (a.batch, a.seq))
        with torch.no_grad():
            s = timed(lambda: m(input_ids=ids).last_hidden_state, a.reps)
        print(f"features {a.batch}x{a.seq}: {s * 1000:.0f} ms, {a.batch / s:.1f} reviews/s")
    else:
        m = model_for(a, 0.0).eval()
        ids = torch.randint(0, 50257, (1, 8))
        with torch.no_grad():
            s = timed(lambda: m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=a.new, min_new_tokens=a.new,
                                         do_sample=False, pad_token_id=0), max(1, a.reps // 2), warmup=1)
        print(f"generate 1x{a.new}: {s:.2f} s, {a.new / s:.1f} tokens/s")


def short_reviews(name, limit=None):
    """(token ids, label) of `examples/data/sentiment/NAME`, tokenized as Lethe does (GPT-2 BPE)."""
    import os
    from tokenizers import Tokenizer, models, pre_tokenizers
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    tok_dir = os.path.join(root, "Sources/GPT2/Resources/gpt2-tokenizer")
    bpe = Tokenizer(models.BPE.from_file(os.path.join(tok_dir, "encoder.json"), os.path.join(tok_dir, "vocab.bpe")))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    rows = []
    with open(os.path.join(root, "examples/data/sentiment", name), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                label, text = line.rstrip("\n").split("\t", 1)
                rows.append((bpe.encode(text).ids, int(label)))
    return rows[:limit]


def classifier_config(a):
    """A gpt2-mini-shaped sequence classifier: no dropout (as gpt2-mini's config), 2 labels, padding 50256."""
    cfg = GPT2Config(n_layer=a.layers, n_embd=a.width, n_head=a.heads, n_positions=256, n_inner=4 * a.width,
                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, num_labels=2, pad_token_id=50256)
    cfg._attn_implementation = a.attn
    return cfg


def review_batch(rows):
    """Reviews padded to the longest with 50256; the classifier reads each one's last real token."""
    longest = max(len(ids) for ids, _ in rows)
    ids = torch.full((len(rows), longest), 50256, dtype=torch.long)
    mask = torch.zeros((len(rows), longest), dtype=torch.long)
    for r, (t, _) in enumerate(rows):
        ids[r, :len(t)] = torch.tensor(t)
        mask[r, :len(t)] = 1
    return ids, mask, torch.tensor([y for _, y in rows])


def attack_epoch(a):
    """`lethe bench finetune`: one epoch of the calibrated attack (AdamW 1e-3, a new N(0, 0.02) head,
    batches of 8 shuffled reviews each padded to its longest, last real token classified) on the 1,000
    short training reviews, with the 8 first test reviews scored before and after. Random weights of the
    given shape: the speed does not depend on them."""
    from transformers import GPT2ForSequenceClassification
    cut = lambda rows: [(ids[:256], y) for ids, y in rows]
    train, test = cut(short_reviews("imdb_short_train.tsv")), cut(short_reviews("imdb_short_test.tsv", 8))
    cfg = classifier_config(a)

    def epoch():
        torch.manual_seed(0)
        m = GPT2ForSequenceClassification(cfg)
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3)

        def score():
            m.eval()
            with torch.no_grad():
                ids, mask, _ = review_batch(test)
                m(input_ids=ids, attention_mask=mask)
            m.train()
        score()
        order = torch.randperm(len(train)).tolist()
        for start in range(0, len(order), 8):
            ids, mask, labels = review_batch([train[i] for i in order[start:start + 8]])
            m(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        score()
    s = timed(epoch, a.reps, warmup=1)
    print(f"attack epoch ({len(train)} reviews in batches of 8, test on 8 twice): {s:.2f} s, {len(train) / s:.0f} reviews/s")


def sophon_iteration(a):
    """`lethe bench sophon`: one SOPHON outer iteration at Lethe's default settings, written as the
    reference code would in PyTorch. Fine-tuning suppression: for each of two simulated fine-tunes
    (Adam 1e-3 and SGD 1e-2 on the whole model), a copy with a new N(0, 0.02) head takes K = 6 inner
    steps on 8 support reviews (<= 128 tokens); after each, the inverse cross-entropy on 8 query
    reviews at the copy adds its first-order gradient (weighted 2k / K(K+1), halved per environment)
    into the model's; clip to norm 0.5, one Adam step. Then one reinforcement step (LM loss on 8
    windows of 128 tokens, a second Adam) and the guard's loss on 16 windows of 256 tokens.
    Random weights and token windows of the given shape: the speed does not depend on them."""
    import copy
    from transformers import GPT2ForSequenceClassification
    reviews = [(ids[:128], y) for ids, y in short_reviews("imdb_short_train.tsv")]
    cfg = classifier_config(a)
    torch.manual_seed(0)
    model = GPT2ForSequenceClassification(cfg)
    lm = GPT2LMHeadModel(cfg)
    lm.transformer = model.transformer   # the same body; its LM head is tied to wte
    lm.lm_head.weight = model.transformer.wte.weight
    fts_adam = torch.optim.Adam(model.parameters(), lr=3e-4)
    ntr_adam = torch.optim.Adam(model.parameters(), lr=5e-4)
    environments = [lambda p: torch.optim.Adam(p, lr=1e-3), lambda p: torch.optim.SGD(p, lr=1e-2)]
    K, support, query = 6, 8, 8
    guard = torch.randint(0, 50257, (16, 256))

    def inverse_cross_entropy(logits, labels):
        p = torch.softmax(logits, dim=-1).gather(1, labels[:, None]).squeeze(1)
        return -torch.log1p(-p.clamp(max=1 - 1e-6)).mean()

    def iteration():
        accumulated = [torch.zeros_like(p) for p in model.parameters()]
        for make in environments:
            clone = copy.deepcopy(model)
            torch.nn.init.normal_(clone.score.weight, std=0.02)
            inner = make(clone.parameters())
            for k in range(1, K + 1):
                order = torch.randperm(len(reviews)).tolist()
                ids, mask, labels = review_batch([reviews[i] for i in order[:support]])
                clone(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
                inner.step()
                inner.zero_grad(set_to_none=True)
                ids, mask, labels = review_batch([reviews[i] for i in order[support:support + query]])
                inverse_cross_entropy(clone(input_ids=ids, attention_mask=mask).logits, labels).backward()
                weight = 2 * k / (K * (K + 1)) / len(environments)
                for acc, p in zip(accumulated, clone.parameters()):
                    if p.grad is not None:
                        acc.add_(p.grad, alpha=weight)
                clone.zero_grad(set_to_none=True)
        for p, acc in zip(model.parameters(), accumulated):
            p.grad = acc
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        fts_adam.step()
        model.zero_grad(set_to_none=True)
        windows = torch.randint(0, 50257, (8, 128))
        lm(input_ids=windows, labels=windows).loss.backward()
        ntr_adam.step()
        model.zero_grad(set_to_none=True)
        with torch.no_grad():
            for start in range(0, len(guard), 8):
                lm(input_ids=guard[start:start + 8], labels=guard[start:start + 8])
    s = timed(iteration, a.reps, warmup=1)
    print(f"SOPHON iteration (2 environments x K = {K} of {support} + {query} reviews, 1 NTR batch): {s:.2f} s")


if __name__ == "__main__":
    main()
