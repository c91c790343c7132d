package org.ssmlab.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;

/** Hand-computed values for ops whose corner cases matter: ignore index, extreme logits, broadcasting. */
class KnownAnswersTest {

    @Test
    void crossEntropySkipsTheIgnoreIndexAndAveragesOverTheRest() {
        // Row 0: logits (0, 0), target 0 → -log(1/2) = ln 2.
        // Row 1: ignored.
        // Row 2: logits (ln 3, 0), target 0 → -log(3/4) = ln(4/3).
        float ln3 = (float) Math.log(3);
        Tensor logits = Tensor.of(new float[] {0, 0, 5, -5, ln3, 0}, 3, 2).requiresGrad(true);
        Tensor loss = Softmax.crossEntropy(logits, new int[] {0, Softmax.IGNORE_INDEX, 0});
        assertEquals((Math.log(2) + Math.log(4.0 / 3)) / 2, loss.item(), 1e-6);
        loss.backward();
        // ∂/∂x_i = (softmax - onehot)/2 for kept rows, 0 for the ignored row.
        assertArrayEquals(new float[] {-0.25f, 0.25f, 0f, 0f, (0.75f - 1) / 2, 0.25f / 2},
                logits.gradData(), 1e-6f);
    }

    @Test
    void crossEntropyWithEveryRowIgnoredIsZero() {
        Tensor logits = Tensor.of(new float[] {1, 2}, 1, 2).requiresGrad(true);
        Tensor loss = Softmax.crossEntropy(logits, new int[] {Softmax.IGNORE_INDEX});
        assertEquals(0f, loss.item());
        loss.backward();
        assertArrayEquals(new float[] {0, 0}, logits.gradData());
    }

    @Test
    void softmaxIsStableForLogitsOfTenThousand() {
        Tensor x = Tensor.of(new float[] {1e4f, -1e4f, 0f, 1e4f, 1e4f, -1e4f}, 2, 3).requiresGrad(true);
        Tensor y = Softmax.softmax(x);
        assertArrayEquals(new float[] {1, 0, 0, 0.5f, 0.5f, 0}, y.toArray(), 1e-6f);
        Tensor ls = Softmax.logSoftmax(x.detach());
        assertEquals(0f, ls.get(0, 0), 1e-6f);
        assertEquals(-2e4f, ls.get(0, 1), 1f);
        assertEquals((float) -Math.log(2), ls.get(1, 0), 1e-6f);
        Tensor ce = Softmax.crossEntropy(x.detach(), new int[] {1, 2});
        assertTrue(Float.isFinite(ce.item()) && ce.item() > 1e4f, "cross-entropy of a -1e4 logit is finite: " + ce.item());
    }

