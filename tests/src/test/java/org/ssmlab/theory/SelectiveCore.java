package org.ssmlab.theory;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.MatMul;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;

/**
 * The SSM core of Eq. 1 on its own, the object Theorem 3.1 is about: for an input x (1, T, d), each
 * step's transition a_t ∈ [0, 1)^n, drive g_t = B_t x_t ∈ R^n and readout c_t ∈ R^n are functions
 * of x_t alone, built from the engine's autograd ops:
 *
 * <pre>
 *   h_t = a_t ⊙ h_{t-1} + g_t,  h_0 = 0      (fused scan, Scan.diagonalStates)
 *   y_t = Σ_i c_{t,i} h_{t,i}
 * </pre>
 *
 * One instance per family of docs/theory.md §1, with the family's parameterisation of a_t:
 * <ul>
 *   <li>S4D (Eq. 2): a = exp(Δ Λ) constant, g_t = B̄ (u · x_t) with the zero-order-hold B̄, c = C̃;</li>
 *   <li>Mamba (Eq. 3): Δ_t = softplus(w_Δ · x_t + b_Δ), a_t = exp(Δ_t Λ), Λ = -exp(A_log),
 *   g_t = Δ_t (W_B x_t) x_{t,0}, c_t = W_C x_t;</li>
 *   <li>GLA: a_t = sigmoid(W_α x_t + b_α)^{1/τ}, g_t = k_t v_t, c_t = q_t (one value column);</li>
 *   <li>Griffin RG-LRU: a_t = σ(Λ)^{8 r_t}, r_t = σ(W_a x_t + b_a), i_t = σ(W_x x_t + b_x),
 *   g_t = sqrt(1 - a_t²) ⊙ i_t ⊙ (P x_t), c_t = W_C x_t;</li>
 *   <li>RetNet: a = γ for every channel, g_t = k_t v_t, c_t = q_t.</li>
 * </ul>
 * A {@code level} in (0, 1) sets the typical size of a (level → 0: fast forgetting, → 1: long memory)
 * so the generators can aim at both ends.
 */
final class SelectiveCore {

    /** The families of Theorem 3.1. */
    enum Variant { S4D, MAMBA, GLA, GRIFFIN, RETNET }

    /** a, g, c of one sequence, each (1, T, n). */
    record Terms(Tensor a, Tensor g, Tensor c) {
    }

    final Variant variant;
    final int d;
    final int n;
    private final Tensor[] p;          // the variant's parameters (constants: no gradient)
    private final float[] scalars;

    private SelectiveCore(Variant variant, int d, int n, float[] scalars, Tensor... p) {
        this.variant = variant;
        this.d = d;
        this.n = n;
        this.scalars = scalars;
        this.p = p;
    }

    /** A random instance of the variant with input width d, n state channels and typical transition {@code level}. */
    static SelectiveCore sample(Variant v, long seed, double level, int d, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        float w = (float) (1 / Math.sqrt(d));
        double lnLevel = Math.log(level);
        switch (v) {
            case S4D -> {
                // a_i = level^{1 + i/2}: Λ_i = ln(a_i)/Δ; ZOH B̄_i = (e^{ΔΛ_i} - 1)/Λ_i · B̃_i.
                float delta = (float) Math.exp(-3 + 3 * rng.nextDouble());
                float[] a = new float[n];
                float[] bBar = new float[n];
                for (int i = 0; i < n; i++) {
                    double lam = lnLevel * (1 + 0.5 * i) / delta;
                    a[i] = (float) Math.exp(delta * lam);
                    bBar[i] = (float) ((Math.exp(delta * lam) - 1) / lam * Tensor.gaussian(rng));
                }
                return new SelectiveCore(v, d, n, new float[0], Tensor.of(a, 1, 1, n), Tensor.of(bBar, 1, 1, n),
                        Tensor.randn(rng, w, 1, d), Tensor.randn(rng, 1f, 1, 1, n));
            }
            case MAMBA -> {
                // Δ ≈ -ln(level) at the bias, A = -(1, 1.5, 2, ...): a_{t,i} ≈ level^{1 + i/2}.
                double delta0 = Math.max(1e-6, -lnLevel);
                float bias = (float) (delta0 > 20 ? delta0 : Math.log(Math.expm1(delta0)));   // softplus⁻¹
                float[] aLog = new float[n];
                for (int i = 0; i < n; i++) {
                    aLog[i] = (float) Math.log(1 + 0.5 * i);
                }
                return new SelectiveCore(v, d, n, new float[0], Tensor.randn(rng, 0.5f * w, 1, d),
                        Tensor.vector(bias), Tensor.of(aLog, n), Tensor.randn(rng, w, n, d), Tensor.randn(rng, w, n, d));
            }
            case GLA -> {
                // α = sigmoid(z)^{1/τ} with sigmoid(b_α) = level^τ; τ = 16 (GLA's choice) unless that underflows.
                // The level is capped at 0.9995 and W_α kept small: sigmoid rounds to exactly 1 in float32
                // beyond z ≈ 15, which would leave the theorem's hypothesis a < 1.
                float tau = Math.pow(level, 16) > 1e-15 ? 16f : 1f;
                double pr = Math.pow(Math.min(level, 0.9995), tau);
                float bias = (float) Math.log(pr / (1 - pr));
                float[] b = new float[n];
                for (int i = 0; i < n; i++) {
                    b[i] = bias - (float) i;
                }
                return new SelectiveCore(v, d, n, new float[] {tau}, Tensor.randn(rng, 0.5f * w, n, d), Tensor.of(b, n),
                        Tensor.randn(rng, w, n, d), Tensor.randn(rng, w, 1, d), Tensor.randn(rng, w, n, d));
            }
            case GRIFFIN -> {
                // a = exp(8 r ln σ(Λ)); with ln σ(Λ_i) = ln(level)(1 + i/2)/4, a ≈ level^{(1+i/2)} at r = 1/2.
                // The level is capped at 0.999: for r → 0 the float32 a_t would round to exactly 1.
                double lnCapped = Math.log(Math.min(level, 0.999));
                float[] lnSig = new float[n];
                for (int i = 0; i < n; i++) {
                    lnSig[i] = (float) (8 * lnCapped * (1 + 0.5 * i) / 4);
                }
                // W_a is kept small so that r_t stays away from 0 (a_t = 1 in float32 otherwise).
                return new SelectiveCore(v, d, n, new float[0], Tensor.of(lnSig, n), Tensor.randn(rng, 0.3f * w, n, d),
                        Tensor.randn(rng, 0.5f, n), Tensor.randn(rng, w, n, d), Tensor.randn(rng, 0.5f, n),
                        Tensor.randn(rng, w, n, d), Tensor.randn(rng, w, n, d));
            }
            case RETNET -> {
                return new SelectiveCore(v, d, n, new float[] {(float) level}, Tensor.randn(rng, w, n, d),
                        Tensor.randn(rng, w, 1, d), Tensor.randn(rng, w, n, d));
            }
            default -> throw new IllegalArgumentException("SelectiveCore: unknown variant " + v);
        }
    }

