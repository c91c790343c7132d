package org.ssmlab.autograd.ops;

import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;

/**
 * Inverted dropout: each element is kept with probability 1-p and scaled by 1/(1-p), so the expected
 * output equals the input. The mask comes from the given generator, so a seed fixes it.
 * ∂L/∂x = g ⊙ mask / (1-p).
 */
public final class Dropout {

    private Dropout() {
    }

    /** Dropout with drop probability {@code p} in [0, 1). p = 0 returns x itself. */
    public static Tensor dropout(Tensor x, float p, SplittableRandom rng) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout: p = " + p + " is not in [0, 1)");
        }
        if (p == 0f) {
            return x;
        }
        float scale = 1f / (1f - p);
        float[] xv = x.data();
        float[] mask = new float[xv.length];
        float[] y = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            mask[i] = rng.nextDouble() >= p ? scale : 0f;
            y[i] = xv[i] * mask[i];
        }
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i] * mask[i];
            }
            x.accumulateGrad(r);
        }, x);
    }
}
