package org.ssmlab.ssm.mixers;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.DiagonalMixer;

/**
 * Griffin's recurrent block with the RG-LRU (docs/theory.md §1):
 *
 * <pre>
 *   x̃ = x_proj(x),  gate = GELU(gate_proj(x))
 *   r_t = σ(W_a x̃_t + b_a),  i_t = σ(W_x x̃_t + b_x)
 *   a_t = σ(Λ)^{c·r_t} = exp(-c · r_t · softplus(-Λ)),  c = 8
 *   h_t = a_t ⊙ h_{t-1} + √(1 - a_t²) ⊙ (i_t ⊙ x̃_t),    out = out_proj(h ⊙ gate)
 * </pre>
 *
 * Λ is initialised so that a^c lies in [0.9, 0.999]. With polarization the recurrence gains constant
 * channels (a ≡ 1 first, a ≡ 0 last) whose input is i_t ⊙ x̃_t without the √(1 - a²) factor, which
 * would silence the a ≡ 1 channel. (Griffin's short convolution is left out.)
 */
public final class GriffinMixer extends DiagonalMixer {

    private static final float C = 8f;

    private final int d;
    private final int width;
    private final int learn;
    private final Polarization pol;
    private final Linear xProj;
    private final Linear gateProj;
    private final Linear aGate;
    private final Linear inGate;
    private final Tensor lambda;
    private final Linear outProj;

    public GriffinMixer(int d, Polarization pol, SplittableRandom rng) {
        this.d = d;
        this.pol = pol;
        this.learn = d;
        this.width = d + pol.extraChannels();
        this.xProj = child("x_proj", new Linear(d, width, false, rng));
        this.gateProj = child("gate_proj", new Linear(d, width, false, rng));
        this.aGate = child("a_gate", new Linear(width, learn, true, rng));
        this.inGate = child("input_gate", new Linear(width, width, true, rng));
        float[] lam = new float[learn];
        for (int i = 0; i < learn; i++) {
            double u = 0.9 + rng.nextDouble() * 0.099;              // a^c = σ(Λ)^c in [0.9, 0.999]
            double s = Math.pow(u, 1.0 / C);
            lam[i] = (float) Math.log(s / (1 - s));
        }
        this.lambda = param("a_param", Tensor.of(lam, learn));
        this.outProj = child("out_proj", new Linear(width, d, false, rng));
    }

    @Override
    public int width() {
        return d;
    }

    @Override
    public Terms terms(Tensor x) {
        Tensor xt = xProj.forward(x);
        Tensor r = Arith.sigmoid(aGate.forward(xt));
        Tensor i = Arith.sigmoid(inGate.forward(xt));
        Tensor z = Arith.mulScalar(Arith.mul(r, Arith.softplus(Arith.neg(lambda))), -C);            // log a ≤ 0
        Tensor a = Arith.exp(z);                                                                     // (B, L, learn)
        Tensor gated = Arith.mul(i, xt);
        int f = pol.firstLearnable();
        // sqrt(1 - a²) with 1 - a² = tanh(-z)(1 + a²): no cancellation as a → 1, where 1 - a·a from the
        // float32 a would lose about -log10(1 - a) digits.
        Tensor norm = Arith.sqrt(Arith.mul(Arith.tanh(Arith.neg(z)), Arith.addScalar(Arith.mul(a, a), 1f)));
        Tensor bLearn = Arith.mul(norm, Shapes.slice(gated, -1, f, f + learn));
        if (pol == Polarization.NONE) {
            return new Terms(a, bLearn, x);
        }
        java.util.List<Tensor> as = new java.util.ArrayList<>();
        java.util.List<Tensor> bs = new java.util.ArrayList<>();
        int batch = x.dim(0);
        int len = x.dim(1);
        if (pol.hasOne()) {
            as.add(Tensor.ones(batch, len, 1));
            bs.add(Shapes.slice(gated, -1, 0, 1));
        }
        as.add(a);
        bs.add(bLearn);
        if (pol.hasZero()) {
            as.add(Tensor.zeros(batch, len, 1));
            bs.add(Shapes.slice(gated, -1, width - 1, width));
        }
        return new Terms(Shapes.concat(as, -1), Shapes.concat(bs, -1), x);
    }

    @Override
    public Tensor readout(Tensor x, Terms terms, Tensor h) {
        return outProj.forward(Arith.mul(h, Arith.gelu(gateProj.forward(x))));
    }
}
