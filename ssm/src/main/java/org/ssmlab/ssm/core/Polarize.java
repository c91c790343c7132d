package org.ssmlab.ssm.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;

/**
 * Polarization (docs/theory.md §6) as an operation on a transition tensor: the learnable channels' a_t,
 * with a constant channel a ≡ 1 put first and/or a ≡ 0 put last along the state axis. The constants
 * are plain tensors, so no parameter stands behind them and no gradient reaches one.
 */
public final class Polarize {

    private Polarize() {
    }

    /** {@code a} with the polarization's constant channels added along {@code axis}. */
    public static Tensor transitions(Tensor a, Polarization p, int axis) {
        if (p == Polarization.NONE) {
            return a;
        }
        int ax = axis < 0 ? axis + a.rank() : axis;
        int[] s = a.shape();
        s[ax] = 1;
        List<Tensor> parts = new ArrayList<>(3);
        if (p.hasOne()) {
            parts.add(Tensor.ones(Arrays.copyOf(s, s.length)));
        }
        parts.add(a);
        if (p.hasZero()) {
            parts.add(Tensor.zeros(Arrays.copyOf(s, s.length)));
        }
        return Shapes.concat(parts, ax);
    }
}
