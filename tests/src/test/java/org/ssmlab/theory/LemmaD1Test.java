package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.ssm.core.Eq1;
import org.ssmlab.testing.Props;
import org.ssmlab.theorems.Grads;

/**
 * Lemma D.1 (parallel form) on random diagonal input-dependent SSMs, real and complex: the engine's
 * recurrences (the fused scan and the step-by-step {@link Eq1#scan}) against the closed form computed
 * in double precision, and the weights of the closed form read back from the engine by reverse mode.
 */
class LemmaD1Test {

    static final int C = 4;

    /** a_{t,i} = level^{u}, u ∈ [0.5, 1.5], negative with probability 1/4 when {@code signed}. */
    private static float[] transitions(SplittableRandom rng, double level, int count, boolean signed) {
        float[] a = new float[count];
        for (int k = 0; k < count; k++) {
            double v = Math.pow(level, 0.5 + rng.nextDouble());
            a[k] = (float) (signed && rng.nextInt(4) == 0 ? -v : v);
        }
        return a;
    }

    /**
     * Lemma D.1: "For every t, the recurrence Eq. 1 equals y_t = C_t^T Σ_{s=1}^{t} (Π_{r=s+1}^{t} A_r) B_s x_s."
     * And: "The weight Π_{r=s+1}^{t} A_r of token s in output t is a product of t - s factors; with
     * 0 ≤ a ≤ 1 it is non-increasing in the distance t - s" — the weights are read from the engine as
     * ∂h_{t,i}/∂g_{s,i} by reverse mode through the fused scan. Samples a (per step and channel,
     * from a level that includes exactly 0 and 1, signed for the identity), g, C, and T in [1, 48].
     */
    @Test
    void recurrenceEqualsTheParallelForm() {
        Coverage cov = new Coverage("Lemma D.1 (real)");
        Props.qt(60).forAll(Gens.seeds(), Gens.aMin(), Gens.lengths(1, 48), Generate.booleans())
                .checkAssert((seed, level, len, signed) -> {
                    SplittableRandom rng = new SplittableRandom(seed);
                    float[] a = transitions(rng, level, len * C, signed);
                    Tensor g = Tensor.randn(rng, 1f, 1, len, C).requiresGrad(true);
                    float[] c = Tensor.randn(rng, 1f, 1, len, C).data();
                    Tensor at = Tensor.of(a, 1, len, C);
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = 0;
                    for (float v : a) {
                        lo = Math.min(lo, Math.abs(v));
                        hi = Math.max(hi, Math.abs(v));
                    }
                    cov.record(lo, hi, len);
                    float[] fused;
                    float[] stepwise;
                    try (var s = GradMode.noGrad()) {
                        fused = Scan.diagonalStates(at, g, null).toArray();
                        stepwise = Eq1.scan(at, g).toArray();
                    }
                    float[] gv = g.data();
                    for (int t = 0; t < len; t++) {
                        double y = 0;
                        double yScale = 0;
                        double yFused = 0;
                        double yStep = 0;
                        for (int i = 0; i < C; i++) {
                            double h = 0;
                            double scale = 0;
                            for (int s = 0; s <= t; s++) {
                                double w = 1;
                                for (int r = s + 1; r <= t; r++) {
                                    w *= a[r * C + i];
                                }
                                h += w * gv[s * C + i];
                                scale += Math.abs(w * gv[s * C + i]);
                            }
                            double ci = c[t * C + i];
                            y += ci * h;
                            yScale += Math.abs(ci) * scale;
                            yFused += ci * fused[t * C + i];
                            yStep += ci * stepwise[t * C + i];
                        }
                        double tol = 1e-5 * (t + 1) * yScale + 1e-6;
                        assertTrue(Math.abs(yFused - y) <= tol, String.format(Locale.ROOT,
                                "fused scan y_%d = %.7g, parallel form %.7g", t, yFused, y));
                        assertTrue(Math.abs(yStep - y) <= tol, String.format(Locale.ROOT,
                                "Eq1.scan y_%d = %.7g, parallel form %.7g", t, yStep, y));
                    }
                    // The weights, by reverse mode: ∂h_{t,i}/∂g_{s,i} = Π_{r=s+1}^{t} a_{r,i}.
                    int t = len - 1;
                    for (int i = 0; i < C; i++) {
                        float[] w = Grads.of(() -> Scan.diagonalStates(at, g, null), g, t * C + i);
                        double expected = 1;
                        double previous = Double.POSITIVE_INFINITY;
                        for (int s = t; s >= 0; s--) {
                            double got = w[s * C + i];
                            assertTrue(Math.abs(got - expected) <= 1e-5 * (t - s + 1) * Math.abs(expected) + 1e-30,
                                    String.format(Locale.ROOT, "weight of g_%d in h_%d: %.7g, product %.7g", s, t, got,
                                            expected));
                            if (!signed) {
                                assertTrue(got <= previous, "weights must not increase with the distance when 0 <= a <= 1");
                                previous = got;
                            }
                            expected *= a[s * C + i];
                        }
                    }
                });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }

