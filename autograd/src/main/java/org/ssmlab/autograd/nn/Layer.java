package org.ssmlab.autograd.nn;

import org.ssmlab.autograd.Tensor;

/** A module that maps one tensor to one tensor, so layers compose in a {@link Sequential}. */
public abstract class Layer extends Module {

    /** The layer applied to {@code x}. */
    public abstract Tensor forward(Tensor x);
}
