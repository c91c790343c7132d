package org.ssmlab.experiments;

import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.LanguageModel;

/**
 * The influence of each input position on the last output as a Jacobian norm (docs/theory.md §3, §7):
 * for every s ≤ T, I(s) = ‖∂y_T/∂e_s‖_F, where e_s ∈ R^d is the input embedding at position s and
 * y_T ∈ R^m the model's output at the last position (the final normalised hidden state, m = d, or the
 * logits, m = V). J_s = ∂y_T/∂e_s is an m × d matrix.
 *
 * <h2>How</h2>
 * One reverse pass from y_T with output gradient v gives every row vector vᵀJ_s at once (a
 * vector-Jacobian product), and ‖J_s‖_F² = Σ_k ‖e_kᵀ J_s‖² over the m unit vectors e_k. The model treats
 * the sequences of a batch independently, so a batch of B copies of the input, copy b seeded with its own
 * v_b, gives B products in one pass:
 * <ul>
 *   <li>{@link #exact}: v_b = the unit vectors, m products in ⌈m / chunk⌉ passes; exact up to float32
 *       rounding.</li>
 *   <li>{@link #estimate}: K Rademacher probes v (entries ±1, so E[v vᵀ] = I), for which
 *       E‖vᵀJ_s‖² = tr(J_s J_sᵀ) = ‖J_s‖_F²: the mean of the K values is an unbiased estimate of the squared
 *       norm, with standard error sd/√K. The norm is its square root (its error by the delta method,
 *       se/(2·√mean); the root itself is biased low by O(1/K)).</li>
 * </ul>
 * The older probe Σ_k y_{T,k} (one pass with v = all ones) is vᵀJ_s for a single fixed v: channels can
 * cancel, and it is not the Jacobian's norm.
 */
public final class JacobianNorm {

    private JacobianNorm() {
    }

    /** At most this many copies of the input per reverse pass. */
    static final int CHUNK = 64;

    /**
     * Copies per pass such that copies × T × d × layers stays near 2^23 (the activations the tape keeps scale
     * with it, about 10 floats per unit in a Mamba block), in 1..{@value #CHUNK}.
     */
    static int chunk(int len, int d, int layers) {
        return (int) Math.max(1, Math.min(CHUNK, (1L << 23) / ((long) len * d * Math.max(1, layers))));
    }

    /**
     * Per-position squared Jacobian norms (or their estimate) and standard errors.
     *
     * @param squared ‖J_s‖_F² per position (exact, or the mean over probes)
     * @param se      the standard error of {@code squared} per position (0 for the exact method)
     * @param probes  the number of probes (the output dimension m for the exact method)
     */
    public record Result(double[] squared, double[] se, int probes, boolean exact) {

        /** ‖J_s‖_F per position: the square root of {@link #squared}. */
        public double[] norms() {
            double[] out = new double[squared.length];
            for (int s = 0; s < out.length; s++) {
                out[s] = Math.sqrt(Math.max(0, squared[s]));
            }
            return out;
        }
    }

    /** The exact ‖∂y_T/∂e_s‖_F for every position s of {@code tokens} (one sequence). */
    public static Result exact(LanguageModel lm, int[] tokens, boolean logits) {
        int m = logits ? lm.vocab() : lm.width();
        float[][] basis = new float[m][m];
        for (int k = 0; k < m; k++) {
            basis[k][k] = 1f;
        }
        double[][] q = products(lm, tokens, basis, logits);
        double[] sq = new double[tokens.length];
        for (double[] row : q) {
            for (int s = 0; s < sq.length; s++) {
                sq[s] += row[s];
            }
        }
        return new Result(sq, new double[tokens.length], m, true);
    }

    /** The unbiased estimate of ‖∂y_T/∂e_s‖_F² from {@code probes} Rademacher probes drawn from {@code seed}. */
    public static Result estimate(LanguageModel lm, int[] tokens, boolean logits, int probes, long seed) {
        if (probes < 2) {
            throw new IllegalArgumentException("influence: --probes " + probes + " must be at least 2 (a standard error needs two)");
        }
        int m = logits ? lm.vocab() : lm.width();
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] v = new float[probes][m];
        for (float[] row : v) {
            for (int k = 0; k < m; k++) {
                row[k] = rng.nextBoolean() ? 1f : -1f;
            }
        }
        double[][] q = products(lm, tokens, v, logits);
        int len = tokens.length;
        double[] mean = new double[len];
        double[] se = new double[len];
        for (int s = 0; s < len; s++) {
            double sum = 0;
            for (double[] row : q) {
                sum += row[s];
            }
            double mu = sum / probes;
            double ss = 0;
            for (double[] row : q) {
                ss += (row[s] - mu) * (row[s] - mu);
            }
            mean[s] = mu;
            se[s] = Math.sqrt(ss / (probes - 1) / probes);
        }
        return new Result(mean, se, probes, false);
    }

    /**
     * ‖v_kᵀ J_s‖² for every probe k (rows of {@code v}, each of length m) and position s: (K, T). Runs
     * ⌈K / chunk⌉ reverse passes over batches of copies of the input ({@link #chunk}).
     */
    static double[][] products(LanguageModel lm, int[] tokens, float[][] v, boolean logits) {
        int len = tokens.length;
        int d = lm.width();
        int m = logits ? lm.vocab() : lm.width();
        float[] e;
        try (var s = GradMode.noGrad()) {
            e = lm.embed(tokens, 1, len).toArray();
        }
        double[][] out = new double[v.length][len];
        int chunk = chunk(len, d, lm.layers().size());
        for (int k0 = 0; k0 < v.length; k0 += chunk) {
            int b = Math.min(chunk, v.length - k0);
            float[] tiled = new float[b * len * d];
            for (int i = 0; i < b; i++) {
                System.arraycopy(e, 0, tiled, i * len * d, len * d);
            }
            Tensor x = Tensor.of(tiled, b, len, d).requiresGrad(true);
            Tensor h = lm.hiddenFromEmbeddings(x);
            Tensor y = logits ? lm.logitsFromHidden(h) : h;
            Tensor last = Shapes.slice(y, 1, len - 1, len);                     // (b, 1, m)
            float[] seed = new float[b * m];
            for (int i = 0; i < b; i++) {
                if (v[k0 + i].length != m) {
                    throw new IllegalArgumentException("JacobianNorm: probe of length " + v[k0 + i].length + ", output has " + m);
                }
                System.arraycopy(v[k0 + i], 0, seed, i * m, m);
            }
            last.backward(seed);
            float[] g = x.gradData();
            for (int i = 0; i < b; i++) {
                for (int s = 0; s < len; s++) {
                    double sq = 0;
                    int base = (i * len + s) * d;
                    for (int j = 0; j < d; j++) {
                        sq += (double) g[base + j] * g[base + j];
                    }
                    out[k0 + i][s] = sq;
                }
            }
            lm.zeroGrad();
        }
        return out;
    }
}
