package org.ssmlab.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Shape;

/**
 * {@link Broadcast#expand} and {@link Broadcast#reduceTo}, which work in blocks of trailing dimensions,
 * equal their definition element by element and bit for bit: out[i] = x[source(i)], and the reduction
 * adds the gradient's elements into each source element in row-major order (so its float rounding is
 * the definition's too). Shapes of rank 0..4 with dimensions 1..5 against partners with some
 * dimensions 1 and leading ones dropped, which covers copied blocks, filled blocks and their mixtures.
 */
class BroadcastTest {

    @Test
    void expandAndReduceEqualTheirDefinitionBitForBit() {
        OpsGradientTest.forSeeds(r -> {
            int[] out = OpsGradientTest.randomShape(r, 4, 5);
            if (r.nextInt(8) == 0) {
                out[r.nextInt(out.length)] = 0;                 // an empty result
            }
            int[] in = OpsGradientTest.broadcastPartner(r, out);
            float[] x = values(r, Shape.size(in));
            float[] g = values(r, Shape.size(out));
            String what = Shape.str(in) + " to " + Shape.str(out);
            assertArrayEquals(definedExpand(x, in, out), Broadcast.expand(x, in, out), "expand " + what);
            assertArrayEquals(definedReduce(g, out, in), Broadcast.reduceTo(g, out, in), "reduceTo " + what);
        });
    }

    @Test
    void equalShapesAreTheArrayItself() {
        float[] x = {1, 2, 3, 4, 5, 6};
        assertSame(x, Broadcast.expand(x, new int[] {2, 3}, new int[] {2, 3}));
        assertSame(x, Broadcast.reduceTo(x, new int[] {2, 3}, new int[] {2, 3}));
    }

    private static float[] values(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1e3, 1e3) * (r.nextBoolean() ? 1 : 1e-4f);   // mixed magnitudes: order matters
        }
        return v;
    }

    /** The source element of output element {@code o}: each output coordinate, clamped to 0 where stretched. */
    private static int source(int o, int[] in, int[] out) {
        int[] inStrides = Shape.strides(in);
        int src = 0;
        for (int d = out.length - 1, rest = o; d >= 0; d--) {
            int coord = rest % out[d];
            rest /= out[d];
            int j = d - (out.length - in.length);
            if (j >= 0 && in[j] != 1) {
                src += coord * inStrides[j];
            }
        }
        return src;
    }

    private static float[] definedExpand(float[] x, int[] in, int[] out) {
        float[] y = new float[Shape.size(out)];
        for (int o = 0; o < y.length; o++) {
            y[o] = x[source(o, in, out)];
        }
        return y;
    }

    private static float[] definedReduce(float[] g, int[] out, int[] in) {
        float[] y = new float[Shape.size(in)];
        for (int o = 0; o < g.length; o++) {
            y[source(o, in, out)] += g[o];
        }
        return y;
    }
}
