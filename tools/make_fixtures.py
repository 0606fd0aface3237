#!/usr/bin/env python3
"""Reference fixtures for Lethe's GPT-2 tests, produced by PyTorch + Hugging Face transformers.

Run by a developer (not by CI):
    python3 -m venv VENV && VENV/bin/pip install torch transformers h5py
    VENV/bin/python tools/make_fixtures.py

Writes into Tests/GPT2Tests/Fixtures/:
  tiny-keras-fixed/tf_model.h5   small random GPT-2, tf_model.h5 layout, fixed-length string attributes
  tiny-keras-vlen/tf_model.h5    another size, variable-length strings, Keras 2.15 scope name, config.json beside
  tiny-torch-names.h5            the first model's tensors under PyTorch names (transformer.h.0...)
  reference.h5                   for each model: batches (with and without padding), HF logits, loss,
                                 the gradient of every parameter, and a greedy generation
  tokenizer_cases.json           a few hundred awkward strings and HF's GPT-2 token ids for them
"""
import json
import os
import sys

import h5py
import numpy as np
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "GPT2Tests", "Fixtures")
TOKENIZER_DIR = os.path.join(ROOT, "Sources", "GPT2", "Resources", "gpt2-tokenizer")

MODELS = {
    # name: (config, string storage, model scope). The first has head size 64 and no config.json:
    # its head count must be inferred from the shapes, as for a bare tf_model.h5.
    "tiny-keras-fixed": (dict(n_layer=2, n_head=1, n_embd=64, n_positions=32, vocab_size=384), "fixed", "tfgp_t2lm_head_model"),
    "tiny-keras-vlen": (dict(n_layer=3, n_head=4, n_embd=48, n_positions=24, vocab_size=300, n_inner=80), "vlen", "tfgpt2lm_head_model"),
}


def keras_name(scope, name):
    """h.0.attn.c_attn.bias -> <scope>/transformer/h_._0/attn/c_attn/bias:0 (specs/gpt2_hdf5_layout.md §3)."""
    parts = name.split(".")
    leaf = parts.pop()
    if parts[-1].startswith("ln_"):
        leaf = "gamma" if leaf == "weight" else "beta"
    if parts == ["wpe"]:
        leaf = "embeddings"
    path = "/".join(parts)
    if path.startswith("h/"):
        path = "h_._" + path[2:]
    return f"{scope}/transformer/{path}/{leaf}:0"


def string_attr(obj, key, values, storage):
    if storage == "fixed":
        obj.attrs[key] = np.array([v.encode() for v in values])           # 'S<n>' array: fixed-length
    else:
        obj.attrs.create(key, [v.encode() for v in values], dtype=h5py.string_dtype("ascii"))


def write_keras(path, tensors, storage, scope):
    with h5py.File(path, "w") as f:
        string_attr(f, "layer_names", ["transformer"], storage)
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4-tf"
        g = f.create_group("transformer")
        names = []
        for name, value in tensors.items():
            full = keras_name(scope, name)
            if name.endswith(("c_attn.bias", "c_proj.bias", "c_fc.bias")):
                value = value.reshape(1, -1)                                  # TFConv1D biases are [1, n]
            g.create_dataset(full, data=value.astype(np.float32))
            names.append(full)
        string_attr(g, "weight_names", names, storage)


def random_model(cfg, seed):
    torch.manual_seed(seed)
    config = GPT2Config(**cfg, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config)
    model.config._attn_implementation = "eager"
    with torch.no_grad():
        for name, p in model.named_parameters():   # random biases and LayerNorm params too, so swaps show
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif p.dim() == 1:
                p.copy_(0.05 * torch.randn_like(p))
            else:
                p.copy_(0.08 * torch.randn_like(p))
    model.eval()
    return model


def parameters(model):
    out = {}
    for name, p in model.named_parameters():
        name = name.removeprefix("transformer.")
        if name == "lm_head.weight":
            continue
        out[name] = p
    return out


def batches(vocab, context, rng):
    full = rng.integers(0, vocab, size=(2, min(12, context)))
    lengths = [min(11, context), 6, 2]
    padded = np.full((3, max(lengths)), vocab - 1, dtype=np.int64)
    for b, n in enumerate(lengths):
        padded[b, :n] = rng.integers(0, vocab, size=n)
    return [(full, [full.shape[1]] * 2), (padded, lengths)]


def run_batch(model, ids, lengths):
    model.zero_grad(set_to_none=True)
    ids_t = torch.tensor(ids)
    mask = torch.zeros_like(ids_t)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
    labels = ids_t.clone()
    labels[mask == 0] = -100
    out = model(input_ids=ids_t, attention_mask=mask, labels=labels)
    out.loss.backward()
    grads = {name: p.grad.detach().numpy().copy() for name, p in parameters(model).items()}
    return out.logits.detach().numpy(), float(out.loss), grads


