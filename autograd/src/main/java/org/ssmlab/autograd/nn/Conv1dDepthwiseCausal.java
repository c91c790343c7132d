package org.ssmlab.autograd.nn;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Conv;

/**
 * The Mamba block's depthwise causal convolution on (batch, L, channels): parameters {@code weight}
 * (channels, 1, k) and {@code bias} (channels), as PyTorch's Conv1d(groups = channels, padding = k-1).
 */
public final class Conv1dDepthwiseCausal extends Layer {

    private final Tensor weight;
    private final Tensor bias;

    public Conv1dDepthwiseCausal(int channels, int kernel, boolean bias, SplittableRandom rng) {
        if (channels < 1 || kernel < 1) {
            throw new IllegalArgumentException("Conv1dDepthwiseCausal: channels = " + channels + ", kernel = " + kernel
                    + " must be positive");
        }
        this.weight = param("weight", Init.fanInUniform(rng, kernel, channels, 1, kernel));
        this.bias = bias ? param("bias", Init.fanInUniform(rng, kernel, channels)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** The kernel width k. */
    public int kernel() {
        return weight.dim(2);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Conv.depthwiseCausal(x, weight, bias);
    }
}
