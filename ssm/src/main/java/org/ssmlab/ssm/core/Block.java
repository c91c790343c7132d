package org.ssmlab.ssm.core;

import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Layer;

/** One layer of a language model: (batch, L, d) → (batch, L, d), with a recurrent mode. */
public abstract class Block extends Layer {

    /** A fresh recurrent state for {@code batch} sequences. */
    public abstract RecurrentState newState(int batch);

    /** One position: x (batch, d) → (batch, d). */
    public abstract Tensor step(Tensor x, RecurrentState state);

    /** The mixer inside the block (probes read its parameters). */
    public abstract Mixer mixer();
}
