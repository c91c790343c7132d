package org.ssmlab.opencl;

import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.ssmlab.simd.Checks;
import org.ssmlab.simd.Reductions;

/**
 * {@link Reductions} on an OpenCL device ({@code reductions.cl}).
 *
 * <ul>
 *   <li>Whole-range sum, max, dot and sum of squares run in two stages: G work-groups each reduce a
 *       strided slice to one partial (a tree in local memory), and the host combines the G partials
 *       in double.</li>
 *   <li>Row reductions and row softmax use one work-group per row.</li>
 * </ul>
 * Sums accumulate in double when the device has {@code cl_khr_fp64} (as the scalar twin does), so
 * results differ from the scalar twin only by the order of the additions. Max follows
 * {@link Math#max(float, float)}: NaN wins and +0 is above -0, so it is exact.
 *
 * <p>Calls that move fewer than {@code threshold} floats run on the fallback (the SIMD kernels), and
 * so do the softmax backward passes and the causal softmax, which have no device kernel.
 */
final class OpenClReductions implements Reductions {

    private static final String PROGRAM = "reductions";
    private static final int SUM = 0;
    private static final int SUM_SQUARES = 1;
    private static final int DOT = 2;
    private static final int MAX = 3;
    /** Work-group size cap for the tree reductions, and the most groups a whole-range reduction uses. */
    private static final int GROUP_CAP = 256;
    private static final int MAX_GROUPS = 64;
    /**
     * Work-group size of the per-row kernels, fixed whatever the row length (items past the end of a
     * row contribute the identity): a driver compiles one work-group function per distinct size.
     */
    private static final int ROW_GROUP = 64;

    private final OpenClContext ctx;
    private final Reductions fallback;
    private final int threshold;

    OpenClReductions(OpenClContext ctx, Reductions fallback, int threshold) {
        this.ctx = ctx;
        this.fallback = fallback;
        this.threshold = threshold;
    }

    @Override
    public float sum(float[] x, int off, int n) {
        Checks.range("OpenClReductions.sum", "x", x, off, n);
        if (n == 0) {
            return 0f;
        }
        return n < threshold ? fallback.sum(x, off, n) : (float) whole(SUM, x, off, null, 0, n);
    }

    @Override
    public float max(float[] x, int off, int n) {
        Checks.range("OpenClReductions.max", "x", x, off, n);
        if (n == 0) {
            return Float.NEGATIVE_INFINITY;
        }
        return n < threshold ? fallback.max(x, off, n) : (float) whole(MAX, x, off, null, 0, n);
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.range("OpenClReductions.dot", "x", x, xOff, n);
        Checks.range("OpenClReductions.dot", "y", y, yOff, n);
        if (n == 0) {
            return 0f;
        }
        return 2L * n < threshold ? fallback.dot(x, xOff, y, yOff, n) : (float) whole(DOT, x, xOff, y, yOff, n);
    }

    @Override
    public float sumSquares(float[] x, int off, int n) {
        Checks.range("OpenClReductions.sumSquares", "x", x, off, n);
        if (n == 0) {
            return 0f;
        }
        return n < threshold ? fallback.sumSquares(x, off, n) : (float) whole(SUM_SQUARES, x, off, null, 0, n);
    }

