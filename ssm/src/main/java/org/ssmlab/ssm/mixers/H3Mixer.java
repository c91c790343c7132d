package org.ssmlab.ssm.mixers;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Conv1dDepthwiseCausal;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Eq1;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.RecurrentState;

/**
 * H3, "Hungry Hungry Hippos" (docs/theory.md §1), with head dimension 1: two SSMs and multiplicative
 * gating between three projections of the input,
 *
 * <pre>
 *   q = W_q x,   k = W_k x,   v = W_v x                                        (batch, L, d)
 *   k̄_t = Σ_{j=0}^{m-1} w_{c,j} k_{t-j}                  shift SSM on k
 *   u_t = k̄_t ⊙ v_t                                       multiplicative interaction
 *   h_t = a ⊙ h_{t-1} + B̄ u_t,   y_t = Σ_n C_n h_{t,n} + D ⊙ u_t      diagonal SSM on u
 *   out_t = W_o (q_t ⊙ y_t)                                gating by q
 * </pre>
 *
 * <p>Which part is Eq. 1 with a diagonal transition: the <b>diagonal SSM on u = shift(k) ⊙ v</b>. Each
 * channel c has n states with time-invariant a_{c,n} = exp(Δ_c Λ_{c,n}), Λ = -exp(A_log), and
 * B̄ = (a - 1)/Λ · B (zero-order hold, as S4D with S4D-Real initialisation); {@link #terms} returns exactly
 * this (a, B̄ u), so the fused diagonal scan, {@link Eq1#scan} and polarization apply unchanged. With
 * polarization this SSM gains the constant channels a ≡ 1 (first, B̄ = Δ B) and a ≡ 0 (last, B̄ = B),
 * as for S4D.
 *
 * <p>How the shift part relates: the shift SSM is also Eq. 1, per channel, with state s_t ∈ R^m,
 * s_t = S s_{t-1} + e_1 k_t and output k̄_t = wᵀ s_t, but its transition S is the m×m <em>shift matrix</em>
 * (ones on the sub-diagonal, nilpotent), not diagonal: s_t is the window (k_t, k_{t-1}, ..., k_{t-m+1}).
 * Unrolled, it is a causal depthwise convolution of k with the m-tap kernel w, which is how the fused
 * {@link #forward} runs it; {@link #explicitForward} runs it as that recurrence (shift the state, put k_t
 * in its first slot, read it out with w) before the explicit diagonal scan. Because the shift SSM makes
 * u_t depend on k_{t-m+1..t}, recurrent mode ({@link #step}) carries the last m - 1 keys beside h.
 * The shift length m is the family's d_state, like the diagonal SSM's n (H3 uses one N for both).
 *
 * <p>Parameters: {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code shift_conv.weight} (d, 1, m),
 * {@code log_dt} (d), {@code A_log} (d, n), {@code B}, {@code C} (d, n + constant channels), {@code D} (d),
 * {@code out_proj}.
 */
public final class H3Mixer extends DiagonalMixer {

    private final int d;
    private final int shift;
    private final Polarization pol;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Conv1dDepthwiseCausal shiftConv;
    private final Tensor logDt;
    private final Tensor aLog;
    private final Tensor b;
    private final Tensor c;
    private final Tensor dSkip;
    private final Linear outProj;

    /**
     * @param d model width
     * @param n states of the diagonal SSM per channel (also the shift length m)
     * @param pol constant channels added to the diagonal SSM
     */
    public H3Mixer(int d, int n, Polarization pol, SplittableRandom rng) {
        if (d < 1 || n < 1) {
            throw new IllegalArgumentException("H3Mixer: d = " + d + ", n = " + n + " must be positive");
        }
        this.d = d;
        this.shift = n;
        this.pol = pol;
        int nt = n + pol.extraChannels();
        this.qProj = child("q_proj", new Linear(d, d, true, rng));
        this.kProj = child("k_proj", new Linear(d, d, true, rng));
        this.vProj = child("v_proj", new Linear(d, d, true, rng));
        this.shiftConv = child("shift_conv", new Conv1dDepthwiseCausal(d, shift, false, rng));
        this.logDt = param("log_dt", S4DMixer.logDtInit(d, rng));
        this.aLog = param("A_log", S4DMixer.realALogInit(d, n));                // S4D-Real: Λ_n = -(n + 1)
        this.b = param("B", Tensor.ones(d, nt));
        this.c = param("C", Tensor.randn(rng, (float) Math.sqrt(0.5), d, nt));
        this.dSkip = param("D", Tensor.randn(rng, 1f, d));
        this.outProj = child("out_proj", new Linear(d, d, true, rng));
    }

    @Override
    public int width() {
        return d;
    }

    /** The shift length m (taps of the shift SSM). */
    public int shiftLength() {
        return shift;
    }

