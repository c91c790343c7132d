package org.ssmlab.autograd.nn;

import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Norms;

/** LayerNorm over the last dimension: parameters {@code weight} (ones) and {@code bias} (zeros). */
public final class LayerNorm extends Layer {

    private final Tensor weight;
    private final Tensor bias;
    private final float eps;

    public LayerNorm(int dim, float eps) {
        this.weight = param("weight", Tensor.ones(dim));
        this.bias = param("bias", Tensor.zeros(dim));
        this.eps = eps;
    }

    public LayerNorm(int dim) {
        this(dim, 1e-5f);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Norms.layerNorm(x, weight, bias, eps);
    }
}
