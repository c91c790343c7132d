package org.ssmlab.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.GradCheck;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.testing.Props;

/**
 * Every differentiable op: the reverse-mode gradient equals central finite differences
 * ({@link GradCheck}) on random shapes — broadcasting cases included — and random values. Each
 * property draws its shapes and values from one integer seed that QuickTheories reports on failure.
 */
class OpsGradientTest {

    private static final int EXAMPLES = 25;

    /** Uniform values in [lo, hi), optionally with a random sign, as a leaf that requires a gradient. */
    static Tensor leaf(SplittableRandom r, double lo, double hi, boolean randomSign, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) {
            double v = lo + (hi - lo) * r.nextDouble();
            d[i] = (float) (randomSign && r.nextBoolean() ? -v : v);
        }
        return Tensor.of(d, shape).requiresGrad(true);
    }

    static Tensor leaf(SplittableRandom r, int... shape) {
        return leaf(r, -1, 1, false, shape);
    }

    static int[] randomShape(SplittableRandom r, int maxRank, int maxDim) {
        int[] s = new int[1 + r.nextInt(maxRank)];
        for (int i = 0; i < s.length; i++) {
            s[i] = 1 + r.nextInt(maxDim);
        }
        return s;
    }

    /** A shape that broadcasts against {@code s}: some dimensions set to 1, maybe leading ones dropped. */
    static int[] broadcastPartner(SplittableRandom r, int[] s) {
        int drop = r.nextInt(s.length + 1);
        int[] p = java.util.Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < p.length; i++) {
            if (r.nextInt(3) == 0) {
                p[i] = 1;
            }
        }
        return p;
    }

    static void assertGradient(String what, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        assertGradient(what, GradCheck.H, f, inputs);
    }

    /** {@link #assertGradient(String, Function, Tensor...)} with finite-difference step {@code h}. */
    static void assertGradient(String what, double h, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        GradCheck.Result res = GradCheck.check(f, List.of(inputs), h, GradCheck.RTOL, GradCheck.ATOL, 1L);
        if (!res.ok()) {
            throw new AssertionError(what + ": " + res.worst());
        }
    }

    /** The smallest root-mean-square over the rows of width {@code d} of a row-major array. */
    static double smallestRowRms(float[] v, int d) {
        double min = Double.POSITIVE_INFINITY;
        for (int row = 0; row < v.length / d; row++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += (double) v[row * d + k] * v[row * d + k];
            }
            min = Math.min(min, Math.sqrt(s / d));
        }
        return min;
    }

    /** The smallest standard deviation (about the row mean) over the rows of width {@code d}. */
    static double smallestRowDeviation(float[] v, int d) {
        double min = Double.POSITIVE_INFINITY;
        for (int row = 0; row < v.length / d; row++) {
            double mean = 0;
            for (int k = 0; k < d; k++) {
                mean += v[row * d + k];
            }
            mean /= d;
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += (v[row * d + k] - mean) * (v[row * d + k] - mean);
            }
            min = Math.min(min, Math.sqrt(s / d));
        }
        return min;
    }

    /** Runs {@code body} on EXAMPLES seeds drawn by QuickTheories with the project's fixed seed. */
    static void forSeeds(java.util.function.Consumer<SplittableRandom> body) {
        Props.qt(EXAMPLES).forAll(integers().all()).checkAssert(seed -> body.accept(new SplittableRandom(seed)));
    }

    @Test
    void broadcastingBinaryOps() {
        forSeeds(r -> {
            int[] xs = randomShape(r, 3, 4);
            int[] ys = broadcastPartner(r, xs);
            boolean swap = r.nextBoolean();
            Tensor x = leaf(r, xs);
            Tensor y = leaf(r, 0.5, 1.5, true, ys);   // away from 0 for div
            Tensor a = swap ? y : x;
            Tensor b = swap ? x : y;
            String shapes = Shape.str(a.shape()) + " with " + Shape.str(b.shape());
            assertGradient("add " + shapes, in -> Arith.add(in.get(0), in.get(1)), a, b);
            assertGradient("sub " + shapes, in -> Arith.sub(in.get(0), in.get(1)), a, b);
            assertGradient("mul " + shapes, in -> Arith.mul(in.get(0), in.get(1)), a, b);
            assertGradient("div " + shapes, in -> Arith.div(in.get(0), in.get(1)), x, y);
        });
    }

    @Test
    void unaryOps() {
        forSeeds(r -> {
            int[] s = randomShape(r, 3, 4);
            Tensor x = leaf(r, -2, 2, false, s);
            Tensor pos = leaf(r, 0.5, 2, false, s);
            Tensor away = leaf(r, 0.1, 2, true, s);   // away from the kinks of abs and relu
            assertGradient("neg", in -> Arith.neg(in.get(0)), x);
            assertGradient("exp", in -> Arith.exp(in.get(0)), x);
            assertGradient("log", in -> Arith.log(in.get(0)), pos);
            assertGradient("sqrt", in -> Arith.sqrt(in.get(0)), pos);
            assertGradient("abs", in -> Arith.abs(in.get(0)), away);
            assertGradient("relu", in -> Arith.relu(in.get(0)), away);
            assertGradient("sigmoid", in -> Arith.sigmoid(in.get(0)), x);
            assertGradient("tanh", in -> Arith.tanh(in.get(0)), x);
            assertGradient("softplus", in -> Arith.softplus(in.get(0)), x);
            assertGradient("silu", in -> Arith.silu(in.get(0)), x);
            assertGradient("gelu", in -> Arith.gelu(in.get(0)), x);
            assertGradient("sin", in -> Arith.sin(in.get(0)), x);
            assertGradient("cos", in -> Arith.cos(in.get(0)), x);
            float p = new float[] {2f, 3f, 0.5f, -1f}[r.nextInt(4)];
            assertGradient("pow " + p, in -> Arith.pow(in.get(0), p), pos);
        });
    }

    @Test
    void matmulAndLinear() {
        forSeeds(r -> {
            int m = 1 + r.nextInt(4), k = 1 + r.nextInt(5), n = 1 + r.nextInt(4), b = 1 + r.nextInt(3);
            assertGradient("matmul 2-D", in -> MatMul.matmul(in.get(0), in.get(1)), leaf(r, m, k), leaf(r, k, n));
            assertGradient("matmul batched x 2-D", in -> MatMul.matmul(in.get(0), in.get(1)),
                    leaf(r, b, m, k), leaf(r, k, n));
            assertGradient("matmul 2-D x batched", in -> MatMul.matmul(in.get(0), in.get(1)),
                    leaf(r, m, k), leaf(r, b, k, n));
            assertGradient("matmul broadcast batch dims", in -> MatMul.matmul(in.get(0), in.get(1)),
                    leaf(r, 2, 1, m, k), leaf(r, b, k, n));
            assertGradient("linear with bias", in -> MatMul.linear(in.get(0), in.get(1), in.get(2)),
                    leaf(r, b, m, k), leaf(r, n, k), leaf(r, n));
            assertGradient("linear without bias", in -> MatMul.linear(in.get(0), in.get(1), null),
                    leaf(r, m, k), leaf(r, n, k));
        });
    }

    @Test
    void reductions() {
        forSeeds(r -> {
            int[] s = randomShape(r, 3, 4);
            int axis = r.nextInt(s.length);
            boolean keep = r.nextBoolean();
            assertGradient("sum all", in -> Reduce.sum(in.get(0)), leaf(r, s));
            assertGradient("mean all", in -> Reduce.mean(in.get(0)), leaf(r, s));
            assertGradient("sum axis " + axis, in -> Reduce.sum(in.get(0), keep, axis), leaf(r, s));
            int[] axes = s.length >= 2 ? new int[] {0, s.length - 1} : new int[] {0};
            assertGradient("mean axes", in -> Reduce.mean(in.get(0), keep, axes), leaf(r, s));
            // Distinct values, spaced wider than the finite-difference step, so the arg-max is stable.
            float[] d = new float[Shape.size(s)];
            for (int i = 0; i < d.length; i++) {
                d[i] = 0.1f * i;
            }
            for (int i = d.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                float t = d[i];
                d[i] = d[j];
                d[j] = t;
            }
            assertGradient("max axis " + axis, in -> Reduce.max(in.get(0), axis, keep), Tensor.of(d, s).requiresGrad(true));
        });
    }

    @Test
    void shapeOps() {
        forSeeds(r -> {
            int[] s = randomShape(r, 3, 4);
            int axis = r.nextInt(s.length);
            assertGradient("reshape", in -> Shapes.reshape(in.get(0), -1), leaf(r, s));
            assertGradient("transpose", in -> Shapes.transpose(in.get(0), 0, -1), leaf(r, s));
            int[] perm = {2, 0, 1};
            assertGradient("permute", in -> Shapes.permute(in.get(0), perm), leaf(r, 2, 3, 4));
            int from = r.nextInt(s[axis]);
            int to = from + 1 + r.nextInt(s[axis] - from);
            assertGradient("slice", in -> Shapes.slice(in.get(0), axis, from, to), leaf(r, s));
            int[] s2 = s.clone();
            s2[axis] = 1 + r.nextInt(3);
            assertGradient("concat", in -> Shapes.concat(List.of(in.get(0), in.get(1)), axis), leaf(r, s), leaf(r, s2));
            assertGradient("stack", in -> Shapes.stack(List.of(in.get(0), in.get(1)), axis), leaf(r, s), leaf(r, s));
            assertGradient("pad", in -> Shapes.pad(in.get(0), axis, 2, 1, 0.5f), leaf(r, s));
        });
    }

    @Test
    void indexingOps() {
        forSeeds(r -> {
            int vocab = 2 + r.nextInt(5), d = 1 + r.nextInt(4), len = 1 + r.nextInt(6);
            int[] ids = new int[len];
            for (int i = 0; i < len; i++) {
                ids[i] = r.nextInt(vocab);   // repeats are likely: their gradients must add up
            }
            assertGradient("rows (embedding)", in -> Index.rows(in.get(0), ids, 1, len), leaf(r, vocab, d));
            int[] pick = new int[len * 2];
            for (int i = 0; i < pick.length; i++) {
                pick[i] = r.nextInt(d);
            }
            assertGradient("gatherLast", in -> Index.gatherLast(in.get(0), pick, 2), leaf(r, len, d));
            assertGradient("scatterAddRows", in -> Index.scatterAddRows(in.get(0), ids, in.get(1)),
                    leaf(r, vocab, d), leaf(r, len, d));
        });
    }

    @Test
    void softmaxFamily() {
        forSeeds(r -> {
            int rows = 1 + r.nextInt(4), cols = 1 + r.nextInt(6);
            assertGradient("softmax", in -> Softmax.softmax(in.get(0)), leaf(r, -3, 3, false, rows, cols));
            assertGradient("logSoftmax", in -> Softmax.logSoftmax(in.get(0)), leaf(r, -3, 3, false, 2, rows, cols));
            int[] targets = new int[rows];
            for (int i = 0; i < rows; i++) {
                targets[i] = r.nextInt(4) == 0 ? Softmax.IGNORE_INDEX : r.nextInt(cols);
            }
            assertGradient("crossEntropy", in -> Softmax.crossEntropy(in.get(0), targets),
                    leaf(r, -3, 3, false, rows, cols));
        });
    }

    /** broadcastTo passes the finite-difference check and equals multiplying by ones, value and gradient. */
    @Test
    void broadcastToIsMultiplyingByOnes() {
        forSeeds(r -> {
            int[] out = randomShape(r, 4, 4);
            int[] in = broadcastPartner(r, out);
            assertGradient("broadcastTo " + Shape.str(in) + " to " + Shape.str(out),
                    t -> Shapes.broadcastTo(t.get(0), out), leaf(r, in));
            Tensor x = leaf(r, in);
            Tensor w = leaf(r, out);
            Tensor y = Shapes.broadcastTo(x, out);
            Reduce.sum(Arith.mul(y, w)).backward();
            float[] grad = x.gradData().clone();
            x.zeroGrad();
            Tensor ones = Arith.mul(Tensor.ones(out), x);
            Reduce.sum(Arith.mul(ones, w)).backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(ones.data(), y.data());
            org.junit.jupiter.api.Assertions.assertArrayEquals(x.gradData(), grad);
        });
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Shapes.broadcastTo(Tensor.zeros(2, 3), 3, 3));
        assertTrue(e.getMessage().startsWith("broadcastTo: ") && e.getMessage().contains("[2, 3]"), e.getMessage());
        var f = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Shapes.broadcastTo(Tensor.zeros(2, 3), 3));
        assertTrue(f.getMessage().contains("does not stretch to"), f.getMessage());
    }

    /**
     * The causal softmax passes the finite-difference check, and its value and gradient equal those of
     * the composition it replaces: softmax(scale·x + M), M = -1e9 above the diagonal.
     */
    @Test
    void causalSoftmaxIsTheMaskedScaledSoftmax() {
        forSeeds(r -> {
            int b = 1 + r.nextInt(2), len = 1 + r.nextInt(6);
            float scale = (float) (0.1 + 2 * r.nextDouble());
            assertGradient("causalSoftmax", in -> Softmax.causalSoftmax(in.get(0), scale), leaf(r, -3, 3, false, b, len, len));
            float[] mask = new float[len * len];
            for (int t = 0; t < len; t++) {
                for (int s = t + 1; s < len; s++) {
                    mask[t * len + s] = -1e9f;
                }
            }
            Tensor x = leaf(r, -3, 3, false, b, len, len);
            Tensor w = leaf(r, b, len, len);
            Tensor fused = Softmax.causalSoftmax(x, scale);
            Reduce.sum(Arith.mul(fused, w)).backward();
            float[] fusedGrad = x.gradData().clone();
            x.zeroGrad();
            Tensor composed = Softmax.softmax(Arith.add(Arith.mulScalar(x, scale), Tensor.of(mask, len, len)));
            Reduce.sum(Arith.mul(composed, w)).backward();
            for (int i = 0; i < x.size(); i++) {
                assertEquals(composed.data()[i], fused.data()[i], 1e-6, "causalSoftmax value at " + i);
                assertEquals(x.gradData()[i], fusedGrad[i], 1e-5 * (1 + Math.abs(x.gradData()[i])), "causalSoftmax gradient at " + i);
            }
        });
    }

    @Test
    void normsConvDropout() {
        forSeeds(r -> {
            int b = 1 + r.nextInt(2), len = 1 + r.nextInt(5), d = 2 + r.nextInt(4), k = 1 + r.nextInt(4);
            // rmsNorm is curved on the scale of its row's RMS (its Jacobian in x grows like 1/rms): a row of
            // tiny values (|x| ≈ 0.03) defeats a step of 1e-2. The step in x follows the smallest row RMS;
            // the weight, whose Jacobian is x/rms = O(1), keeps the default step.
            Tensor xr = leaf(r, b, len, d);
            Tensor wr = leaf(r, 0.5, 1.5, false, d);
            double hx = GradCheck.H * Math.min(1, smallestRowRms(xr.data(), d));
            assertGradient("rmsNorm d/dx (step " + hx + ")", hx, in -> Norms.rmsNorm(in.get(0), in.get(1), 1e-5f),
                    xr, wr.detach());
            assertGradient("rmsNorm d/dweight", GradCheck.H, in -> Norms.rmsNorm(in.get(0), in.get(1), 1e-5f),
                    xr.detach(), wr);
            // LayerNorm is curved on the scale of its row's standard deviation (x̂ → ±1 as the variance → 0):
            // the step in x follows the smallest row deviation, as for rmsNorm; weight and bias enter
            // linearly and keep the default step. Rows of at least 3 values.
            int dl = d + 1;
            Tensor xl = leaf(r, -3, 3, false, b, len, dl);
            Tensor wl = leaf(r, 0.5, 1.5, false, dl);
            Tensor bl = leaf(r, dl);
            double hl = GradCheck.H * Math.min(1, smallestRowDeviation(xl.data(), dl));
            assertGradient("layerNorm d/dx (step " + hl + ")", hl,
                    in -> Norms.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f), xl, wl.detach(), bl.detach());
            assertGradient("layerNorm d/dweight, d/dbias", GradCheck.H,
                    in -> Norms.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f), xl.detach(), wl, bl);
            assertGradient("depthwiseCausal conv, k = " + k,
                    in -> Conv.depthwiseCausal(in.get(0), in.get(1), in.get(2)),
                    leaf(r, b, len, d), leaf(r, d, 1, k), leaf(r, d));
            long maskSeed = r.nextLong();
            assertGradient("dropout", in -> Dropout.dropout(in.get(0), 0.3f, new SplittableRandom(maskSeed)),
                    leaf(r, b, len, d));
        });
    }

    /** y = x² with the backward deliberately wrong (3x instead of 2x). */
    private static Tensor wrongSquare(Tensor x) {
        float[] xv = x.data();
        float[] y = new float[xv.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = xv[i] * xv[i];
        }
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = 3 * xv[i] * g[i];
            }
            x.accumulateGrad(r);
        }, x);
    }

    @Test
    void negativeControlAWrongBackwardIsCaught() {
        String report = Props.expectFalsified(() -> forSeeds(r ->
                assertGradient("wrong square", in -> wrongSquare(in.get(0)), leaf(r, 0.5, 2, true, randomShape(r, 2, 3)))));
        assertTrue(report.contains("wrong square"), report);
        // And the same check passes when the hypothesis (a correct backward) holds.
        SplittableRandom r = new SplittableRandom(Props.SEED);
        Tensor x = leaf(r, 0.5, 2, true, 3);
        assertTrue(GradCheck.check(in -> Arith.mul(in.get(0), in.get(0)), List.of(x)).ok());
        assertFalse(GradCheck.check(in -> wrongSquare(in.get(0)), List.of(x)).ok());
    }
}
