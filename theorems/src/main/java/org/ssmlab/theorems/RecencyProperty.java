package org.ssmlab.theorems;

import java.util.Arrays;
import java.util.Locale;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.theorems.MixerTheorems.Falsified;
import org.ssmlab.theorems.MixerTheorems.Outside;
import org.ssmlab.theorems.MixerTheorems.Skip;

/**
 * {@value MixerTheorems#RECENCY} on one sample, Theorem 3.1 of docs/theory.md §3 per state channel i:
 * for s &lt; t and every output entry k,
 * ||∂y_t[k]/∂x_s|| ≤ Σ_i |∂y_t[k]/∂h_{t,i}| · A*_i^{t-s} (||∂a_{s,i}/∂x_s|| G_i / (1 - A*_i) +
 * ||∂g_{s,i}/∂x_s||), A*_i = max_t a_{t,i}, G_i = max_t |g_{t,i}|, every derivative by reverse mode
 * through the mixer's own forward. Two checks ride along on real states:
 * {@value MixerTheorems#TIME_INVARIANT} (§2, Lemma D.1: when no a_t depends on the input, the influence
 * equals its closed form, as vectors) and {@value MixerTheorems#PATH} (the influence of x_{t-1} on y_t is
 * non-zero wherever the direct path through a_t is). A complex diagonal mixer goes to
 * {@link ComplexRecencyProperty} (Theorem D.2).
 */
final class RecencyProperty {

    private RecencyProperty() {
    }