def tokenizer_cases():
    strings = [
        "Hello world", "Hello, world!", "I can't believe it's not butter—really?!", "they'll we've you're I'm he'd",
        "'s 't 're 've 'm 'll 'd", "DON'T SHOUT'S", "  leading spaces", "trailing spaces   ", "\n\n\n", "\t\ttabs\tand  spaces",
        "a\r\nb", "x" * 40, "1234567890", "3.14159 2.71828 1e-10 -42", "2024-01-01T12:00:00Z", "$100,000.00 €50 £20 ¥3000",
        "café naïve résumé coöperate", "日本語のテキスト", "한국어 텍스트", "Привет, мир!", "مرحبا بالعالم", "שלום עולם",
        "😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇫🇷", "emoji😀inside", "Ω≈ç√∫˜µ≤≥÷", "ﬁ ﬂ ligatures", "Ⅻ ① ½ ²", "zero\u200bwidth", "non\u00a0breaking",
        "def f(x):\n    return x**2  # square\n", "for (int i = 0; i < n; ++i) { a[i] += b[i]; }", "<html><body>Hi</body></html>",
        "https://example.com/path?q=1&r=2#frag", "user@example.com", "snake_case camelCase PascalCase kebab-case SCREAMING_CASE",
        "...!!!???---", "((()))[[]]{{}}", "a  b   c    d", " ", "", "<|endoftext|>", "end<|endoftext|>start",
        "Mr. Sherlock Holmes, who was usually very late in the mornings", "It was the best of times, it was the worst of times.",
        "The movie was 10/10!!! Loved it :)", "I'd've thought so", "rock'n'roll", "‘curly’ “quotes”", "ʼmodifierʼ apostrophes",
    ]
    # Lines from the public-domain texts that ship with Lethe add ordinary prose of every kind.
    shared = os.path.join(ROOT, "..", "shared", "data")
    for rel, count in [("concept/holmes_hound_pg2852.txt", 120), ("sentiment/imdb_short_test.tsv", 80)]:
        path = os.path.join(shared, rel)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                lines = [l.rstrip("\n") for l in f if l.strip()]
            strings += lines[200:200 + count]
    # Hugging Face `tokenizers`' BPE with GPT-2's byte-level pre-tokenizer (its regex), no special
    # tokens registered: "<|endoftext|>" is ordinary text, as in openai/gpt-2 and tiktoken's encode_ordinary.
    bpe = models.BPE.from_file(os.path.join(TOKENIZER_DIR, "encoder.json"), os.path.join(TOKENIZER_DIR, "vocab.bpe"))
    tok = Tokenizer(bpe)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    cases = []
    for s in strings:
        ids = tok.encode(s).ids
        if s:
            assert ids, f"reference tokenizer returned nothing for {s!r}"
        cases.append({"text": s, "ids": ids})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)
    with h5py.File(os.path.join(OUT, "reference.h5"), "w") as ref:
        ref.attrs["torch"] = np.bytes_(torch.__version__)
        import transformers
        ref.attrs["transformers"] = np.bytes_(transformers.__version__)
        for seed, (name, (cfg, storage, scope)) in enumerate(MODELS.items()):
            model = random_model(cfg, seed)
            tensors = {k: v.detach().numpy().copy() for k, v in parameters(model).items()}
            folder = os.path.join(OUT, name)
            os.makedirs(folder, exist_ok=True)
            write_keras(os.path.join(folder, "tf_model.h5"), tensors, storage, scope)
            if name == "tiny-keras-vlen":
                with open(os.path.join(folder, "config.json"), "w") as f:
                    json.dump({"model_type": "gpt2", **cfg}, f, indent=1)
            if name == "tiny-keras-fixed":
                with h5py.File(os.path.join(OUT, "tiny-torch-names.h5"), "w") as f:
                    for k, v in tensors.items():
                        f.create_dataset("transformer." + k, data=v)
                    for i in range(cfg["n_layer"]):   # the causal-mask buffer real checkpoints carry
                        f.create_dataset(f"transformer.h.{i}.attn.bias", data=np.tril(np.ones((1, 1, 4, 4), np.float32)))
            g = ref.create_group(name)
            for n, (ids, lengths) in enumerate(batches(cfg["vocab_size"], cfg["n_positions"], rng)):
                logits, loss, grads = run_batch(model, ids, lengths)
                b = g.create_group(f"batch{n}")
                b["ids"] = ids
                b["lengths"] = np.array(lengths, dtype=np.int64)
                b["logits"] = logits
                b["loss"] = np.array([loss], dtype=np.float32)
                for k, v in grads.items():
                    b["grad/" + k] = v
            prompt = torch.tensor([[5, 17, 42, 7]])
            with torch.no_grad():
                generated = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=12,
                                           do_sample=False, pad_token_id=0)
            g["generation/prompt"] = prompt.numpy()
            g["generation/output"] = generated.numpy()
    with open(os.path.join(OUT, "tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"source": "Hugging Face tokenizers BPE + ByteLevel pre-tokenizer on the bundled encoder.json/vocab.bpe (tools/make_fixtures.py)",
                   "cases": tokenizer_cases()}, f, ensure_ascii=False, indent=0)
    print("fixtures written to", OUT)


if __name__ == "__main__":
    sys.exit(main())
