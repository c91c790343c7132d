package org.ssmlab.opencl;

import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.ssmlab.simd.Elementwise;
import org.ssmlab.simd.ElementwiseChecks;

/**
 * {@link Elementwise} on an OpenCL device ({@code elementwise.cl}). Each call copies its input ranges
 * to the device, runs one kernel with one work-item per element, and reads the result range back;
 * buffers live in try-with-resources blocks. Formulas are those of the scalar twin
 * ({@link org.ssmlab.simd.ScalarElementwise}): unary functions in double when the device has it,
 * binary functions, fma, axpy and multiplyAdd in float with one rounding (bit for bit).
 *
 * <p>Calls that move fewer than {@code threshold} floats run on the fallback (the SIMD kernels):
 * there the transfer and launch cost more than the work.
 */
final class OpenClElementwise implements Elementwise {

    private static final String PROGRAM = "elementwise";

    private final OpenClContext ctx;
    private final Elementwise fallback;
    private final int threshold;

    OpenClElementwise(OpenClContext ctx, Elementwise fallback, int threshold) {
        this.ctx = ctx;
        this.fallback = fallback;
        this.threshold = threshold;
    }

    /** The kernel's code of each unary function (elementwise.cl, unary_of). */
    static int code(Unary op) {
        return switch (op) {
            case EXP -> 0;
            case LOG -> 1;
            case TANH -> 2;
            case SIGMOID -> 3;
            case SOFTPLUS -> 4;
            case SILU -> 5;
            case GELU -> 6;
            case NEG -> 7;
            case ABS -> 8;
            case SQRT -> 9;
            case RELU -> 10;
        };
    }

    /** The kernel's code of each binary function (elementwise.cl, binary_of). */
    static int code(Binary op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
        };
    }

    @Override
    public void unary(Unary op, float[] x, int xOff, float[] out, int outOff, int n) {
        ElementwiseChecks.unary("OpenClElementwise.unary", op, x, xOff, out, outOff, n);
        if (n == 0) {
            return;
        }
        if (2L * n < threshold) {
            fallback.unary(op, x, xOff, out, outOff, n);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "unary");
            try (ClBuffer bx = ClBuffer.upload(ctx, x, xOff, n);
                 ClBuffer bo = ClBuffer.allocate(ctx, n, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, code(op), bx, bo, n);
                ctx.run1D(kernel, n);
                bo.readInto(ctx, out, outOff, n);
            }
        }
    }

    @Override
    public void binary(Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        ElementwiseChecks.binary("OpenClElementwise.binary", op, x, xOff, y, yOff, out, outOff, n);
        if (n == 0) {
            return;
        }
        if (3L * n < threshold) {
            fallback.binary(op, x, xOff, y, yOff, out, outOff, n);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "binary");
            try (ClBuffer bx = ClBuffer.upload(ctx, x, xOff, n);
                 ClBuffer by = ClBuffer.upload(ctx, y, yOff, n);
                 ClBuffer bo = ClBuffer.allocate(ctx, n, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, code(op), bx, by, bo, n);
                ctx.run1D(kernel, n);
                bo.readInto(ctx, out, outOff, n);
            }
        }
    }

    @Override
    public void binaryScalar(Binary op, float[] x, int xOff, float s, float[] out, int outOff, int n) {
        ElementwiseChecks.binaryScalar("OpenClElementwise.binaryScalar", op, x, xOff, out, outOff, n);
        if (n == 0) {
            return;
        }
        if (2L * n < threshold) {
            fallback.binaryScalar(op, x, xOff, s, out, outOff, n);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "binary_scalar");
            try (ClBuffer bx = ClBuffer.upload(ctx, x, xOff, n);
                 ClBuffer bo = ClBuffer.allocate(ctx, n, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, code(op), bx, s, bo, n);
                ctx.run1D(kernel, n);
                bo.readInto(ctx, out, outOff, n);
            }
        }
    }

    @Override
    public void binaryRowBroadcast(Binary op, float[] x, float[] y, float[] out, int rows, int cols) {
        ElementwiseChecks.rowBroadcast("OpenClElementwise.binaryRowBroadcast", op, x, y, out, rows, cols);
        broadcast(op, "binary_row", x, y, cols, out, rows, cols, () -> fallback.binaryRowBroadcast(op, x, y, out, rows, cols));
    }

    /** Runs a broadcast kernel: x and out are (rows, cols), y has {@code yLen} elements. */
    private void broadcast(Binary op, String name, float[] x, float[] y, int yLen, float[] out, int rows, int cols,
                           Runnable onFallback) {
        int size = rows * cols;
        if (size == 0) {
            return;
        }
        if (2L * size + yLen < threshold) {
            onFallback.run();
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, name);
            try (ClBuffer bx = ClBuffer.upload(ctx, x, 0, size);
                 ClBuffer by = ClBuffer.upload(ctx, y, 0, yLen);
                 ClBuffer bo = ClBuffer.allocate(ctx, size, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, code(op), bx, by, bo, rows, cols);
                ctx.run1D(kernel, size);
                bo.readInto(ctx, out, 0, size);
            }
        }
    }

    @Override
    public void fma(float[] a, float[] b, float[] c, float[] out, int n) {
        ElementwiseChecks.fma("OpenClElementwise.fma", a, b, c, out, n);
        if (n == 0) {
            return;
        }
        if (4L * n < threshold) {
            fallback.fma(a, b, c, out, n);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "fused_multiply_add");
            try (ClBuffer ba = ClBuffer.upload(ctx, a, 0, n);
                 ClBuffer bb = ClBuffer.upload(ctx, b, 0, n);
                 ClBuffer bc = ClBuffer.upload(ctx, c, 0, n);
                 ClBuffer bo = ClBuffer.allocate(ctx, n, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, ba, bb, bc, bo, n);
                ctx.run1D(kernel, n);
                bo.readInto(ctx, out, 0, n);
            }
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        ElementwiseChecks.axpy("OpenClElementwise.axpy", x, xOff, y, yOff, n);
        if (n == 0) {
            return;
        }
        if (3L * n < threshold) {
            fallback.axpy(alpha, x, xOff, y, yOff, n);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "axpy");
            try (ClBuffer bx = ClBuffer.upload(ctx, x, xOff, n);
                 ClBuffer by = ClBuffer.upload(ctx, y, yOff, n)) {
                OpenClContext.setArgs(kernel, alpha, bx, by, n);
                ctx.run1D(kernel, n);
                by.readInto(ctx, y, yOff, n);
            }
        }
    }

    /**
     * Always on the fallback: its callers (a depthwise convolution's taps) pass one row of channels at a
     * time, thousands of floats at most, far below what a transfer to the device pays for.
     */
    @Override
    public void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        ElementwiseChecks.multiplyAdd("OpenClElementwise.multiplyAdd", a, aOff, b, bOff, y, yOff, n);
        fallback.multiplyAdd(a, aOff, b, bOff, y, yOff, n);
    }
}
