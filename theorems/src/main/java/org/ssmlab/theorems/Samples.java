package org.ssmlab.theorems;

import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.theorems.MixerTheorems.Outside;

/**
 * What the properties of {@link MixerTheorems} share on one sample: the input sequence drawn from the
 * sample's seed, and the terms a_t, g_t = B_t x_t of a diagonal Eq. 1 mixer (docs/theory.md §1) with the
 * hypotheses every bound needs checked (the mixer exposes its terms, and a_t ∈ [0, 1]).
 */
final class Samples {

    private Samples() {
    }

    /** A (batch, len, d) Gaussian input of standard deviation {@code scale}, from the sample's weight seed. */
    static Tensor input(long weightSeed, int batch, int len, int d, double scale) {
        return Tensor.randn(new SplittableRandom(weightSeed ^ 0x5DEECE66DL), (float) scale, batch, len, d);
    }

    /** The mixer as a real diagonal Eq. 1 mixer, or {@link Outside} when it does not expose a_t and B_t x_t. */
    static DiagonalMixer diagonal(Mixer m) {
        if (!(m instanceof DiagonalMixer dm)) {
            throw new Outside(m.getClass().getSimpleName() + " is not a diagonal Eq. 1 mixer (it exposes no terms"
                    + " a_t, B_t x_t: neither DiagonalMixer nor ComplexEq1Terms)");
        }
        return dm;
    }

    /** a and g of x, flattened to (T, C), in double-free float arrays, with the hypothesis a ∈ [0, 1] checked. */
    static float[][] termsOf(DiagonalMixer m, Tensor x) {
        try (var s = GradMode.noGrad()) {
            DiagonalMixer.Terms t = m.terms(x);
            float[] a = t.a().toArray();
            float[] g = t.bx().toArray();
            for (float v : a) {
                if (!(v >= 0 && v <= 1)) {
                    throw new Outside("a transition " + v + " is outside [0, 1]");
                }
            }
            return new float[][] {a, g};
        }
    }
}
