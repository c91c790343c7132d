package org.ssmlab.ssm.mixers;

import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Eq1;
import org.ssmlab.ssm.core.Eq1Form;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;
import org.ssmlab.ssm.core.RunningMax;

/**
 * RWKV-4 time mixing (docs/theory.md §1): two Eq. 1 scans with the same transition a = e^{-w} ∈ (0, 1),
 *
 * <pre>
 *   num_t = e^{-w} ⊙ num_{t-1} + e^{k_t} ⊙ v_t,   den_t = e^{-w} ⊙ den_{t-1} + e^{k_t}
 *   wkv_t = (num_{t-1} + e^{u + k_t} ⊙ v_t) / (den_{t-1} + e^{u + k_t}),   out = W_o (σ(r_t) ⊙ wkv_t)
 * </pre>
 *
 * with token shift (k, v, r read μ x_t + (1 - μ) x_{t-1}). The exponentials are kept bounded with a
 * {@link RunningMax} shift m_t = max(m_{t-1} - w, k_t): the scans run on num_t e^{-m_t}, whose
 * transition is e^{-w + m_{t-1} - m_t} ≤ 1 and input e^{k_t - m_t} ≤ 1, so no exp of an unbounded value.
 * Parameters as in RWKV-4: {@code time_decay} (w = e^{time_decay}), {@code time_first} (u),
 * {@code time_mix_k/v/r}, {@code key}, {@code value}, {@code receptance}, {@code output}.
 */
public final class Rwkv4Mixer extends Mixer implements Eq1Form {

    private final int d;
    private final Tensor timeDecay;
    private final Tensor timeFirst;
    private final Tensor mixK;
    private final Tensor mixV;
    private final Tensor mixR;
    private final Linear key;
    private final Linear value;
    private final Linear receptance;
    private final Linear output;

    public Rwkv4Mixer(int d, SplittableRandom rng) {
        this.d = d;
        float[] decay = new float[d];
        float[] first = new float[d];
        float[] mix = new float[d];
        for (int c = 0; c < d; c++) {
            decay[c] = (float) (-5 + 8 * Math.pow(c / Math.max(1.0, d - 1), 0.7));   // RWKV-4's ramp of decays
            first[c] = (float) (Math.log(0.3) + ((c + 1) % 3 - 1) * 0.5);
            mix[c] = (float) Math.pow(c / (double) d, 0.5);
        }
        this.timeDecay = param("time_decay", Tensor.of(decay, d));
        this.timeFirst = param("time_first", Tensor.of(first, d));
        this.mixK = param("time_mix_k", Tensor.of(mix.clone(), d));
        this.mixV = param("time_mix_v", Tensor.of(mix.clone(), d));
        this.mixR = param("time_mix_r", Tensor.of(mix.clone(), d));
        this.key = child("key", new Linear(d, d, false, rng));
        this.value = child("value", new Linear(d, d, false, rng));
        this.receptance = child("receptance", new Linear(d, d, false, rng));
        this.output = child("output", new Linear(d, d, false, rng));
    }

    @Override
    public int width() {
        return d;
    }

