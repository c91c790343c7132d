package org.ssmlab.simd;

import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.SimdScans.load;
import static org.ssmlab.simd.VectorMath.sigmoid;

import jdk.incubator.vector.FloatVector;
import org.ssmlab.simd.Scans.Selective;

/**
 * Mamba's selective scan (Eq. 3) of {@link SimdScans}: the forward with its chunk checkpoints and the
 * backward, as written on {@link Scans#selectiveForward} and {@link Scans#selectiveBackward}; the
 * scalar twin, {@link ScalarSelectiveScan}, is the version to read.
 *
 * <p>With lanes over d, the state of one d-vector is N_total vectors, the step ā = exp(Δ_t[d] A[d,n])
 * is one vector exp per (t, n) ({@link VectorMath#exp}), y_t is a vertical sum over n (no horizontal reduction), and the
 * gradients of A, D, Δ, u are vertical too. Only gB_t[n] and gC_t[n] sum over d: the backward adds the
 * lane-wise products of a group of d-vectors (a channel block) vertically and reduces across lanes ({@link VectorMath#sum}) once
 * per (t, n) and block; each task writes its block's partial sums, added in a fixed order at the end —
 * the result does not depend on the thread count. The forward keeps a checkpoint of the state every
 * {@code chunk} steps; the backward recomputes one chunk of the block's d-vectors (states and ā) into
 * a buffer, then runs it backwards ({@link SimdSelectiveBackwardWorker}). Channels left over after the
 * last full d-vector go through the scalar twin. Arguments are checked by {@link CheckedScans}.
 *
 * <p>In the loops over the learnable states, products that are added (h = ā h + Δ u B, y += C h, and the
 * backward's accumulations) are fused multiply-adds, rounded once, where the scalar twin rounds the
 * product and the sum (the polarized channels keep the twin's two roundings): the two agree to
 * rounding, as they do anyway through exp (the twin's {@link Math#exp} against {@link VectorMath#exp}).
 * Fused, the forward + backward took 15.9–16.1 against 16.8–17.1 ms with AVX-512 (JMH, one thread, batch 4,
 * L 1024, D 128, N 16; with AVX2 25.3–26.7 against 26.4–28.5 ms, not resolved).
 */
final class SimdSelectiveScan {

    /** Vectors of d per task of the selective scan's forward. */
    private static final int SEL_BLOCK_VECS = 4;
    /**
     * Vectors of d per task of the backward: one {@link SimdSelectiveBackwardWorker} group, whose
     * lane-wise gB, gC products are reduced across lanes once per (t, n). Larger groups do fewer
     * reductions and step overheads per channel (8 measured faster than 4 and 2 on AVX2 and AVX-512),
     * at the price of fewer tasks (batch · D / (8 V)) and a larger chunk buffer per thread.
     */
    static final int BWD_BLOCK_VECS = 8;

    private SimdSelectiveScan() {
    }

    /** A^T of shape (N, D), so that A[d .. d+V, m] is one contiguous vector. */
    private static float[] transposeA(Selective s, float[] A) {
        int dd = s.d();
        int nn = s.n();
        float[] at = new float[nn * dd];
        for (int d = 0; d < dd; d++) {
            for (int m = 0; m < nn; m++) {
                at[m * dd + d] = A[d * nn + m];
            }
        }
        return at;
    }

    private static int selBlock() {
        return SEL_BLOCK_VECS * V;
    }

    private static int bwdBlock() {
        return BWD_BLOCK_VECS * V;
    }

