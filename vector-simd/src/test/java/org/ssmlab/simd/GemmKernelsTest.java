package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.ssmlab.simd.GemmCases.EPS;
import static org.ssmlab.simd.GemmCases.assertClose;
import static org.ssmlab.simd.GemmCases.fill;

import java.util.SplittableRandom;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.GemmCases.Problem;
import org.ssmlab.testing.Props;

/**
 * The SIMD GEMM against its scalar twin and against EJML, on shapes that cross every edge of the
 * blocking: micro-tile tails (MR rows, NR columns), the KC, MC and NC block edges, the threaded split
 * by rows and by columns, and all four transpose cases.
 *
 * <p>Tolerance: as described on {@link GemmCases}.
 */
class GemmKernelsTest {

    private static final SimdGemm SIMD = new SimdGemm();
    private static final int MC = SIMD.tile().mc();
    private static final int NR = SIMD.tile().columns();
    private static final Gemm SCALAR = new ScalarGemm();

    @Test
    void simdEqualsScalarOnRandomSmallShapes() {
        GemmCases.agreeOnRandomSmallShapes(SCALAR, SIMD, 150);
    }

    @Test
    void simdEqualsScalarAcrossBlockEdgesAndThreads() {
        GemmCases.agreeOnShapes(SCALAR, SIMD, new int[][] {
            {MC + 13, 3 * NR + 5, SimdGemm.KC + 37},                     // crosses MC and KC
            {9, SimdGemm.NC + 40, 3},                                   // crosses NC
            {400, 40, 600},                                             // threaded split by rows
            {40, 400, 600},                                             // threaded split by columns
            {300, NR - 1, SimdGemm.KC + 37},                            // thin result, long inner dimension
            {2000, 7, 700},                                             // thin result, threaded split by rows
            {NR + 3, 1, 5},                                             // one column
        });
    }

    @Test
    void agreesWithEjml() {
        SplittableRandom r = new SplittableRandom(Props.SEED);
        for (int[] s : new int[][] {{67, 45, 301}, {130, 257, 33}, {1, 1, 1}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = fill(r, m * k);
            float[] b = fill(r, k * n);
            float[] c = new float[m * n];
            SIMD.gemm(false, false, m, n, k, 1f, a, 0, b, 0, 0f, c, 0);
            SimpleMatrix ea = new SimpleMatrix(m, k);
            SimpleMatrix eb = new SimpleMatrix(k, n);
            for (int i = 0; i < m * k; i++) {
                ea.set(i / k, i % k, a[i]);
            }
            for (int i = 0; i < k * n; i++) {
                eb.set(i / n, i % n, b[i]);
            }
            SimpleMatrix ec = ea.mult(eb);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double tol = 2 * (k + 2) * EPS * k; // |a|,|b| ≤ 1
                    assertEquals(ec.get(i, j), c[i * n + j], tol, "C[" + i + "," + j + "] for " + m + "x" + n + "x" + k);
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        float[] a = {1, 2, 3, 4};
        float[] b = {1, 0, 0, 1};
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        SIMD.gemm(false, false, 2, 2, 2, 1f, a, 0, b, 0, 0f, c, 0);
        assertEquals(java.util.List.of(1f, 2f, 3f, 4f), java.util.List.of(c[0], c[1], c[2], c[3]));
    }

    @Test
    void batchedEqualsOneByOneIncludingBroadcast() {
        SplittableRandom r = new SplittableRandom(Props.SEED);
        int batch = 5, m = 7, n = 33, k = 9;
        float[] a = fill(r, batch * m * k);
        float[] b = fill(r, k * n);                   // stride 0: one B for every product
        float[] c = new float[batch * m * n];
        SIMD.gemmBatched(false, true, batch, m, n, k, 1f, a, m * k, b, 0, 0f, c, m * n);
        float[] expected = new float[batch * m * n];
        for (int i = 0; i < batch; i++) {
            SCALAR.gemm(false, true, m, n, k, 1f, a, i * m * k, b, 0, 0f, expected, i * m * n);
        }
        for (int i = 0; i < c.length; i++) {
            assertEquals(expected[i], c[i], 2 * (k + 2) * EPS * k, "element " + i);
        }
    }

    /**
     * Each product of a batch is the definition, on both kernels; the batch is large enough (2 × 170³
     * multiply-adds) that the SIMD kernel gives whole products to its threads.
     */
    @Test
    void batchedProductsAreEachTheDefinitionOnBothKernels() {
        SplittableRandom r = new SplittableRandom(Props.SEED);
        int batch = 2, m = 170, n = 171, k = 172;
        float alpha = 2f, beta = 0.5f;
        float[] a = fill(r, batch * m * k);               // each A stored (k, m): op(A) = Aᵀ
        float[] b = fill(r, batch * k * n);
        float[] c0 = fill(r, batch * m * n);
        for (Gemm g : new Gemm[] {SIMD, SCALAR}) {
            float[] c = c0.clone();
            g.gemmBatched(true, false, batch, m, n, k, alpha, a, m * k, b, k * n, beta, c, m * n);
            for (int q = 0; q < batch; q++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = 0, abs = 0;
                        for (int p = 0; p < k; p++) {
                            double term = (double) a[q * m * k + p * m + i] * b[q * k * n + p * n + j];
                            sum += term;
                            abs += Math.abs(term);
                        }
                        int at = q * m * n + i * n + j;
                        double expected = alpha * sum + beta * c0[at];
                        double tol = 2 * (k + 2) * EPS * (Math.abs(alpha) * abs + Math.abs(beta * c0[at]));
                        assertEquals(expected, c[at], tol, g.getClass().getSimpleName() + " product " + q
                                + " element (" + i + ", " + j + ")");
                    }
                }
            }
        }
    }

