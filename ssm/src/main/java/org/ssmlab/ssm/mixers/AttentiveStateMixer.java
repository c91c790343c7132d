package org.ssmlab.ssm.mixers;

import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Eq1;
import org.ssmlab.ssm.core.Eq1Form;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;
import org.ssmlab.ssm.core.RunningMax;

/**
 * The attentive state update (docs/theory.md §8 — this project's own formulation of the second paper's
 * proposal): per state channel j, a softmax-weighted running average of the values g_t = B x_t with
 * input-dependent scores σ_{t,j} = w_j · x_t,
 *
 * <pre>
 *   h_t = Σ_{s ≤ t} α_{t,s} g_s,   α_{t,s} = e^{σ_s} / Σ_{r ≤ t} e^{σ_r},   out = out_proj(h)
 * </pre>
 *
 * computed in O(T) as two Eq. 1 scans with a running maximum m_t = max(m_{t-1}, σ_t):
 * N_t = e^{m_{t-1} - m_t} N_{t-1} + e^{σ_t - m_t} g_t, Z_t likewise with 1 for g_t, h_t = N_t / Z_t.
 * Parameters: {@code score_proj} (the w_j), {@code value_proj} (B), {@code out_proj}.
 */
public final class AttentiveStateMixer extends Mixer implements Eq1Form {

    private final int d;
    private final int n;
    private final Linear scoreProj;
    private final Linear valueProj;
    private final Linear outProj;

    public AttentiveStateMixer(int d, int n, SplittableRandom rng) {
        this.d = d;
        this.n = n;
        this.scoreProj = child("score_proj", new Linear(d, n, false, rng));
        this.valueProj = child("value_proj", new Linear(d, n, false, rng));
        this.outProj = child("out_proj", new Linear(n, d, false, rng));
    }

    @Override
    public int width() {
        return d;
    }

    public Linear scoreProj() {
        return scoreProj;
    }

    public Linear valueProj() {
        return valueProj;
    }

    /** The states h (batch, L, n) for an input (batch, L, d). */
    public Tensor states(Tensor x) {
        return states(x, DiagonalMixer::fusedScan);
    }

    private Tensor states(Tensor x, BinaryOperator<Tensor> scan) {
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor sigma = scoreProj.forward(x);
        Tensor g = valueProj.forward(x);
        float[] m = RunningMax.decayed(sigma.data(), null, batch, len, n);
        float[] mPrev = RunningMax.previous(m, batch, len, n);
        Tensor a = Arith.exp(Tensor.of(RunningMax.shift(mPrev, m), batch, len, n));             // e^{m_{t-1} - m_t}, a constant
        Tensor weight = Arith.exp(Arith.sub(sigma, Tensor.of(m, batch, len, n)));   // e^{σ_t - m_t} ≤ 1
        Tensor num = scan.apply(a, Arith.mul(weight, g));
        Tensor z = scan.apply(a, weight);
        return Arith.div(num, z);
    }

    @Override
    public Tensor forward(Tensor x) {
        return outProj.forward(states(x));
    }

    /** The same layer with both scans written out step by step. */
    @Override
    public Tensor explicitForward(Tensor x) {
        return outProj.forward(states(x, Eq1::scan));
    }

    /** Recurrent state: N and Z scaled by e^{-m}, and m. */
    @Override
    public RecurrentState newState(int batch) {
        return new RunningMax.Sums(batch * n);
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        RunningMax.Sums s = (RunningMax.Sums) state;
        int batch = x.dim(0);
        try (var scope = GradMode.noGrad()) {
            float[] sigma = scoreProj.forward(x).data();
            float[] g = valueProj.forward(x).data();
            float[] h = new float[batch * n];
            for (int i = 0; i < h.length; i++) {
                s.accumulate(i, 0, sigma[i], g[i]);
                h[i] = s.num(i) / s.den(i);
            }
            return outProj.forward(Tensor.of(h, batch, n));
        }
    }
}
