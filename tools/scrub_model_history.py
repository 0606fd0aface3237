#!/usr/bin/env python3
"""Removes the absolute paths of the machine that trained a model from its `lethe_history` attribute
(the shipped files once recorded /work/runs/... and /tmp/... paths). Lethe itself now writes paths
relative to the current folder, or only the file name; this brings older files to the same form.
Only the attribute changes; every tensor stays byte for byte.

    pip install h5py numpy && python3 tools/scrub_model_history.py models/*/tf_model.h5
"""
import re
import sys

import h5py
import numpy as np

ABSOLUTE = re.compile(r"(?<![^\s(])/[^\s()]+")


def scrub(entry: str) -> str:
    return ABSOLUTE.sub(lambda m: m.group(0).rsplit("/", 1)[-1], entry)


for path in sys.argv[1:]:
    with h5py.File(path, "r+") as f:
        if "lethe_history" not in f.attrs:
            continue
        before = [e.decode("utf-8") if isinstance(e, bytes) else str(e) for e in np.atleast_1d(f.attrs["lethe_history"])]
        after = [scrub(e) for e in before]
        if after == before:
            print(f"{path}: nothing to change")
            continue
        encoded = [e.encode("utf-8") for e in after]
        width = max(1, max(len(e) for e in encoded))
        del f.attrs["lethe_history"]
        f.attrs.create("lethe_history", np.array(encoded, dtype=f"S{width}"))
        for b, a in zip(before, after):
            if a != b:
                print(f"{path}: {b!r} -> {a!r}")
