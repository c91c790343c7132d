package org.ssmlab.ssm.mixers;

import java.util.List;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.MatMul;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;

/**
 * Multi-head causal softmax attention, the baseline the papers compare SSMs against:
 * y_t = Σ_{s ≤ t} softmax_s(q_t·k_s / √d_h) v_s per head, with optional rotary positions (RoPE,
 * half-split convention, base 10000). Parameters {@code qkv_proj.weight} (3d, d) and {@code out_proj.weight} (d, d).
 * Recurrent mode keeps a key/value cache.
 */
public final class CausalSelfAttention extends Mixer {

    private final int d;
    private final int heads;
    private final int headDim;
    private final boolean rotary;
    private final Linear qkv;
    private final Linear out;

    public CausalSelfAttention(int d, int heads, boolean rotary, SplittableRandom rng) {
        if (heads < 1 || d % heads != 0 || (rotary && (d / heads) % 2 != 0)) {
            throw new IllegalArgumentException("CausalSelfAttention: d = " + d + " must split into " + heads
                    + " heads" + (rotary ? " of even size (rotary positions)" : ""));
        }
        this.d = d;
        this.heads = heads;
        this.headDim = d / heads;
        this.rotary = rotary;
        this.qkv = child("qkv_proj", new Linear(d, 3 * d, false, rng));
        this.out = child("out_proj", new Linear(d, d, false, rng));
    }

    @Override
    public int width() {
        return d;
    }

    @Override
    public Tensor forward(Tensor x) {
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor[] qkvHeads = projectHeads(x, 0);
        Tensor y = attendCausal(qkvHeads[0], qkvHeads[1], qkvHeads[2]);
        return out.forward(Shapes.reshape(Shapes.permute(y, 0, 2, 1, 3), batch, len, d));
    }

    /** q, k, v as (batch, heads, L, headDim), rotated for positions start, start+1, ... */
    private Tensor[] projectHeads(Tensor x, int start) {
        int batch = x.dim(0);
        int len = x.dim(1);
        Tensor p = qkv.forward(x);
        Tensor[] r = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor part = Shapes.reshape(Shapes.slice(p, -1, i * d, (i + 1) * d), batch, len, heads, headDim);
            part = Shapes.permute(part, 0, 2, 1, 3);
            r[i] = rotary && i < 2 ? rope(part, start) : part;
        }
        return r;
    }

    /** softmax_{s ≤ t}(q_t·k_s / √d_h) v_s over (batch, heads, L, headDim): the causal scaled softmax in one op. */
    private Tensor attendCausal(Tensor q, Tensor k, Tensor v) {
        Tensor scores = MatMul.matmul(q, Shapes.transpose(k, -1, -2));
        return MatMul.matmul(Softmax.causalSoftmax(scores, scale()), v);
    }

    /** softmax(q kᵀ / √d_h) v over every key: one new query against the whole cache. */
    private Tensor attendAll(Tensor q, Tensor k, Tensor v) {
        Tensor scores = Arith.mulScalar(MatMul.matmul(q, Shapes.transpose(k, -1, -2)), scale());
        return MatMul.matmul(Softmax.softmax(scores), v);
    }

    private float scale() {
        return (float) (1 / Math.sqrt(headDim));
    }

    /**
     * RoPE: x·cos θ + rotate_half(x)·sin θ with θ_{t,i} = t / 10000^{2i/d_h} for the pair (i, i + d_h/2),
     * rotate_half(x) = (-x₂, x₁).
     */
    private Tensor rope(Tensor x, int start) {
        int len = x.dim(2);
        int half = headDim / 2;
        float[] cos = new float[len * headDim];
        float[] sin = new float[len * headDim];
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < half; i++) {
                double theta = (start + t) / Math.pow(10000, 2.0 * i / headDim);
                cos[t * headDim + i] = cos[t * headDim + i + half] = (float) Math.cos(theta);
                sin[t * headDim + i] = sin[t * headDim + i + half] = (float) Math.sin(theta);
            }
        }
        Tensor rotated = Shapes.concat(List.of(Arith.neg(Shapes.slice(x, -1, half, headDim)), Shapes.slice(x, -1, 0, half)), -1);
        return Arith.add(Arith.mul(x, Tensor.of(cos, len, headDim)), Arith.mul(rotated, Tensor.of(sin, len, headDim)));
    }

    /** The key/value cache: (batch, heads, t, headDim) each, and the next position. */
    private static final class Cache implements RecurrentState {
        Tensor keys;
        Tensor values;
        int position;
    }

    @Override
    public RecurrentState newState(int batch) {
        return new Cache();
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        Cache c = (Cache) state;
        int batch = x.dim(0);
        try (var scope = GradMode.noGrad()) {
            Tensor[] qkvHeads = projectHeads(Shapes.reshape(x, batch, 1, d), c.position);
            c.keys = c.keys == null ? qkvHeads[1] : Shapes.concat(List.of(c.keys, qkvHeads[1]), 2);
            c.values = c.values == null ? qkvHeads[2] : Shapes.concat(List.of(c.values, qkvHeads[2]), 2);
            c.position++;
            Tensor y = attendAll(qkvHeads[0], c.keys, c.values);
            return out.forward(Shapes.reshape(y, batch, d));
        }
    }
}
