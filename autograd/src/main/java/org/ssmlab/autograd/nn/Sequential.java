package org.ssmlab.autograd.nn;

import java.util.ArrayList;
import java.util.List;
import org.ssmlab.autograd.Tensor;

/** Layers applied in order; they are registered as sub-modules named {@code 0}, {@code 1}, ... */
public final class Sequential extends Layer {

    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer and returns this. */
    public Sequential add(Layer layer) {
        layers.add(child(String.valueOf(layers.size()), layer));
        return this;
    }

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Layer l : layers) {
            h = l.forward(h);
        }
        return h;
    }
}