    /** Checks one sample; throws {@link Falsified}, {@link Outside} or {@link Skip}. */
    static void check(Mixer sampled, long ws, int len, double scale, Coverage cov) {
        if (sampled instanceof ComplexEq1Terms cm) {
            ComplexRecencyProperty.check(sampled, cm, ws, len, scale, cov);
            return;
        }
        DiagonalMixer m = Samples.diagonal(sampled);
        int d = m.width();
        Tensor x = Samples.input(ws, 1, len, d, scale).requiresGrad(true);
        float[][] ag = Samples.termsOf(m, x);
        float[] a = ag[0];
        float[] g = ag[1];
        int c = a.length / len;
        double[] aStar = new double[c];
        double[] bigG = new double[c];
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < c; i++) {
                aStar[i] = Math.max(aStar[i], a[t * c + i]);
                bigG[i] = Math.max(bigG[i], Math.abs(g[t * c + i]));
            }
        }
        // ∂a_{s,i}/∂x and ∂g_{s,i}/∂x by reverse mode; both must live in row s (the terms at s read x_s only).
        double[][] da = new double[len][c];
        float[][][] dg = new float[len][c][];
        boolean timeInvariant = true;
        for (int s = 0; s < len; s++) {
            for (int i = 0; i < c; i++) {
                float[] ga = Grads.of(() -> m.terms(x).a(), x, s * c + i);
                float[] gg = Grads.of(() -> m.terms(x).bx(), x, s * c + i);
                if (Grads.offRowMax(ga, s, d) > 0 || Grads.offRowMax(gg, s, d) > 0) {
                    throw new Outside("the terms at t read x_r for some r ≠ t (a_t, B_t x_t are not functions of x_t"
                            + " alone, e.g. a causal convolution or a history-dependent normaliser)");
                }
                da[s][i] = Grads.rowNorm(ga, s, d);
                dg[s][i] = Arrays.copyOfRange(gg, s * d, s * d + d);
                if (da[s][i] > 0) {
                    timeInvariant = false;
                    if (aStar[i] >= 1) {
                        // exp(-Δ A) or a sigmoid rounds to exactly 1 in float32 (Δ underflows at large
                        // inputs): the bound's 1/(1 - A*) is infinite for this sample.
                        throw new Skip("an input-dependent a_t rounds to 1 in float32");
                    }
                }
            }
        }
        // Constant channels (a ≡ 1 or a ≡ 0 over the sample) are not counted in the coverage of a.
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < c; i++) {
            for (int t = 0; t < len; t++) {
                double v = a[t * c + i];
                if (aStar[i] < 1 && v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (hi > 0) {
            cov.add("a_min (learnable)", lo);
            cov.add("A_max (learnable)", hi);
        }
        cov.add("T", len);
        cov.add("time-invariant", timeInvariant ? 1 : 0);
        Tensor hLeaf;
        try (var s = GradMode.noGrad()) {
            DiagonalMixer.Terms t = m.terms(x);
            hLeaf = DiagonalMixer.fusedScan(t.a(), t.bx());
        }
        Tensor h = Tensor.of(hLeaf.toArray(), hLeaf.shape()).requiresGrad(true);
        for (int t = 1; t < len; t++) {
            for (int k = 0; k < d; k++) {
                float[] jac = Grads.of(() -> m.readout(x, m.terms(x), h), h, t * d + k);
                if (Grads.offRowMax(jac, t, c) > 0) {
                    throw new Outside("the readout at t reads h_r for some r ≠ t");
                }
                float[] infl = Grads.of(() -> m.forward(x), x, t * d + k);
                double scaleT = 0;
                for (int s = 0; s < t; s++) {
                    for (int i = 0; i < c; i++) {
                        double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + norm(dg[s][i]);
                        scaleT = Math.max(scaleT, Math.abs(jac[t * c + i]) * term);
                    }
                }
                double abs = 1e-6 * scaleT + 1e-30;
                for (int s = 0; s < t; s++) {
                    double bound = 0;
                    for (int i = 0; i < c; i++) {
                        double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + norm(dg[s][i]);
                        bound += Math.abs(jac[t * c + i]) * Math.pow(aStar[i], t - s) * term;
                    }
                    double got = Grads.rowNorm(infl, s, d);
                    if (!(got <= bound * (1 + MixerTheorems.REL) + abs)) {
                        throw new Falsified(MixerTheorems.RECENCY, String.format(Locale.ROOT,
                                "||dy_%d[%d]/dx_%d|| = %.6g exceeds the bound %.6g", t, k, s, got, bound));
                    }
                    if (timeInvariant) {
                        checkLemmaD1(a, c, d, jac, dg, infl, t, k, s, abs);
                    }
                }
                checkDirectPath(a, c, d, jac, dg, infl, t, k, scaleT);
            }
        }
    }

    /**
     * Lemma D.1 (docs/theory.md §2) with input-independent transitions: the influence vector equals its
     * closed form Σ_i (∂y_t/∂h_{t,i}) Π_{r=s+1}^{t} a_{r,i} ∂g_{s,i}/∂x_s.
     */
    private static void checkLemmaD1(float[] a, int c, int d, float[] jac, float[][][] dg, float[] infl,
                                     int t, int k, int s, double abs) {
        double[] want = new double[d];
        double mag = 0;
        for (int i = 0; i < c; i++) {
            double w = jac[t * c + i];
            for (int r = s + 1; r <= t; r++) {
                w *= a[r * c + i];
            }
            for (int q = 0; q < d; q++) {
                want[q] += w * dg[s][i][q];
            }
            mag += Math.abs(w) * norm(dg[s][i]);
        }
        for (int q = 0; q < d; q++) {
            double got = infl[s * d + q];
            if (!(Math.abs(got - want[q]) <= 1e-4 * mag + abs)) {
                throw new Falsified(MixerTheorems.TIME_INVARIANT, String.format(Locale.ROOT,
                        "dy_%d[%d]/dx_%d,%d = %.7g but the closed form gives %.7g", t, k, s, q, got, want[q]));
            }
        }
    }

    /**
     * {@value MixerTheorems#PATH}: the direct path x_{t-1} → g_{t-1} → h_t → y_t has weight
     * Σ_i |∂y_t[k]/∂h_{t,i}| a_{t,i} ||∂g_{t-1,i}/∂x_{t-1}||; where it is not negligible against the
     * bound's scale, ∂y_t[k]/∂x_{t-1} must not vanish.
     */
    private static void checkDirectPath(float[] a, int c, int d, float[] jac, float[][][] dg, float[] infl,
                                        int t, int k, double scaleT) {
        double direct = 0;
        for (int i = 0; i < c; i++) {
            direct += Math.abs(jac[t * c + i]) * a[t * c + i] * norm(dg[t - 1][i]);
        }
        if (direct > 1e-3 * scaleT && direct > 1e-20 && !(Grads.rowNorm(infl, t - 1, d) > 0)) {
            throw new Falsified(MixerTheorems.PATH, String.format(Locale.ROOT,
                    "dy_%d[%d]/dx_%d = 0 although the direct path has weight %.4g", t, k, t - 1, direct));
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }
}
