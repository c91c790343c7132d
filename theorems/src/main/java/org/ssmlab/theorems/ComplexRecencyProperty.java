package org.ssmlab.theorems;

import java.util.Locale;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.theorems.MixerTheorems.Falsified;
import org.ssmlab.theorems.MixerTheorems.Outside;
import org.ssmlab.theorems.MixerTheorems.Skip;

/**
 * {@value MixerTheorems#RECENCY} on one sample of a complex diagonal mixer: Theorem D.2 of
 * docs/theory.md §3 (the complex version: |a| in place of a) per state channel,
 * ||∂y_t[k]/∂x_s|| ≤ Σ_i |∂y_t[k]/∂h_{t,i}| · A*_i^{t-s} (|∂a_{s,i}/∂x_s| G_i/(1 - A*_i) + |∂g_{s,i}/∂x_s|)
 * with A*_i = max_t |a_{t,i}|, G_i = max_t |g_{t,i}| and |∂z/∂x| = (||∂Re z/∂x||² + ||∂Im z/∂x||²)^{1/2}.
 */
final class ComplexRecencyProperty {

    private ComplexRecencyProperty() {
    }

    /** Checks one sample; throws {@link Falsified}, {@link Outside} or {@link Skip}. */
    static void check(Mixer mixer, ComplexEq1Terms m, long ws, int len, double scale, Coverage cov) {
        int d = mixer.width();
        Tensor x = Samples.input(ws, 1, len, d, scale).requiresGrad(true);
        float[][] t = new float[4][];
        try (var s = GradMode.noGrad()) {
            Tensor[] terms = m.complexTerms(x);
            for (int q = 0; q < 4; q++) {
                t[q] = terms[q].toArray();
            }
        }
        int c = t[0].length / len;
        double[] aStar = new double[c];
        double[] bigG = new double[c];
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int k = 0; k < t[0].length; k++) {
            double mod = Math.hypot(t[0][k], t[1][k]);
            if (!(mod <= 1)) {
                throw new Outside("a transition has |a| = " + mod + " > 1");
            }
            aStar[k % c] = Math.max(aStar[k % c], mod);
            bigG[k % c] = Math.max(bigG[k % c], Math.hypot(t[2][k], t[3][k]));
            if (mod > 0 && mod < 1) {
                lo = Math.min(lo, mod);
                hi = Math.max(hi, mod);
            }
        }
        if (hi > 0) {
            cov.add("a_min |a| (learnable)", lo);
            cov.add("A_max |a| (learnable)", hi);
        }
        double[][] da = new double[len][c];
        double[][] dg = new double[len][c];
        for (int s = 0; s < len; s++) {
            for (int i = 0; i < c; i++) {
                double[] norms = new double[4];
                for (int q = 0; q < 4; q++) {
                    int qq = q;
                    float[] gr = Grads.of(() -> m.complexTerms(x)[qq], x, s * c + i);
                    if (Grads.offRowMax(gr, s, d) > 0) {
                        throw new Outside("the terms at t read x_r for some r ≠ t");
                    }
                    norms[q] = Grads.rowNorm(gr, s, d);
                }
                da[s][i] = Math.hypot(norms[0], norms[1]);
                dg[s][i] = Math.hypot(norms[2], norms[3]);
                if (da[s][i] > 0 && aStar[i] >= 1) {
                    throw new Skip("an input-dependent |a_t| rounds to 1 in float32");
                }
            }
        }
        Tensor hRe;
        Tensor hIm;
        try (var s = GradMode.noGrad()) {
            Tensor[] terms = m.complexTerms(x);
            Scan.ComplexTensor h = Scan.complexDiagonal(new Scan.ComplexTensor(terms[0], terms[1]),
                    new Scan.ComplexTensor(terms[2], terms[3]), null);
            hRe = Tensor.of(h.re().toArray(), h.re().shape()).requiresGrad(true);
            hIm = Tensor.of(h.im().toArray(), h.im().shape()).requiresGrad(true);
        }
        for (int tt = 1; tt < len; tt++) {
            for (int k = 0; k < d; k++) {
                int row = tt * d + k;
                float[] jRe = Grads.of(() -> m.complexReadout(x, hRe, hIm), hRe, row);
                float[] jIm = Grads.of(() -> m.complexReadout(x, hRe, hIm), hIm, row);
                if (Grads.offRowMax(jRe, tt, c) > 0 || Grads.offRowMax(jIm, tt, c) > 0) {
                    throw new Outside("the readout at t reads h_r for some r ≠ t");
                }
                float[] infl = Grads.of(() -> mixer.forward(x), x, row);
                double scaleT = 0;
                double[] jMod = new double[c];
                for (int i = 0; i < c; i++) {
                    jMod[i] = Math.hypot(jRe[tt * c + i], jIm[tt * c + i]);
                    for (int s = 0; s < tt; s++) {
                        double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + dg[s][i];
                        scaleT = Math.max(scaleT, jMod[i] * term);
                    }
                }
                for (int s = 0; s < tt; s++) {
                    double bound = 0;
                    for (int i = 0; i < c; i++) {
                        double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + dg[s][i];
                        bound += jMod[i] * Math.pow(aStar[i], tt - s) * term;
                    }
                    double got = Grads.rowNorm(infl, s, d);
                    if (!(got <= bound * (1 + MixerTheorems.REL) + 1e-6 * scaleT + 1e-30)) {
                        throw new Falsified(MixerTheorems.RECENCY, String.format(Locale.ROOT,
                                "complex: ||dy_%d[%d]/dx_%d|| = %.6g exceeds the Theorem D.2 bound %.6g", tt, k, s, got, bound));
                    }
                }
            }
        }
        cov.add("T", len);
    }
}
