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
 * The linear-attention family as Eq. 1 with a matrix state per head (docs/theory.md §1, Appendix B):
 * k_t v_tᵀ plays B_t x_t, q_t plays C_t, and the transition is diagonal over the key dimension:
 *
 * <pre>
 *   H_t = diag(a_t) H_{t-1} + k_t v_tᵀ,     y_t = H_tᵀ q_t,     out = out_proj(y)
 *   LINEAR_ATTENTION   a_t = 1,  with φ(x) = elu(x) + 1 on q and k
 *   RETNET             a_t = γ_h = 1 - 2^{-5-h}  (fixed per head)
 *   GLA                a_t = σ(W_α x_t)^{1/τ},  τ = 16  (input-dependent, per key dimension)
 * </pre>
 *
 * RetNet and GLA can be polarized: constant key channels a ≡ 1 (first) and a ≡ 0 (last) get their
 * own q and k features. (RetNet's group norm and GLA's output gate are left out: the recurrence is the
 * object of study here.)
 */
public final class MatrixStateMixer extends DiagonalMixer {

    /** Which member of the family. */
    public enum Kind { LINEAR_ATTENTION, RETNET, GLA }

    private static final float TAU = 16f;

    private final Kind kind;
    private final int d;
    private final int heads;
    private final int keyDim;
    private final int valueDim;
    private final Polarization pol;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear gateProj;
    private final Linear outProj;

    public MatrixStateMixer(Kind kind, int d, int heads, Polarization pol, SplittableRandom rng) {
        if (heads < 1 || d % heads != 0) {
            throw new IllegalArgumentException("MatrixStateMixer: d = " + d + " must split into " + heads + " heads");
        }
        if (kind == Kind.LINEAR_ATTENTION && pol != Polarization.NONE) {
            throw new IllegalArgumentException("MatrixStateMixer: linear attention has a ≡ 1 already; polarization "
                    + pol + " applies to RETNET and GLA");
        }
        this.kind = kind;
        this.d = d;
        this.heads = heads;
        this.valueDim = d / heads;
        this.pol = pol;
        int learnKeys = d / heads;
        this.keyDim = learnKeys + pol.extraChannels();
        this.qProj = child("q_proj", new Linear(d, heads * keyDim, false, rng));
        this.kProj = child("k_proj", new Linear(d, heads * keyDim, false, rng));
        this.vProj = child("v_proj", new Linear(d, d, false, rng));
        this.gateProj = kind == Kind.GLA ? child("gk_proj", new Linear(d, heads * learnKeys, true, rng)) : null;
        this.outProj = child("out_proj", new Linear(d, d, false, rng));
    }

    @Override
    public int width() {
        return d;
    }

    /** φ(x) = elu(x) + 1 = relu(x) + exp(-relu(-x)): x + 1 for x > 0, e^x otherwise; always positive. */
    private static Tensor featureMap(Tensor x) {
        return Arith.add(Arith.relu(x), Arith.exp(Arith.neg(Arith.relu(Arith.neg(x)))));
    }

    /** The learnable transitions (batch, L, heads, learnable keys). */
    private Tensor learnableTransitions(Tensor x, int batch, int len) {
        int learnKeys = keyDim - pol.extraChannels();
        return switch (kind) {
            case LINEAR_ATTENTION -> Tensor.ones(batch, len, heads, learnKeys);
            case RETNET -> {
                float[] g = new float[heads * learnKeys];
                for (int h = 0; h < heads; h++) {
                    for (int j = 0; j < learnKeys; j++) {
                        g[h * learnKeys + j] = (float) (1 - Math.pow(2, -5 - h));
                    }
                }
                yield Shapes.broadcastTo(Tensor.of(g, heads, learnKeys), batch, len, heads, learnKeys);
            }
            // σ(z)^{1/τ} = exp(-softplus(-z)/τ), never an exp of an unbounded positive value
            case GLA -> Arith.exp(Arith.mulScalar(Arith.softplus(Arith.neg(
                    Shapes.reshape(gateProj.forward(x), batch, len, heads, learnKeys))), -1f / TAU));
        };
    }

    @Override
    public Terms terms(Tensor x) {
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor q = Shapes.reshape(qProj.forward(x), batch, len, heads, keyDim);
        Tensor k = Shapes.reshape(kProj.forward(x), batch, len, heads, keyDim);
        if (kind == Kind.LINEAR_ATTENTION) {
            q = featureMap(q);
            k = featureMap(k);
        }
        Tensor v = Shapes.reshape(vProj.forward(x), batch, len, heads, valueDim);
        Tensor a4 = Polarize.transitions(learnableTransitions(x, batch, len), pol, -1);     // (B, L, H, dk)
        Tensor a = Shapes.broadcastTo(Shapes.reshape(a4, batch, len, heads, keyDim, 1), batch, len, heads, keyDim, valueDim);
        Tensor kv = Arith.mul(Shapes.reshape(k, batch, len, heads, keyDim, 1), Shapes.reshape(v, batch, len, heads, 1, valueDim));
        return new Terms(a, kv, q);
    }

    @Override
    public Tensor readout(Tensor x, Terms terms, Tensor h) {
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor q = terms.extra()[0];                                             // (B, L, H, dk)
        Tensor y = Reduce.sum(Arith.mul(h, Shapes.reshape(q, batch, len, heads, keyDim, 1)), false, 3);
        return outProj.forward(Shapes.reshape(y, batch, len, d));
    }
}
