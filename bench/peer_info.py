"""What a peer benchmark runs on: printed as name=text lines beside its figures.

openblas_core: the kernel family OpenBLAS chose (Haswell = AVX2, SkylakeX/Cooperlake = AVX-512), read
from the library loaded in this process; torch_cpu_capability: PyTorch's own kernels (AVX2, AVX512).
Both follow OPENBLAS_CORETYPE and ATEN_CPU_CAPABILITY, which `ssmlab bench ... --isa` sets.
"""
import ctypes


def openblas_core():
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line or "libblas" in line})
    except OSError:
        return "unknown"
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            continue
    return "not_openblas"


def torch_capability():
    import torch
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":")[1].strip()
    return "unknown"


def print_torch():
    import torch
    torch.ones(8, 8) @ torch.ones(8, 8)   # loads the BLAS
    print(f"torch_version={torch.__version__}")
    print(f"torch_cpu_capability={torch_capability()}")
    print(f"openblas_core={openblas_core()}", flush=True)