    /** μ x_t + (1 - μ) x_{t-1}. */
    private static Tensor shiftMix(Tensor x, Tensor xPrev, Tensor mu) {
        return Arith.add(Arith.mul(x, mu), Arith.mul(xPrev, Arith.addScalar(Arith.neg(mu), 1f)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, DiagonalMixer::fusedScan);
    }

    /** The same layer with both scans written out step by step. */
    @Override
    public Tensor explicitForward(Tensor x) {
        return forward(x, Eq1::scan);
    }

    private Tensor forward(Tensor x, BinaryOperator<Tensor> scan) {
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor xPrev = Shapes.slice(Shapes.pad(x, 1, 1, 0, 0f), 1, 0, len);
        Tensor k = key.forward(shiftMix(x, xPrev, mixK));
        Tensor v = value.forward(shiftMix(x, xPrev, mixV));
        Tensor r = Arith.sigmoid(receptance.forward(shiftMix(x, xPrev, mixR)));
        Tensor w = Arith.exp(timeDecay);
        float[] m = RunningMax.decayed(k.data(), w.data(), batch, len, d);
        float[] mPrev = RunningMax.previous(m, batch, len, d);
        float[] q = new float[m.length];                          // q_t = max(m_{t-1}, u + k_t)
        float[] u = timeFirst.data();
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.max(mPrev[i], u[i % d] + k.data()[i]);
        }
        Tensor mT = Tensor.of(m, batch, len, d);
        Tensor qT = Tensor.of(q, batch, len, d);
        float[] gauge = RunningMax.shift(mPrev, m);               // m_{t-1} - m_t (or NONE at t = 0)
        Tensor a = Arith.exp(Arith.add(Arith.neg(w), Tensor.of(gauge, batch, len, d)));
        Tensor ek = Arith.exp(Arith.sub(k, mT));
        Tensor num = scan.apply(a, Arith.mul(ek, v));             // num_t e^{-m_t}
        Tensor den = scan.apply(a, ek);
        // num_{t-1} e^{-q_t} = (num_{t-1} e^{-m_{t-1}}) e^{m_{t-1} - q_t}
        Tensor numPrev = Shapes.slice(Shapes.pad(num, 1, 1, 0, 0f), 1, 0, len);
        Tensor denPrev = Shapes.slice(Shapes.pad(den, 1, 1, 0, 0f), 1, 0, len);
        float[] carry = RunningMax.shift(mPrev, q);
        Tensor carryT = Arith.exp(Tensor.of(carry, batch, len, d));
        Tensor bonus = Arith.exp(Arith.sub(Arith.add(k, timeFirst), qT));          // e^{u + k_t - q_t}
        Tensor wkv = Arith.div(Arith.add(Arith.mul(numPrev, carryT), Arith.mul(bonus, v)),
                Arith.add(Arith.mul(denPrev, carryT), bonus));
        return output.forward(Arith.mul(r, wkv));
    }

    /** Recurrent state: the previous input (token shift), and num, den kept scaled by e^{-m}. */
    private static final class State implements RecurrentState {
        final float[] xPrev;
        final RunningMax.Sums sums;

        State(int size) {
            xPrev = new float[size];
            sums = new RunningMax.Sums(size);
        }
    }

    @Override
    public RecurrentState newState(int batch) {
        return new State(batch * d);
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        State s = (State) state;
        int batch = x.dim(0);
        try (var scope = GradMode.noGrad()) {
            Tensor prev = Tensor.of(s.xPrev.clone(), batch, d);
            float[] k = key.forward(shiftMix(x, prev, mixK)).data();
            float[] v = value.forward(shiftMix(x, prev, mixV)).data();
            float[] r = Arith.sigmoid(receptance.forward(shiftMix(x, prev, mixR))).data();
            float[] w = timeDecay.data();
            float[] u = timeFirst.data();
            float[] out = new float[batch * d];
            for (int i = 0; i < out.length; i++) {
                int c = i % d;
                double wc = Math.exp(w[c]);
                float mPrev = s.sums.shift(i);
                float q = Math.max(mPrev, u[c] + k[i]);
                double carry = mPrev == RunningMax.NONE ? 0 : Math.exp(mPrev - q);
                double bonus = Math.exp(u[c] + k[i] - q);
                double wkv = (s.sums.num(i) * carry + bonus * v[i]) / (s.sums.den(i) * carry + bonus);
                out[i] = (float) (r[i] * wkv);
                s.sums.accumulate(i, wc, k[i], v[i]);
            }
            System.arraycopy(x.data(), 0, s.xPrev, 0, s.xPrev.length);
            return output.forward(Tensor.of(out, batch, d));
        }
    }
}
