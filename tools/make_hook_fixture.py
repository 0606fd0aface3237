#!/usr/bin/env python3
"""Reference activations at every TransformerLens hook point, and the effect of writing to hooks,
for Lethe's hook tests, from PyTorch and Hugging Face transformers (forward hooks on the modules).

Run by a developer (not by CI), after tools/make_fixtures.py:
    VENV/bin/python tools/make_hook_fixture.py
Writes Tests/GPT2Tests/Fixtures/hooks_reference.h5 for the tiny-keras-vlen model:
  ids                        [1, 7] tokens
  <hook name>                the activation, in TransformerLens' layout ([batch, pos, head, headDim] for
                             q, k, v and z; [batch, head, qPos, kPos] for attention scores and patterns)
  edited/logits              logits with head 1 of layer 1 zeroed at attn.hook_z and layer 0's
                             mlp.hook_post scaled by 0.5
  edited/generation          greedy generation (12 new tokens after the first 4 ids) with the same edits
  per_token/loss             each token's next-token loss (cross-entropy of position t−1's logits at token t)
  ablated/loss               mean next-token loss with layer 0's hook_mlp_out mean-ablated (every position
                             replaced by its mean over the clean run's positions) and head 0 of layer 1
                             zero-ablated at attn.hook_z
  steered/vector, /logits    logits with 3 × vector added to blocks.1.hook_resid_pre at every position, the
                             vector being the clean run's blocks.0.hook_resid_post at position 2 minus position 5
  patched/ids, /logits       the ids with position 3 changed, run with blocks.1.hook_resid_pre at position 3
                             taken from the clean run
"""
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import MODELS, OUT, random_model  # noqa: E402

NAME = "tiny-keras-vlen"


