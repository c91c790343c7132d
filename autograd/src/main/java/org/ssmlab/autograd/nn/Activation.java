package org.ssmlab.autograd.nn;

import java.util.function.UnaryOperator;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;

/** A parameter-free layer applying an elementwise function, e.g. {@code Activation.of(Arith::tanh)}. */
public final class Activation extends Layer {

    private final UnaryOperator<Tensor> f;

    private Activation(UnaryOperator<Tensor> f) {
        this.f = f;
    }

    public static Activation of(UnaryOperator<Tensor> f) {
        return new Activation(f);
    }

    @Override
    public Tensor forward(Tensor x) {
        return f.apply(x);
    }
}
