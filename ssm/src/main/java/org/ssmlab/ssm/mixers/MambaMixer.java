package org.ssmlab.ssm.mixers;

import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Conv1dDepthwiseCausal;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.MatMul;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.Eq1;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Polarize;
import org.ssmlab.ssm.core.RecurrentState;

/**
 * The Mamba block's mixer exactly as the reference implementation (docs/theory.md §1, Eq. 3):
 *
 * <pre>
 *   (x, z)  = in_proj(u)                          d → 2·d_inner
 *   x       = SiLU(conv1d(x))                      depthwise, causal, kernel 4
 *   (δ, B, C) = x_proj(x)                          d_inner → dt_rank + 2·n_total
 *   Δ       = softplus(dt_proj.weight · δ + dt_proj.bias)
 *   A       = -exp(A_log)                          (d_inner, n), learnable channels only
 *   h_t     = exp(Δ_t A) ⊙ h_{t-1} + Δ_t B_t x_t,   y_t = C_tᵀ h_t + D ⊙ x_t
 *   out     = out_proj(y ⊙ SiLU(z))
 * </pre>
 *
 * With polarization (docs/theory.md §6) the state has n_total = n + extra channels in the order
 * [one | n learnable | zero]: the one-channel's transition is exactly 1 and the zero-channel's exactly
 * 0, constants with no parameter (A_log stays (d_inner, n)), while B_t and C_t cover all n_total.
 *
 * <p>The fused path runs the selective scan kernel; {@link #explicitForward} builds the same layer
 * from elementary ops and {@link Eq1}, materialising a_t, B_t x_t and h_t, as the reference the
 * tests compare against.
 */
public final class MambaMixer extends DiagonalMixer {

    /** The sizes of a Mamba mixer; {@link #of} fills in the reference defaults. */
    public record Config(int dModel, int dState, int expand, int dtRank, int convKernel, Polarization polarization) {

        public Config {
            if (dModel < 1 || dState < 1 || expand < 1 || dtRank < 1 || convKernel < 1) {
                throw new IllegalArgumentException("MambaMixer.Config: sizes must be positive: d_model = " + dModel
                        + ", d_state = " + dState + ", expand = " + expand + ", dt_rank = " + dtRank
                        + ", d_conv = " + convKernel);
            }
        }

        /** d_inner = 2·d, dt_rank = ⌈d/16⌉, kernel 4. */
        public static Config of(int dModel, int dState, Polarization polarization) {
            return new Config(dModel, dState, 2, (dModel + 15) / 16, 4, polarization);
        }

        public int dInner() {
            return expand * dModel;
        }

        /** State channels per inner channel, constants included. */
        public int nTotal() {
            return dState + polarization.extraChannels();
        }
    }

    private final Config cfg;
    private final Tensor aLog;
    private final Tensor dSkip;
    private final Linear inProj;
    private final Conv1dDepthwiseCausal conv;
    private final Linear xProj;
    private final Linear dtProj;
    private final Linear outProj;

    public MambaMixer(Config cfg, SplittableRandom rng) {
        this.cfg = cfg;
        int di = cfg.dInner();
        int n = cfg.dState();
        // Own parameters first, as PyTorch lists them: A_log, D, then the sub-modules.
        float[] alog = new float[di * n];
        for (int c = 0; c < di; c++) {
            for (int j = 0; j < n; j++) {
                alog[c * n + j] = (float) Math.log(j + 1);          // A = -(1, 2, ..., n)
            }
        }
        this.aLog = param("A_log", Tensor.of(alog, di, n));
        this.dSkip = param("D", Tensor.ones(di));
        this.inProj = child("in_proj", new Linear(cfg.dModel(), 2 * di, false, rng));
        this.conv = child("conv1d", new Conv1dDepthwiseCausal(di, cfg.convKernel(), true, rng));
        this.xProj = child("x_proj", new Linear(di, cfg.dtRank() + 2 * cfg.nTotal(), false, rng));
        this.dtProj = child("dt_proj", new Linear(cfg.dtRank(), di, true, rng));
        this.outProj = child("out_proj", new Linear(di, cfg.dModel(), false, rng));
        initDt(rng);
    }

