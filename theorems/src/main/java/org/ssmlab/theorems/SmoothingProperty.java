package org.ssmlab.theorems;

import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.theorems.MixerTheorems.Falsified;
import org.ssmlab.theorems.MixerTheorems.Outside;

/**
 * {@value MixerTheorems#SMOOTHING} on one sample, Theorem 4.2 (b) of docs/theory.md §5: the
 * conservative recurrence h_t = a_t h_{t-1} + (1 - a_t) v_t from h_1 = v_1, run by the engine's scan on
 * the mixer's own transitions a_t and a random drive v (Gaussian around a random offset), has
 * range_t(h_i) ≤ (1 - a_min,i^{T-1}) range_t(v_i) per channel i, a_min,i = min_{t ≥ 2} a_{t,i}. The
 * theorem bounds ranges of real states: a complex mixer is outside it.
 */
final class SmoothingProperty {

    private SmoothingProperty() {
    }

    /** Checks one sample; throws {@link Falsified} naming the channel whose range is too wide, or {@link Outside}. */
    static void check(Mixer sampled, long ws, int len, double scale, Coverage cov) {
        if (sampled instanceof ComplexEq1Terms) {
            throw new Outside("complex state: Theorem 4.2 bounds the ranges of real states");
        }
        DiagonalMixer m = Samples.diagonal(sampled);
        int d = m.width();
        Tensor x = Samples.input(ws, 1, len, d, scale);
        float[] a = Samples.termsOf(m, x)[0];
        int c = a.length / len;
        SplittableRandom rng = new SplittableRandom(ws + 17);
        float[] v = new float[len * c];
        double offset = 10 * (2 * rng.nextDouble() - 1);
        double maxAbs = 0;
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (Tensor.gaussian(rng) + offset);
            maxAbs = Math.max(maxAbs, Math.abs(v[k]));
        }
        float[] h;
        try (var s = GradMode.noGrad()) {
            Tensor at = Tensor.of(a.clone(), 1, len, c);
            Tensor vt = Tensor.of(v.clone(), 1, len, c);
            Tensor drive = Arith.mul(Arith.addScalar(Arith.neg(at), 1f), vt);
            h = Scan.diagonalStates(at, drive, Shapes.reshape(Shapes.slice(vt, 1, 0, 1), 1, c)).toArray();
        }
        double slack = 2e-6 * (len + 1) * maxAbs;
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < c; i++) {
            double aMin = Double.POSITIVE_INFINITY;
            for (int t = 1; t < len; t++) {
                aMin = Math.min(aMin, a[t * c + i]);
                hi = Math.max(hi, a[t * c + i]);
            }
            lo = Math.min(lo, aMin);
            double factor = 1 - Math.pow(aMin, len - 1);
            double rh = range(h, len, c, i);
            double rv = range(v, len, c, i);
            if (!(rh <= factor * rv + slack)) {
                throw new Falsified(MixerTheorems.SMOOTHING, String.format(Locale.ROOT,
                        "channel %d: range(h) = %.7g > (1 - a_min^%d) range(v) = %.7g * %.7g", i, rh, len - 1, factor, rv));
            }
        }
        cov.add("a_min", lo);
        cov.add("A_max", hi);
    }

    /** max_t v[t, i] - min_t v[t, i] of a (len, c) array. */
    private static double range(float[] v, int len, int c, int i) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            lo = Math.min(lo, v[t * c + i]);
            hi = Math.max(hi, v[t * c + i]);
        }
        return hi - lo;
    }
}
