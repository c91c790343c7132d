package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import org.ssmlab.testing.Props;

/**
 * Random GEMM problems and "GEMM X agrees with GEMM Y" as property bodies, shared by the SIMD versus
 * scalar test here and the OpenCL versus SIMD test of the OpenCL module.
 *
 * <p>Tolerance: a float dot product of length k has error at most about k·ε·Σ|a||b|, so each element is
 * compared within {@code 2·(k+2)·ε·(|alpha|·Σ_p|a_ip||b_pj| + |beta·c_ij|)} plus a tiny absolute slack.
 */
public final class GemmCases {

    /** The float machine epsilon, 2^-23. */
    public static final double EPS = Math.ulp(1f);

    private GemmCases() {
    }

    /**
     * A random product problem: sizes, transposes, scalars, offsets and the arrays (each with two
     * elements of slack after its matrix, so writes past C are seen).
     */
    public record Problem(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                          int aOff, int bOff, int cOff, float[] a, float[] b, float[] c) {

        /** Offsets 0..2, random transposes, alpha in {1, -0.5, 2}, beta in {0, 1, 0.25}, entries in [-1, 1). */
        public static Problem random(long seed, int m, int n, int k) {
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

        /** The same problem with the given scalars alpha and beta. */
        public Problem withScalars(float newAlpha, float newBeta) {
            return new Problem(ta, tb, m, n, k, newAlpha, newBeta, aOff, bOff, cOff, a, b, c);
        }

        /** The same problem with the given transpose flags. */
        public Problem transposed(boolean transA, boolean transB) {
            return new Problem(transA, transB, m, n, k, alpha, beta, aOff, bOff, cOff, a, b, c);
        }

        double aAt(int i, int p) {
            return ta ? a[aOff + p * m + i] : a[aOff + i * k + p];
        }

        double bAt(int p, int j) {
            return tb ? b[bOff + j * k + p] : b[bOff + p * n + j];
        }

        /** C after {@code g} computes the product on a copy. */
        public float[] run(Gemm g) {
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
                    + " alpha=" + alpha + " beta=" + beta + " offsets=" + aOff + "," + bOff + "," + cOff;
        }
    }

    /** {@code size} floats uniform in [-1, 1). */
    public static float[] fill(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Element-by-element agreement within the problem's tolerance; elements outside C untouched. */
    public static void assertClose(Problem p, float[] expected, float[] actual) {
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
        for (int at = 0; at < actual.length; at++) {
            if (at < p.cOff || at >= p.cOff + p.m * p.n) {
                assertEquals(p.c[at], actual[at], "elements outside C must be untouched");
            }
        }
    }

    /** {@code candidate} agrees with {@code reference} on random m, k in 0..40 and n in 0..70. */
    public static void agreeOnRandomSmallShapes(Gemm reference, Gemm candidate, int examples) {
        Props.qt(examples).forAll(integers().between(0, 40), integers().between(0, 70), integers().between(0, 40),
                integers().all()).checkAssert((m, n, k, seed) -> {
                    Problem p = Problem.random(seed, m, n, k);
                    assertClose(p, p.run(reference), p.run(candidate));
                });
    }

    /** {@code candidate} agrees with {@code reference} on each (m, n, k) of {@code shapes}, all four transposes. */
    public static void agreeOnShapes(Gemm reference, Gemm candidate, int[][] shapes) {
        long seed = Props.SEED;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                Problem p = Problem.random(seed++, s[0], s[1], s[2]).transposed((t & 1) != 0, (t & 2) != 0);
                assertClose(p, p.run(reference), p.run(candidate));
            }
        }
    }
}
