package org.ssmlab.autograd.nn;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.MatMul;

/** y = x Wᵀ + b with W (out, in) and optional b (out): parameters {@code weight}, {@code bias}. */
public final class Linear extends Layer {

    private final Tensor weight;
    private final Tensor bias;

    public Linear(int in, int out, boolean bias, SplittableRandom rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in = " + in + ", out = " + out);
        }
        this.weight = param("weight", Init.fanInUniform(rng, in, out, in));
        this.bias = bias ? param("bias", Init.fanInUniform(rng, in, out)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return MatMul.linear(x, weight, bias);
    }
}
