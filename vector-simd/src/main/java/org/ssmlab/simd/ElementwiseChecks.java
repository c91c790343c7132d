package org.ssmlab.simd;

import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;

/**
 * Argument checks of the {@link Elementwise} kernels, shared by every implementation (the twins here,
 * the OpenCL backend in its own module); messages name the kernel, the argument and the sizes.
 */
public final class ElementwiseChecks {

    private ElementwiseChecks() {
    }

    private static void op(String kernel, Object op) {
        if (op == null) {
            throw new IllegalArgumentException(kernel + ": op is null");
        }
    }

    /** {@link Elementwise#unary}: op not null, n elements of x and out from their offsets. */
    public static void unary(String k, Unary op, float[] x, int xOff, float[] out, int outOff, int n) {
        op(k, op);
        Checks.range(k, "x", x, xOff, n);
        Checks.range(k, "out", out, outOff, n);
    }

    /** {@link Elementwise#binary}: op not null, n elements of x, y and out from their offsets. */
    public static void binary(String k, Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
                              int n) {
        op(k, op);
        Checks.range(k, "x", x, xOff, n);
        Checks.range(k, "y", y, yOff, n);
        Checks.range(k, "out", out, outOff, n);
    }

    /** {@link Elementwise#binaryScalar}: op not null, n elements of x and out from their offsets. */
    public static void binaryScalar(String k, Binary op, float[] x, int xOff, float[] out, int outOff, int n) {
        op(k, op);
        Checks.range(k, "x", x, xOff, n);
        Checks.range(k, "out", out, outOff, n);
    }

    /** {@link Elementwise#binaryRowBroadcast}: op not null, x and out (rows, cols), y of cols elements. */
    public static void rowBroadcast(String k, Binary op, float[] x, float[] y, float[] out, int rows, int cols) {
        op(k, op);
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "y", y, 0, cols);
        Checks.matrix(k, "out", out, rows, cols);
    }

    /** {@link Elementwise#fma}: n elements of a, b, c and out. */
    public static void fma(String k, float[] a, float[] b, float[] c, float[] out, int n) {
        Checks.range(k, "a", a, 0, n);
        Checks.range(k, "b", b, 0, n);
        Checks.range(k, "c", c, 0, n);
        Checks.range(k, "out", out, 0, n);
    }

    /** {@link Elementwise#axpy}: n elements of x and y from their offsets. */
    public static void axpy(String k, float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.range(k, "x", x, xOff, n);
        Checks.range(k, "y", y, yOff, n);
    }

    /** {@link Elementwise#multiplyAdd}: n elements of a, b and y from their offsets. */
    public static void multiplyAdd(String k, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        Checks.range(k, "a", a, aOff, n);
        Checks.range(k, "b", b, bOff, n);
        Checks.range(k, "y", y, yOff, n);
    }
}
