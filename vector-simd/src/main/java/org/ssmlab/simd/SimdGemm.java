package org.ssmlab.simd;

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
 * <p>The micro-tile MR × NR is chosen from the machine's vector length and register file
 * ({@link GemmTile}): 6 rows × 2 vectors with AVX2's 16 registers, a larger tile with AVX-512's 32.
 *
 * Packing turns every transpose case into the same contiguous layout, so one register-tiled
 * micro-kernel serves A·B, Aᵀ·B, A·Bᵀ and Aᵀ·Bᵀ. The kernel accumulates a tile into a
 * per-thread scratch array; alpha times its valid part is then added into C (edge tiles, with fewer
 * than MR rows or NR columns, come from zero-padded panels).
 *
 * <p>A result narrower than NR columns takes {@link ThinGemm}'s dot-product or transposed form instead.
 *
 * <p>Threads split C into disjoint column (or row) ranges, each with its own packing buffers, so the
 * result does not depend on the thread count and no two threads write the same element.
 */
public final class SimdGemm implements Gemm {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Inner-dimension slice. Each slice loads and stores every C tile once, so a long slice amortises
     * that; measured on AVX2 and AVX-512 (6 × 2 and 12 × 2 tiles), 512 beat 128 to 384 at n = 1024
     * with the same speed at n = 256. The packed B panel (KC × NR floats) then sits in L2, not L1.
     */
    static final int KC = 512;
    /** Column block: a packed B block (KC·NC floats) lives in L2 / L3. */
    static final int NC = 2048;
    /** Below this many multiply-adds a product runs on one thread. */
    private static final long PARALLEL_WORK = 1L << 23;

    /** The micro-tile; mr, nr and the row block mc follow from it. */
    private final GemmTile tile;
    private final int mr;
    private final int nr;
    private final int mcMax;
    private final ThreadLocal<Buffers> buffers;

    /** Per-thread packing buffers, allocated once at their largest size. */
    private static final class Buffers {
        final float[] packedA;
        final float[] packedB;
        final float[] tile;

        Buffers(int mc, int kc, int mr, int nr) {
            packedA = new float[mc * kc + L];    // L spare: packA's vector copy of the last step runs past it
            packedB = new float[kc * NC];
            tile = new float[mr * nr];
        }
    }

    /** The operands of one product, as given by the caller. */
    private record Operands(boolean transA, boolean transB, int m, int n, int k,
                            float alpha, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    }

    /** GEMM with this machine's micro-tile ({@link GemmTile#forMachine()}). */
    public SimdGemm() {
        this(GemmTile.forMachine());
    }

    /** GEMM with the given micro-tile (tests run every shape; benchmarks compare them). */
    SimdGemm(GemmTile tile) {
        this.tile = tile;
        this.mr = tile.rows;
        this.nr = tile.columns();
        this.mcMax = tile.mc();
        this.buffers = ThreadLocal.withInitial(() -> new Buffers(mcMax, KC, mr, nr));
    }

    /**
     * The micro-tile this machine's GEMM runs, as {@code ROWSxVECTORS (ROWS x COLUMNS floats)}, e.g.
     * {@code 6x2 (6 x 16 floats)} with AVX2.
     */
    public static String machineTileName() {
        GemmTile t = GemmTile.forMachine();
        return t + " (" + t.rows + " x " + t.columns() + " floats)";
    }

