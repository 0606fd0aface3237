#!/usr/bin/env python3
"""Reference values for Lethe's statistics (specs/measurements.md), computed by scipy, scikit-learn
and Google's rouge-score package, for Tests/ProceduresTests/StatisticsTests.swift.

Run by a developer (not by CI):
    pip install numpy scipy scikit-learn rouge-score && python3 tools/make_statistics_fixtures.py

Writes Tests/ProceduresTests/Fixtures/statistics_cases.json:
  wilson      scipy.stats.binomtest(k, n).proportion_ci(method="wilson")
  bootstrap   a 0/1 sample and scipy.stats.bootstrap's 95% percentile interval of its mean (20,000 resamples)
  ratio       paired (numerator, denominator) samples and scipy.stats.bootstrap's 95% percentile interval
              of sum(numerators) / sum(denominators) (paired resampling, 20,000 resamples)
  ks          scipy.stats.ks_2samp(a, b, method="exact"): statistic and two-sided p-value
  auc         sklearn.metrics.roc_auc_score
  rouge       rouge_score's ROUGE-L F-measure on token ids written as space-separated strings
  probe       scikit-learn's LogisticRegression(C=1) and LogisticRegressionCV(Cs=10, cv=5) on standardised
              features, and StratifiedKFold(5)'s folds
  membership  loss, Min-K% and Min-K%++ (k = 0.2) of random next-token distributions, computed with
              numpy from the papers' formulas (Shi et al. 2024; Zhang et al. 2024)
"""
import json
import os

import numpy as np
from rouge_score import rouge_scorer
from scipy import stats
from scipy.special import log_softmax
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ProceduresTests", "Fixtures", "statistics_cases.json")
rng = np.random.default_rng(20261130)

cases = {}

cases["wilson"] = []
for k, n in [(0, 10), (3, 10), (10, 10), (250, 500), (390, 500), (1, 1000), (57, 64)]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    cases["wilson"].append({"successes": k, "trials": n, "lower": ci.low, "upper": ci.high})

sample = (rng.random(500) < 0.74).astype(float)
boot = stats.bootstrap((sample,), np.mean, confidence_level=0.95, method="percentile", n_resamples=20000, random_state=1)
cases["bootstrap"] = {"values": sample.tolist(), "lower": boot.confidence_interval.low, "upper": boot.confidence_interval.high}

cases["ks"] = []
ks_inputs = [
    (rng.normal(0, 1, 30), rng.normal(0, 1, 45)),
    (rng.normal(0, 1, 50), rng.normal(0.8, 1, 50)),
    (rng.normal(3.2, 0.4, 120), rng.normal(3.3, 0.5, 80)),
    (np.round(rng.normal(0, 1, 40), 1), np.round(rng.normal(0.3, 1, 60), 1)),   # ties
    (np.arange(10.0), np.arange(10.0)),                                          # identical: p = 1
    (np.arange(8.0), np.arange(8.0) + 100),                                      # disjoint
    (rng.exponential(1, 300), rng.exponential(1.1, 257)),
]
for a, b in ks_inputs:
    r = stats.ks_2samp(a, b, method="exact")
    cases["ks"].append({"a": a.tolist(), "b": b.tolist(), "statistic": float(r.statistic), "p": float(r.pvalue)})

cases["auc"] = []
for n1, n0, shift, rounding in [(50, 60, 0.5, None), (200, 180, 0.1, None), (40, 40, 1.0, 0), (10, 7, -0.5, 1)]:
    pos, neg = rng.normal(shift, 1, n1), rng.normal(0, 1, n0)
    if rounding is not None:
        pos, neg = np.round(pos, rounding), np.round(neg, rounding)
    labels = np.r_[np.ones(n1), np.zeros(n0)]
    cases["auc"].append({"positives": pos.tolist(), "negatives": neg.tolist(), "auc": roc_auc_score(labels, np.r_[pos, neg])})

