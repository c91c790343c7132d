package org.ssmlab.simd;

/**
 * The scalar reference twin of {@link Reductions}: plain left-to-right loops that accumulate in
 * {@code double} and round once to {@code float}, so this twin is the accurate side of every
 * SIMD-versus-scalar comparison.
 *
 * <p>Softmax of a row subtracts the row max m first, so every exponent is ≤ 0 and nothing overflows:
 * <pre>
 *   softmax(x)_c     = e^(x_c - m) / s,          s = Σ_c' e^(x_c' - m)  (s ≥ 1, the max term is 1)
 *   logSoftmax(x)_c  = (x_c - m) - ln s
 * </pre>
 * A row whose max is {@code -∞} (every entry {@code -∞}) has no defined softmax (0/0); both twins
 * define it as the uniform distribution: {@code 1/cols} for softmax and {@code -ln(cols)} for
 * log-softmax, so no NaN appears. A row holding NaN gives NaN; a row holding {@code +∞} gives NaN.
 *
 * <p>{@code out} may be the same array as {@code x} (in place).
 */
public final class ScalarReductions implements Reductions {

    @Override
    public float sum(float[] x, int off, int n) {
        Checks.range("ScalarReductions.sum", "x", x, off, n);
        return sumOf(x, off, n);
    }

    @Override
    public float max(float[] x, int off, int n) {
        Checks.range("ScalarReductions.max", "x", x, off, n);
        return maxOf(x, off, n);
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.range("ScalarReductions.dot", "x", x, xOff, n);
        Checks.range("ScalarReductions.dot", "y", y, yOff, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * y[yOff + i];
        }
        return (float) s;
    }

    @Override
    public float sumSquares(float[] x, int off, int n) {
        Checks.range("ScalarReductions.sumSquares", "x", x, off, n);
        return sumSquaresOf(x, off, n);
    }

    @Override
    public void rowSum(float[] x, float[] out, int rows, int cols) {
        String k = "ScalarReductions.rowSum";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        for (int r = 0; r < rows; r++) {
            out[r] = sumOf(x, r * cols, cols);
        }
    }

    @Override
    public void rowMax(float[] x, float[] out, int rows, int cols) {
        String k = "ScalarReductions.rowMax";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        for (int r = 0; r < rows; r++) {
            out[r] = maxOf(x, r * cols, cols);
        }
    }

    @Override
    public void rowSumSquares(float[] x, float[] out, int rows, int cols) {
        String k = "ScalarReductions.rowSumSquares";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        for (int r = 0; r < rows; r++) {
            out[r] = sumSquaresOf(x, r * cols, cols);
        }
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int rows, int cols) {
        String k = "ScalarReductions.softmaxRows";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.matrix(k, "out", out, rows, cols);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            float m = maxOf(x, off, cols);
            if (m == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(out, off, off + cols, 1f / cols);
                continue;
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += Math.exp((double) x[off + c] - m);
            }
            for (int c = 0; c < cols; c++) {
                out[off + c] = (float) (Math.exp((double) x[off + c] - m) / s);
            }
        }
    }

    @Override
    public void logSoftmaxRows(float[] x, float[] out, int rows, int cols) {
        String k = "ScalarReductions.logSoftmaxRows";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.matrix(k, "out", out, rows, cols);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            float m = maxOf(x, off, cols);
            if (m == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(out, off, off + cols, (float) -Math.log(cols));
                continue;
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += Math.exp((double) x[off + c] - m);
            }
            double logS = Math.log(s);
            for (int c = 0; c < cols; c++) {
                out[off + c] = (float) (((double) x[off + c] - m) - logS);
            }
        }
    }

    private static float sumOf(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        return (float) s;
    }

    private static float maxOf(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    private static float sumSquaresOf(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[off + i] * x[off + i];
        }
        return (float) s;
    }
}
