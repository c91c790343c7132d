"""Independent check of ssmlab's Mamba LM against a plain PyTorch implementation of the reference.

Reads a safetensors checkpoint in the reference Mamba LM layout (for example ssmlab's test fixture
ssm/src/test/resources/fixtures/mamba-tiny.safetensors, which also holds `fixture.tokens` and the
logits ssmlab computed, `fixture.logits`), runs the reference forward pass written out in PyTorch
(in_proj, causal depthwise conv1d + SiLU, x_proj, dt_proj + softplus, selective scan, D skip,
SiLU(z) gate, out_proj; pre-norm RMSNorm residual blocks; norm_f; tied head) and prints
name=value lines, ending with mamba_logits_max_abs_diff=<max |ours - reference|>.

Usage: python3 bench/mamba_reference.py [checkpoint]
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} has dtype {info['dtype']}; this script reads F32")
        arr = np.frombuffer(raw[base + begin:base + end], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, header.get("__metadata__", {})


def rms_norm(x, w, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def mamba_mixer(u, p, prefix):
    g = lambda k: p[prefix + k]
    d_inner = g("in_proj.weight").shape[0] // 2
    n = g("A_log").shape[1]
    dt_rank = g("dt_proj.weight").shape[1]
    L = u.shape[1]
    xz = u @ g("in_proj.weight").T                                   # (B, L, 2 d_inner)
    x, z = xz[..., :d_inner], xz[..., d_inner:]
    k = g("conv1d.weight").shape[-1]
    x = F.conv1d(x.transpose(1, 2), g("conv1d.weight"), g("conv1d.bias"), padding=k - 1, groups=d_inner)[..., :L]
    x = F.silu(x).transpose(1, 2)                                    # (B, L, d_inner)
    dbl = x @ g("x_proj.weight").T
    dt, B, C = dbl[..., :dt_rank], dbl[..., dt_rank:dt_rank + n], dbl[..., dt_rank + n:]
    delta = F.softplus(dt @ g("dt_proj.weight").T + g("dt_proj.bias"))
    A = -torch.exp(g("A_log"))                                       # (d_inner, n)
    h = torch.zeros(u.shape[0], d_inner, n)
    ys = []
    for t in range(L):
        dA = torch.exp(delta[:, t, :, None] * A)
        h = dA * h + delta[:, t, :, None] * B[:, t, None, :] * x[:, t, :, None]
        ys.append((h * C[:, t, None, :]).sum(-1) + g("D") * x[:, t])
    y = torch.stack(ys, 1) * F.silu(z)
    return y @ g("out_proj.weight").T


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "ssm/src/test/resources/fixtures/mamba-tiny.safetensors"
    p, meta = read_safetensors(path)
    tokens = p["fixture.tokens"].long()[None, :]
    n_layer = len({k.split(".")[2] for k in p if k.startswith("backbone.layers.")})
    with torch.no_grad():
        h = p["backbone.embedding.weight"][tokens]
        for i in range(n_layer):
            pre = f"backbone.layers.{i}."
            h = h + mamba_mixer(rms_norm(h, p[pre + "norm.weight"]), p, pre + "mixer.")
        h = rms_norm(h, p["backbone.norm_f.weight"])
        head = p.get("lm_head.weight", p["backbone.embedding.weight"])
        logits = (h @ head.T)[0]
    ours = p["fixture.logits"]
    diff = (logits - ours).abs().max().item()
    print(f"torch_version={torch.__version__.split('+')[0].replace('a0', '')}")
    print(f"mamba_layers={n_layer}")
    print(f"mamba_logits_max_abs={logits.abs().max().item():.6f}")
    print(f"mamba_logits_max_abs_diff={diff:.3e}")


if __name__ == "__main__":
    main()