    /** a_t, g_t, c_t for x (1, T, d); each depends on x_t alone. */
    Terms terms(Tensor x) {
        int len = x.dim(1);
        return switch (variant) {
            case S4D -> {
                Tensor u = MatMul.linear(x, p[2], null);                                   // (1, T, 1)
                Tensor a = Arith.mul(p[0], Tensor.ones(1, len, n));
                yield new Terms(a, Arith.mul(p[1], u), Arith.mul(p[3], Tensor.ones(1, len, n)));
            }
            case MAMBA -> {
                Tensor delta = Arith.softplus(MatMul.linear(x, p[0], p[1]));                // (1, T, 1)
                Tensor lambda = Arith.neg(Arith.exp(p[2]));                                 // (n)
                Tensor a = Arith.exp(Arith.mul(delta, lambda));
                Tensor x0 = Shapes.slice(x, 2, 0, 1);
                Tensor g = Arith.mul(Arith.mul(delta, x0), MatMul.linear(x, p[3], null));
                yield new Terms(a, g, MatMul.linear(x, p[4], null));
            }
            case GLA -> {
                Tensor a = Arith.pow(Arith.sigmoid(MatMul.linear(x, p[0], p[1])), 1f / scalars[0]);
                Tensor g = Arith.mul(MatMul.linear(x, p[2], null), MatMul.linear(x, p[3], null));
                yield new Terms(a, g, MatMul.linear(x, p[4], null));
            }
            case GRIFFIN -> {
                Tensor r = Arith.sigmoid(MatMul.linear(x, p[1], p[2]));
                Tensor a = Arith.exp(Arith.mul(r, p[0]));
                Tensor i = Arith.sigmoid(MatMul.linear(x, p[3], p[4]));
                Tensor gain = Arith.sqrt(Arith.addScalar(Arith.neg(Arith.mul(a, a)), 1f));
                Tensor g = Arith.mul(Arith.mul(gain, i), MatMul.linear(x, p[5], null));
                yield new Terms(a, g, MatMul.linear(x, p[6], null));
            }
            case RETNET -> {
                Tensor a = Tensor.full(scalars[0], 1, len, n);
                Tensor g = Arith.mul(MatMul.linear(x, p[0], null), MatMul.linear(x, p[1], null));
                yield new Terms(a, g, MatMul.linear(x, p[2], null));
            }
        };
    }

    /** The states h (1, T, n) by the fused scan. */
    Tensor states(Terms t) {
        return Scan.diagonalStates(t.a(), t.g(), null);
    }

    /** y (1, T): y_t = Σ_i c_{t,i} h_{t,i}. */
    Tensor outputs(Tensor x) {
        Terms t = terms(x);
        return Reduce.sum(Arith.mul(t.c(), states(t)), false, 2);
    }
}