    @Test
    void badInputNamesKernelArgumentAndSizes() {
        var scalar = assertThrows(IllegalArgumentException.class,
                () -> SCALAR.gemm(true, false, 3, 4, 5, 1f, new float[14], 0, new float[20], 0, 0f, new float[12], 0));
        assertTrue(scalar.getMessage().contains("ScalarGemm.gemm") && scalar.getMessage().contains("A"),
                scalar.getMessage());
        var e = assertThrows(IllegalArgumentException.class,
                () -> SIMD.gemm(false, false, 3, 4, 5, 1f, new float[14], 0, new float[20], 0, 0f, new float[12], 0));
        assertTrue(e.getMessage().contains("SimdGemm.gemm") && e.getMessage().contains("A (3 x 5)")
                && e.getMessage().contains("14"), e.getMessage());
        var neg = assertThrows(IllegalArgumentException.class,
                () -> SIMD.gemm(false, false, -1, 4, 5, 1f, new float[0], 0, new float[20], 0, 0f, new float[0], 0));
        assertTrue(neg.getMessage().contains("m = -1"), neg.getMessage());
        var batched = assertThrows(IllegalArgumentException.class,
                () -> SCALAR.gemmBatched(false, false, 3, 2, 2, 2, 1f, new float[12], 4, new float[4], 0, 0f, new float[8], 4));
        assertTrue(batched.getMessage().contains("ScalarGemm.gemmBatched") && batched.getMessage().contains("C (2 x 2)"),
                batched.getMessage());
        // The SIMD kernel checks its batched arguments too (a mutant without the check survived PIT: it
        // failed later, with an index out of bounds instead of this message).
        var simdBatched = assertThrows(IllegalArgumentException.class,
                () -> SIMD.gemmBatched(false, false, 3, 2, 2, 2, 1f, new float[12], 4, new float[4], 0, 0f, new float[8], 4));
        assertTrue(simdBatched.getMessage().contains("SimdGemm.gemmBatched") && simdBatched.getMessage().contains("C (2 x 2)"),
                simdBatched.getMessage());
    }

    @Test
    void negativeControlWrongTransposeIsCaught() {
        // The comparison must notice a kernel that ignores transB: run the scalar twin with the flag
        // flipped on square problems, and the property must be falsified.
        String report = Props.expectFalsified(() -> Props.qt(50).forAll(integers().between(2, 12), integers().all())
                .checkAssert((size, seed) -> {
                    Problem p = Problem.random(seed, size, size, size);
                    Problem flipped = p.transposed(p.ta(), !p.tb());
                    assertClose(p, p.run(SCALAR), flipped.run(SIMD));
                }));
        assertTrue(report.contains("reference gives"), report);
    }
}