    /**
     * Lemma D.1, complex (Theorem D.2's setting): h_t = a_t h_{t-1} + g_t in complex arithmetic equals
     * Σ_s (Π_{r=s+1}^{t} a_r) g_s, for the engine's complex scan ({@code Scan.complexDiagonal}), with
     * |a| from a level that includes 0 and 1 and uniform random phases.
     */
    @Test
    void complexRecurrenceEqualsTheParallelForm() {
        Coverage cov = new Coverage("Lemma D.1 (complex)");
        Props.qt(60).forAll(Gens.seeds(), Gens.aMin(), Gens.lengths(1, 48)).checkAssert((seed, level, len) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int count = len * C;
            float[] aRe = new float[count];
            float[] aIm = new float[count];
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (int k = 0; k < count; k++) {
                double mod = Math.pow(level, 0.5 + rng.nextDouble());
                double phase = 2 * Math.PI * rng.nextDouble();
                aRe[k] = (float) (mod * Math.cos(phase));
                aIm[k] = (float) (mod * Math.sin(phase));
                double m = Math.hypot(aRe[k], aIm[k]);
                lo = Math.min(lo, m);
                hi = Math.max(hi, m);
            }
            cov.record(lo, hi, len);
            Tensor gRe = Tensor.randn(rng, 1f, 1, len, C);
            Tensor gIm = Tensor.randn(rng, 1f, 1, len, C);
            Scan.ComplexTensor h;
            try (var s = GradMode.noGrad()) {
                h = Scan.complexDiagonal(new Scan.ComplexTensor(Tensor.of(aRe, 1, len, C), Tensor.of(aIm, 1, len, C)),
                        new Scan.ComplexTensor(gRe, gIm), null);
            }
            float[] hr = h.re().data();
            float[] hiv = h.im().data();
            for (int t = 0; t < len; t++) {
                for (int i = 0; i < C; i++) {
                    double sr = 0;
                    double si = 0;
                    double scale = 0;
                    for (int s = 0; s <= t; s++) {
                        double wr = 1;
                        double wi = 0;
                        for (int r = s + 1; r <= t; r++) {
                            double xr = aRe[r * C + i];
                            double xi = aIm[r * C + i];
                            double nr = wr * xr - wi * xi;
                            wi = wr * xi + wi * xr;
                            wr = nr;
                        }
                        double gr = gRe.data()[s * C + i];
                        double gi = gIm.data()[s * C + i];
                        sr += wr * gr - wi * gi;
                        si += wr * gi + wi * gr;
                        scale += Math.hypot(wr, wi) * Math.hypot(gr, gi);
                    }
                    int k = t * C + i;
                    double err = Math.hypot(hr[k] - sr, hiv[k] - si);
                    assertTrue(err <= 1e-5 * (t + 1) * scale + 1e-6, String.format(Locale.ROOT,
                            "complex scan h_%d,%d = %.7g%+.7gi, parallel form %.7g%+.7gi", t, i, hr[k], hiv[k], sr, si));
                }
            }
        });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }
}