    /**
     * Stage one on the device (G partials), stage two here: Σ of the partials in double, or their
     * max by {@link Math#max(double, double)}, which is exact on floats.
     */
    private double whole(int kind, float[] x, int xOff, float[] y, int yOff, int n) {
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "reduce_partial");
            int local = ctx.reductionGroupSize(kernel, GROUP_CAP);
            int groups = (int) Math.min(MAX_GROUPS, (n + (long) local - 1) / local);
            long accBytes = ctx.fp64() ? Sizeof.cl_double : Sizeof.cl_float;
            try (ClBuffer bx = ClBuffer.upload(ctx, x, xOff, n);
                 ClBuffer by = y == null ? null : ClBuffer.upload(ctx, y, yOff, n);
                 ClBuffer partial = ClBuffer.allocate(ctx, groups, accBytes)) {
                OpenClContext.setArgs(kernel, kind, bx, by == null ? bx : by, n, partial,
                        new OpenClContext.Local(local * accBytes));
                ctx.run(kernel, new long[] {(long) groups * local}, new long[] {local});
                double[] parts = new double[groups];
                if (ctx.fp64()) {
                    partial.readInto(ctx, parts, groups);
                } else {
                    float[] f = new float[groups];
                    partial.readInto(ctx, f, 0, groups);
                    for (int g = 0; g < groups; g++) {
                        parts[g] = f[g];
                    }
                }
                double acc = kind == MAX ? Double.NEGATIVE_INFINITY : 0.0;
                for (double p : parts) {
                    acc = kind == MAX ? Math.max(acc, p) : acc + p;
                }
                return acc;
            }
        }
    }

    @Override
    public void rowSum(float[] x, float[] out, int rows, int cols) {
        rows("OpenClReductions.rowSum", SUM, x, out, rows, cols);
    }

    @Override
    public void rowMax(float[] x, float[] out, int rows, int cols) {
        rows("OpenClReductions.rowMax", MAX, x, out, rows, cols);
    }

    @Override
    public void rowSumSquares(float[] x, float[] out, int rows, int cols) {
        rows("OpenClReductions.rowSumSquares", SUM_SQUARES, x, out, rows, cols);
    }

    private void rows(String k, int kind, float[] x, float[] out, int rows, int cols) {
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        if (rows == 0) {
            return;
        }
        if ((long) rows * cols + rows < threshold) {
            switch (kind) {
                case SUM -> fallback.rowSum(x, out, rows, cols);
                case MAX -> fallback.rowMax(x, out, rows, cols);
                default -> fallback.rowSumSquares(x, out, rows, cols);
            }
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "reduce_rows");
            int local = ctx.reductionGroupSize(kernel, ROW_GROUP);
            long accBytes = ctx.fp64() ? Sizeof.cl_double : Sizeof.cl_float;
            try (ClBuffer bx = ClBuffer.upload(ctx, x, 0, rows * cols);
                 ClBuffer bo = ClBuffer.allocate(ctx, rows, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, kind, bx, bo, cols, new OpenClContext.Local(local * accBytes));
                ctx.run(kernel, new long[] {(long) rows * local}, new long[] {local});
                bo.readInto(ctx, out, 0, rows);
            }
        }
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int rows, int cols) {
        softmax("OpenClReductions.softmaxRows", false, x, out, rows, cols);
    }

    @Override
    public void logSoftmaxRows(float[] x, float[] out, int rows, int cols) {
        softmax("OpenClReductions.logSoftmaxRows", true, x, out, rows, cols);
    }

    /** On the fallback (the SIMD kernels): there is no device kernel for the softmax backward yet. */
    @Override
    public void softmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int cols) {
        fallback.softmaxRowsBackward(y, g, dx, rows, cols);
    }

    /** On the fallback: there is no device kernel for the causal softmax yet. */
    @Override
    public void causalSoftmaxRows(float[] x, float[] out, int rows, int len, float scale) {
        fallback.causalSoftmaxRows(x, out, rows, len, scale);
    }

    /** On the fallback: there is no device kernel for its backward yet. */
    @Override
    public void causalSoftmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int len, float scale) {
        fallback.causalSoftmaxRowsBackward(y, g, dx, rows, len, scale);
    }

    private void softmax(String k, boolean log, float[] x, float[] out, int rows, int cols) {
        Checks.matrix(k, "x", x, rows, cols);
        Checks.matrix(k, "out", out, rows, cols);
        int size = rows * cols;
        if (size == 0) {
            return;
        }
        if (2L * size < threshold) {
            if (log) {
                fallback.logSoftmaxRows(x, out, rows, cols);
            } else {
                fallback.softmaxRows(x, out, rows, cols);
            }
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "softmax_rows");
            int local = ctx.reductionGroupSize(kernel, ROW_GROUP);
            long accBytes = ctx.fp64() ? Sizeof.cl_double : Sizeof.cl_float;
            try (ClBuffer bx = ClBuffer.upload(ctx, x, 0, size);
                 ClBuffer bo = ClBuffer.allocate(ctx, size, Sizeof.cl_float)) {
                OpenClContext.setArgs(kernel, log ? 1 : 0, bx, bo, cols, new OpenClContext.Local(local * accBytes));
                ctx.run(kernel, new long[] {(long) rows * local}, new long[] {local});
                bo.readInto(ctx, out, 0, size);
            }
        }
    }

}
