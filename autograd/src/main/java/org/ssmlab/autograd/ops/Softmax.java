package org.ssmlab.autograd.ops;

import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;

/**
 * Softmax, log-softmax and cross-entropy over the last axis, on the stable row kernels (the row max
 * is subtracted before exp, so inputs of ±1e4 give no overflow).
 */
public final class Softmax {

    /** The target value that cross-entropy skips, as in PyTorch. */
    public static final int IGNORE_INDEX = -100;

    private Softmax() {
    }

    /** y = softmax(x) per row.  ∂L/∂x = y ⊙ (g - Σ_j g_j y_j). */
    public static Tensor softmax(Tensor x) {
        int cols = lastDim("softmax", x);
        int rows = cols == 0 ? 0 : x.size() / cols;
        float[] y = new float[x.size()];
        Backend.current().reductions().softmaxRows(x.data(), y, rows, cols);
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[y.length];
            Backend.current().reductions().softmaxRowsBackward(y, g, r, rows, cols);
            x.accumulateFreshGrad(r);
        }, x);
    }

    /**
     * The causal scaled softmax of attention scores x of shape (..., L, L): row t of each matrix is
     * softmax over s ≤ t of scale·x[t,s], and 0 for s &gt; t (the future is masked out). The same as
     * {@code softmax(scale·x + M)} with M = -∞ above the diagonal, in one pass and one array.
     * ∂L/∂x[t,s] = scale · y[t,s] (g[t,s] - Σ_{s' ≤ t} g[t,s'] y[t,s']) for s ≤ t, 0 above.
     */
    public static Tensor causalSoftmax(Tensor x, float scale) {
        if (x.rank() < 2 || x.dim(x.rank() - 1) != x.dim(x.rank() - 2)) {
            throw new IllegalArgumentException("causalSoftmax: needs (..., L, L) scores, got " + Shape.str(x.shape()));
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("causalSoftmax: scale = " + scale + " must be positive and finite");
        }
        int len = x.dim(x.rank() - 1);
        int rows = len == 0 ? 0 : x.size() / len;
        float[] y = new float[x.size()];
        Backend.current().reductions().causalSoftmaxRows(x.data(), y, rows, len, scale);
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[y.length];
            Backend.current().reductions().causalSoftmaxRowsBackward(y, g, r, rows, len, scale);
            x.accumulateFreshGrad(r);
        }, x);
    }

    /** y = log softmax(x) per row.  ∂L/∂x = g - softmax(x) Σ_j g_j. */
    public static Tensor logSoftmax(Tensor x) {
        int cols = lastDim("logSoftmax", x);
        int rows = cols == 0 ? 0 : x.size() / cols;
        float[] y = new float[x.size()];
        Backend.current().reductions().logSoftmaxRows(x.data(), y, rows, cols);
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[y.length];
            for (int i = 0; i < rows; i++) {
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    sum += g[i * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    r[i * cols + j] = (float) (g[i * cols + j] - Math.exp(y[i * cols + j]) * sum);
                }
            }
            x.accumulateFreshGrad(r);
        }, x);
    }

    /**
     * Mean cross-entropy of logits (..., C) against integer targets (one per row), skipping rows whose
     * target is {@link #IGNORE_INDEX}: L = -(1/N) Σ_{kept rows i} log softmax(x_i)[t_i].
     * ∂L/∂x_i = (softmax(x_i) - onehot(t_i)) / N for kept rows, 0 for skipped ones. With every row
     * skipped the loss is 0 (and so is its gradient).
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        int cols = lastDim("crossEntropy", logits);
        int rows = cols == 0 ? 0 : logits.size() / cols;
        if (targets.length != rows) {
            throw new IllegalArgumentException("crossEntropy: " + targets.length + " targets for " + rows
                    + " rows of logits " + Shape.str(logits.shape()));
        }
        float[] logp = new float[logits.size()];
        Backend.current().reductions().logSoftmaxRows(logits.data(), logp, rows, cols);
        double loss = 0;
        int kept = 0;
        for (int i = 0; i < rows; i++) {
            int t = targets[i];
            if (t == IGNORE_INDEX) {
                continue;
            }
            if (t < 0 || t >= cols) {
                throw new IllegalArgumentException("crossEntropy: target " + t + " at row " + i
                        + " is outside 0.." + (cols - 1) + " (and is not the ignore index " + IGNORE_INDEX + ")");
            }
            loss -= logp[i * cols + t];
            kept++;
        }
        int n = kept;
        int[] tg = targets.clone();
        float value = n == 0 ? 0f : (float) (loss / n);
        return Tensor.fromOp(new float[] {value}, new int[0], g -> {
            // softmax = exp(log-softmax), through the vector kernel; then (softmax - onehot) / N on kept rows.
            float[] r = n > 0 ? Arith.map(org.ssmlab.simd.Elementwise.Unary.EXP, logp) : new float[logp.length];
            float scale = n > 0 ? g[0] / n : 0f;
            for (int i = 0; i < rows; i++) {
                int row = i * cols;
                if (tg[i] == IGNORE_INDEX || n == 0) {
                    java.util.Arrays.fill(r, row, row + cols, 0f);
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    r[row + j] *= scale;
                }
                r[row + tg[i]] -= scale;
            }
            logits.accumulateFreshGrad(r);
        }, logits);
    }

    private static int lastDim(String op, Tensor x) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + ": needs rank >= 1, got a scalar");
        }
        return x.dim(x.rank() - 1);
    }
}
