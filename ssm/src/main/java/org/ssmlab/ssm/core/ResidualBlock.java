package org.ssmlab.ssm.core;

import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.RMSNorm;
import org.ssmlab.autograd.ops.Arith;

/**
 * The pre-norm residual block of the reference Mamba LM: x + mixer(RMSNorm(x)), with sub-modules
 * named {@code mixer} and {@code norm} (checkpoint names {@code layers.{i}.mixer.*}, {@code layers.{i}.norm.weight}).
 */
public final class ResidualBlock extends Block {

    private final Mixer mixer;
    private final RMSNorm norm;

    public ResidualBlock(Mixer mixer) {
        this.mixer = child("mixer", mixer);
        this.norm = child("norm", new RMSNorm(mixer.width()));
    }

    @Override
    public Mixer mixer() {
        return mixer;
    }

    /** What the mixer reads: RMSNorm(x). Probes use it to evaluate the mixer's transitions on real inputs. */
    public Tensor mixerInput(Tensor x) {
        return norm.forward(x);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Arith.add(x, mixer.forward(norm.forward(x)));
    }

    @Override
    public RecurrentState newState(int batch) {
        return mixer.newState(batch);
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        return Arith.add(x, mixer.step(norm.forward(x), state));
    }
}
