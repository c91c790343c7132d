"""OpenBLAS single-precision GEMM through NumPy, timed the way `ssmlab bench gemm` times ours.

Prints one name=value line per size: openblas_gemm<n>_gflops=<GFLOP/s>.
Usage: python3 bench/gemm_peer.py [--threads T] [--sizes 64,128,...] [--seconds S] [--cpu-time]
With --cpu-time (and --threads 1) the batches are timed by the process's CPU time, not the wall clock.
Set the thread count before NumPy loads OpenBLAS, so the peer uses as many cores as we do.
"""
import argparse
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--sizes", default="64,128,256,512,1024")
parser.add_argument("--seconds", type=float, default=1.0, help="measuring time per size")
parser.add_argument("--cpu-time", action="store_true",
                    help="time by the process's CPU time (meaningful with --threads 1)")
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread settings on purpose)

from peer_info import openblas_core  # noqa: E402


clock = time.process_time if args.cpu_time else time.perf_counter


def gflops(n, seconds):
    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    flops = 2.0 * n * n * n
    # Warm-up, then time batches of calls; report the median batch.
    end = time.perf_counter() + min(0.3, seconds)
    while time.perf_counter() < end:
        np.matmul(a, b, out=c)
    reps = max(1, int(0.05 * 1e11 / flops))
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 3:
        t = clock()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        samples.append(flops * reps / max(clock() - t, 1e-9) / 1e9)
    samples.sort()
    return samples[len(samples) // 2]


np.matmul(np.ones((8, 8), np.float32), np.ones((8, 8), np.float32))
print(f"numpy_version={np.__version__}")
print(f"openblas_core={openblas_core()}", flush=True)
for n in (int(s) for s in args.sizes.split(",")):
    print(f"openblas_gemm{n}_gflops={gflops(n, args.seconds):.1f}", flush=True)
sys.exit(0)
