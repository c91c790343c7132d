package org.ssmlab.ssm.mixers;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Polarize;

/**
 * S4D with a real diagonal Λ (docs/theory.md §1, Eq. 2), time-invariant, one SSM per channel c:
 *
 * <pre>
 *   Λ = -exp(A_log) < 0,   Δ = exp(log_dt)
 *   a = exp(Δ Λ),   B̄ = (exp(Δ Λ) - 1)/Λ · B        (zero-order hold)
 *   h_t = a ⊙ h_{t-1} + B̄ x_t,   y_t = Σ_n C_n h_{t,n} + D x_t,   out = out_proj(GELU(y))
 * </pre>
 *
 * Initialisation S4D-Real: Λ_n = -(n+1); log Δ uniform in [log 0.001, log 0.1]. With polarization
 * the state gains constant channels a ≡ 1 (first; B̄ = Δ B, the ZOH limit) and a ≡ 0 (last; B̄ = B),
 * each with its own learnable B and C entries.
 */
public final class S4DMixer extends DiagonalMixer {

    private final int d;
    private final Polarization pol;
    private final Tensor logDt;
    private final Tensor aLog;
    private final Tensor b;
    private final Tensor c;
    private final Tensor dSkip;
    private final Linear outProj;

    public S4DMixer(int d, int n, Polarization pol, SplittableRandom rng) {
        this.d = d;
        this.pol = pol;
        int nt = n + pol.extraChannels();
        this.logDt = param("log_dt", logDtInit(d, rng));
        this.aLog = param("A_log", realALogInit(d, n));
        this.b = param("B", Tensor.ones(d, nt));
        this.c = param("C", Tensor.randn(rng, (float) Math.sqrt(0.5), d, nt));
        this.dSkip = param("D", Tensor.randn(rng, 1f, d));
        this.outProj = child("out_proj", new Linear(d, d, true, rng));
    }

    @Override
    public int width() {
        return d;
    }

    /** The transitions a (d, n_total), constants included. */
    public Tensor transitions() {
        return zohTransitions(aLog, logDt, pol);
    }

    @Override
    public Terms terms(Tensor x) {
        return zohTerms(x, aLog, logDt, b, pol);
    }

    @Override
    public Tensor readout(Tensor x, Terms terms, Tensor h) {
        Tensor y = Arith.add(Reduce.sum(Arith.mul(h, c), false, -1), Arith.mul(x, dSkip));
        return outProj.forward(Arith.gelu(y));
    }

    /**
     * The layer's convolution kernel, K_k[c] = Σ_n C[c,n] B̄[c,n] a[c,n]^k for k = 0..length-1 (the SSM part of
     * y before the skip D x, GELU and out_proj), as (d, length): the impulse response of its own terms
     * through the fused scan.
     */
    public Tensor kernel(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("S4DMixer.kernel: length " + length + " must be positive");
        }
        try (var scope = org.ssmlab.autograd.GradMode.noGrad()) {
            float[] impulse = new float[length * d];
            java.util.Arrays.fill(impulse, 0, d, 1f);
            Terms t = terms(Tensor.of(impulse, 1, length, d));
            Tensor h = fusedScan(t.a(), t.bx());                                   // (1, L, d, nt)
            Tensor k = Reduce.sum(Arith.mul(h, c), false, -1);                     // (1, L, d)
            return Shapes.transpose(Shapes.reshape(k, length, d), 0, 1);
        }
    }

    /** S4D's Δ initialisation: log Δ uniform in [log 0.001, log 0.1], one per channel. */
    static Tensor logDtInit(int d, SplittableRandom rng) {
        float[] dt = new float[d];
        for (int i = 0; i < d; i++) {
            dt[i] = (float) (Math.log(0.001) + rng.nextDouble() * (Math.log(0.1) - Math.log(0.001)));
        }
        return Tensor.of(dt, d);
    }

    // ------------------------------------------------------------------ the S4D-Real SSM, shared with H3

    /** S4D-Real's A_log, (d, n): Λ_n = -exp(A_log) = -(n + 1) for every channel. */
    static Tensor realALogInit(int d, int n) {
        float[] al = new float[d * n];
        for (int i = 0; i < al.length; i++) {
            al[i] = (float) Math.log(i % n + 1);
        }
        return Tensor.of(al, d, n);
    }

    /** a = exp(Δ Λ), (d, n_total), with the polarized constant channels; Λ = -exp(A_log), Δ = exp(log_dt). */
    static Tensor zohTransitions(Tensor aLog, Tensor logDt, Polarization pol) {
        Tensor dt = Shapes.reshape(Arith.exp(logDt), logDt.size(), 1);
        return Polarize.transitions(Arith.exp(Arith.mul(dt, Arith.neg(Arith.exp(aLog)))), pol, -1);
    }

    /**
     * Eq. 1's terms of the zero-order-hold SSM on u (batch, L, d): a = exp(ΔΛ) and B̄ u with
     * B̄ = (exp(ΔΛ) - 1)/Λ · B for the learnable channels, Δ B for a ≡ 1 (the ZOH limit) and B for a ≡ 0,
     * both (batch, L, d, n_total); {@code extra} is carried for the readout.
     */
    static Terms zohTerms(Tensor u, Tensor aLog, Tensor logDt, Tensor b, Polarization pol, Tensor... extra) {
        int batch = u.dim(0);
        int len = u.dim(1);
        int d = aLog.dim(0);
        int n = aLog.dim(1);
        int nt = n + pol.extraChannels();
        Tensor dt = Shapes.reshape(Arith.exp(logDt), d, 1);
        Tensor lam = Arith.neg(Arith.exp(aLog));
        Tensor aLearn = Arith.exp(Arith.mul(dt, lam));                              // (d, n)
        Tensor bBar = Arith.div(Arith.mul(Arith.addScalar(aLearn, -1f), Shapes.slice(b, 1, pol.firstLearnable(),
                pol.firstLearnable() + n)), lam);                                  // (e^{ΔΛ} - 1)/Λ · B
        java.util.List<Tensor> bParts = new java.util.ArrayList<>(3);
        if (pol.hasOne()) {
            bParts.add(Arith.mul(dt, Shapes.slice(b, 1, 0, 1)));                  // a = 1: Δ B
        }
        bParts.add(bBar);
        if (pol.hasZero()) {
            bParts.add(Shapes.slice(b, 1, nt - 1, nt));                           // a = 0: B
        }
        Tensor bAll = bParts.size() == 1 ? bBar : Shapes.concat(bParts, 1);        // (d, nt)
        Tensor a = Shapes.broadcastTo(Polarize.transitions(aLearn, pol, -1), batch, len, d, nt);
        Tensor bu = Arith.mul(Shapes.reshape(u, batch, len, d, 1), bAll);
        return new Terms(a, bu, extra);
    }
}
