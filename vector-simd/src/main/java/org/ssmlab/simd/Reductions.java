package org.ssmlab.simd;

/**
 * Reductions on {@code float[]}: whole-range sum, max, dot product and squared norm, the same per row
 * of a row-major (rows, cols) matrix, and numerically stable row softmax and log-softmax.
 *
 * <p>Reduction order differs between the SIMD and the scalar twin, so results agree only up to a
 * rounding tolerance scaled by the magnitudes summed. Max of an empty range is {@code -∞}; sum of an
 * empty range is 0.
 */
public interface Reductions {

    /** Σ x[off+i], i < n. */
    float sum(float[] x, int off, int n);

    /** max x[off+i], i < n ({@code -∞} when n = 0). */
    float max(float[] x, int off, int n);

    /** Σ x[xOff+i] · y[yOff+i], i < n. */
    float dot(float[] x, int xOff, float[] y, int yOff, int n);

    /** Σ x[off+i]², i < n. */
    float sumSquares(float[] x, int off, int n);

    /** {@code out[r] = Σ_c x[r,c]} for a row-major (rows, cols) matrix. */
    void rowSum(float[] x, float[] out, int rows, int cols);

    /** {@code out[r] = max_c x[r,c]}. */
    void rowMax(float[] x, float[] out, int rows, int cols);

    /** {@code out[r] = Σ_c x[r,c]²}. */
    void rowSumSquares(float[] x, float[] out, int rows, int cols);

    /** {@code out[r,c] = exp(x[r,c] - m_r) / Σ_c' exp(x[r,c'] - m_r)} with m_r the row max. */
    void softmaxRows(float[] x, float[] out, int rows, int cols);

    /** {@code out[r,c] = x[r,c] - m_r - log Σ_c' exp(x[r,c'] - m_r)} with m_r the row max. */
    void logSoftmaxRows(float[] x, float[] out, int rows, int cols);
}
