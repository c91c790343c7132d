package org.ssmlab.ssm.mixers;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.nn.RMSNorm;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.ssm.core.Block;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;

/**
 * The transformer baseline's block: x + attn(norm(x)), then + mlp(norm2(x)) with a GELU MLP of width
 * 4d. Sub-modules {@code mixer} (the attention), {@code norm}, {@code norm2}, {@code mlp_in}, {@code mlp_out}.
 */
public final class TransformerBlock extends Block {

    private final CausalSelfAttention attention;
    private final RMSNorm norm;
    private final RMSNorm norm2;
    private final Linear mlpIn;
    private final Linear mlpOut;

    public TransformerBlock(int d, int heads, boolean rotary, SplittableRandom rng) {
        this.attention = child("mixer", new CausalSelfAttention(d, heads, rotary, rng));
        this.norm = child("norm", new RMSNorm(d));
        this.norm2 = child("norm2", new RMSNorm(d));
        this.mlpIn = child("mlp_in", new Linear(d, 4 * d, true, rng));
        this.mlpOut = child("mlp_out", new Linear(4 * d, d, true, rng));
    }

    @Override
    public Mixer mixer() {
        return attention;
    }

    /** What the attention reads: RMSNorm(x) (probes compare it with the attention's output). */
    public Tensor mixerInput(Tensor x) {
        return norm.forward(x);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = Arith.add(x, attention.forward(norm.forward(x)));
        return Arith.add(h, mlpOut.forward(Arith.gelu(mlpIn.forward(norm2.forward(h)))));
    }

    @Override
    public RecurrentState newState(int batch) {
        return attention.newState(batch);
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        Tensor h = Arith.add(x, attention.step(norm.forward(x), state));
        return Arith.add(h, mlpOut.forward(Arith.gelu(mlpIn.forward(norm2.forward(h)))));
    }
}
