package org.ssmlab.theorems;

import java.util.Locale;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.theorems.MixerTheorems.Falsified;
import org.ssmlab.theorems.MixerTheorems.Outside;

/**
 * {@value MixerTheorems#POLARIZATION} on one sample, the invariants of polarization in docs/theory.md §6:
 * a channel with a ≡ 1 sums its drive (h_t = Σ_{s≤t} g_s), one with a ≡ 0 is its drive (h_t = g_t), h
 * computed from the mixer's terms by the engine's fused diagonal scan (the complex diagonal scan for a
 * complex mixer, where only a channel with Im a ≡ 0 counts as constant). A mixer with no constant
 * channel is not polarized and outside the property.
 */
final class PolarizationProperty {

    private PolarizationProperty() {
    }

    /** Checks one sample; throws {@link Falsified} naming the channel and step, or {@link Outside}. */
    static void check(Mixer sampled, long ws, int len, double scale, Coverage cov) {
        Tensor x = Samples.input(ws, 1, len, sampled.width(), scale);
        float[] a;
        float[] g;
        float[] h;
        if (sampled instanceof ComplexEq1Terms cm) {
            // Constant channels of a complex mixer are real (a = 1 + 0i, 0 + 0i): checked on the real parts,
            // and their imaginary parts must stay 0.
            try (var s = GradMode.noGrad()) {
                Tensor[] t = cm.complexTerms(x);
                Scan.ComplexTensor hc = Scan.complexDiagonal(new Scan.ComplexTensor(t[0], t[1]),
                        new Scan.ComplexTensor(t[2], t[3]), null);
                a = t[0].toArray();
                float[] aIm = t[1].toArray();
                for (int k = 0; k < a.length; k++) {
                    if (aIm[k] != 0f) {
                        a[k] = Float.NaN;                    // not a real constant channel
                    }
                }
                g = t[2].toArray();
                h = hc.re().toArray();
            }
        } else {
            DiagonalMixer m = Samples.diagonal(sampled);
            float[][] ag = Samples.termsOf(m, x);
            a = ag[0];
            g = ag[1];
            try (var s = GradMode.noGrad()) {
                DiagonalMixer.Terms t = m.terms(x);
                h = DiagonalMixer.fusedScan(t.a(), t.bx()).toArray();
            }
        }
        int c = a.length / len;
        int ones = 0;
        int zeros = 0;
        for (int i = 0; i < c; i++) {
            boolean one = true;
            boolean zero = true;
            for (int t = 0; t < len; t++) {
                one &= a[t * c + i] == 1f;
                zero &= a[t * c + i] == 0f;
            }
            double sum = 0;
            double mag = 0;
            for (int t = 0; t < len; t++) {
                int k = t * c + i;
                sum += g[k];
                mag += Math.abs(g[k]);
                if (one && !(Math.abs(h[k] - sum) <= 1e-5 * mag + 1e-30)) {
                    throw new Falsified(MixerTheorems.POLARIZATION, String.format(Locale.ROOT,
                            "a = 1 channel %d: h_%d = %.7g but the sum of its drive is %.7g", i, t, h[k], sum));
                }
                if (zero && !(Math.abs(h[k] - g[k]) <= 1e-6 * Math.abs(g[k]) + 1e-30)) {
                    throw new Falsified(MixerTheorems.POLARIZATION, String.format(Locale.ROOT,
                            "a = 0 channel %d: h_%d = %.7g but g_%d = %.7g", i, t, h[k], t, g[k]));
                }
            }
            ones += one ? 1 : 0;
            zeros += zero ? 1 : 0;
        }
        if (ones + zeros == 0) {
            throw new Outside("no constant channel (a = 1 or a = 0 at every step): the mixer is not polarized");
        }
        cov.add("a = 1 channels", ones);
        cov.add("a = 0 channels", zeros);
    }
}
