"""Where a training step's time goes: JFR execution samples of `ssmlab bench train`, by part.

    java -XX:StartFlightRecording=filename=train.jfr,settings=profile --add-modules jdk.incubator.vector \
         -cp "tasks/target/ssmlab-tasks.jar:tasks/target/lib/*" org.ssmlab.cli.Main bench train --steps 20
    jfr print --events jdk.ExecutionSample train.jfr > samples.txt
    jfr print --events jdk.GarbageCollection train.jfr > gc.txt
    python3 bench/step_profile.py samples.txt gc.txt

Each sample (a thread's stack, every 10-20 ms) is counted for the first frame, from the innermost
outwards, that belongs to one of the parts below (a sample with the convolution anywhere on its
stack is the convolution's: it runs its taps through the elementwise kernels); the shares are of the
samples taken in ssmlab code (both threads). GC pauses are summed from the garbage-collection events.
"""
import collections
import re
import sys

PARTS = [
    ("GEMM", r"org\.ssmlab\.simd\.(SimdGemm|GemmMicroKernels|GemmTile)|autograd\.ops\.MatMul"),
    ("scan", r"org\.ssmlab\.simd\.(SimdSelective|SimdDiagonalScan|SimdScans|SimdComplexScan)|autograd\.ops\.Scan"),
    ("convolution", r"autograd\.ops\.Conv"),
    ("norms", r"autograd\.ops\.Norms"),
    ("softmax/cross-entropy", r"autograd\.ops\.Softmax|SimdReductions\.(logSoftmax|softmax)"),
    ("optimizer", r"autograd\.optim\."),
    ("elementwise", r"autograd\.ops\.(Arith|Activations)|SimdElementwise"),
    ("reshape/embedding/copies", r"autograd\.ops\."),
    ("tape/gradient bookkeeping", r"autograd\."),
]
CONVOLUTION = dict(PARTS)["convolution"]


def parts(samples_file):
    events = open(samples_file).read().split("jdk.ExecutionSample {")[1:]
    counts = collections.Counter()
    total = 0
    for e in events:
        frames = re.findall(r"^\s+([\w.$<>]+)\(.*?\)\s+line:", e, re.M)
        if not any(f.startswith("org.ssmlab") for f in frames):
            continue
        total += 1
        if any(re.search(CONVOLUTION, f) for f in frames):
            part = "convolution"   # it runs its taps through the elementwise kernels: a sample under it is its
        else:
            part = next((name for f in frames for name, pattern in PARTS if re.search(pattern, f)), "other")
        counts[part] += 1
    return counts, total


def gc_pause_seconds(gc_file):
    total = 0.0
    for m in re.finditer(r"sumOfPauses = ([\d.]+) (ms|s|us)", open(gc_file).read()):
        total += float(m.group(1)) * {"s": 1.0, "ms": 1e-3, "us": 1e-6}[m.group(2)]
    return total


if __name__ == "__main__":
    counts, total = parts(sys.argv[1])
    print(f"samples_in_ssmlab={total}")
    for name, c in counts.most_common():
        print(f"{name}: {100 * c / max(total, 1):.1f}%")
    if len(sys.argv) > 2:
        print(f"gc_pauses_seconds={gc_pause_seconds(sys.argv[2]):.2f}")
