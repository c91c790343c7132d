package org.ssmlab.autograd.nn;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Index;

/** A lookup table of {@code count} vectors of size {@code dim}: parameter {@code weight} (count, dim). */
public final class Embedding extends Module {

    private final Tensor weight;

    public Embedding(int count, int dim, SplittableRandom rng) {
        if (count < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + count + " x " + dim);
        }
        this.weight = param("weight", Init.normal(rng, 1f, count, dim));
    }

    public Tensor weight() {
        return weight;
    }

    /** The rows for {@code ids}, shaped {@code idShape + [dim]}. */
    public Tensor forward(int[] ids, int... idShape) {
        return Index.rows(weight, ids, idShape);
    }
}
