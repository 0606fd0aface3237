#!/usr/bin/env python3
"""Reference fixtures for Lethe's procedure tests (sentiment classifier, metrics), from PyTorch,
Hugging Face transformers and scikit-learn.

Run by a developer (not by CI):
    python3 -m venv VENV && VENV/bin/pip install torch transformers h5py scikit-learn
    VENV/bin/python tools/make_procedure_fixtures.py

Writes into Tests/ProceduresTests/Fixtures/:
  tiny-classifier/tf_model.h5   a small random GPT-2 body (tf_model.h5 layout) with config.json
  classifier_reference.h5       GPT2ForSequenceClassification on a right-padded batch: the score head,
                                ids, lengths, labels, class logits, loss and every parameter's gradient
  metrics_cases.json            random binary predictions with scikit-learn's accuracy, precision,
                                recall, F1 and confusion matrix
"""
import json
import os
import sys

import h5py
import numpy as np
import torch
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score
from transformers import GPT2Config, GPT2ForSequenceClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import parameters, random_model, write_keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ProceduresTests", "Fixtures")
CFG = dict(n_layer=2, n_head=2, n_embd=32, n_positions=24, vocab_size=200)


def classifier_reference():
    lm = random_model(CFG, seed=11)
    tensors = {k: v.detach().numpy().copy() for k, v in parameters(lm).items()}
    folder = os.path.join(OUT, "tiny-classifier")
    os.makedirs(folder, exist_ok=True)
    write_keras(os.path.join(folder, "tf_model.h5"), tensors, "fixed", "tfgp_t2lm_head_model")
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"model_type": "gpt2", **CFG}, f, indent=1)

    pad = CFG["vocab_size"] - 1
    config = GPT2Config(**CFG, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, num_labels=2, pad_token_id=pad)
    clf = GPT2ForSequenceClassification(config)
    clf.config._attn_implementation = "eager"
    clf.transformer.load_state_dict(lm.transformer.state_dict())
    torch.manual_seed(3)
    with torch.no_grad():
        clf.score.weight.copy_(0.3 * torch.randn_like(clf.score.weight))
    clf.eval()
    rng = np.random.default_rng(5)
    lengths = [9, 4, 1, 7]
    ids = np.full((len(lengths), max(lengths)), pad, dtype=np.int64)
    for b, n in enumerate(lengths):
        ids[b, :n] = rng.integers(0, pad, size=n)        # real tokens never equal the pad id
    labels = np.array([1, 0, 1, 0], dtype=np.int64)
    ids_t = torch.tensor(ids)
    mask = (ids_t != pad).long()
    out = clf(input_ids=ids_t, attention_mask=mask, labels=torch.tensor(labels))
    out.loss.backward()
    with h5py.File(os.path.join(OUT, "classifier_reference.h5"), "w") as f:
        f.attrs["torch"] = np.bytes_(torch.__version__)
        f["score"] = clf.score.weight.detach().numpy()
        f["ids"] = ids
        f["lengths"] = np.array(lengths, dtype=np.int64)
        f["labels"] = labels
        f["logits"] = out.logits.detach().numpy()
        f["loss"] = np.array([float(out.loss)], dtype=np.float32)
        f["grad/score.weight"] = clf.score.weight.grad.numpy()
        for name, p in clf.transformer.named_parameters():
            f["grad/" + name] = p.grad.numpy()


def metrics_cases():
    rng = np.random.default_rng(9)
    cases = []
    for n, p_pos in [(10, 0.5), (100, 0.84), (37, 0.1), (5, 0.0), (64, 1.0)]:
        y = rng.integers(0, 2, size=n)
        pred = (rng.random(n) < p_pos).astype(np.int64)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        cases.append({
            "labels": y.tolist(), "predictions": pred.tolist(),
            "accuracy": accuracy_score(y, pred),
            "precision": precision_score(y, pred, zero_division=0),
            "recall": recall_score(y, pred, zero_division=0),
            "f1": f1_score(y, pred, zero_division=0),
            "confusion": [[int(tn), int(fp)], [int(fn), int(tp)]],
        })
    with open(os.path.join(OUT, "metrics_cases.json"), "w") as f:
        json.dump({"source": "scikit-learn metrics (tools/make_procedure_fixtures.py)", "cases": cases}, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    classifier_reference()
    metrics_cases()
    print("fixtures written to", OUT)


if __name__ == "__main__":
    sys.exit(main())
