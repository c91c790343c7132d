package org.ssmlab.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reverse-mode walk of {@link Tensor}, with a tiny op written here: y = 2x. */
class TensorGraphTest {

    /** y = 2x, dy/dx = 2. */
    private static Tensor twice(Tensor x) {
        float[] out = new float[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = 2 * x.data()[i];
        }
        return Tensor.fromOp(out, x.shape(), g -> {
            float[] gx = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                gx[i] = 2 * g[i];
            }
            x.accumulateGrad(gx);
        }, x);
    }

    /**
     * A fresh gradient becomes the tensor's own without a copy, a second one is added into it, and the
     * checks are accumulateGrad's; an ordinary accumulateGrad keeps copying (so a caller's array that
     * something else holds is never taken).
     */
    @Test
    void aFreshGradientIsTakenWithoutACopyAndThenAddedInto() {
        Tensor x = Tensor.zeros(3).requiresGrad(true);
        float[] first = {1, 2, 3};
        x.accumulateFreshGrad(first);
        org.junit.jupiter.api.Assertions.assertSame(first, x.gradData());
        x.accumulateFreshGrad(new float[] {10, 20, 30});
        assertArrayEquals(new float[] {11, 22, 33}, x.gradData());
        assertThrows(IllegalArgumentException.class, () -> x.accumulateFreshGrad(new float[2]));
        Tensor y = Tensor.zeros(2).requiresGrad(true);
        float[] held = {4, 5};
        y.accumulateGrad(held);
        org.junit.jupiter.api.Assertions.assertNotSame(held, y.gradData());
        Tensor constant = Tensor.zeros(2);
        constant.accumulateFreshGrad(new float[] {1, 1});
        assertNull(constant.gradData());
    }

    @Test
    void aChainOfAMillionNodesDoesNotOverflowTheStack() {
        Tensor x = Tensor.scalar(1f).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 1_000_000; i++) {
            y = i % 2 == 0 ? twice(y) : Tensor.fromOp(new float[] {y.item() / 2}, new int[0],
                    halve(y), y);
        }
        y.backward();
        assertEquals(1f, x.grad().item(), 0f);
    }

    private static Tensor.Backward halve(Tensor in) {
        return g -> in.accumulateGrad(new float[] {g[0] / 2});
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.vector(1f, -3f).requiresGrad(true);
        twice(x).backward(new float[] {1f, 1f});
        twice(x).backward(new float[] {1f, 0.5f});
        assertArrayEquals(new float[] {4f, 3f}, x.gradData());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void aDiamondSendsTheGradientAlongBothPaths() {
        Tensor x = Tensor.scalar(3f).requiresGrad(true);
        Tensor a = twice(x);
        Tensor sum = Tensor.fromOp(new float[] {a.item() + a.item()}, new int[0], g -> {
            a.accumulateGrad(g);
            a.accumulateGrad(g);
        }, a, a);
        sum.backward();
        assertEquals(4f, x.grad().item());
    }

    @Test
    void noGradRecordsNothingAndRestoresTheMode() {
        Tensor x = Tensor.scalar(1f).requiresGrad(true);
        try (var scope = GradMode.noGrad()) {
            assertFalse(twice(x).requiresGrad());
        }
        Tensor y = twice(x);
        y.backward();
        assertEquals(2f, x.grad().item());
    }

    @Test
    void aSecondBackwardThroughAFreedGraphIsAClearError() {
        Tensor x = Tensor.scalar(1f).requiresGrad(true);
        Tensor y = twice(twice(x));
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertEquals(true, e.getMessage().contains("already freed"), e.getMessage());
    }

    @Test
    void shapeMismatchesNameTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[5], 2, 3));
        assertEquals(true, e.getMessage().contains("[2, 3]"), e.getMessage());
    }
}
