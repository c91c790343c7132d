package org.ssmlab.ssm.core;

import java.util.ArrayList;
import java.util.List;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Shapes;

/**
 * Eq. 1 written out as the paper writes it, one time step at a time, from elementary autograd ops:
 *
 * <pre>
 *   h_t = a_t ⊙ h_{t-1} + (B_t x_t),   h_0 = 0
 * </pre>
 *
 * over tensors of shape (batch, L, ...) whose trailing dimensions are the state channels. It is slow
 * (one graph node per step) and serves as the readable reference the fused kernels are tested
 * against, and as the form a reader checks against the paper.
 */
public final class Eq1 {

    private Eq1() {
    }

    /** All states h_1..h_L, shaped like {@code a} and {@code bx}. */
    public static Tensor scan(Tensor a, Tensor bx) {
        if (!java.util.Arrays.equals(a.shape(), bx.shape()) || a.rank() < 2) {
            throw new IllegalArgumentException("Eq1.scan: a " + org.ssmlab.autograd.Shape.str(a.shape()) + " and B x "
                    + org.ssmlab.autograd.Shape.str(bx.shape()) + " must have the same shape (batch, L, ...)");
        }
        int len = a.dim(1);
        List<Tensor> states = new ArrayList<>(len);
        Tensor h = null;
        for (int t = 0; t < len; t++) {
            Tensor at = Shapes.slice(a, 1, t, t + 1);
            Tensor bt = Shapes.slice(bx, 1, t, t + 1);
            h = h == null ? bt : Arith.add(Arith.mul(at, h), bt);
            states.add(h);
        }
        return Shapes.concat(states, 1);
    }
}
