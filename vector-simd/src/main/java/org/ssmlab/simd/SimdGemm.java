package org.ssmlab.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM on the Vector API, organised the way BLIS and GotoBLAS organise it:
 *
 * <pre>
 *   for each column block of C (NC wide)           ── B block lives in L3 / L2
 *     for each slice of the inner dimension (KC)   ── pack op(B)[pc.., jc..] into NR-wide panels
 *       for each row block of C (MC tall)          ── pack op(A)[ic.., pc..] into MR-tall panels (L2)
 *         for each NR panel of B                   ── one B panel stays in L1
 *           for each MR panel of A
 *             micro-kernel: C[MR x NR] += alpha · Apanel · Bpanel   (MR·NR/L accumulators in registers)
 * </pre>
 *
 * Packing turns every transpose case into the same contiguous layout, so one register-tiled
 * micro-kernel serves A·B, Aᵀ·B, A·Bᵀ and Aᵀ·Bᵀ. Edge tiles (fewer than MR rows or NR columns) run the
 * same kernel on zero-padded panels into a scratch tile, then add the valid part into C.
 *
 * <p>Threads split C into disjoint column (or row) ranges, each with its own packing buffers, so the
 * result does not depend on the thread count and no two threads write the same element.
 */
public final class SimdGemm implements Gemm {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Micro-tile rows: one broadcast of A per row and step of the inner dimension. */
    static final int MR = 8;
    /** Micro-tile columns: two vectors of B. */
    static final int NR = 2 * L;
    /** Inner-dimension slice: a B panel (KC·NR floats) fits L1, an A block (MC·KC) fits L2. */
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 2048;
    /** Below this many multiply-adds a product runs on one thread. */
    private static final long PARALLEL_WORK = 1L << 23;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread packing buffers, allocated once at their largest size. */
    private static final class Buffers {
        final float[] packedA = new float[MC * KC];
        final float[] packedB = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    /** The operands of one product, as given by the caller. */
    private record Operands(boolean transA, boolean transB, int m, int n, int k,
                            float alpha, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, float[] b, int bOff,
                     float beta, float[] c, int cOff) {
        GemmChecks.one("SimdGemm.gemm", m, n, k, a, aOff, b, bOff, c, cOff);
        Operands op = new Operands(transA, transB, m, n, k, alpha, a, aOff, b, bOff, c, cOff);
        long work = (long) m * n * Math.max(k, 1);
        if (work < PARALLEL_WORK || Parallel.threads() == 1) {
            region(op, beta, 0, m, 0, n);
        } else if (n >= m) {
            int panels = (n + NR - 1) / NR;
            Parallel.forRange(panels, 1, (from, to) -> region(op, beta, 0, m, from * NR, Math.min(n, to * NR)));
        } else {
            int panels = (m + MR - 1) / MR;
            Parallel.forRange(panels, 1, (from, to) -> region(op, beta, from * MR, Math.min(m, to * MR), 0, n));
        }
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
                            float alpha, float[] a, int strideA, float[] b, int strideB,
                            float beta, float[] c, int strideC) {
        GemmChecks.batched("SimdGemm.gemmBatched", batch, m, n, k, a, strideA, b, strideB, c, strideC);
        long work = (long) m * n * Math.max(k, 1);
        if (batch >= Parallel.threads() && work * batch >= PARALLEL_WORK) {
            // Whole products per thread; the nested gemm calls run inline on their thread.
            Parallel.forRange(batch, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    gemm(transA, transB, m, n, k, alpha, a, i * strideA, b, i * strideB, beta, c, i * strideC);
                }
            });
        } else {
            for (int i = 0; i < batch; i++) {
                gemm(transA, transB, m, n, k, alpha, a, i * strideA, b, i * strideB, beta, c, i * strideC);
            }
        }
    }

    /** Computes rows [i0, i1) × columns [j0, j1) of C on the calling thread. */
    private static void region(Operands op, float beta, int i0, int i1, int j0, int j1) {
        scale(op, beta, i0, i1, j0, j1);
        if (op.k == 0 || op.alpha == 0f) {
            return;
        }
        Buffers buf = BUFFERS.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < op.k; pc += KC) {
                int kc = Math.min(KC, op.k - pc);
                packB(op, pc, kc, jc, nc, buf.packedB);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(op, ic, mc, pc, kc, buf.packedA);
                    macroKernel(op, buf, ic, mc, jc, nc, kc);
                }
            }
        }
    }

    /** C ← beta · C on the region; beta = 0 overwrites (so NaN in the old C does not survive). */
    private static void scale(Operands op, float beta, int i0, int i1, int j0, int j1) {
        if (beta == 1f) {
            return;
        }
        for (int i = i0; i < i1; i++) {
            int row = op.cOff + i * op.n;
            for (int j = j0; j < j1; j++) {
                op.c[row + j] = beta == 0f ? 0f : beta * op.c[row + j];
            }
        }
    }

    /**
     * Packs op(A)[ic .. ic+mc, pc .. pc+kc] into MR-row panels: panel q holds, for each p, the MR values
     * op(A)[ic + q·MR + r, pc + p] at {@code q·MR·kc + p·MR + r}, zero past the last row.
     */
    private static void packA(Operands op, int ic, int mc, int pc, int kc, float[] dst) {
        float[] a = op.a;
        for (int q = 0; q * MR < mc; q++) {
            int base = q * MR * kc;
            int rows = Math.min(MR, mc - q * MR);
            int i0 = ic + q * MR;
            if (op.transA) {                     // A stored (k, m): op(A)[i, p] = A[p, i], rows contiguous in memory
                for (int p = 0; p < kc; p++) {
                    int src = op.aOff + (pc + p) * op.m + i0;
                    int d = base + p * MR;
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = rows; r < MR; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {                             // A stored (m, k): each row contiguous along p
                for (int r = 0; r < MR; r++) {
                    if (r >= rows) {
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * MR + r] = 0f;
                        }
                        continue;
                    }
                    int src = op.aOff + (i0 + r) * op.k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * MR + r] = a[src + p];
                    }
                }
            }
        }
    }

    /**
     * Packs op(B)[pc .. pc+kc, jc .. jc+nc] into NR-column panels: panel q holds, for each p, the NR values
     * op(B)[pc + p, jc + q·NR + c] at {@code q·NR·kc + p·NR + c}, zero past the last column.
     */
    private static void packB(Operands op, int pc, int kc, int jc, int nc, float[] dst) {
        float[] b = op.b;
        for (int q = 0; q * NR < nc; q++) {
            int base = q * NR * kc;
            int cols = Math.min(NR, nc - q * NR);
            int j = jc + q * NR;
            if (op.transB) {                     // B stored (n, k): op(B)[p, j] = B[j, p], read each row of B along p
                for (int col = 0; col < cols; col++) {
                    int src = op.bOff + (j + col) * op.k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * NR + col] = b[src + p];
                    }
                }
                for (int p = 0; p < kc; p++) {
                    for (int col = cols; col < NR; col++) {
                        dst[base + p * NR + col] = 0f;
                    }
                }
            } else {                             // B stored (k, n): rows contiguous
                for (int p = 0; p < kc; p++) {
                    int d = base + p * NR;
                    System.arraycopy(b, op.bOff + (pc + p) * op.n + j, dst, d, cols);
                    for (int col = cols; col < NR; col++) {
                        dst[d + col] = 0f;
                    }
                }
            }
        }
    }

    /** Runs the micro-kernel over every MR × NR tile of the packed blocks. */
    private static void macroKernel(Operands op, Buffers buf, int ic, int mc, int jc, int nc, int kc) {
        for (int jq = 0; jq * NR < nc; jq++) {
            int cols = Math.min(NR, nc - jq * NR);
            int bBase = jq * NR * kc;
            for (int iq = 0; iq * MR < mc; iq++) {
                int rows = Math.min(MR, mc - iq * MR);
                int aBase = iq * MR * kc;
                int cAt = op.cOff + (ic + iq * MR) * op.n + jc + jq * NR;
                if (rows == MR && cols == NR) {
                    microKernel(buf.packedA, aBase, buf.packedB, bBase, kc, op.alpha, op.c, cAt, op.n);
                } else {
                    float[] tile = buf.tile;
                    Arrays.fill(tile, 0f);
                    microKernel(buf.packedA, aBase, buf.packedB, bBase, kc, op.alpha, tile, 0, NR);
                    for (int r = 0; r < rows; r++) {
                        for (int col = 0; col < cols; col++) {
                            op.c[cAt + r * op.n + col] += tile[r * NR + col];
                        }
                    }
                }
            }
        }
    }

    /**
     * C[0..MR, 0..NR] += alpha · Σ_p Apanel[p, 0..MR] ⊗ Bpanel[p, 0..NR], with C at {@code cAt} and row
     * stride {@code ldc}. Sixteen accumulators (MR rows × two vectors) stay in registers for the whole
     * inner loop; each step broadcasts one A value per row and does two fused multiply-adds.
     */
    private static void microKernel(float[] ap, int aBase, float[] bp, int bBase, int kc,
                                    float alpha, float[] c, int cAt, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int bo = bBase + p * NR;
            int ao = aBase + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        // C += alpha · acc, row by row (written out so that C2 keeps the accumulators in registers).
        FloatVector al = FloatVector.broadcast(S, alpha);
        int at = cAt;
        c00.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c01.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c10.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c11.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c20.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c21.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c30.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c31.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c40.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c41.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c50.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c51.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c60.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c61.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
        at += ldc;
        c70.fma(al, FloatVector.fromArray(S, c, at)).intoArray(c, at);
        c71.fma(al, FloatVector.fromArray(S, c, at + L)).intoArray(c, at + L);
    }
}
