package org.ssmlab.ssm.core;

import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Layer;

/**
 * The sequence-mixing part of a block: (batch, L, d) → (batch, L, d), causal. Every family of the
 * project is one of these (Mamba, S4D, linear attention, RetNet, GLA, RWKV-4, Griffin, the attentive
 * state update, softmax attention).
 *
 * <p>Two modes, one model: {@link #forward} runs the whole sequence (parallel mode, for training), and
 * {@link #step} runs one position with a carried {@link RecurrentState} (recurrent mode, for inference).
 * The tests check that both give the same outputs.
 */
public abstract class Mixer extends Layer {

    /** The model width d this mixer reads and writes. */
    public abstract int width();

    /** A fresh state for {@code batch} sequences at position 0. */
    public abstract RecurrentState newState(int batch);

    /** One position: x (batch, d) → y (batch, d), advancing {@code state}. Runs without a graph. */
    public abstract Tensor step(Tensor x, RecurrentState state);
}
