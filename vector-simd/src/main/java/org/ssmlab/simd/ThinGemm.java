package org.ssmlab.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for a thin result, C (m × n) with n narrower than the micro-tile's NR columns, as attention
 * with a small head produces (P·V, dS·K and Pᵀ·dY are (L × L)·(L × h)). Through the packed path such a
 * product computes mostly the zero padding of its B panels (n = 8 of NR = 32 columns with AVX-512),
 * and packing the large A costs as much as the arithmetic. Two forms avoid both:
 *
 * <ul>
 *   <li><b>op(A) = A</b> (rows contiguous along p): each C[i, j] is the dot product of A's row i with
 *   column j of op(B), so op(B)ᵀ is laid out as n contiguous rows (it already is when op(B) = Bᵀ) and
 *   every row of A streams once from memory against them, in blocks of 2 rows × 4 columns of C
 *   (8 accumulators, 2 rows of A and one of op(B)ᵀ: 11 vector registers, within AVX2's 16).</li>
 *   <li><b>op(A) = Aᵀ</b> (A stored (k, m)): Cᵀ = op(B)ᵀ · A is a product whose result is wide (m
 *   columns) and whose B operand packs by contiguous row copies; it runs on the packed path into a
 *   scratch (n × m) and is transposed into C.</li>
 * </ul>
 * Each element of C is computed whole by one thread, so the result does not depend on the thread count.
 */
final class ThinGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of C per block of the dot-product form (with 2 rows: 8 accumulators). */
    private static final int COLS = 4;

    private ThinGemm() {
    }

    /**
     * C ← alpha · op(A)·op(B) + beta · C for n &lt; nr; {@code wide} runs the transposed form's product
     * on the packed path.
     */
    static void gemm(SimdGemm wide, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff, long parallelWork) {
        if (transA) {
            float[] t = new float[n * m];             // T = Cᵀ without alpha and beta: T = op(B)ᵀ · A
            wide.gemm(!transB, false, n, m, k, 1f, b, bOff, a, aOff, 0f, t, 0);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    c[row + j] = beta == 0f ? alpha * t[j * m + i] : Math.fma(alpha, t[j * m + i], beta * c[row + j]);
                }
            }
            return;
        }
        // op(B)ᵀ as n rows of length k: B itself when it is stored (n, k), else B (k, n) transposed.
        float[] bt;
        int btOff;
        if (transB) {
            bt = b;
            btOff = bOff;
        } else {
            bt = new float[n * k];
            btOff = 0;
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bt[j * k + p] = b[bOff + p * n + j];
                }
            }
        }
        Operands op = new Operands(m, n, k, alpha, a, aOff, bt, btOff, beta, c, cOff);
        long work = (long) m * n * Math.max(k, 1);
        if (work < parallelWork || Parallel.threads() == 1) {
            rows(op, 0, m);
        } else {
            Parallel.forRange((m + 1) / 2, 1, (from, to) -> rows(op, 2 * from, Math.min(m, 2 * to)));
        }
    }

    /** A (m, k) row-major, Bᵀ (n, k) row-major, C (m, n). */
    private record Operands(int m, int n, int k, float alpha, float[] a, int aOff, float[] bt, int btOff,
                            float beta, float[] c, int cOff) {
    }

    /** Rows [i0, i1) of C, two at a time, then a single last row. */
    private static void rows(Operands op, int i0, int i1) {
        int i = i0;
        for (; i + 2 <= i1; i += 2) {
            for (int j = 0; j < op.n; j += COLS) {
                block(op, i, 2, j, Math.min(COLS, op.n - j));
            }
        }
        if (i < i1) {
            for (int j = 0; j < op.n; j += COLS) {
                block(op, i, 1, j, Math.min(COLS, op.n - j));
            }
        }
    }

    /**
     * C[i0 + r, j0 + q] for r &lt; rows (1 or 2), q &lt; cols (1..4): dot products of A's rows with Bᵀ's
     * rows, accumulated in vectors with fused multiply-adds, then across lanes, then the scalar tail.
     * Unused accumulators of a narrow block multiply a repeated row and are discarded (the block shape
     * stays fixed so that the loop keeps its 8 accumulators in registers).
     */
    private static void block(Operands op, int i0, int rows, int j0, int cols) {
        int k = op.k;
        int a0 = op.aOff + i0 * k;
        int a1 = rows == 2 ? a0 + k : a0;
        int b0 = op.btOff + j0 * k;
        int b1 = cols > 1 ? b0 + k : b0;
        int b2 = cols > 2 ? b0 + 2 * k : b0;
        int b3 = cols > 3 ? b0 + 3 * k : b0;
        float[] a = op.a;
        float[] bt = op.bt;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        int bound = S.loopBound(k);
        int p = 0;
        for (; p < bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector y = FloatVector.fromArray(S, bt, b0 + p);
            c00 = x0.fma(y, c00);
            c10 = x1.fma(y, c10);
            y = FloatVector.fromArray(S, bt, b1 + p);
            c01 = x0.fma(y, c01);
            c11 = x1.fma(y, c11);
            y = FloatVector.fromArray(S, bt, b2 + p);
            c02 = x0.fma(y, c02);
            c12 = x1.fma(y, c12);
            y = FloatVector.fromArray(S, bt, b3 + p);
            c03 = x0.fma(y, c03);
            c13 = x1.fma(y, c13);
        }
        float[] dots = {
            VectorMath.sum(c00), VectorMath.sum(c01), VectorMath.sum(c02), VectorMath.sum(c03),
            VectorMath.sum(c10), VectorMath.sum(c11), VectorMath.sum(c12), VectorMath.sum(c13)};
        int[] bRows = {b0, b1, b2, b3};
        for (int r = 0; r < rows; r++) {
            int ar = r == 0 ? a0 : a1;
            int crow = op.cOff + (i0 + r) * op.n + j0;
            for (int q = 0; q < cols; q++) {
                float s = dots[r * COLS + q];
                for (int t = bound; t < k; t++) {
                    s = Math.fma(a[ar + t], bt[bRows[q] + t], s);
                }
                op.c[crow + q] = op.beta == 0f ? op.alpha * s : Math.fma(op.alpha, s, op.beta * op.c[crow + q]);
            }
        }
    }
}
