#!/usr/bin/env python3
"""Convert a Hugging Face GPT-2 checkpoint (model.safetensors or pytorch_model.bin) into an HDF5
file Lethe loads: every tensor as a float32 dataset under its PyTorch name (transformer.h.0...),
with config.json copied beside the output when it sits beside the input.

    VENV/bin/pip install numpy h5py safetensors torch    # torch only for pytorch_model.bin
    VENV/bin/python tools/convert_to_hdf5.py ~/gpt2/model.safetensors ~/gpt2-h5/model.h5
    .build/release/lethe load model ~/gpt2-h5/model.h5

Lethe itself never needs Python: this is for users whose weights are not in tf_model.h5 form.
"""
import json
import os
import shutil
import sys

import h5py
import numpy as np


def read_tensors(path):
    if path.endswith(".safetensors"):
        from safetensors.numpy import load_file
        return load_file(path)
    import torch
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v.float().numpy() for k, v in state.items()}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: convert_to_hdf5.py model.safetensors|pytorch_model.bin OUTPUT.h5")
    source, target = sys.argv[1], sys.argv[2]
    tensors = read_tensors(source)
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    written = 0
    with h5py.File(target + ".tmp", "w") as f:
        for name, value in sorted(tensors.items()):
            if name.endswith(".attn.bias") or name.endswith(".attn.masked_bias") or name == "lm_head.weight":
                continue   # causal-mask buffers, and the LM head (tied to wte in GPT-2)
            f.create_dataset(name, data=np.asarray(value, dtype=np.float32))
            written += 1
    os.replace(target + ".tmp", target)
    config = os.path.join(os.path.dirname(os.path.abspath(source)), "config.json")
    if os.path.exists(config):
        shutil.copy(config, os.path.join(os.path.dirname(os.path.abspath(target)), "config.json"))
    print(f"wrote {written} tensors to {target}")


if __name__ == "__main__":
    main()