    /**
     * The reference Δ initialisation: dt_proj.weight ~ U(±dt_rank^-1/2), and dt_proj.bias = softplus⁻¹(dt)
     * with dt log-uniform in [0.001, 0.1] (floored at 1e-4), so that softplus(bias) starts at dt.
     */
    private void initDt(SplittableRandom rng) {
        float std = (float) (1 / Math.sqrt(cfg.dtRank()));
        float[] w = dtProj.weight().data();
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * std);
        }
        float[] b = dtProj.bias().data();
        double lo = Math.log(0.001);
        double hi = Math.log(0.1);
        for (int i = 0; i < b.length; i++) {
            double dt = Math.max(1e-4, Math.exp(lo + rng.nextDouble() * (hi - lo)));
            b[i] = (float) (dt + Math.log(-Math.expm1(-dt)));       // inverse of softplus
        }
    }

    public Config config() {
        return cfg;
    }

    public Tensor aLog() {
        return aLog;
    }

    @Override
    public int width() {
        return cfg.dModel();
    }

    /** The input-dependent pieces of Eq. 3 for a sequence: x (after conv), z, Δ, B, C. */
    private record Pieces(Tensor x, Tensor z, Tensor delta, Tensor b, Tensor c) {
    }

    private Pieces pieces(Tensor u) {
        int di = cfg.dInner();
        int r = cfg.dtRank();
        int nt = cfg.nTotal();
        Tensor xz = inProj.forward(u);
        Tensor x = Arith.silu(conv.forward(Shapes.slice(xz, -1, 0, di)));
        Tensor z = Shapes.slice(xz, -1, di, 2 * di);
        Tensor dbl = xProj.forward(x);
        Tensor delta = Arith.softplus(MatMul.linear(Shapes.slice(dbl, -1, 0, r), dtProj.weight(), dtProj.bias()));
        return new Pieces(x, z, delta, Shapes.slice(dbl, -1, r, r + nt), Shapes.slice(dbl, -1, r + nt, r + 2 * nt));
    }

    /** A = -exp(A_log), (d_inner, n). */
    private Tensor a() {
        return Arith.neg(Arith.exp(aLog));
    }

    @Override
    public Tensor forward(Tensor u) {
        Pieces p = pieces(u);
        Polarization pol = cfg.polarization();
        Tensor y = Scan.selective(p.x(), p.delta(), a(), p.b(), p.c(), dSkip, p.z(), pol.hasOne(), pol.hasZero());
        return outProj.forward(y);
    }

    /**
     * Eq. 3 as Eq. 1's terms: a_t = exp(Δ_t A) with the constant channels concatenated (1 first, 0 last)
     * and B_t x_t = Δ_t B_t x_t, both (batch, L, d_inner, n_total); the readout also needs x (after the
     * conv), z and C_t, carried as extras. Note that a_t and B_t x_t read u_{t-k+1..t} through the causal
     * conv: Eq. 1's assumption "the terms at t depend on the input at t" holds for d_conv = 1 only.
     */
    @Override
    public Terms terms(Tensor u) {
        Pieces p = pieces(u);
        int batch = u.dim(0);
        int len = u.dim(1);
        int di = cfg.dInner();
        int nt = cfg.nTotal();
        Tensor delta4 = Shapes.reshape(p.delta(), batch, len, di, 1);
        Tensor x4 = Shapes.reshape(p.x(), batch, len, di, 1);
        Tensor bx = Arith.mul(Arith.mul(delta4, x4), Shapes.reshape(p.b(), batch, len, 1, nt));
        return new Terms(transitionsOf(delta4), bx, p.x(), p.z(), p.c());
    }

    /** y_t = Σ_n C_t h_t + D x_t, gated by SiLU(z_t), then out_proj. */
    @Override
    public Tensor readout(Tensor u, Terms t, Tensor h) {
        Tensor x = t.extra()[0];
        Tensor z = t.extra()[1];
        Tensor c = t.extra()[2];
        Tensor y = Reduce.sum(Arith.mul(h, Shapes.reshape(c, u.dim(0), u.dim(1), 1, cfg.nTotal())), false, -1);
        y = Arith.add(y, Arith.mul(x, dSkip));
        return outProj.forward(Arith.mul(y, Arith.silu(z)));
    }

    /**
     * The memory states h_t = {@link Eq1#scan}(a_t, B_t x_t) of every inner channel and state channel on
     * the input sequence u, (batch, L, d_inner, n_total), from h_0 = 0 (the over-smoothing probe reads
     * them, Fig. 5a).
     */
    public Tensor memoryStates(Tensor u) {
        Terms t = terms(u);
        return Eq1.scan(t.a(), t.bx());
    }

    /** The SSM's own input x_t (after the convolution and SiLU), (batch, L, d_inner). */
    public Tensor ssmInput(Tensor u) {
        return pieces(u).x();
    }

    /** The transitions a_t = exp(Δ_t A) of every state channel, (batch, L, d_inner, n_total), constants included. */
    public Tensor transitions(Tensor u) {
        Pieces p = pieces(u);
        return transitionsOf(Shapes.reshape(p.delta(), u.dim(0), u.dim(1), cfg.dInner(), 1));
    }

    private Tensor transitionsOf(Tensor delta4) {
        return Polarize.transitions(Arith.exp(Arith.mul(delta4, a())), cfg.polarization(), -1);
    }

    /** Recurrent state: the last k-1 conv inputs (batch, k-1, d_inner) and h (batch, d_inner, n_total). */
    public static final class State implements RecurrentState {
        final float[] convWindow;
        final float[] h;

        State(int batch, Config cfg) {
            convWindow = new float[batch * (cfg.convKernel() - 1) * cfg.dInner()];
            h = new float[batch * cfg.dInner() * cfg.nTotal()];
        }

        /** The SSM state h, (batch, d_inner, n_total) row-major (probes read it). */
        public float[] h() {
            return h;
        }
    }

    @Override
    public RecurrentState newState(int batch) {
        return new State(batch, cfg);
    }

    /**
     * One token: the causal conv over the state's window of the last k-1 inputs (by hand, the window
     * is the state), then the same fused selective scan as {@link #forward}, run over this one step
     * from the state's h ({@link Scan#selective} with h0 = h), whose final state becomes the new h.
     */
    @Override
    public Tensor step(Tensor u, RecurrentState state) {
        State s = (State) state;
        int batch = u.dim(0);
        int di = cfg.dInner();
        int k = cfg.convKernel();
        int r = cfg.dtRank();
        int nt = cfg.nTotal();
        try (var scope = GradMode.noGrad()) {
            Tensor xz = inProj.forward(u);                                       // (batch, 2·di)
            float[] xzv = xz.data();
            // Causal conv over the window [x_{t-k+1} .. x_t], then SiLU.
            float[] xc = new float[batch * di];
            float[] w = conv.weight().data();
            float[] cb = conv.bias().data();
            for (int b = 0; b < batch; b++) {
                int win = b * (k - 1) * di;
                for (int c = 0; c < di; c++) {
                    float xt = xzv[b * 2 * di + c];
                    float acc = cb[c] + w[c * k + k - 1] * xt;
                    for (int j = 0; j < k - 1; j++) {
                        acc += w[c * k + j] * s.convWindow[win + j * di + c];
                    }
                    for (int j = 0; j < k - 2; j++) {
                        s.convWindow[win + j * di + c] = s.convWindow[win + (j + 1) * di + c];
                    }
                    if (k > 1) {
                        s.convWindow[win + (k - 2) * di + c] = xt;
                    }
                    xc[b * di + c] = (float) (acc / (1 + Math.exp(-acc)));
                }
            }
            // The pieces of Eq. 3 for this step, as in pieces(u), with L = 1.
            Tensor x = Tensor.of(xc, batch, 1, di);
            Tensor z = Shapes.reshape(Shapes.slice(xz, -1, di, 2 * di), batch, 1, di);
            Tensor dbl = xProj.forward(x);                                       // (batch, 1, r + 2·nt)
            Tensor delta = Arith.softplus(MatMul.linear(Shapes.slice(dbl, -1, 0, r), dtProj.weight(), dtProj.bias()));
            Polarization pol = cfg.polarization();
            Scan.Result step = Scan.selective(x, delta, a(), Shapes.slice(dbl, -1, r, r + nt),
                    Shapes.slice(dbl, -1, r + nt, r + 2 * nt), dSkip, z, Tensor.of(s.h, batch, di, nt),
                    pol.hasOne(), pol.hasZero());
            System.arraycopy(step.last().data(), 0, s.h, 0, s.h.length);
            return outProj.forward(Shapes.reshape(step.out(), batch, di));
        }
    }
}
