package org.ssmlab.autograd.nn;

import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Norms;

/** RMSNorm over the last dimension: parameter {@code weight} (dim), initialised to ones. */
public final class RMSNorm extends Layer {

    private final Tensor weight;
    private final float eps;

    public RMSNorm(int dim, float eps) {
        this.weight = param("weight", Tensor.ones(dim));
        this.eps = eps;
    }

    public RMSNorm(int dim) {
        this(dim, 1e-5f);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Norms.rmsNorm(x, weight, eps);
    }
}
