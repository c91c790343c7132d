package org.ssmlab.autograd.nn;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;

/** Parameter initialisations used by the layers, matching PyTorch's defaults where a layer has one. */
public final class Init {

    private Init() {
    }

    /** Uniform in [-1/√fanIn, 1/√fanIn): PyTorch's default for Linear and Conv1d weights and biases. */
    public static Tensor fanInUniform(SplittableRandom rng, int fanIn, int... shape) {
        float bound = (float) (1.0 / Math.sqrt(Math.max(1, fanIn)));
        return Tensor.uniform(rng, -bound, bound, shape);
    }

    /** Standard normal scaled by {@code std}: PyTorch's default for Embedding is std = 1. */
    public static Tensor normal(SplittableRandom rng, float std, int... shape) {
        return Tensor.randn(rng, std, shape);
    }
}
