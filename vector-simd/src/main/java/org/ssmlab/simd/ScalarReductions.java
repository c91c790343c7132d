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
            softmaxRow(x, out, r * cols, cols, 1f);
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

    @Override
    public void softmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int cols) {
        String k = "ScalarReductions.softmaxRowsBackward";
        Checks.matrix(k, "y", y, rows, cols);
        Checks.matrix(k, "g", g, rows, cols);
        Checks.matrix(k, "dx", dx, rows, cols);
        for (int r = 0; r < rows; r++) {
            softmaxRowBackward(y, g, dx, r * cols, cols, 1f);
        }
    }

    @Override
    public void causalSoftmaxRows(float[] x, float[] out, int rows, int len, float scale) {
        String k = "ScalarReductions.causalSoftmaxRows";
        Checks.causal(k, rows, len, scale);
        Checks.matrix(k, "x", x, rows, len);
        Checks.matrix(k, "out", out, rows, len);
        for (int r = 0; r < rows; r++) {
            int off = r * len;
            int kept = r % len + 1;
            softmaxRow(x, out, off, kept, scale);
            java.util.Arrays.fill(out, off + kept, off + len, 0f);
        }
    }

    @Override
    public void causalSoftmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int len, float scale) {
        String k = "ScalarReductions.causalSoftmaxRowsBackward";
        Checks.causal(k, rows, len, scale);
        Checks.matrix(k, "y", y, rows, len);
        Checks.matrix(k, "g", g, rows, len);
        Checks.matrix(k, "dx", dx, rows, len);
        for (int r = 0; r < rows; r++) {
            int off = r * len;
            int kept = r % len + 1;
            softmaxRowBackward(y, g, dx, off, kept, scale);
            java.util.Arrays.fill(dx, off + kept, off + len, 0f);
        }
    }

    /**
     * out[off+c] = e^(scale·x[off+c] - m) / s for c &lt; n in double, m the max of the scaled row (scale ·
     * max x, as scale &gt; 0; scale 1 leaves x as it is); uniform when m is -∞.
     */
    private static void softmaxRow(float[] x, float[] out, int off, int n, float scale) {
        float m = maxOf(x, off, n) * scale;
        if (m == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(out, off, off + n, 1f / n);
            return;
        }
        double s = 0;
        for (int c = 0; c < n; c++) {
            s += Math.exp((double) (x[off + c] * scale) - m);
        }
        for (int c = 0; c < n; c++) {
            out[off + c] = (float) (Math.exp((double) (x[off + c] * scale) - m) / s);
        }
    }

    /** dx[off+c] = scale · y[off+c] · (g[off+c] - Σ_c' g[off+c'] y[off+c']) for c < n, in double. */
    private static void softmaxRowBackward(float[] y, float[] g, float[] dx, int off, int n, float scale) {
        double dot = 0;
        for (int c = 0; c < n; c++) {
            dot += (double) g[off + c] * y[off + c];
        }
        for (int c = 0; c < n; c++) {
            dx[off + c] = (float) (scale * (y[off + c] * (g[off + c] - dot)));
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
