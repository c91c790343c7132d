package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.ssmlab.theorems.Grads;

/**
 * The polarization invariants of docs/theory.md §6 on the engine's fused selective scan with both constant
 * channels ([one | n learnable | zero]). The core reads its own input: u = x, Δ_t = softplus(W_Δ x_t + b_Δ),
 * B_t = W_B x_t over all n + 2 channels, g_{t,j}[k] = Δ_t[k] B_t[j] x_t[k]; a constant one-hot C_t picks
 * the state channel j under test, so y_t[k] = h_{t,j}[k] (no skip, no gate).
 */
class PolarizationTest {

    static final int D = 3;
    static final int N = 2;
    static final int NT = N + 2;

    /** The sampled selective core. */
    record Core(Tensor wDelta, Tensor bDelta, Tensor a, Tensor wB) {

        static Core sample(long seed, double level) {
            SplittableRandom rng = new SplittableRandom(seed);
            double delta0 = Math.max(1e-6, -Math.log(level));
            float bias = (float) (delta0 > 20 ? delta0 : Math.log(Math.expm1(delta0)));
            float[] a = new float[D * N];
            for (int k = 0; k < a.length; k++) {
                a[k] = -(1 + k % N);                            // Λ = -(1, 2): a = e^{-Δ}, e^{-2Δ}
            }
            return new Core(Tensor.randn(rng, (float) (0.5 / Math.sqrt(D)), D, D), Tensor.full(bias, D),
                    Tensor.of(a, D, N), Tensor.randn(rng, (float) (1 / Math.sqrt(D)), NT, D));
        }

        Tensor delta(Tensor x) {
            return Arith.softplus(MatMul.linear(x, wDelta, bDelta));
        }

        /** h_{t,j} (1, T, D) for the state channel j, through Scan.selective with both polarized channels. */
        Tensor channel(Tensor x, int j) {
            int len = x.dim(1);
            float[] c = new float[len * NT];
            for (int t = 0; t < len; t++) {
                c[t * NT + j] = 1f;
            }
            return Scan.selective(x, delta(x), a, MatMul.linear(x, wB, null), Tensor.of(c, 1, len, NT), null, null,
                    true, true);
        }

        /** g_{t,j}[k] = Δ_t[k] B_t[j] x_t[k], (1, T, D). */
        Tensor drive(Tensor x, int j) {
            Tensor bj = Shapes.slice(MatMul.linear(x, wB, null), 2, j, j + 1);
            return Arith.mul(Arith.mul(delta(x), x), bj);
        }
    }

    private static void recordLearnable(Coverage cov, Core core, Tensor x) {
        try (var s = GradMode.noGrad()) {
            float[] delta = core.delta(x).data();
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (float dt : delta) {
                for (int i = 0; i < N; i++) {
                    double a = Math.exp(-dt * (1 + i));
                    lo = Math.min(lo, a);
                    hi = Math.max(hi, a);
                }
            }
            cov.record(lo, hi, x.dim(1));
        }
    }

    /**
     * Polarization, one-channel: "a ≡ 1 (one-polarized): h_{t,0} = h_{t-1,0} + g_{t,0}. Its influence
     * does not decay: ∂h_{t,0}/∂x_s = ∂g_{s,0}/∂x_s for every s ≤ t." Both sides by reverse mode (the
     * left through the fused selective scan), compared as vectors for every output channel k, every
     * t and every s ≤ t, whatever the learnable channels' transitions (level near 0 to near 1).
     */
    @Test
    void oneChannelInfluenceDoesNotDecay() {
        Coverage cov = new Coverage("Polarization one-channel");
        Props.qt(30).forAll(Gens.seeds(), Gens.level(), Gens.lengths(1, 40)).checkAssert((seed, level, len) -> {
            Core core = Core.sample(seed, level);
            Tensor x = Tensor.randn(new SplittableRandom(seed + 3), 1f, 1, len, D).requiresGrad(true);
            recordLearnable(cov, core, x);
            for (int k = 0; k < D; k++) {
                float[][] dg = new float[len][];
                for (int s = 0; s < len; s++) {
                    dg[s] = Grads.of(() -> core.drive(x, 0), x, s * D + k);
                }
                for (int t = 0; t < len; t++) {
                    float[] dh = Grads.of(() -> core.channel(x, 0), x, t * D + k);
                    for (int s = 0; s < len; s++) {
                        for (int q = 0; q < D; q++) {
                            double want = s <= t ? dg[s][s * D + q] : 0;
                            double got = dh[s * D + q];
                            assertTrue(Math.abs(got - want) <= 1e-5 * (1 + Math.abs(want)), String.format(Locale.ROOT,
                                    "dh_{%d,0}[%d]/dx_{%d,%d} = %.7g but dg_{%d,0}/dx = %.7g", t, k, s, q, got, s, want));
                        }
                    }
                }
            }
        });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }

    /**
     * Polarization, zero-channel: "a ≡ 0 (zero-polarized): h_{t,n-1} = g_{t,n-1}, no mixing with the past,
     * so its sharpness is that of g itself." Checked: h_{t,n+1} = g_{t,n+1} at every step (to float
     * rounding), hence range_t equal per channel, and ∂h_{t,n+1}/∂x_s = 0 for s < t by reverse mode.
     */
    @Test
    void zeroChannelHasExactlyTheSharpnessOfItsDrive() {
        Coverage cov = new Coverage("Polarization zero-channel");
        Props.qt(30).forAll(Gens.seeds(), Gens.level(), Gens.lengths(1, 40)).checkAssert((seed, level, len) -> {
            Core core = Core.sample(seed, level);
            Tensor x = Tensor.randn(new SplittableRandom(seed + 5), (float) (0.1 + 3 * level), 1, len, D)
                    .requiresGrad(true);
            recordLearnable(cov, core, x);
            int last = NT - 1;
            float[] h;
            float[] g;
            try (var s = GradMode.noGrad()) {
                h = core.channel(x, last).toArray();
                g = core.drive(x, last).toArray();
            }
            for (int k = 0; k < D; k++) {
                double hLo = Double.POSITIVE_INFINITY;
                double hHi = Double.NEGATIVE_INFINITY;
                double gLo = Double.POSITIVE_INFINITY;
                double gHi = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    int i = t * D + k;
                    assertTrue(Math.abs(h[i] - g[i]) <= 1e-6 * (1 + Math.abs(g[i])),
                            "h_{t,zero} = " + h[i] + " but g_t = " + g[i] + " at t = " + t);
                    hLo = Math.min(hLo, h[i]);
                    hHi = Math.max(hHi, h[i]);
                    gLo = Math.min(gLo, g[i]);
                    gHi = Math.max(gHi, g[i]);
                }
                assertTrue(Math.abs((hHi - hLo) - (gHi - gLo)) <= 2e-6 * (1 + Math.abs(gHi) + Math.abs(gLo)),
                        "sharpness of the zero-channel differs from that of g");
            }
            int t = len - 1;
            for (int k = 0; k < D; k++) {
                float[] dh = Grads.of(() -> core.channel(x, last), x, t * D + k);
                for (int s = 0; s < t; s++) {
                    assertTrue(Grads.rowNorm(dh, s, D) == 0, "zero-channel h_t depends on x_" + s + " < t");
                }
            }
        });
        cov.print();
        cov.requireTransitionsNear0And1(0.01, 0.99);
    }
}