def main():
    cfg = MODELS[NAME][0]
    model = random_model(cfg, list(MODELS).index(NAME)).eval()
    stored = []
    with h5py.File(os.path.join(OUT, NAME, "tf_model.h5"), "r") as f:
        f.visititems(lambda name, obj: stored.append(obj[()]) if isinstance(obj, h5py.Dataset) and "wte" in name else None)
    assert len(stored) == 1 and np.array_equal(stored[0], model.transformer.wte.weight.detach().numpy()), "fixture weights differ"

    heads, d = cfg["n_head"], cfg["n_embd"]
    hd = d // heads
    acts = {}

    def per_head(x):   # [b, t, d] -> [b, t, head, headDim]
        return x.reshape(x.shape[0], x.shape[1], heads, hd)

    handles = []
    t = model.transformer
    handles.append(t.wte.register_forward_hook(lambda m, i, o: acts.__setitem__("hook_embed", o)))
    handles.append(t.wpe.register_forward_hook(lambda m, i, o: acts.__setitem__("hook_pos_embed", o[0])))
    for l, block in enumerate(t.h):
        p = f"blocks.{l}."

        def resid_pre(m, i, p=p): acts[p + "hook_resid_pre"] = i[0]
        def qkv(m, i, o, p=p):
            q, k, v = o.split(d, dim=2)
            acts[p + "attn.hook_q"], acts[p + "attn.hook_k"], acts[p + "attn.hook_v"] = per_head(q), per_head(k), per_head(v)
            scores = per_head(q).transpose(1, 2) @ per_head(k).transpose(1, 2).transpose(-1, -2) / hd ** 0.5
            n = scores.shape[-1]
            acts[p + "attn.hook_attn_scores"] = scores.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), -float("inf"))
        def z(m, i, p=p): acts[p + "attn.hook_z"] = per_head(i[0])
        def attn_out(m, i, o, p=p): acts[p + "hook_attn_out"] = o
        def mlp_pre(m, i, o, p=p): acts[p + "mlp.hook_pre"] = o
        def mlp_post(m, i, p=p): acts[p + "mlp.hook_post"] = i[0]
        def mlp_out(m, i, o, p=p): acts[p + "hook_mlp_out"] = o
        def resid_post(m, i, o, p=p): acts[p + "hook_resid_post"] = o[0] if isinstance(o, tuple) else o
        handles += [block.register_forward_pre_hook(resid_pre), block.attn.c_attn.register_forward_hook(qkv),
                    block.attn.c_proj.register_forward_pre_hook(z), block.attn.c_proj.register_forward_hook(attn_out),
                    block.mlp.c_fc.register_forward_hook(mlp_pre), block.mlp.c_proj.register_forward_pre_hook(mlp_post),
                    block.mlp.register_forward_hook(mlp_out), block.register_forward_hook(resid_post)]
    handles.append(t.ln_f.register_forward_hook(lambda m, i, o: acts.__setitem__("ln_final.hook_normalized", o)))

    ids = torch.tensor([[5, 17, 42, 7, 260, 3, 99]])
    with torch.no_grad():
        out = model(ids, output_attentions=True)
    for l in range(cfg["n_layer"]):
        acts[f"blocks.{l}.attn.hook_pattern"] = out.attentions[l]
        acts[f"blocks.{l}.hook_resid_mid"] = acts[f"blocks.{l}.hook_resid_pre"] + acts[f"blocks.{l}.hook_attn_out"]
    for h in handles:
        h.remove()

    # Writing: zero head 1 of layer 1's z, halve layer 0's MLP post-activation.
    def zero_head(m, i):
        x = i[0].clone()
        x[..., 1 * hd:2 * hd] = 0
        return (x,)
    def halve(m, i):
        return (i[0] * 0.5,)
    edits = [t.h[1].attn.c_proj.register_forward_pre_hook(zero_head), t.h[0].mlp.c_proj.register_forward_pre_hook(halve)]
    with torch.no_grad():
        edited_logits = model(ids).logits
        prompt = ids[:, :4]
        generated = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=12, do_sample=False, pad_token_id=0)
    for h in edits:
        h.remove()

    # Per-token loss of the clean run.
    with torch.no_grad():
        logits = model(ids).logits[0]
        per_token = torch.nn.functional.cross_entropy(logits[:-1], ids[0, 1:], reduction="none")

    # Ablation: layer 0's MLP output mean-ablated, head 0 of layer 1 zeroed.
    mean_mlp = acts["blocks.0.hook_mlp_out"].mean(dim=1, keepdim=True)
    def mean_ablate(m, i, o):
        return mean_mlp.expand_as(o).clone()
    def zero_head0(m, i):
        x = i[0].clone()
        x[..., 0:hd] = 0
        return (x,)
    edits = [t.h[0].mlp.register_forward_hook(mean_ablate), t.h[1].attn.c_proj.register_forward_pre_hook(zero_head0)]
    with torch.no_grad():
        ablated_loss = model(ids, labels=ids).loss
    for h in edits:
        h.remove()

    # Steering: 3 × (resid_post[0] at position 2 − at position 5) added before block 1.
    vector = (acts["blocks.0.hook_resid_post"][0, 2] - acts["blocks.0.hook_resid_post"][0, 5]).detach()
    def steer(m, i):
        return (i[0] + 3 * vector,) + tuple(i[1:])
    edits = [t.h[1].register_forward_pre_hook(steer)]
    with torch.no_grad():
        steered_logits = model(ids).logits
    for h in edits:
        h.remove()

    # Patching: the corrupted ids, with the clean residual entering block 1 at position 3.
    corrupted = ids.clone()
    corrupted[0, 3] = 60
    clean_resid = acts["blocks.1.hook_resid_pre"].detach()
    def patch(m, i):
        x = i[0].clone()
        x[:, 3] = clean_resid[:, 3]
        return (x,) + tuple(i[1:])
    edits = [t.h[1].register_forward_pre_hook(patch)]
    with torch.no_grad():
        patched_logits = model(corrupted).logits
    for h in edits:
        h.remove()

    with h5py.File(os.path.join(OUT, "hooks_reference.h5"), "w") as f:
        f["ids"] = ids.numpy()
        for name, value in acts.items():
            f[name] = value.detach().numpy().astype(np.float32)
        f["edited/logits"] = edited_logits.numpy()
        f["edited/generation"] = generated.numpy()
        f["per_token/loss"] = per_token.numpy().astype(np.float32)
        f["ablated/loss"] = np.array([ablated_loss.item()], dtype=np.float32)
        f["steered/vector"] = vector.numpy().astype(np.float32)
        f["steered/logits"] = steered_logits.numpy().astype(np.float32)
        f["patched/ids"] = corrupted.numpy()
        f["patched/logits"] = patched_logits.numpy().astype(np.float32)
    print(len(acts), "hook points;", "generation", generated.tolist())


if __name__ == "__main__":
    main()
