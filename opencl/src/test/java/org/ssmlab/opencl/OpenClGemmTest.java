package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;
import org.ssmlab.testing.Props;

/**
 * The OpenCL GEMM against the SIMD GEMM on random shapes (inside one tile, across tile edges), all
 * four transpose cases, alpha/beta, offsets, batches with stride-0 broadcast and gaps in C, and
 * beta = 0 ignoring NaN in C. Skipped when the machine has no OpenCL platform.
 *
 * <p>Tolerance, as in vector-simd's GEMM test: a float dot product of length k has error at most
 * about k·ε·Σ|a||b|, so each element is compared within
 * {@code 2·(k+2)·ε·(|alpha|·Σ_p|a_ip||b_pj| + |beta·c_ij|)} plus a tiny absolute slack.
 */
class OpenClGemmTest {

    private static final Gemm SIMD = Backend.simd().gemm();
    private static final double EPS = Math.ulp(1f);

    /** A random product problem: sizes, transposes, scalars, offsets and the arrays. */
    record Problem(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                   int aOff, int bOff, int cOff, float[] a, float[] b, float[] c) {

        static Problem random(long seed, int m, int n, int k) {
            SplittableRandom r = new SplittableRandom(seed);
            int aOff = r.nextInt(3);
            int bOff = r.nextInt(3);
            int cOff = r.nextInt(3);
            float[] alphas = {1f, -0.5f, 2f};
            float[] betas = {0f, 1f, 0.25f};
            return new Problem(r.nextBoolean(), r.nextBoolean(), m, n, k,
                    alphas[r.nextInt(3)], betas[r.nextInt(3)], aOff, bOff, cOff,
                    fill(r, aOff + m * k + 2), fill(r, bOff + k * n + 2), fill(r, cOff + m * n + 2));
        }

        Problem transposed(boolean transA, boolean transB) {
            return new Problem(transA, transB, m, n, k, alpha, beta, aOff, bOff, cOff, a, b, c);
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

        double tolerance(int i, int j) {
            double mag = 0;
            for (int p = 0; p < k; p++) {
                mag += Math.abs(aAt(i, p) * bAt(p, j));
            }
            return 2 * (k + 2) * EPS * (Math.abs(alpha) * mag + Math.abs(beta * c[cOff + i * n + j])) + 1e-30;
        }

        String describe() {
            return "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb
                    + " alpha=" + alpha + " beta=" + beta + " offsets=" + aOff + "," + bOff + "," + cOff;
        }
    }

    private static float[] fill(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Element-by-element agreement within the tolerance; elements outside C untouched. */
    private static void assertClose(Problem p, float[] expected, float[] actual) {
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                int at = p.cOff + i * p.n + j;
                double tol = p.tolerance(i, j);
                if (!(Math.abs(expected[at] - actual[at]) <= tol)) {
                    throw new AssertionError(p.describe() + ": C[" + i + "," + j + "] = " + actual[at]
                            + " but SIMD gives " + expected[at] + " (tolerance " + tol + ")");
                }
            }
        }
        for (int at = 0; at < actual.length; at++) {
            if (at < p.cOff || at >= p.cOff + p.m * p.n) {
                assertEquals(p.c[at], actual[at], "elements outside C must be untouched");
            }
        }
    }

    @Test
    void equalsSimdOnRandomSmallShapes() {
        Gemm cl = Device.backend().gemm();
        Props.qt(100).forAll(integers().between(0, 40), integers().between(0, 70), integers().between(0, 40),
                integers().all()).checkAssert((m, n, k, seed) -> {
                    Problem p = Problem.random(seed, m, n, k);
                    assertClose(p, p.run(SIMD), p.run(cl));
                });
    }

    /** Shapes that cross the 64 x 64 tile of C and the 16-deep K step, in all four transpose cases. */
    @Test
    void equalsSimdAcrossTileEdges() {
        Gemm cl = Device.backend().gemm();
        int[][] shapes = {{65, 130, 17}, {129, 63, 33}, {1, 200, 100}, {150, 1, 3}};
        long seed = Props.SEED;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                Problem p = Problem.random(seed++, s[0], s[1], s[2]).transposed((t & 1) != 0, (t & 2) != 0);
                assertClose(p, p.run(SIMD), p.run(cl));
            }
        }
    }

    /** Negative control: a GEMM that drops the last term of every dot product is caught. */
    @Test
    void aGemmMissingOneTermIsCaught() {
        Gemm cl = Device.backend().gemm();
        Problem p = Problem.random(Props.SEED, 9, 11, 21).transposed(false, false);
        float[] wrong = p.c.clone();
        cl.gemm(false, false, p.m, p.n, p.k - 1, p.alpha, p.a, p.aOff, p.b, p.bOff, p.beta, wrong, p.cOff);
        AssertionError e = assertThrows(AssertionError.class, () -> assertClose(p, p.run(SIMD), wrong));
        assertTrue(e.getMessage().contains("C["), e.getMessage());
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        Gemm cl = Device.backend().gemm();
        float[] a = {1, 2, 3, 4};
        float[] b = {1, 0, 0, 1};
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        cl.gemm(false, false, 2, 2, 2, 1f, a, 0, b, 0, 0f, c, 0);
        assertEquals(List.of(1f, 2f, 3f, 4f), List.of(c[0], c[1], c[2], c[3]));
    }

    @Test
    void batchedEqualsSimdWithBroadcastAndGaps() {
        Gemm cl = Device.backend().gemm();
        SplittableRandom r = new SplittableRandom(Props.SEED);
        int batch = 5;
        int m = 7;
        int n = 33;
        int k = 9;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            float beta = t == 3 ? 0f : 0.5f;
            int strideA = m * k + 3;              // gaps between the A matrices
            int strideC = m * n + 4;              // gaps between the C matrices must stay untouched
            float[] a = fill(r, batch * strideA);
            float[] b = fill(r, k * n);           // stride 0: one B for every product
            float[] c = fill(r, batch * strideC);
            float[] expected = c.clone();
            float[] actual = c.clone();
            SIMD.gemmBatched(ta, tb, batch, m, n, k, 1.5f, a, strideA, b, 0, beta, expected, strideC);
            cl.gemmBatched(ta, tb, batch, m, n, k, 1.5f, a, strideA, b, 0, beta, actual, strideC);
            for (int i = 0; i < c.length; i++) {
                int within = i % strideC;
                if (within >= m * n || i / strideC >= batch) {
                    assertEquals(c[i], actual[i], "gap element " + i + " must be untouched");
                } else {
                    // |a|, |b| ≤ 1: the dot product's magnitude is at most k.
                    double tol = 2 * (k + 2) * EPS * (1.5 * k + Math.abs(beta * c[i])) + 1e-30;
                    assertEquals(expected[i], actual[i], tol, "batched C element " + i + " transA=" + ta + " transB=" + tb);
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheKernelName() {
        Gemm cl = Device.backend().gemm();
        float[] six = new float[6];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cl.gemm(false, false, 2, 3, 4, 1f, six, 0, six, 0, 0f, six, 0));
        assertTrue(e.getMessage().startsWith("OpenClGemm.gemm: A (2 x 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cl.gemmBatched(false, false, 2, 1, 1, 1, 1f, six, 1, six, 1, 0f, six, 0));
        assertTrue(e.getMessage().startsWith("OpenClGemm.gemmBatched: strideC = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cl.gemm(false, false, -1, 3, 4, 1f, six, 0, six, 0, 0f, six, 0));
        assertTrue(e.getMessage().startsWith("OpenClGemm.gemm: m = -1"), e.getMessage());
    }
}
