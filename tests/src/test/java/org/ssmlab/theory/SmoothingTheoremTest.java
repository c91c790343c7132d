package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.MatMul;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.testing.Props;
import org.ssmlab.testing.Violation;

/**
 * Theorem 4.2 / D.5 (SSMs are non-expansive smoothers), both variants of docs/theory.md §5, the stacked
 * statement, and the negative controls that break one hypothesis each. The states come from the
 * engine's fused scan; sharpness and the factors are computed in double from its float32 values.
 */
class SmoothingTheoremTest {

    static final int C = 6;
    /** The inequality range(h) ≤ (1 - a_min^p) range(x), as the negative controls name it. */
    static final String RANGE = "Theorem 4.2 range factor";

    /** One sampled channel bank: a, b (each (1, T, C)), x (1, T, C). */
    record Bank(float[] a, float[] b, float[] x, int len) {
    }

    /** range_t of channel i of a (T, C) array. */
    static double range(float[] v, int len, int i) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            lo = Math.min(lo, v[t * C + i]);
            hi = Math.max(hi, v[t * C + i]);
        }
        return hi - lo;
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    /** min_t a_{t,i} over steps t ≥ from. */
    static double aMin(float[] a, int len, int i, int from) {
        double m = Double.POSITIVE_INFINITY;
        for (int t = from; t < len; t++) {
            m = Math.min(m, a[t * C + i]);
        }
        return m;
    }

    /**
     * a_t = a_min + (aTop - a_min) u³ (clustered at a_min, which is hit exactly at one step), b_t = (1 - a_t) v
     * + excess with v = 1 half the time (the edge a + b = 1), x ~ N(0, scale) shifted by {@code offset}, or
     * centred so that min x ≤ 0 ≤ max x when {@code centre}.
     */
    static Bank sample(long seed, double aMin, double aTop, double excess, int len, boolean centre, double offset) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = len * C;
        float[] a = new float[n];
        float[] b = new float[n];
        float[] x = new float[n];
        double scale = Math.exp(4 * rng.nextDouble() - 2);
        for (int k = 0; k < n; k++) {
            double u = rng.nextDouble();
            a[k] = (float) (aMin + (aTop - aMin) * u * u * u);
            double v = rng.nextBoolean() ? 1 : rng.nextDouble();
            b[k] = (float) Math.max(0, (1 - a[k]) * v + excess);
            x[k] = (float) (Tensor.gaussian(rng) * scale + offset);
        }
        for (int i = 0; i < C; i++) {
            a[rng.nextInt(len) * C + i] = (float) aMin;
            if (centre) {
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    lo = Math.min(lo, x[t * C + i]);
                    hi = Math.max(hi, x[t * C + i]);
                }
                float shift = (float) (lo + rng.nextDouble() * (hi - lo));
                for (int t = 0; t < len; t++) {
                    x[t * C + i] -= shift;
                }
            }
        }
        return new Bank(a, b, x, len);
    }

    /** h_t = a_t h_{t-1} + b_t x_t, h_0 = 0, by the engine. */
    static float[] statesA(Bank k) {
        try (var s = GradMode.noGrad()) {
            Tensor a = Tensor.of(k.a().clone(), 1, k.len(), C);
            Tensor bx = Arith.mul(Tensor.of(k.b().clone(), 1, k.len(), C), Tensor.of(k.x().clone(), 1, k.len(), C));
            return Scan.diagonalStates(a, bx, null).toArray();
        }
    }

    /** h_t = a_t h_{t-1} + (1 - a_t) x_t from h_1 = x_1 (h_0 = x_1 makes step 1 give x_1), by the engine. */
    static float[] statesB(Bank k) {
        try (var s = GradMode.noGrad()) {
            Tensor a = Tensor.of(k.a().clone(), 1, k.len(), C);
            Tensor x = Tensor.of(k.x().clone(), 1, k.len(), C);
            Tensor bx = Arith.mul(Arith.addScalar(Arith.neg(a), 1f), x);
            Tensor h0 = Shapes.reshape(Shapes.slice(x, 1, 0, 1), 1, C);
            return Scan.diagonalStates(a, bx, h0).toArray();
        }
    }

    /** Checks range(h) ≤ factor_i · range(x) per channel, factor_i = 1 - a_min,i^{power}. */
    static void checkFactor(String label, Bank k, float[] h, int power, int aFrom) {
        double slack = 2e-6 * (k.len() + 1) * maxAbs(k.x()) + 1e-30;
        for (int i = 0; i < C; i++) {
            double factor = 1 - Math.pow(aMin(k.a(), k.len(), i, aFrom), power);
            double rh = range(h, k.len(), i);
            double rx = range(k.x(), k.len(), i);
            int ch = i;
            Violation.check(rh <= factor * rx + slack, RANGE, () -> String.format(Locale.ROOT,
                    "%s channel %d: range(h) = %.7g > (1 - a_min^%d) range(x) = %.7g · %.7g (T = %d)",
                    label, ch, rh, power, factor, rx, k.len()));
        }
    }

    private static void record(Coverage cov, Bank k, int fromStep) {
        int from = Math.min(fromStep, k.len() - 1);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < C; i++) {
            lo = Math.min(lo, aMin(k.a(), k.len(), i, from));
            for (int t = from; t < k.len(); t++) {
                hi = Math.max(hi, k.a()[t * C + i]);
            }
        }
        cov.record(lo, hi, k.len());
    }

    /**
     * Theorem 4.2 (a), centred data: "If a_t ∈ [a_min, 1], b_t ≥ 0, a_t + b_t ≤ 1, h_0 = 0, and the
     * channel's inputs straddle zero (min_t x_t ≤ 0 ≤ max_t x_t), then
     * range_t(h) ≤ (1 - a_min^T) · range_t(x)." Samples a_min (0 and 1 included, both ends weighted),
     * T in [1, 64], six channels per example with a + b on and below the edge 1.
     */
    @Test
    void centredChannelsShrinkByOneMinusAMinToTheT() {
        Coverage cov = new Coverage("Theorem 4.2 (a)");
        Props.qt(150).forAll(Gens.seeds(), Gens.aMin(), Gens.lengths(1, 64)).checkAssert((seed, aMin, len) -> {
            Bank k = sample(seed, aMin, 1.0, 0, len, true, 0);
            record(cov, k, 0);
            checkFactor("Theorem 4.2 (a)", k, statesA(k), len, 0);
        });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }

    /**
     * Theorem 4.2 (b), conservative updates: "If a_t + b_t = 1 for every t and the recurrence starts
     * from the first token (h_1 = x_1), no centring is needed: range_t(h) ≤ (1 - a_min^{T-1}) · range_t(x)."
     * a_min is taken over the steps 2..T whose a_t enter the weights (the proof's ε = Π_{r=2}^{t} a_r),
     * which is at least the minimum over all steps: the check is the sharper one. Inputs carry an
     * arbitrary offset in [-10, 10].
     */
    @Test
    void conservativeUpdatesShrinkByOneMinusAMinToTheTMinusOne() {
        Coverage cov = new Coverage("Theorem 4.2 (b)");
        Props.qt(150).forAll(Gens.seeds(), Gens.aMin(), Gens.lengths(1, 64), doubles().between(-10, 10))
                .checkAssert((seed, aMin, len, offset) -> {
                    Bank k = sample(seed, aMin, 1.0, 0, len, false, offset);
                    record(cov, k, 1);
                    checkFactor("Theorem 4.2 (b)", k, statesB(k), len - 1, 1);
                });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }

    // ---------------------------------------------------------------- stacked

    /** S(x) = max_{t,t'} ||x_t - x_{t'}||_∞ = max over channels of the channel's range. */
    static double sharpness(float[] v, int len) {
        double s = 0;
        for (int i = 0; i < C; i++) {
            s = Math.max(s, range(v, len, i));
        }
        return s;
    }

    /**
     * Theorem 4.2, stacked: "Stacking layers compounds the shrinkage: over-smoothing with depth." A
     * normalisation-free stack of L selective conservative layers (layer l: a_t = sigmoid(W_l x_t + b_l)
     * per channel, read from that layer's own input, h_t = a_t h_{t-1} + (1 - a_t) x_t, h_1 = x_1) has
     * S(h^{(l)}) ≤ Π_{k ≤ l} ρ_k · S(x) with ρ_k = max_i (1 - a_min,k,i^{T-1}) for every l, hence
     * S(h^{(L)}) ≤ ρ^L S(x) with ρ = max_k ρ_k: at least geometric shrinkage. Samples L in [1, 6],
     * T in [2, 48], the level of the bias (a near 0 to near 1), uncentred inputs.
     */
    @Test
    void stackedLayersShrinkSharpnessGeometrically() {
        Coverage cov = new Coverage("Theorem 4.2 stacked");
        Props.qt(60).forAll(Gens.seeds(), Gens.level(), Gens.lengths(2, 48), integers().between(1, 6))
                .checkAssert((seed, level, len, layers) -> {
                    SplittableRandom rng = new SplittableRandom(seed);
                    Tensor x = Tensor.randn(rng, (float) Math.exp(2 * rng.nextDouble()), 1, len, C);
                    float[] off = new float[C];
                    for (int i = 0; i < C; i++) {
                        off[i] = (float) (10 * (2 * rng.nextDouble() - 1));
                    }
                    x = Arith.add(x, Tensor.of(off, C));
                    double s0 = sharpness(x.data(), len);
                    double bound = 1;
                    double rhoMax = 0;
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = 0;
                    Tensor in = x;
                    try (var s = GradMode.noGrad()) {
                        for (int l = 0; l < layers; l++) {
                            float bias = (float) Math.log(level / (1 - level));
                            Tensor w = Tensor.randn(rng, (float) (0.3 / Math.sqrt(C) / Math.max(1, s0)), C, C);
                            Tensor a = Arith.sigmoid(MatMul.linear(in, w, Tensor.full(bias, C)));
                            Tensor bx = Arith.mul(Arith.addScalar(Arith.neg(a), 1f), in);
                            Tensor h = Scan.diagonalStates(a, bx, Shapes.reshape(Shapes.slice(in, 1, 0, 1), 1, C));
                            float[] av = a.data();
                            double rho = 0;
                            for (int i = 0; i < C; i++) {
                                double m = aMin(av, len, i, 1);
                                lo = Math.min(lo, m);
                                for (int t = 1; t < len; t++) {
                                    hi = Math.max(hi, av[t * C + i]);
                                }
                                rho = Math.max(rho, 1 - Math.pow(m, len - 1));
                            }
                            bound *= rho;
                            rhoMax = Math.max(rhoMax, rho);
                            double sl = sharpness(h.data(), len);
                            double slack = 2e-6 * (l + 1) * (len + 1) * maxAbs(x.data());
                            assertTrue(sl <= bound * s0 + slack, String.format(Locale.ROOT,
                                    "layer %d: S = %.7g > Π ρ_k · S(x) = %.7g · %.7g", l + 1, sl, bound, s0));
                            assertTrue(sl <= Math.pow(rhoMax, l + 1) * s0 + slack, "geometric bound ρ^l S(x)");
                            in = h;
                        }
                    }
                    cov.record(lo, hi, len).add("layers", layers);
                });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }

    // ---------------------------------------------------------------- negative controls

    /**
     * Negative control, a_t > 1 at some steps (hypothesis a_t ∈ [a_min, 1] broken; b_t = max(0, 1 - a_t)
     * keeps b ≥ 0): Theorem 4.2 (a)'s inequality, computed as stated with a_min = min_t a_t < 1, fails.
     */
    @Test
    void negativeControlTransitionAboveOne() {
        String report = Props.expectViolation(RANGE, () -> Props.qt(150)
                .forAll(Gens.seeds(), doubles().between(0, 0.9), Gens.lengths(2, 64))
                .checkAssert((seed, aMin, len) -> {
                    Bank k = sample(seed, aMin, 1.5, 0, len, true, 0);
                    checkFactor("a > 1", k, statesA(k), len, 0);
                }));
        Coverage.reportFalsified("Theorem 4.2 (a) with a_t up to 1.5", report);
    }

    /** Negative control, a_t + b_t > 1 (b_t = 1 - a_t + excess, excess in [0.05, 1]): (a) fails. */
    @Test
    void negativeControlAPlusBAboveOne() {
        String report = Props.expectViolation(RANGE, () -> Props.qt(150)
                .forAll(Gens.seeds(), Gens.aMin(), Gens.lengths(1, 64), doubles().between(0.05, 1))
                .checkAssert((seed, aMin, len, excess) -> {
                    Bank k = sample(seed, aMin, 1.0, excess, len, true, 0);
                    checkFactor("a + b > 1", k, statesA(k), len, 0);
                }));
        Coverage.reportFalsified("Theorem 4.2 (a) with a_t + b_t > 1", report);
    }

    /** Negative control, uncentred inputs under (a) (x offset by 1..20, so min x > 0 typically): (a) fails. */
    @Test
    void negativeControlUncentredInputsUnderA() {
        String report = Props.expectViolation(RANGE, () -> Props.qt(150)
                .forAll(Gens.seeds(), Gens.aMin(), Gens.lengths(1, 64), doubles().between(1, 20))
                .checkAssert((seed, aMin, len, offset) -> {
                    Bank k = sample(seed, aMin, 1.0, 0, len, false, offset);
                    checkFactor("uncentred", k, statesA(k), len, 0);
                }));
        Coverage.reportFalsified("Theorem 4.2 (a) with uncentred inputs", report);
    }
}