scorer = rouge_scorer.RougeScorer(["rougeL"])
cases["rouge"] = []
for _ in range(12):
    ref = rng.integers(0, 30, size=rng.integers(1, 40)).tolist()
    gen = [t if rng.random() < 0.6 else int(rng.integers(0, 30)) for t in ref[: rng.integers(1, len(ref) + 1)]]
    gen += rng.integers(0, 30, size=rng.integers(0, 8)).tolist()
    score = scorer.score(" ".join(map(str, ref)), " ".join(map(str, gen)))["rougeL"].fmeasure
    cases["rouge"].append({"generated": gen, "reference": ref, "f": score})

cases["membership"] = []
for positions, vocabulary in [(25, 40), (7, 13), (60, 100)]:
    logits = rng.normal(0, 2.5, size=(positions, vocabulary)).astype(np.float32)
    logp = log_softmax(logits.astype(np.float64), axis=-1)
    targets = rng.integers(0, vocabulary, size=positions)
    token_lp = logp[np.arange(positions), targets]
    p = np.exp(logp)
    mu = (p * logp).sum(-1)
    sigma = np.sqrt((p * logp ** 2).sum(-1) - mu ** 2)
    kept = max(1, int(positions * 0.2))
    cases["membership"].append({
        "logProbabilities": logp.astype(np.float32).ravel().tolist(), "vocabulary": vocabulary, "targets": targets.tolist(),
        "loss": float(token_lp.mean()), "minK": float(np.sort(token_lp)[:kept].mean()),
        "minKPlusPlus": float(np.sort((token_lp - mu) / sigma)[:kept].mean())})

cases["probe"] = []
for n, d, signal, balance in [(240, 8, 0.8, 0.5), (157, 5, 0.3, 0.4), (300, 12, 0.05, 0.5)]:
    y = (rng.random(n) < balance).astype(int)
    x = rng.normal(0, 1, size=(n, d)) + np.outer(y, rng.normal(0, signal, size=d))
    x = x.astype(np.float32)
    z = (x.astype(np.float64) - x.mean(0)) / x.std(0)
    plain = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(z, y)
    cv = LogisticRegressionCV(Cs=10, cv=5, scoring="accuracy", tol=1e-12, max_iter=100000).fit(z, y)
    folds = np.zeros(n, dtype=int)
    for fold, (_, test) in enumerate(StratifiedKFold(5).split(z, y)):
        folds[test] = fold
    cases["probe"].append({"features": x.ravel().tolist(), "width": d, "labels": y.tolist(),
                           "weight": plain.coef_[0].tolist(), "bias": float(plain.intercept_[0]),
                           "cvC": float(cv.C_[0]), "cvScores": cv.scores_[1].mean(axis=0).tolist(),
                           "cvWeight": cv.coef_[0].tolist(), "folds": folds.tolist()})

# StratifiedKFold's folds alone, including label vectors that start with the class of the larger label
cases["folds"] = []
for labels in [[1, 0, 0, 1, 1, 0, 1], [1] * 7 + [0] * 9 + [1, 0, 1], rng.integers(0, 2, 53).tolist(), [3, 3, 1, 1, 3, 1, 1, 3, 3, 1, 3]]:
    folds = np.zeros(len(labels), dtype=int)
    k = 3 if min(np.bincount(np.unique(labels, return_inverse=True)[1])) < 5 else 5
    for fold, (_, test) in enumerate(StratifiedKFold(k).split(np.zeros(len(labels)), labels)):
        folds[test] = fold
    cases["folds"].append({"labels": labels, "k": k, "folds": folds.tolist()})

# Last, with its own generator, so the cases above keep their values.
ratio_rng = np.random.default_rng(7)
den = ratio_rng.normal(1.8, 1.0, 28)                      # per-probe differences, mostly positive
num = den * ratio_rng.uniform(0.2, 0.8, 28) + ratio_rng.normal(0, 0.1, 28)
boot = stats.bootstrap((num, den), lambda n, d: n.sum() / d.sum(), paired=True, vectorized=False,
                       confidence_level=0.95, method="percentile", n_resamples=20000, random_state=2)
cases["ratio"] = {"numerators": num.tolist(), "denominators": den.tolist(), "value": float(num.sum() / den.sum()),
                  "lower": boot.confidence_interval.low, "upper": boot.confidence_interval.high}

with open(OUT, "w") as f:
    json.dump(cases, f)
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
