package org.ssmlab.theorems;

import java.util.function.Supplier;
import org.ssmlab.autograd.Tensor;

/** Reverse-mode derivatives of one output entry with respect to a leaf. */
final class Grads {

    private Grads() {
    }

    /** ∂ out[flatIndex] / ∂ x, out rebuilt by {@code f} (backward frees the graph); zeros when out does not depend on x. */
    static float[] of(Supplier<Tensor> f, Tensor x, int flatIndex) {
        x.zeroGrad();
        Tensor out = f.get();
        float[] seed = new float[out.size()];
        seed[flatIndex] = 1f;
        if (out.requiresGrad()) {
            out.backward(seed);
        }
        float[] g = x.gradData();
        float[] copy = g == null ? new float[x.size()] : g.clone();
        x.zeroGrad();
        return copy;
    }

    /** The Euclidean norm of row {@code row} of a (rows, width) array. */
    static double rowNorm(float[] g, int row, int width) {
        double s = 0;
        for (int k = 0; k < width; k++) {
            double v = g[row * width + k];
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** The largest |entry| outside row {@code row}. */
    static double offRowMax(float[] g, int row, int width) {
        double m = 0;
        for (int k = 0; k < g.length; k++) {
            if (k / width != row) {
                m = Math.max(m, Math.abs(g[k]));
            }
        }
        return m;
    }
}
