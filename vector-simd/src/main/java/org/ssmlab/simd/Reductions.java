package org.ssmlab.simd;

/**
 * Reductions on {@code float[]}: whole-range sum, max, dot product and squared norm, the same per row
 * of a row-major (rows, cols) matrix, numerically stable row softmax and log-softmax, and the
 * causal scaled softmax of attention with the backward passes of both softmaxes.
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

    /**
     * The backward of {@link #softmaxRows}: given y = softmax(x) per row and the gradient g of y,
     * {@code dx[r,c] = y[r,c] · (g[r,c] - Σ_c' g[r,c'] · y[r,c'])}. {@code dx} may be {@code g}.
     */
    void softmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int cols);

    /**
     * The causal scaled softmax of attention scores, on a stack of square (len, len) matrices held as a
     * row-major (rows, len) array (rows a multiple of len). Row t of each matrix keeps its first t + 1
     * entries (positions s ≤ t):
     * <pre>
     *   out[t,s] = e^(scale·x[t,s] - m_t) / Σ_{s' ≤ t} e^(scale·x[t,s'] - m_t)   for s ≤ t,
     *   out[t,s] = 0                                                          for s &gt; t,
     *   m_t      = max_{s ≤ t} scale·x[t,s],   scale &gt; 0.
     * </pre>
     * It equals {@link #softmaxRows} of {@code scale·x} plus a mask of {@code -∞} above the diagonal,
     * without the masked half's work or the two intermediate arrays. Entries above the diagonal of
     * {@code x} are never read. A row whose kept entries are all {@code -∞} is uniform over them.
     */
    void causalSoftmaxRows(float[] x, float[] out, int rows, int len, float scale);

    /**
     * The backward of {@link #causalSoftmaxRows}: with y its output and g the gradient of y,
     * {@code dx[t,s] = scale · y[t,s] · (g[t,s] - Σ_{s' ≤ t} g[t,s'] · y[t,s'])} for s ≤ t, and 0 above
     * the diagonal. {@code dx} may be {@code g}.
     */
    void causalSoftmaxRowsBackward(float[] y, float[] g, float[] dx, int rows, int len, float scale);
}