    /** The micro-tile this instance runs. */
    GemmTile tile() {
        return tile;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, float[] b, int bOff,
                     float beta, float[] c, int cOff) {
        GemmChecks.one("SimdGemm.gemm", m, n, k, a, aOff, b, bOff, c, cOff);
        if (n < nr && k > 0 && alpha != 0f && (!transA || m >= nr)) {
            // a thin result: the packed path would mostly compute zero padding (the transposed form needs
            // a wide m, or it would come back here)
            ThinGemm.gemm(this, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, PARALLEL_WORK);
            return;
        }
        Operands op = new Operands(transA, transB, m, n, k, alpha, a, aOff, b, bOff, c, cOff);
        long work = (long) m * n * Math.max(k, 1);
        if (work < PARALLEL_WORK || Parallel.threads() == 1) {
            region(op, beta, 0, m, 0, n);
        } else if (n >= m) {
            int panels = (n + nr - 1) / nr;
            Parallel.forRange(panels, 1, (from, to) -> region(op, beta, 0, m, from * nr, Math.min(n, to * nr)));
        } else {
            int panels = (m + mr - 1) / mr;
            Parallel.forRange(panels, 1, (from, to) -> region(op, beta, from * mr, Math.min(m, to * mr), 0, n));
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
    private void region(Operands op, float beta, int i0, int i1, int j0, int j1) {
        boolean products = op.k > 0 && op.alpha != 0f;
        // With beta = 0 the first inner-dimension slice writes every element of the region (0 + alpha·acc),
        // so C is neither cleared beforehand nor read by that slice.
        boolean overwrite = beta == 0f && products;
        if (!overwrite) {
            scale(op, beta, i0, i1, j0, j1);
        }
        if (!products) {
            return;
        }
        Buffers buf = buffers.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < op.k; pc += KC) {
                int kc = Math.min(KC, op.k - pc);
                packB(op, pc, kc, jc, nc, buf.packedB);
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    packA(op, ic, mc, pc, kc, buf.packedA);
                    macroKernel(op, buf, ic, mc, jc, nc, kc, overwrite && pc == 0);
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
     * Packs op(A)[ic .. ic+mc, pc .. pc+kc] into mr-row panels: panel q holds, for each p, the mr values
     * op(A)[ic + q·mr + r, pc + p] at {@code q·mr·kc + p·mr + r}, zero past the last row.
     */
    private void packA(Operands op, int ic, int mc, int pc, int kc, float[] dst) {
        float[] a = op.a;
        for (int q = 0; q * mr < mc; q++) {
            int base = q * mr * kc;
            int rows = Math.min(mr, mc - q * mr);
            int i0 = ic + q * mr;
            if (op.transA) {                     // A stored (k, m): op(A)[i, p] = A[p, i], rows contiguous in memory
                // A whole panel's mr values of a step are contiguous in A: one vector copies them (mr ≤ L), and
                // its L − mr values past them land where the next step (or panel) writes next, or in dst's spare.
                boolean vectorCopy = rows == mr && mr <= L;
                for (int p = 0; p < kc; p++) {
                    int src = op.aOff + (pc + p) * op.m + i0;
                    int d = base + p * mr;
                    if (vectorCopy && src + L <= a.length) {
                        FloatVector.fromArray(S, a, src).intoArray(dst, d);
                        continue;
                    }
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = rows; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {                             // A stored (m, k): each row contiguous along p
                for (int r = 0; r < mr; r++) {
                    if (r >= rows) {
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * mr + r] = 0f;
                        }
                        continue;
                    }
                    int src = op.aOff + (i0 + r) * op.k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * mr + r] = a[src + p];
                    }
                }
            }
        }
    }

    /**
     * Packs op(B)[pc .. pc+kc, jc .. jc+nc] into nr-column panels: panel q holds, for each p, the nr values
     * op(B)[pc + p, jc + q·nr + c] at {@code q·nr·kc + p·nr + c}, zero past the last column.
     */
    private void packB(Operands op, int pc, int kc, int jc, int nc, float[] dst) {
        float[] b = op.b;
        for (int q = 0; q * nr < nc; q++) {
            int base = q * nr * kc;
            int cols = Math.min(nr, nc - q * nr);
            int j = jc + q * nr;
            if (op.transB) {                     // B stored (n, k): op(B)[p, j] = B[j, p], read each row of B along p
                for (int col = 0; col < cols; col++) {
                    int src = op.bOff + (j + col) * op.k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * nr + col] = b[src + p];
                    }
                }
                for (int p = 0; p < kc; p++) {
                    for (int col = cols; col < nr; col++) {
                        dst[base + p * nr + col] = 0f;
                    }
                }
            } else {                             // B stored (k, n): rows contiguous
                for (int p = 0; p < kc; p++) {
                    int d = base + p * nr;
                    System.arraycopy(b, op.bOff + (pc + p) * op.n + j, dst, d, cols);
                    for (int col = cols; col < nr; col++) {
                        dst[d + col] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Runs the micro-kernel over every mr × nr tile of the packed blocks. The kernel leaves its
     * accumulators in the per-thread tile; {@link #addTile} then adds alpha times it into C (or writes it,
     * with {@code overwrite}: the first slice of a product with beta = 0). Keeping C,
     * its stride and alpha out of the kernel leaves the registers to the accumulators (with AVX2's 16
     * registers, every live value across the inner loop counts).
     */
    private void macroKernel(Operands op, Buffers buf, int ic, int mc, int jc, int nc, int kc, boolean overwrite) {
        float[] acc = buf.tile;
        for (int jq = 0; jq * nr < nc; jq++) {
            int cols = Math.min(nr, nc - jq * nr);
            int bBase = jq * nr * kc;
            for (int iq = 0; iq * mr < mc; iq++) {
                int rows = Math.min(mr, mc - iq * mr);
                int aBase = iq * mr * kc;
                int cAt = op.cOff + (ic + iq * mr) * op.n + jc + jq * nr;
                tile.kernel(buf.packedA, aBase, buf.packedB, bBase, kc, acc);
                addTile(acc, nr, op.alpha, op.c, cAt, op.n, rows, cols, overwrite);
            }
        }
    }

    /**
     * C[r, col] += alpha · acc[r, col] for the valid {@code rows × cols} part of a tile ({@code acc} has
     * row stride {@code nr}; the rest of it is padding from zero-filled panels). With {@code overwrite},
     * C[r, col] = 0 + alpha · acc[r, col] without reading C: the same bits as adding into a C of zeros
     * (+0 where alpha · acc is −0), for the first slice of a product with beta = 0.
     */
    private static void addTile(float[] acc, int nr, float alpha, float[] c, int cAt, int ldc, int rows, int cols,
                                boolean overwrite) {
        int full = S.loopBound(cols);
        FloatVector al = FloatVector.broadcast(S, alpha);
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            int cr = cAt + r * ldc;
            int ar = r * nr;
            for (int col = 0; col < full; col += L) {
                FloatVector old = overwrite ? zero : FloatVector.fromArray(S, c, cr + col);
                FloatVector.fromArray(S, acc, ar + col).fma(al, old).intoArray(c, cr + col);
            }
            for (int col = full; col < cols; col++) {
                c[cr + col] = Math.fma(alpha, acc[ar + col], overwrite ? 0f : c[cr + col]);
            }
        }
    }
}
