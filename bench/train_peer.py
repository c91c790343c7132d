"""One training step (forward, backward, AdamW) of a Mamba LM in PyTorch on CPU: the peer of
`ssmlab bench train`. The model is the reference Mamba LM written in plain PyTorch (no CUDA kernels
exist on a CPU): in_proj, causal depthwise conv1d + SiLU, x_proj, dt_proj + softplus, the selective
scan as a loop over time, D skip, SiLU(z) gate, out_proj; pre-norm RMSNorm residual blocks, tied head.

Prints torch_train_step_seconds=<median seconds per step> after warm-up.
Usage: python3 bench/train_peer.py [--threads 2] [--d-model 128] [--layers 2] [--length 256]
       [--batch 16] [--vocab 512] [--state 16] [--steps 5]
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--d-model", type=int, default=128)
parser.add_argument("--layers", type=int, default=2)
parser.add_argument("--length", type=int, default=256)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--vocab", type=int, default=512)
parser.add_argument("--state", type=int, default=16)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--cpu-time", action="store_true",
                    help="time by the process's CPU time (meaningful with --threads 1)")
args = parser.parse_args()
torch.set_num_threads(args.threads)
clock = time.process_time if args.cpu_time else time.perf_counter

from peer_info import print_torch  # noqa: E402

print_torch()
torch.manual_seed(0)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Mamba(nn.Module):
    def __init__(self, d, n=16, expand=2, d_conv=4):
        super().__init__()
        di = expand * d
        self.di, self.n, self.dt_rank = di, n, math.ceil(d / 16)
        self.in_proj = nn.Linear(d, 2 * di, bias=False)
        self.conv1d = nn.Conv1d(di, di, d_conv, groups=di, padding=d_conv - 1)
        self.x_proj = nn.Linear(di, self.dt_rank + 2 * n, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, di)
        self.A_log = nn.Parameter(torch.log(torch.arange(1, n + 1, dtype=torch.float32)).repeat(di, 1))
        self.D = nn.Parameter(torch.ones(di))
        self.out_proj = nn.Linear(di, d, bias=False)

    def forward(self, u):
        L = u.shape[1]
        x, z = self.in_proj(u).chunk(2, dim=-1)
        x = F.silu(self.conv1d(x.transpose(1, 2))[..., :L]).transpose(1, 2)
        dt, B, C = self.x_proj(x).split([self.dt_rank, self.n, self.n], dim=-1)
        delta = F.softplus(self.dt_proj(dt))
        A = -torch.exp(self.A_log)
        h = torch.zeros(u.shape[0], self.di, self.n)
        ys = []
        for d_t, b_t, c_t, x_t in zip(delta.unbind(1), B.unbind(1), C.unbind(1), x.unbind(1)):
            h = torch.exp(d_t[..., None] * A) * h + (d_t * x_t)[..., None] * b_t[:, None, :]
            ys.append((h * c_t[:, None, :]).sum(-1))
        y = torch.stack(ys, 1) + x * self.D
        return self.out_proj(y * F.silu(z))


class Block(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.mixer = Mamba(d, n)
        self.norm = RMSNorm(d)

    def forward(self, x):
        return x + self.mixer(self.norm(x))


class MambaLM(nn.Module):
    def __init__(self, vocab, d, layers, n):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(Block(d, n) for _ in range(layers))
        self.norm_f = RMSNorm(d)

    def forward(self, tokens):
        h = self.embedding(tokens)
        for layer in self.layers:
            h = layer(h)
        return self.norm_f(h) @ self.embedding.weight.T


model = MambaLM(args.vocab, args.d_model, args.layers, args.state)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
data = torch.randint(0, args.vocab, (args.batch, args.length + 1))


def step():
    logits = model(data[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, args.vocab), data[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()


step()  # warm-up
times = []
for _ in range(args.steps):
    t = clock()
    step()
    times.append(clock() - t)
times.sort()
print(f"torch_train_step_seconds={times[len(times) // 2]:.4f}")
