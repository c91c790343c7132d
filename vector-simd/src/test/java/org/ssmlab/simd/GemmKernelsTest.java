package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.ssmlab.testing.Props;

/**
 * The SIMD GEMM against its scalar twin and against EJML, on shapes that cross every edge of the
 * blocking: micro-tile tails (MR rows, NR columns), the KC, MC and NC block edges, the threaded split
 * by rows and by columns, and all four transpose cases.
 *
 * <p>Tolerance: a float dot product of length k has error at most about k·ε·Σ|a||b|, so each element is
 * compared within {@code 2·k·ε·(|alpha|·Σ_p|a_ip||b_pj| + |beta·c_ij|)} plus a tiny absolute slack.
 */
class GemmKernelsTest {

    private static final Gemm SIMD = new SimdGemm();
    private static final Gemm SCALAR = new ScalarGemm();
    private static final double EPS = Math.ulp(1f);

    /** A random product problem: sizes, transposes, scalars, offsets and the arrays. */
    record Problem(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                   int aOff, int bOff, int cOff, float[] a, float[] b, float[] c) {

        static Problem random(long seed, int m, int n, int k) {
            SplittableRandom r = new SplittableRandom(seed);
            int aOff = r.nextInt(3);
            int bOff = r.nextInt(3);
            int cOff = r.nextInt(3);
            float[] a = fill(r, aOff + m * k);
            float[] b = fill(r, bOff + k * n);
            float[] c = fill(r, cOff + m * n);
            float[] alphas = {1f, -0.5f, 2f};
            float[] betas = {0f, 1f, 0.25f};
            return new Problem(r.nextBoolean(), r.nextBoolean(), m, n, k,
                    alphas[r.nextInt(3)], betas[r.nextInt(3)], aOff, bOff, cOff, a, b, c);
        }

        double aAt(int i, int p) {
            return ta ? a[aOff + p * m + i] : a[aOff + i * k + p];
        }

        double bAt(int p, int j) {
            return tb ? b[bOff + j * k + p] : b[bOff + p * n + j];
        }

        float[] run(Gemm g) {
            float[] out = c.clone();
            g.gemm(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, out, cOff);
            return out;
        }

        /** The per-element tolerance described on the class. */
        double tolerance(int i, int j) {
            double mag = 0;
            for (int p = 0; p < k; p++) {
                mag += Math.abs(aAt(i, p) * bAt(p, j));
            }
            return 2 * (k + 2) * EPS * (Math.abs(alpha) * mag + Math.abs(beta * c[cOff + i * n + j])) + 1e-30;
        }

        String describe() {
            return "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb
                    + " alpha=" + alpha + " beta=" + beta;
        }
    }

    private static float[] fill(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Asserts that two results agree element by element within the problem's tolerance. */
    private static void assertClose(Problem p, float[] expected, float[] actual) {
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                int at = p.cOff + i * p.n + j;
                double tol = p.tolerance(i, j);
                if (!(Math.abs(expected[at] - actual[at]) <= tol)) {
                    throw new AssertionError(p.describe() + ": C[" + i + "," + j + "] = " + actual[at]
                            + " but the reference gives " + expected[at] + " (tolerance " + tol + ")");
                }
            }
        }
        for (int at = 0; at < p.cOff; at++) {
            assertEquals(p.c[at], actual[at], "elements before cOff must be untouched");
        }
    }

    @Test
    void simdEqualsScalarOnRandomSmallShapes() {
        Props.qt(150).forAll(integers().between(0, 40), integers().between(0, 70), integers().between(0, 40),
                integers().all()).checkAssert((m, n, k, seed) -> {
                    Problem p = Problem.random(seed, m, n, k);
                    assertClose(p, p.run(SCALAR), p.run(SIMD));
                });
    }

    @Test
    void simdEqualsScalarAcrossBlockEdgesAndThreads() {
        int[][] shapes = {
            {SimdGemm.MC + 13, 3 * SimdGemm.NR + 5, SimdGemm.KC + 37},   // crosses MC and KC
            {9, SimdGemm.NC + 40, 3},                                   // crosses NC
            {400, 40, 600},                                             // threaded split by rows
            {40, 400, 600},                                             // threaded split by columns
        };
        long seed = Props.SEED;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                Problem p = Problem.random(seed++, s[0], s[1], s[2]);
                p = new Problem((t & 1) != 0, (t & 2) != 0, p.m, p.n, p.k, p.alpha, p.beta,
                        p.aOff, p.bOff, p.cOff, p.a, p.b, p.c);
                assertClose(p, p.run(SCALAR), p.run(SIMD));
            }
        }
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

    @Test
    void badInputNamesKernelArgumentAndSizes() {
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
    }

    @Test
    void negativeControlWrongTransposeIsCaught() {
        // The comparison must notice a kernel that ignores transB: run the scalar twin with the flag
        // flipped on square problems, and the property must be falsified.
        String report = Props.expectFalsified(() -> Props.qt(50).forAll(integers().between(2, 12), integers().all())
                .checkAssert((size, seed) -> {
                    Problem p = Problem.random(seed, size, size, size);
                    Problem flipped = new Problem(p.ta, !p.tb, p.m, p.n, p.k, p.alpha, p.beta,
                            p.aOff, p.bOff, p.cOff, p.a, p.b, p.c);
                    assertClose(p, p.run(SCALAR), flipped.run(SIMD));
                }));
        assertTrue(report.contains("reference gives"), report);
    }
}