    @Test
    void broadcastingAddsABiasRowToEveryRow() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor b = Tensor.vector(10, 20, 30).requiresGrad(true);
        Tensor y = Arith.add(x, b);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, y.toArray());
        y.backward(new float[] {1, 1, 1, 1, 1, 1});
        assertArrayEquals(new float[] {2, 2, 2}, b.gradData(), "the bias gradient sums over the broadcast rows");
        var e = assertThrows(IllegalArgumentException.class, () -> Arith.add(x, Tensor.zeros(2)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2]"),
                e.getMessage());
    }

    @Test
    void matmulMatchesTheDefinition() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, MatMul.matmul(a, b).toArray());
        var e = assertThrows(IllegalArgumentException.class, () -> MatMul.matmul(a, a));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("3 vs 2"), e.getMessage());
    }

    /**
     * The kinks, where a finite difference cannot look: ∂|x|/∂x = sign(x) is 0 at 0, and ∂relu/∂x = [x > 0]
     * is 0 at 0 (PIT mutants g/sign(x) and [x ≥ 0] survived the gradient checks, which stay away from 0).
     */
    @Test
    void absAndReluHaveZeroGradientAtZero() {
        Tensor x = Tensor.of(new float[] {-2, 0, 3}, 3).requiresGrad(true);
        Arith.abs(x).backward(new float[] {5, 5, 5});
        assertArrayEquals(new float[] {-5, 0, 5}, x.gradData());
        Tensor r = Tensor.of(new float[] {-2, 0, 3}, 3).requiresGrad(true);
        Arith.relu(r).backward(new float[] {5, 5, 5});
        assertArrayEquals(new float[] {0, 0, 5}, r.gradData());
    }

    /** The scalar shorthands: values and gradients (addScalar had no test of its own). */
    @Test
    void addScalarAndMulScalar() {
        Tensor x = Tensor.of(new float[] {1, -2}, 2).requiresGrad(true);
        Tensor y = Arith.addScalar(Arith.mulScalar(x, 3f), 0.5f);
        assertArrayEquals(new float[] {3.5f, -5.5f}, y.toArray());
        y.backward(new float[] {1, 2});
        assertArrayEquals(new float[] {3, 6}, x.gradData());
    }

    /**
     * The norms' values (a gradient check passes on any function, even a constant 0: PIT mutants that skip
     * every row or change eps survived it) and a bias that is not a leaf.
     */
    @Test
    void normsHaveTheirValuesAndPassGradientsToANonLeafBias() {
        Tensor x = Tensor.of(new float[] {3, 4}, 1, 2);
        float r = (float) (1 / Math.sqrt(12.5 + 0.5));                       // 1/sqrt(mean x² + eps)
        assertArrayEquals(new float[] {3 * r, 4 * 2 * r}, Norms.rmsNorm(x, Tensor.vector(1, 2), 0.5f).toArray(), 1e-6f);
        Tensor b0 = Tensor.vector(10, 20).requiresGrad(true);
        Tensor bias = Arith.mulScalar(b0, 1f);
        Tensor y = Norms.layerNorm(Tensor.of(new float[] {1, 3}, 1, 2), Tensor.vector(1, 1), bias, 1f);
        float q = (float) (1 / Math.sqrt(1 + 1));                             // mean 2, variance 1, eps 1
        assertArrayEquals(new float[] {10 - q, 20 + q}, y.toArray(), 1e-5f);
        y.backward(new float[] {1, 1});
        assertArrayEquals(new float[] {1, 1}, b0.gradData(), "the bias gradient reaches the leaf behind it");
        var e = assertThrows(IllegalArgumentException.class,
                () -> Norms.layerNorm(Tensor.of(new float[] {1, 3}, 1, 2), Tensor.vector(1, 1), Tensor.vector(1, 2, 3), 1e-5f));
        assertTrue(e.getMessage().contains("layerNorm: bias"), e.getMessage());
    }

    /** The causal depthwise conv's value, its bias check, and a bias that is not a leaf. */
    @Test
    void depthwiseCausalConvValuesAndBias() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2, 1);
        Tensor w = Tensor.of(new float[] {0.5f, 2f}, 1, 1, 2);               // tap k-1 is the current step
        Tensor b0 = Tensor.vector(5).requiresGrad(true);
        Tensor y = Conv.depthwiseCausal(x, w, Arith.mulScalar(b0, 1f));
        assertArrayEquals(new float[] {2 * 1 + 5, 0.5f * 1 + 2 * 2 + 5}, y.toArray(), 1e-6f);
        y.backward(new float[] {1, 1});
        assertArrayEquals(new float[] {2}, b0.gradData());
        var e = assertThrows(IllegalArgumentException.class, () -> Conv.depthwiseCausal(x, w, Tensor.vector(1, 2)));
        assertTrue(e.getMessage().contains("depthwiseCausal: bias"), e.getMessage());
    }

    /** Shape ops by value: reshape with -1, transpose, unsqueeze, empty slices, concat checks, pad with a value. */
    @Test
    void shapeOpsByValue() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {3, 2}, Shapes.reshape(x, -1, 2).shape());
        assertArrayEquals(new int[] {1, 6}, Shapes.reshape(x, 1, -1).shape());
        assertThrows(IllegalArgumentException.class, () -> Shapes.reshape(x, -1, -1));
        assertThrows(IllegalArgumentException.class, () -> Shapes.reshape(x, 4, -1));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, Shapes.transpose(x, 0, 1).toArray());
        assertArrayEquals(new int[] {2, 1, 3}, Shapes.unsqueeze(x, 1).shape());
        assertArrayEquals(new int[] {2, 3, 1}, Shapes.unsqueeze(x, 2).shape());
        assertArrayEquals(new int[] {2, 0}, Shapes.slice(x, 1, 1, 1).shape(), "an empty slice is allowed");
        assertArrayEquals(new float[] {3, 6}, Shapes.slice(x, 1, 2, 3).toArray());
        assertThrows(IllegalArgumentException.class, () -> Shapes.slice(x, 1, 2, 4));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Shapes.concat(java.util.List.of(x, Tensor.zeros(3, 3)), 1));
        assertTrue(e.getMessage().contains("concat"), e.getMessage());
        Tensor v = Tensor.of(new float[] {1, 2}, 1, 2).requiresGrad(true);
        Tensor padded = Shapes.pad(v, 1, 1, 2, 7f);
        assertArrayEquals(new float[] {7, 1, 2, 7, 7}, padded.toArray());
        padded.backward(new float[] {10, 20, 30, 40, 50});
        assertArrayEquals(new float[] {20, 30}, v.gradData());
        assertThrows(IllegalArgumentException.class, () -> Shapes.pad(v, 1, -1, 0, 0f));
        assertArrayEquals(new float[] {0, 1, 2}, Shapes.pad(v.detach(), 1, 1, 0, 0f).toArray());
    }

    /** Reductions by value (mean = sum/n and max are invisible to a gradient check up to a constant). */
    @Test
    void reductionsByValue() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 7, 0, 7}, 2, 3).requiresGrad(true);
        assertArrayEquals(new float[] {22f / 6}, Reduce.mean(x).toArray(), 1e-6f);
        assertArrayEquals(new float[] {8, 5, 9}, Reduce.sum(x, false, 0).toArray());
        assertArrayEquals(new float[] {8f / 3, 14f / 3}, Reduce.mean(x, false, 1).toArray(), 1e-6f);
        assertArrayEquals(new float[] {22f / 6}, Reduce.mean(x, false, 1, 0).toArray(), 1e-6f);
        assertArrayEquals(new int[] {1, 1}, Reduce.sum(x, true, 0, 1).shape());
        var twice = assertThrows(IllegalArgumentException.class, () -> Reduce.sum(x, false, 1, -1));
        assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
        Tensor m = Reduce.max(x, 1, false);
        assertArrayEquals(new float[] {5, 7}, m.toArray());
        m.backward(new float[] {1, 1});
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, x.gradData(), "the gradient goes to the first maximum");
        assertArrayEquals(new float[] {7, 5, 7}, Reduce.max(x.detach(), 0, false).toArray());
        assertArrayEquals(new int[] {2, 1}, Reduce.max(x.detach(), 1, true).shape());
    }

    /** Dropout: kept elements scaled by 1/(1 - p), about a fraction p dropped, the gradient is the mask. */
    @Test
    void dropoutByValue() {
        Tensor ones = Tensor.ones(10_000).requiresGrad(true);
        assertTrue(Dropout.dropout(ones, 0f, new java.util.SplittableRandom(1)) == ones, "p = 0 is the identity");
        Tensor y = Dropout.dropout(ones, 0.25f, new java.util.SplittableRandom(1));
        int dropped = 0;
        for (float v : y.toArray()) {
            assertTrue(v == 0f || v == 1f / 0.75f, "dropout value " + v);
            dropped += v == 0f ? 1 : 0;
        }
        assertTrue(dropped > 2300 && dropped < 2700, "dropped " + dropped + " of 10000 at p = 0.25");
        float[] g = new float[10_000];
        java.util.Arrays.fill(g, 1f);
        y.backward(g);
        assertArrayEquals(y.toArray(), ones.gradData());
        assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(ones, 1f, new java.util.SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(ones, -0.1f, new java.util.SplittableRandom(1)));
    }

    /** Cross-entropy rejects targets outside 0..cols-1 that are not the ignore index. */
    @Test
    void crossEntropyRejectsTargetsOutOfRange() {
        Tensor logits = Tensor.zeros(1, 3);
        assertThrows(IllegalArgumentException.class, () -> Softmax.crossEntropy(logits, new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> Softmax.crossEntropy(logits, new int[] {-1}));
        assertEquals((float) Math.log(3), Softmax.crossEntropy(logits, new int[] {2}).item(), 1e-6f);
    }

    /** The selective scan names each argument whose shape is wrong. */
    @Test
    void selectiveScanNamesEachBadArgument() {
        Tensor u = Tensor.zeros(1, 3, 2);
        Tensor a = Tensor.zeros(2, 4);
        Tensor bc = Tensor.zeros(1, 3, 4);
        Tensor bad = Tensor.zeros(1, 3, 5);
        String[] names = {"delta", "B (N_total", "C (N_total", "D", "z"};
        for (int which = 0; which < names.length; which++) {
            int w = which;
            var e = assertThrows(IllegalArgumentException.class, () -> Scan.selective(u, w == 0 ? bad : u, a,
                    w == 1 ? bad : bc, w == 2 ? bad : bc, w == 3 ? Tensor.zeros(3) : Tensor.zeros(2),
                    w == 4 ? bad : u, false, false));
            assertTrue(e.getMessage().contains("Scan.selective") && e.getMessage().contains(names[which]), e.getMessage());
        }
    }

    /** Index ops reject an index equal to the size (one past the end) with a clear error, not an array fault. */
    @Test
    void indexOpsRejectOnePastTheEnd() {
        Tensor table = Tensor.zeros(3, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> Index.rows(table, new int[] {0, 3}, 2));
        assertTrue(e.getMessage().contains("rows"), e.getMessage());
        assertArrayEquals(new int[] {2, 2}, Index.rows(table, new int[] {0, 2}, 2).shape());
        e = assertThrows(IllegalArgumentException.class, () -> Index.gatherLast(table, new int[] {0, 2, 1}, 1));
        assertTrue(e.getMessage().contains("gatherLast"), e.getMessage());
        assertArrayEquals(new float[] {0, 0, 0}, Index.gatherLast(table, new int[] {0, 1, 1}, 1).toArray());
        e = assertThrows(IllegalArgumentException.class,
                () -> Index.scatterAddRows(table, new int[] {3}, Tensor.ones(1, 2)));
        assertTrue(e.getMessage().contains("scatterAddRows"), e.getMessage());
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1}, Index.scatterAddRows(table, new int[] {2}, Tensor.ones(1, 2)).toArray());
    }

    /** Under noGrad the scans record no graph: their outputs do not require a gradient. */
    @Test
    void scansRecordNothingUnderNoGrad() {
        Tensor a = Tensor.full(0.5f, 1, 3, 2).requiresGrad(true);
        Tensor b = Tensor.ones(1, 3, 2).requiresGrad(true);
        try (var s = org.ssmlab.autograd.GradMode.noGrad()) {
            assertTrue(!Scan.diagonalStates(a, b, null).requiresGrad(), "no graph under noGrad");
        }
        assertTrue(Scan.diagonalStates(a, b, null).requiresGrad(), "a graph otherwise");
        assertTrue(!Scan.diagonalStates(a.detach(), b.detach(), null).requiresGrad(), "no graph without a leaf that needs one");
    }
}