    /** The diagonal SSM's transitions a (d, n_total), constants included. */
    public Tensor transitions() {
        return S4DMixer.zohTransitions(aLog, logDt, pol);
    }

    @Override
    public Terms terms(Tensor x) {
        Tensor k = kProj.forward(x);
        Tensor u = Arith.mul(shiftConv.forward(k), vProj.forward(x));            // shift-SSM(k) ⊙ v
        return diagonalTerms(u, qProj.forward(x));
    }

    /** Eq. 1's (a, B̄ u) of the diagonal SSM for u (batch, L, d); extras: q and u for the readout. */
    private Terms diagonalTerms(Tensor u, Tensor q) {
        return S4DMixer.zohTerms(u, aLog, logDt, b, pol, q, u);
    }

    @Override
    public Tensor readout(Tensor x, Terms terms, Tensor h) {
        Tensor q = terms.extra()[0];
        Tensor u = terms.extra()[1];
        Tensor y = Arith.add(Reduce.sum(Arith.mul(h, c), false, -1), Arith.mul(u, dSkip));
        return outProj.forward(Arith.mul(q, y));
    }

    /**
     * The same layer with both SSMs written as recurrences: the shift SSM step by step (s_t = S s_{t-1}
     * + e_1 k_t, k̄_t = wᵀ s_t, S the shift matrix) and the diagonal SSM through {@link Eq1#scan}.
     */
    @Override
    public Tensor explicitForward(Tensor x) {
        Tensor k = kProj.forward(x);
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor w = Shapes.reshape(shiftConv.weight(), d, shift);                   // tap j reads lag m - 1 - j
        List<Tensor> taps = new ArrayList<>(shift);
        for (int lag = 0; lag < shift; lag++) {
            taps.add(Shapes.reshape(Shapes.slice(w, 1, shift - 1 - lag, shift - lag), 1, 1, d));
        }
        List<Tensor> window = new ArrayList<>(shift);                             // s_{t}[lag], lag = 0..m-1
        for (int lag = 0; lag < shift; lag++) {
            window.add(Tensor.zeros(batch, 1, d));                                 // s_0 = 0
        }
        List<Tensor> out = new ArrayList<>(len);
        for (int t = 0; t < len; t++) {
            window.remove(shift - 1);                                              // S s_{t-1}: every slot moves down one
            window.add(0, Shapes.slice(k, 1, t, t + 1));                           // + e_1 k_t
            Tensor kbar = Arith.mul(taps.get(0), window.get(0));
            for (int lag = 1; lag < shift; lag++) {
                kbar = Arith.add(kbar, Arith.mul(taps.get(lag), window.get(lag)));
            }
            out.add(kbar);
        }
        Tensor u = Arith.mul(Shapes.concat(out, 1), vProj.forward(x));
        Terms t = diagonalTerms(u, qProj.forward(x));
        return readout(x, t, Eq1.scan(t.a(), t.bx()));
    }

    /** Recurrent state: the last m - 1 keys (batch, m - 1, d), oldest first, and h (batch, d, n_total). */
    private static final class State implements RecurrentState {
        final float[] keys;
        float[] h;

        State(int size) {
            keys = new float[size];
        }
    }

    @Override
    public RecurrentState newState(int batch) {
        return new State(batch * (shift - 1) * d);
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        State s = (State) state;
        int batch = x.dim(0);
        try (var scope = GradMode.noGrad()) {
            Tensor x1 = Shapes.reshape(x, batch, 1, d);
            float[] k = kProj.forward(x1).data();
            // The shift SSM's state s_t = (k_{t-m+1}, ..., k_t) as a length-m sequence; its last output is k̄_t.
            float[] window = new float[batch * shift * d];
            for (int bi = 0; bi < batch; bi++) {
                System.arraycopy(s.keys, bi * (shift - 1) * d, window, bi * shift * d, (shift - 1) * d);
                System.arraycopy(k, bi * d, window, (bi * shift + shift - 1) * d, d);
            }
            Tensor kbar = Shapes.slice(shiftConv.forward(Tensor.of(window, batch, shift, d)), 1, shift - 1, shift);
            for (int bi = 0; bi < batch; bi++) {                                   // drop the oldest key, keep k_t
                System.arraycopy(window, (bi * shift + 1) * d, s.keys, bi * (shift - 1) * d, (shift - 1) * d);
            }
            Tensor u = Arith.mul(kbar, vProj.forward(x1));
            Terms t = diagonalTerms(u, qProj.forward(x1));
            float[] a = t.a().data();
            float[] bu = t.bx().data();
            if (s.h == null) {
                s.h = new float[a.length];
            }
            for (int i = 0; i < a.length; i++) {
                s.h[i] = a[i] * s.h[i] + bu[i];
            }
            Tensor y = readout(x1, t, Tensor.of(s.h.clone(), t.a().shape()));
            return Shapes.reshape(y, batch, d);
        }
    }
}
