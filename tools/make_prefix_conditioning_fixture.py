#!/usr/bin/env python3
"""Reference for `elm check` (Lethe's PrefixConditioning): on the small random GPT-2 of
Tests/ProceduresTests/Fixtures/tiny-classifier, with PyTorch and Hugging Face transformers, the
mean KL(p(.|expert+x) || p(.|novice+x)) per passage, the share of positions where ELM's erase target
softmax(topk50(lo + eta_t (ln - le))) at temperature 1.2 has its top-1 among the novice model's top 10,
and each probe's mean log(p(answer|novice+prompt) / p(answer|expert+prompt)) over the prefix pairs.

Run by a developer (not by CI), after tools/make_procedure_fixtures.py:
    VENV/bin/python tools/make_prefix_conditioning_fixture.py
Writes Tests/ProceduresTests/Fixtures/prefix_conditioning_cases.json.
"""
import json
import os

import h5py
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ProceduresTests", "Fixtures")


def log_probs(model, ids, temperature=1.0):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()   # [len, vocab]
    return torch.log_softmax(logits / temperature, dim=-1)


def main():
    # The tiny-classifier fixture's weights: the same seed and config as make_procedure_fixtures.py,
    # checked against the token embedding stored in its tf_model.h5.
    from make_fixtures import random_model
    from make_procedure_fixtures import CFG
    model = random_model(CFG, seed=11).eval()
    stored = []
    with h5py.File(os.path.join(FIXTURES, "tiny-classifier", "tf_model.h5"), "r") as f:
        f.visititems(lambda name, obj: stored.append(obj[()]) if isinstance(obj, h5py.Dataset) and "wte" in name else None)
    assert len(stored) == 1 and np.array_equal(stored[0], model.transformer.wte.weight.detach().numpy()), "tiny-classifier weights differ"
    vocab = CFG["vocab_size"]
    rng = np.random.default_rng(2026)
    passages = [rng.integers(0, vocab, size=int(n)).tolist() for n in (9, 12, 7, 12)]
    prefixes = [{"expert": rng.integers(0, vocab, size=3).tolist(), "novice": rng.integers(0, vocab, size=4).tolist()},
                {"expert": rng.integers(0, vocab, size=2).tolist(), "novice": rng.integers(0, vocab, size=2).tolist()}]
    probes = [{"prompt": rng.integers(0, vocab, size=5).tolist(),
               "answers": [rng.integers(0, vocab, size=int(k)).tolist() for k in ks]} for ks in ((1,), (2, 1), (3,))]
    etas = [1.0, 5.0, 500.0]
    temperature, top_k = 1.2, 50

    kl_per_passage, agreement = [], [[] for _ in etas]
    for x in passages:
        n = len(x) - 1
        kl, agree = 0.0, [0] * len(etas)
        for p in prefixes:
            e, nv = len(p["expert"]), len(p["novice"])
            le1 = log_probs(model, p["expert"] + x)[e:e + n]
            ln1 = log_probs(model, p["novice"] + x)[nv:nv + n]
            kl += (le1.exp() * (le1 - ln1)).sum().item()
            lo = log_probs(model, x, temperature)[:n]
            le = log_probs(model, p["expert"] + x, temperature)[e:e + n]
            ln = log_probs(model, p["novice"] + x, temperature)[nv:nv + n]
            novice_top10 = torch.topk(ln1, 10, dim=-1).indices
            for j, eta in enumerate(etas):
                for t in range(n):
                    eta_t = eta if n == 1 else 1 + (eta - 1) * t / (n - 1)
                    edit = lo[t] + eta_t * (ln[t] - le[t])
                    kth = torch.topk(edit, top_k).values[-1]
                    target = torch.softmax(torch.where(edit >= kth, edit, torch.tensor(-float("inf"), dtype=edit.dtype)), dim=-1)
                    agree[j] += int(int(target.argmax()) in novice_top10[t].tolist())
        kl_per_passage.append(kl / (n * len(prefixes)))
        for j in range(len(etas)):
            agreement[j].append(agree[j] / (n * len(prefixes)))

    def sequence_log_prob(context, answer):
        ids = context + answer
        lp = log_probs(model, ids)
        return sum(lp[len(context) + i - 1, tok].item() for i, tok in enumerate(answer))

    log_ratios = []
    for probe in probes:
        total = 0.0
        for p in prefixes:
            expert = max(sequence_log_prob(p["expert"] + probe["prompt"], a) for a in probe["answers"])
            novice = max(sequence_log_prob(p["novice"] + probe["prompt"], a) for a in probe["answers"])
            total += novice - expert
        log_ratios.append(total / len(prefixes))

    out = {"passages": passages, "prefixes": prefixes, "probes": probes, "etas": etas,
           "temperature": temperature, "top_k": top_k,
           "kl_per_passage": kl_per_passage, "agreement_per_passage": agreement, "log_ratio_per_probe": log_ratios}
    with open(os.path.join(FIXTURES, "prefix_conditioning_cases.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("kl", kl_per_passage, "agreement", agreement, "log ratios", log_ratios)


if __name__ == "__main__":
    main()
