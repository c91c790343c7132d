package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.GemmCases.EPS;
import static org.ssmlab.simd.GemmCases.assertClose;
import static org.ssmlab.simd.GemmCases.fill;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;
import org.ssmlab.simd.GemmCases;
import org.ssmlab.simd.GemmCases.Problem;
import org.ssmlab.testing.Props;

/**
 * The OpenCL GEMM against the SIMD GEMM on random shapes (inside one tile, across tile edges), all
 * four transpose cases, alpha/beta, offsets, batches with stride-0 broadcast and gaps in C, and
 * beta = 0 ignoring NaN in C. Skipped when the machine has no OpenCL platform.
 *
 * <p>Tolerance, as in vector-simd's GEMM test ({@link GemmCases}): a float dot product of length k
 * has error at most about k·ε·Σ|a||b|, so each element is compared within
 * {@code 2·(k+2)·ε·(|alpha|·Σ_p|a_ip||b_pj| + |beta·c_ij|)} plus a tiny absolute slack.
 */
class OpenClGemmTest {

    private static final Gemm SIMD = Backend.simd().gemm();

    @Test
    void equalsSimdOnRandomSmallShapes() {
        GemmCases.agreeOnRandomSmallShapes(SIMD, Device.backend().gemm(), 100);
    }

    /** Shapes that cross the 64 x 64 tile of C and the 16-deep K step, in all four transpose cases. */
    @Test
    void equalsSimdAcrossTileEdges() {
        GemmCases.agreeOnShapes(SIMD, Device.backend().gemm(),
                new int[][] {{65, 130, 17}, {129, 63, 33}, {1, 200, 100}, {150, 1, 3}});
    }

    /** Negative control: a GEMM that drops the last term of every dot product is caught. */
    @Test
    void aGemmMissingOneTermIsCaught() {
        Gemm cl = Device.backend().gemm();
        Problem p = Problem.random(Props.SEED, 9, 11, 21).transposed(false, false);
        float[] wrong = p.c().clone();
        cl.gemm(false, false, p.m(), p.n(), p.k() - 1, p.alpha(), p.a(), p.aOff(), p.b(), p.bOff(), p.beta(), wrong, p.cOff());
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
