package org.ssmlab.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Reductions} on the JDK Vector API.
 *
 * <p>Sums accumulate in four independent vector accumulators (so consecutive vector adds do not wait
 * on each other), then in one for the remaining full vectors, then reduce across lanes and add the
 * scalar tail. This is a different summation order from the scalar twin's left-to-right
 * {@code double} sum, so results agree up to {@code ~n · 2^-24 · Σ|terms|}. Dot products and squares
 * use fused multiply-adds. Max is exact in any order.
 *
 * <p>Softmax of a row takes three passes: the row max m (vector max); {@code e^(x - m)} stored to
 * {@code out} while a vector accumulator sums it; then {@code out} scaled by {@code 1/s}. Log-softmax
 * sums {@code e^(x - m)} without storing it and writes {@code (x - m) - ln s}. A row whose max is
 * {@code -∞} is uniform, as in {@link ScalarReductions}. The causal softmax does the same on each
 * row's kept prefix (scaled on load) and writes zeros after it; the backward passes take one fused
 * dot product {@code Σ g·y} per row, then one vector pass.
 *
 * <p>{@code out} may be the same array as {@code x} (in place).
 */
public final class SimdReductions implements Reductions {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public float sum(float[] x, int off, int n) {
        Checks.range("SimdReductions.sum", "x", x, off, n);
        return sumOf(x, off, n);
    }

    @Override
    public float max(float[] x, int off, int n) {
        Checks.range("SimdReductions.max", "x", x, off, n);
        return maxOf(x, off, n);
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.range("SimdReductions.dot", "x", x, xOff, n);
        Checks.range("SimdReductions.dot", "y", y, yOff, n);
        return dotOf(x, xOff, y, yOff, n);
    }

    @Override
    public float sumSquares(float[] x, int off, int n) {
        Checks.range("SimdReductions.sumSquares", "x", x, off, n);
        return dotOf(x, off, x, off, n);
    }

    @Override
    public void rowSum(float[] x, float[] out, int rows, int cols) {
        String k = "SimdReductions.rowSum";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        for (int r = 0; r < rows; r++) {
            out[r] = sumOf(x, r * cols, cols);
        }
    }

    @Override
    public void rowMax(float[] x, float[] out, int rows, int cols) {
        String k = "SimdReductions.rowMax";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        for (int r = 0; r < rows; r++) {
            out[r] = maxOf(x, r * cols, cols);
        }
    }

    @Override
    public void rowSumSquares(float[] x, float[] out, int rows, int cols) {
        String k = "SimdReductions.rowSumSquares";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.range(k, "out", out, 0, rows);
        for (int r = 0; r < rows; r++) {
            out[r] = dotOf(x, r * cols, x, r * cols, cols);
        }
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int rows, int cols) {
        String k = "SimdReductions.softmaxRows";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.matrix(k, "out", out, rows, cols);
        for (int r = 0; r < rows; r++) {
            softmaxRow(x, out, r * cols, cols, 1f);
        }
    }

