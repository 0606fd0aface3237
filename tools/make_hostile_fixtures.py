#!/usr/bin/env python3
"""Hostile input fixtures for Lethe's reliability tests, written by h5py (not by Lethe), so the
loader is tested against files another tool made.

Run by a developer (not by CI):  pip install h5py numpy && python3 tools/make_hostile_fixtures.py

Writes into Tests/GPT2Tests/Fixtures/hostile/:
  external/model.h5 + secret.bin   tiny-torch-names.h5 with wpe.weight stored in an external file
  virtual/model.h5 + source.h5     the same with wpe.weight a virtual dataset drawn from another file
  huge-declared.h5                 wte.weight declares [5,000,000, 64] (1.3 GB) but stores nothing
  huge-model.h5                    a 1-layer, 4096-wide, 2M-token GPT-2 (~51 GB) in compressed chunks
                                   that were never written: a few KB on disk
  links/soft.h5                    wpe.weight a soft link to another dataset
  links/external.h5 + other.h5     wpe.weight an external link into another HDF5 file
  links/cycle.h5                   a group that contains itself (a hard-link cycle)
  tokenizer-huge-id/               a byte-level vocabulary where one token's id is 2,000,000,000
and into Tests/ProceduresTests/Fixtures/tokenizer-bytes-only/: GPT-2's 256 byte tokens, no merges
(a tokenizer that splits text differently from GPT-2's, for the token-cache test).
"""
import json
import os
import shutil

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPT2_FIXTURES = os.path.join(ROOT, "Tests", "GPT2Tests", "Fixtures")
OUT = os.path.join(GPT2_FIXTURES, "hostile")
PROCEDURE_FIXTURES = os.path.join(ROOT, "Tests", "ProceduresTests", "Fixtures")
TINY = os.path.join(GPT2_FIXTURES, "tiny-torch-names.h5")


def copy_tiny(path, skip=()):
    """Copies the tiny PyTorch-named model into `path`, leaving out the datasets in `skip`."""
    with h5py.File(TINY, "r") as src, h5py.File(path, "w") as dst:
        for name in src.keys():
            if name not in skip:
                src.copy(name, dst)


def external():
    folder = os.path.join(OUT, "external")
    os.makedirs(folder, exist_ok=True)
    with h5py.File(TINY, "r") as src:
        wpe = src["transformer.wpe.weight"][...]
    # A file someone would not want copied into a model's weights.
    (np.arange(wpe.size, dtype=np.float32) / wpe.size).tofile(os.path.join(folder, "secret.bin"))
    path = os.path.join(folder, "model.h5")
    copy_tiny(path, skip={"transformer.wpe.weight"})
    with h5py.File(path, "a") as f:
        f.create_dataset("transformer.wpe.weight", shape=wpe.shape, dtype="<f4",
                         external=[("secret.bin", 0, wpe.size * 4)])


def virtual():
    folder = os.path.join(OUT, "virtual")
    os.makedirs(folder, exist_ok=True)
    with h5py.File(TINY, "r") as src:
        wpe = src["transformer.wpe.weight"][...]
    with h5py.File(os.path.join(folder, "source.h5"), "w") as f:
        f.create_dataset("data", data=wpe)
    path = os.path.join(folder, "model.h5")
    copy_tiny(path, skip={"transformer.wpe.weight"})
    layout = h5py.VirtualLayout(shape=wpe.shape, dtype="<f4")
    layout[...] = h5py.VirtualSource("source.h5", "data", shape=wpe.shape)
    with h5py.File(path, "a") as f:
        f.create_virtual_dataset("transformer.wpe.weight", layout)


def huge_declared():
    path = os.path.join(OUT, "huge-declared.h5")
    copy_tiny(path, skip={"transformer.wte.weight"})
    with h5py.File(path, "a") as f:
        f.create_dataset("transformer.wte.weight", shape=(5_000_000, 64), dtype="<f4", chunks=(1024, 64))


def huge_model():
    width, inner, vocab, positions = 4096, 16384, 2_000_000, 1024
    shapes = {"wte.weight": (vocab, width), "wpe.weight": (positions, width),
              "ln_f.weight": (width,), "ln_f.bias": (width,),
              "h.0.ln_1.weight": (width,), "h.0.ln_1.bias": (width,),
              "h.0.attn.c_attn.weight": (width, 3 * width), "h.0.attn.c_attn.bias": (3 * width,),
              "h.0.attn.c_proj.weight": (width, width), "h.0.attn.c_proj.bias": (width,),
              "h.0.ln_2.weight": (width,), "h.0.ln_2.bias": (width,),
              "h.0.mlp.c_fc.weight": (width, inner), "h.0.mlp.c_fc.bias": (inner,),
              "h.0.mlp.c_proj.weight": (inner, width), "h.0.mlp.c_proj.bias": (width,)}
    with h5py.File(os.path.join(OUT, "huge-model.h5"), "w") as f:
        for name, shape in shapes.items():
            chunks = tuple(min(s, 256) for s in shape)
            f.create_dataset("transformer." + name, shape=shape, dtype="<f4", chunks=chunks, compression="gzip")


def links():
    folder = os.path.join(OUT, "links")
    os.makedirs(folder, exist_ok=True)
    with h5py.File(TINY, "r") as src:
        wpe = src["transformer.wpe.weight"][...]
    soft = os.path.join(folder, "soft.h5")
    copy_tiny(soft, skip={"transformer.wpe.weight"})
    with h5py.File(soft, "a") as f:
        f.create_dataset("hidden/wpe", data=wpe)
        f["transformer.wpe.weight"] = h5py.SoftLink("/hidden/wpe")
    with h5py.File(os.path.join(folder, "other.h5"), "w") as f:
        f.create_dataset("data", data=wpe)
    external = os.path.join(folder, "external.h5")
    copy_tiny(external, skip={"transformer.wpe.weight"})
    with h5py.File(external, "a") as f:
        f["transformer.wpe.weight"] = h5py.ExternalLink("other.h5", "/data")
    cycle = os.path.join(folder, "cycle.h5")
    copy_tiny(cycle)
    with h5py.File(cycle, "a") as f:
        g = f.create_group("loop")
        g["again"] = g


def bytes_to_unicode():
    """GPT-2's byte → printable character table (openai/gpt-2 src/encoder.py)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def write_tokenizer(folder, vocab):
    """encoder.json with `vocab` and a vocab.bpe without merges."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "encoder.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "vocab.bpe"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")


def tokenizers():
    table = bytes_to_unicode()
    byte_vocab = {table[b]: b for b in range(256)}
    write_tokenizer(os.path.join(PROCEDURE_FIXTURES, "tokenizer-bytes-only"), byte_vocab)
    huge = dict(byte_vocab)
    huge[table[ord("a")]] = 2_000_000_000
    write_tokenizer(os.path.join(OUT, "tokenizer-huge-id"), huge)


if __name__ == "__main__":
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    external()
    virtual()
    huge_declared()
    huge_model()
    links()
    tokenizers()
    for folder, _, files in os.walk(OUT):
        for name in files:
            path = os.path.join(folder, name)
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")