    /** {@link Scans#selectiveForward}: one task per (sequence, block of d), the block's d-vectors stepped together. */
    static void forward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                        float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints, float[] hLast) {
        float[] at = transposeA(s, A);
        int dd = s.d();
        int blocks = (dd + selBlock() - 1) / selBlock();
        Parallel.forRange(s.batch() * blocks, 1, (from, to) -> {
            float[] hv = new float[SEL_BLOCK_VECS * s.nTotal() * V];
            float[] hs = new float[s.nTotal()];
            for (int task = from; task < to; task++) {
                int b = task / blocks;
                int d0 = (task % blocks) * selBlock();
                int d1 = Math.min(dd, d0 + selBlock());
                int vecs = (d1 - d0) / V;
                if (vecs > 0) {
                    forwardBlock(s, b, d0, vecs, u, delta, at, B, C, Dskip, z, h0, out, checkpoints, hLast, hv);
                }
                for (int d = d0 + vecs * V; d < d1; d++) {
                    ScalarSelectiveScan.forwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, h0, out, checkpoints, hLast,
                            hs);
                }
            }
        });
    }

    /**
     * The forward of sequence b, channels [d0, d0 + vecs·V) as {@code vecs} d-vectors stepped together (see
     * {@link #forwardSteps}); hv is scratch of vecs·N_total vectors, d-vector k's states at k·N_total·V.
     */
    private static void forwardBlock(Selective s, int b, int d0, int vecs, float[] u, float[] delta, float[] at,
                                     float[] B, float[] C, float[] Dskip, float[] z, float[] h0, float[] out,
                                     float[] checkpoints, float[] hLast, float[] hv) {
        int hStride = s.nTotal() * V;
        for (int k = 0; k < vecs; k++) {
            gatherState(s, h0, b, d0 + k * V, hv, k * hStride);
        }
        int cpBase = checkpoints == null ? -1 : b * s.chunks() * s.nTotal() * s.d() + d0;
        forwardSteps(s.n(), s.nTotal(), s.d(), s.len(), s.chunk(), s.learnableOffset(), s.polarizeOne(), s.polarizeZero(),
                b, d0, vecs, u, delta, at, B, C, out, checkpoints, cpBase, hv);
        for (int k = 0; k < vecs; k++) {
            if (Dskip != null || z != null) {
                skipAndGate(s, b, d0 + k * V, u, Dskip, z, out);
            }
            if (hLast != null) {
                scatterState(s, hv, k * hStride, b, d0 + k * V, hLast);
            }
        }
    }

    /**
     * The recurrence of {@link #forwardBlock} over all steps: at each step, each of the block's d-vectors in
     * turn (a step then reads and writes whole cache lines of Δ, u and out, where one d-vector through all
     * steps before the next read half lines, 512 bytes apart, that the next d-vector had to fetch again:
     * 9.3–10.4 against 12.3–13.3 ns per (step, state, vector) with AVX2 at batch 4, L 1024, D 128, N 16).
     * Writes a checkpoint of
     * the states every {@code chunk} steps at {@code cpBase} when {@code checkpoints} is given.
     */
    private static void forwardSteps(int nn, int nt, int dd, int len, int chunk, int off, boolean one, boolean zero,
                                     int b, int d0, int vecs, float[] u, float[] delta, float[] at, float[] B, float[] C,
                                     float[] out, float[] checkpoints, int cpBase, float[] hv) {
        int hStride = nt * V;
        for (int t = 0; t < len; t++) {
            if (checkpoints != null && t % chunk == 0) {
                int cp = cpBase + (t / chunk) * nt * dd;
                for (int k = 0; k < vecs; k++) {
                    for (int n = 0; n < nt; n++) {
                        load(hv, k * hStride + n * V).intoArray(checkpoints, cp + n * dd + k * V);
                    }
                }
            }
            int bn = (b * len + t) * nt;
            for (int k = 0; k < vecs; k++) {
                step(nn, nt, off, one, zero, (b * len + t) * dd + d0 + k * V, bn, d0 + k * V, u, delta, at, dd, B, C,
                        out, hv, k * hStride);
            }
        }
    }

    /**
     * One step of one d-vector (Δ_t, u_t, out_t at x; B_t, C_t at bn; channels from dk; states at hv[h0..]):
     * h ← exp(Δ A) h + Δ u B per state, out_t = Σ_n C_t[n] h[n] (the skip D u_t and the gate follow in
     * {@link #skipAndGate}).
     */
    private static void step(int nn, int nt, int off, boolean one, boolean zero, int x, int bn, int dk, float[] u,
                             float[] delta, float[] at, int dd, float[] B, float[] C, float[] out,
                             float[] hv, int h0) {
        FloatVector dt = load(delta, x);
        FloatVector uu = load(u, x);
        FloatVector du = dt.mul(uu);
        FloatVector y = FloatVector.zero(S);
        if (one) {                                   // ā ≡ 1: h += Δ u B
            FloatVector h = load(hv, h0).add(du.mul(B[bn]));
            h.intoArray(hv, h0);
            y = y.add(h.mul(C[bn]));
        }
        for (int m = 0; m < nn; m++) {               // h = exp(Δ A) h + Δ u B
            int n = m + off;
            FloatVector a = VectorMath.exp(dt.mul(load(at, m * dd + dk)));
            FloatVector h = a.fma(load(hv, h0 + n * V), du.mul(B[bn + n]));
            h.intoArray(hv, h0 + n * V);
            y = h.fma(dt.broadcast(C[bn + n]), y);
        }
        if (zero) {                                  // ā ≡ 0: h = Δ u B
            int n = nt - 1;
            FloatVector h = du.mul(B[bn + n]);
            h.intoArray(hv, h0 + n * V);
            y = y.add(h.mul(C[bn + n]));
        }
        y.intoArray(out, x);
    }

    /**
     * out ← (out + D u) · silu(z), silu(z) = z σ(z), for sequence b, channels [d0, d0+V), every step; a factor
     * whose array is null is left out. A pass of its own after the scan, so that σ's arithmetic is compiled
     * into this small loop: inside the scan's loop, beside the state update, C2 ran out of inlining budget
     * and called σ, and with polarization even the load of D, with each vector boxed (an allocation per
     * step and d-vector: 6 MB per forward + backward at batch 4, L 1024, D 128, N 16). The same operations
     * in the same order as adding D u in the step, so the same bits.
     */
    private static void skipAndGate(Selective s, int b, int d0, float[] u, float[] Dskip, float[] z, float[] out) {
        for (int t = 0; t < s.len(); t++) {
            int x = (b * s.len() + t) * s.d() + d0;
            FloatVector y = load(out, x);
            if (Dskip != null) {
                y = y.add(load(Dskip, d0).mul(load(u, x)));
            }
            if (z != null) {
                FloatVector zv = load(z, x);
                y = y.mul(zv.mul(sigmoid(zv)));
            }
            y.intoArray(out, x);
        }
    }

    /**
     * hv[hOff + n·V + lane] = state[b, d0 + lane, n]: the states of V channels from the (batch, D, N_total) layout
     * into N_total vectors over d; zeros when {@code state} is null. Shared with the backward (gLast).
     */
    static void gatherState(Selective s, float[] state, int b, int d0, float[] hv, int hOff) {
        int nt = s.nTotal();
        if (state == null) {
            java.util.Arrays.fill(hv, hOff, hOff + nt * V, 0f);
            return;
        }
        for (int lane = 0; lane < V; lane++) {
            int src = (b * s.d() + d0 + lane) * nt;
            for (int n = 0; n < nt; n++) {
                hv[hOff + n * V + lane] = state[src + n];
            }
        }
    }

    /** The inverse of {@link #gatherState}: state[b, d0 + lane, n] = hv[hOff + n·V + lane]. */
    static void scatterState(Selective s, float[] hv, int hOff, int b, int d0, float[] state) {
        int nt = s.nTotal();
        for (int lane = 0; lane < V; lane++) {
            int dst = (b * s.d() + d0 + lane) * nt;
            for (int n = 0; n < nt; n++) {
                state[dst + n] = hv[hOff + n * V + lane];
            }
        }
    }

    /**
     * {@link Scans#selectiveBackward}: one task per (sequence, block of d), each d-vector through a
     * {@link SimdSelectiveBackwardWorker}, the d tail through the scalar twin; then the partial sums.
     */
    static void backward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                         float[] Dskip, float[] z, float[] h0, float[] checkpoints, float[] gOut, float[] gLast,
                         float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz,
                         float[] gh0) {
        float[] at = transposeA(s, A);
        int dd = s.d();
        int nn = s.n();
        int nt = s.nTotal();
        int batch = s.batch();
        int len = s.len();
        int blocks = (dd + bwdBlock() - 1) / bwdBlock();
        int bln = batch * len * nt;
        // Partial sums, each written by exactly one task: gB, gC per channel block (they sum over d);
        // gA (transposed, (N, D)) and gD per sequence (they sum over the batch).
        float[] pB = new float[blocks * bln];
        float[] pC = new float[blocks * bln];
        float[] pA = new float[batch * nn * dd];
        float[] pD = Dskip == null ? null : new float[batch * dd];
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            // Scratch for as many d-vectors as a group can hold: BWD_BLOCK_VECS, or all of D when it is smaller.
            int groupVecs = Math.max(1, Math.min(BWD_BLOCK_VECS, dd / V));
            SimdSelectiveBackwardWorker w = new SimdSelectiveBackwardWorker(s, groupVecs, u, delta, at, B, C, Dskip,
                    z, checkpoints, gOut, gLast, gu, gDelta, gz, gh0, pA, pB, pC, pD);
            float[] hs = new float[(len + 1) * nt];
            float[] ys = new float[len];
            float[] ghs = new float[nt];
            for (int task = from; task < to; task++) {
                int b = task / blocks;
                int blk = task % blocks;
                int d0 = blk * bwdBlock();
                int d1 = Math.min(dd, d0 + bwdBlock());
                int vecs = (d1 - d0) / V;
                if (vecs > 0) {
                    w.run(b, d0, vecs, blk * bln);
                }
                for (int d = d0 + vecs * V; d < d1; d++) {
                    ScalarSelectiveScan.backwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, h0, gOut, gLast, gu,
                            gDelta, pA, b * nn * dd, 1, dd, pB, pC, blk * bln, pD, b * dd, gz, gh0, hs, ys, ghs);
                }
            }
        });
        sumBackwardPartials(s, blocks, pA, pB, pC, pD, gA, gB, gC, gD);
    }

    /**
     * {@link SimdScans#sumBackwardPartials}, the selective backward's last step, shared with the OpenCL
     * backend: sums the partial gradients in a fixed order (so the result does not depend on how the
     * work was split).
     * <pre>
     *   gB[i]        = Σ_g pB[g·bln + i]         gC likewise   (over the {@code groups} channel groups)
     *   gA[d·N + m]  = Σ_b pA[(b·N + m)·D + d]                 (over the batch; pA is transposed, (N, D))
     *   gD[d]        = Σ_b pD[b·D + d]                         (only when pD is not null)
     * </pre>
     * with bln = batch·L·N_total.
     */
    static void sumBackwardPartials(Selective s, int groups, float[] pA, float[] pB, float[] pC, float[] pD,
                                    float[] gA, float[] gB, float[] gC, float[] gD) {
        int batch = s.batch();
        int dd = s.d();
        int nn = s.n();
        int bln = batch * s.len() * s.nTotal();
        for (int i = 0; i < bln; i++) {
            float sb = 0f;
            float sc = 0f;
            for (int g = 0; g < groups; g++) {
                sb += pB[g * bln + i];
                sc += pC[g * bln + i];
            }
            gB[i] = sb;
            gC[i] = sc;
        }
        for (int d = 0; d < dd; d++) {
            for (int m = 0; m < nn; m++) {
                float sa = 0f;
                for (int b = 0; b < batch; b++) {
                    sa += pA[(b * nn + m) * dd + d];
                }
                gA[d * nn + m] = sa;
            }
            if (pD != null) {
                float sd = 0f;
                for (int b = 0; b < batch; b++) {
                    sd += pD[b * dd + d];
                }
                gD[d] = sd;
            }
        }
    }
}