    @Override
    public void logSoftmaxRows(float[] x, float[] out, int rows, int cols) {
        String k = "SimdReductions.logSoftmaxRows";
        Checks.matrix(k, "x", x, rows, cols);
        Checks.matrix(k, "out", out, rows, cols);
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            float m = maxOf(x, off, cols);
            if (m == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(out, off, off + cols, (float) -Math.log(cols));
                continue;
            }
            // s = Σ e^(x - m)
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < bound; c += L) {
                acc = acc.add(VectorMath.exp(FloatVector.fromArray(S, x, off + c).sub(m)));
            }
            float s = VectorMath.sum(acc);
            for (int c = bound; c < cols; c++) {
                s += ScalarElementwise.unaryOf(Elementwise.Unary.EXP, x[off + c] - m);
            }
            // out = (x - m) - ln s
            float logS = (float) Math.log(s);
            for (int c = 0; c < bound; c += L) {
                FloatVector.fromArray(S, x, off + c).sub(m).sub(logS).intoArray(out, off + c);
            }
            for (int c = bound; c < cols; c++) {
                out[off + c] = (x[off + c] - m) - logS;
            }
        }
    }

    @Override
    public void softmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int cols) {
        String k = "SimdReductions.softmaxRowsBackward";
        Checks.matrix(k, "y", y, rows, cols);
        Checks.matrix(k, "g", g, rows, cols);
        Checks.matrix(k, "dx", dx, rows, cols);
        for (int r = 0; r < rows; r++) {
            softmaxRowBackward(y, g, dx, r * cols, cols, 1f);
        }
    }

    @Override
    public void causalSoftmaxRows(float[] x, float[] out, int rows, int len, float scale) {
        String k = "SimdReductions.causalSoftmaxRows";
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
        String k = "SimdReductions.causalSoftmaxRowsBackward";
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
     * out[off+c] = e^(scale·x[off+c] - m) / Σ_c' e^(scale·x[off+c'] - m) for c &lt; n, m the max of the
     * scaled row (scale · max x, as scale &gt; 0 and rounding is monotone; scale 1 leaves x as it is), in
     * three passes: the max; e^(scale·x - m) stored while a vector accumulator sums it; the scaling by
     * 1/s. A row whose max is -∞ is uniform.
     */
    private static void softmaxRow(float[] x, float[] out, int off, int n, float scale) {
        float m = maxOf(x, off, n) * scale;
        if (m == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(out, off, off + n, 1f / n);
            return;
        }
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0; c < bound; c += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, off + c).mul(scale).sub(m));
            e.intoArray(out, off + c);
            acc = acc.add(e);
        }
        float s = VectorMath.sum(acc);
        for (int c = bound; c < n; c++) {
            float e = ScalarElementwise.unaryOf(Elementwise.Unary.EXP, x[off + c] * scale - m);
            out[off + c] = e;
            s += e;
        }
        float inv = 1f / s;
        for (int c = 0; c < bound; c += L) {
            FloatVector.fromArray(S, out, off + c).mul(inv).intoArray(out, off + c);
        }
        for (int c = bound; c < n; c++) {
            out[off + c] *= inv;
        }
    }

    /** dx[off+c] = (g[off+c] - Σ_c' g[off+c'] y[off+c']) · y[off+c] · scale for c < n. */
    private static void softmaxRowBackward(float[] y, float[] g, float[] dx, int off, int n, float scale) {
        float dot = dotOf(g, off, y, off, n);
        int bound = S.loopBound(n);
        for (int c = 0; c < bound; c += L) {
            FloatVector.fromArray(S, g, off + c).sub(dot).mul(FloatVector.fromArray(S, y, off + c)).mul(scale)
                    .intoArray(dx, off + c);
        }
        for (int c = bound; c < n; c++) {
            dx[off + c] = (g[off + c] - dot) * y[off + c] * scale;
        }
    }

    /** Σ x[off+i]: four vector accumulators, then one, then the lanes, then the scalar tail. */
    private static float sumOf(float[] x, int off, int n) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
            a2 = a2.add(FloatVector.fromArray(S, x, off + i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, x, off + i + 3 * L));
        }
        for (; i <= n - L; i += L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        }
        float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /** Σ x[xOff+i] · y[yOff+i] with fused multiply-adds, accumulated like {@link #sumOf}. */
    private static float dotOf(float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), a0);
            a1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), a1);
            a2 = FloatVector.fromArray(S, x, xOff + i + 2 * L)
                    .fma(FloatVector.fromArray(S, y, yOff + i + 2 * L), a2);
            a3 = FloatVector.fromArray(S, x, xOff + i + 3 * L)
                    .fma(FloatVector.fromArray(S, y, yOff + i + 3 * L), a3);
        }
        for (; i <= n - L; i += L) {
            a0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), a0);
        }
        float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            s = Math.fma(x[xOff + i], y[yOff + i], s);
        }
        return s;
    }

    /** max x[off+i], {@code -∞} for an empty range; two vector accumulators, then the scalar tail. */
    private static float maxOf(float[] x, int off, int n) {
        FloatVector a0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector a1 = a0;
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            a0 = a0.max(FloatVector.fromArray(S, x, off + i));
            a1 = a1.max(FloatVector.fromArray(S, x, off + i + L));
        }
        for (; i <= n - L; i += L) {
            a0 = a0.max(FloatVector.fromArray(S, x, off + i));
        }
        float m = a0.max(a1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }
}
