"""The fused selective scan (Mamba, Eq. 3) in PyTorch on the CPU, timed forward + backward, as the
peer of ssmlab's fused kernel (SelectiveScanBenchmark).

Two PyTorch versions of the same computation
    h_t[d,n] = exp(delta_t[d] A[d,n]) h_{t-1}[d,n] + delta_t[d] B_t[n] u_t[d]
    y_t[d]   = sum_n C_t[n] h_t[d,n] + D[d] u_t[d],      out = y * silu(z)
  - loop:     the usual way, a Python loop over time (unbind), autograd through every step;
  - parallel: a log-depth Hillis-Steele scan over time on the materialised (batch, L, D, N) ā and x:
              at distance s = 1, 2, 4, ...: (a, x)_t <- (a_t a_{t-s}, a_t x_{t-s} + x_t).

Prints name=value lines: torch_loop_fwdbwd_seconds=..., torch_parallel_fwdbwd_seconds=...
(median over repetitions, one forward + backward each). Usage:
    python3 bench/scan_peer.py [--threads 2] [--batch 4] [--len 1024] [--d 128] [--n 16] [--reps 5]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=4)
parser.add_argument("--len", type=int, default=1024)
parser.add_argument("--d", type=int, default=128)
parser.add_argument("--n", type=int, default=16)
parser.add_argument("--reps", type=int, default=5)
parser.add_argument("--cpu-time", action="store_true",
                    help="time by the process's CPU time (meaningful with --threads 1)")
parser.add_argument("--check", action="store_true", help="also compare the two versions' outputs and gradients")
args = parser.parse_args()
torch.set_num_threads(args.threads)
clock = time.process_time if args.cpu_time else time.perf_counter

from peer_info import print_torch  # noqa: E402

print_torch()


def inputs(seed=1):
    g = torch.Generator().manual_seed(seed)
    b, l, d, n = args.batch, args.len, args.d, args.n
    u = torch.rand(b, l, d, generator=g) * 2 - 1
    delta = torch.rand(b, l, d, generator=g) * 0.099 + 0.001
    A = -(torch.rand(d, n, generator=g) * 15 + 1)
    B = torch.rand(b, l, n, generator=g) * 2 - 1
    C = torch.rand(b, l, n, generator=g) * 2 - 1
    D = torch.rand(d, generator=g)
    z = torch.rand(b, l, d, generator=g) * 2 - 1
    return [t.requires_grad_() for t in (u, delta, A, B, C, D, z)]


def loop_scan(u, delta, A, B, C, D, z):
    b, l, d = u.shape
    h = u.new_zeros(b, d, A.shape[1])
    ys = []
    for ut, dt, bt, ct in zip(u.unbind(1), delta.unbind(1), B.unbind(1), C.unbind(1)):
        a = torch.exp(dt.unsqueeze(-1) * A)                                  # (b, d, n)
        h = a * h + (dt * ut).unsqueeze(-1) * bt.unsqueeze(1)
        ys.append(torch.einsum("bdn,bn->bd", h, ct) + D * ut)
    y = torch.stack(ys, dim=1)
    return y * F.silu(z)


def parallel_scan(u, delta, A, B, C, D, z):
    a = torch.exp(delta.unsqueeze(-1) * A)                                   # (b, l, d, n)
    x = (delta * u).unsqueeze(-1) * B.unsqueeze(2)                           # (b, l, d, n)
    l = a.shape[1]
    s = 1
    while s < l:
        # Hillis-Steele step: combine with the element s steps back (identity (1, 0) before the start).
        a_prev = F.pad(a[:, :-s], (0, 0, 0, 0, s, 0), value=1.0)
        x_prev = F.pad(x[:, :-s], (0, 0, 0, 0, s, 0), value=0.0)
        x = a * x_prev + x
        a = a * a_prev
        s *= 2
    y = torch.einsum("bldn,bln->bld", x, C) + D * u
    return y * F.silu(z)


def time_fwdbwd(fn):
    ins = inputs()
    gout = torch.rand(args.batch, args.len, args.d, generator=torch.Generator().manual_seed(2)) * 2 - 1
    samples = []
    for rep in range(args.reps + 1):
        for t in ins:
            t.grad = None
        start = clock()
        out = fn(*ins)
        out.backward(gout)
        elapsed = clock() - start
        if rep > 0:                                                          # the first is warm-up
            samples.append(elapsed)
    return statistics.median(samples), out.detach(), [t.grad.clone() for t in ins]


loop_s, loop_out, loop_grads = time_fwdbwd(loop_scan)
par_s, par_out, par_grads = time_fwdbwd(parallel_scan)
print(f"torch_threads={args.threads}")
print(f"shape=batch{args.batch}_L{args.len}_D{args.d}_N{args.n}")
print(f"torch_loop_fwdbwd_seconds={loop_s:.6f}")
print(f"torch_parallel_fwdbwd_seconds={par_s:.6f}")
if args.check:
    def rel(x, y):
        return float((x - y).abs().max() / (y.abs().max() + 1e-30))
    print(f"parallel_vs_loop_out_max_rel_err={rel(par_out, loop_out):.3e}")
    for name, gp, gl in zip(("u", "delta", "A", "B", "C", "D", "z"), par_grads, loop_grads):
        print(f"parallel_vs_loop_grad_{name}_max_rel_err={rel(gp, gl):.3e}")
