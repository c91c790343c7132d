package org.ssmlab.simd;

/**
 * Argument checks of the {@link Gemm} kernels, shared by every implementation (the twins here, the
 * OpenCL backend in its own module); failures name the kernel, the argument and the sizes.
 */
public final class GemmChecks {

    private GemmChecks() {
    }

    /** Checks one product: op(A) is (m, k), op(B) is (k, n), C is (m, n), each starting at its offset. */
    public static void one(String kernel, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        Checks.size(kernel, "m", m);
        Checks.size(kernel, "n", n);
        Checks.size(kernel, "k", k);
        Checks.range(kernel, "A (" + m + " x " + k + ")", a, aOff, Math.multiplyExact(m, k));
        Checks.range(kernel, "B (" + k + " x " + n + ")", b, bOff, Math.multiplyExact(k, n));
        Checks.range(kernel, "C (" + m + " x " + n + ")", c, cOff, Math.multiplyExact(m, n));
    }

    /** Checks a batch: the last matrix of each operand must fit, and strides must not be negative. */
    public static void batched(String kernel, int batch, int m, int n, int k,
                        float[] a, int strideA, float[] b, int strideB, float[] c, int strideC) {
        Checks.size(kernel, "batch", batch);
        Checks.size(kernel, "strideA", strideA);
        Checks.size(kernel, "strideB", strideB);
        Checks.size(kernel, "strideC", strideC);
        if (batch == 0) {
            return;
        }
        if (strideC == 0 && batch > 1 && (long) m * n > 0) {
            throw new IllegalArgumentException(kernel + ": strideC = 0 with batch = " + batch
                    + " would write every product into the same C");
        }
        int last = batch - 1;
        one(kernel, m, n, k, a, Math.multiplyExact(last, strideA), b, Math.multiplyExact(last, strideB),
                c, Math.multiplyExact(last, strideC));
    }
}
