package org.ssmlab.autograd.nn;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Index;

/** A lookup table of {@code count} vectors of size {@code dim}: parameter {@code weight} (count, dim). */
public final class Embedding extends Module {

    private final Tensor weight;

    /** Rows drawn from N(0, 1), PyTorch's default. */
    public Embedding(int count, int dim, SplittableRandom rng) {
        this(count, dim, 1f, rng);
    }

    /** Rows drawn from N(0, std²). */
    public Embedding(int count, int dim, float std, SplittableRandom rng) {
        if (count < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + count + " x " + dim);
        }
        this.weight = param("weight", Init.normal(rng, std, count, dim));
    }

    public Tensor weight() {
        return weight;
    }

    /** The rows for {@code ids}, shaped {@code idShape + [dim]}. */
    public Tensor forward(int[] ids, int... idShape) {
        return Index.rows(weight, ids, idShape);
    }
}
