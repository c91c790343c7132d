package org.ssmlab.simd;

import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.SimdScans.load;
import static org.ssmlab.simd.SimdScans.sigmoid;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.ssmlab.simd.Scans.Selective;

/**
 * Mamba's selective scan (Eq. 3) of {@link SimdScans}: the forward with its chunk checkpoints, the
 * backward, and the recurrent step.
 *
 * <p>With lanes over d, the state of one d-vector is N_total vectors, the step ā = exp(Δ_t[d] A[d,n])
 * is one vector EXP per (t, n), y_t is a vertical sum over n (no horizontal reduction), and the
 * gradients of A, D, Δ, u are vertical too. Only gB_t[n] and gC_t[n] sum over d; they take one lane
 * reduction per (t, n, d-vector), and each thread writes its own partial sums (per channel block),
 * added in a fixed order at the end — the result does not depend on the thread count. The forward keeps
 * a checkpoint of the state every {@code chunk} steps; the backward recomputes one chunk of one
 * d-vector (its states and ā) into a small buffer, then runs it backwards
 * ({@link SimdSelectiveBackwardWorker}). Channels left over after the last full d-vector go through the
 * scalar twin, {@link ScalarSelectiveScan}. Arguments are checked by the caller.
 */
final class SimdSelectiveScan {

    /** Vectors of d per task of the selective scan. */
    private static final int SEL_BLOCK_VECS = 4;

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

    /** {@link Scans#selectiveForward}: one task per (sequence, block of d), a d-vector at a time. */
    static void forward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                        float[] Dskip, float[] z, float[] out, float[] checkpoints, float[] hLast) {
        float[] at = transposeA(s, A);
        int dd = s.d();
        int blocks = (dd + selBlock() - 1) / selBlock();
        Parallel.forRange(s.batch() * blocks, 1, (from, to) -> {
            float[] hv = new float[s.nTotal() * V];
            float[] hs = new float[s.nTotal()];
            for (int task = from; task < to; task++) {
                int b = task / blocks;
                int d0 = (task % blocks) * selBlock();
                int d1 = Math.min(dd, d0 + selBlock());
                int d = d0;
                for (; d + V <= d1; d += V) {
                    forwardVector(s, b, d, u, delta, at, B, C, Dskip, z, out, checkpoints, hLast, hv);
                }
                for (; d < d1; d++) {
                    ScalarSelectiveScan.forwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, out, checkpoints, hLast, hs);
                }
            }
        });
    }

    /** The forward of sequence b, channels [d0, d0+V) as one vector; hv is scratch of N_total vectors. */
    private static void forwardVector(Selective s, int b, int d0, float[] u, float[] delta, float[] at,
                                      float[] B, float[] C, float[] Dskip, float[] z, float[] out,
                                      float[] checkpoints, float[] hLast, float[] hv) {
        int nt = s.nTotal();
        int nn = s.n();
        int dd = s.d();
        int len = s.len();
        int off = s.learnableOffset();
        boolean one = s.polarizeOne();
        boolean zero = s.polarizeZero();
        java.util.Arrays.fill(hv, 0f);
        FloatVector dskip = Dskip == null ? null : load(Dskip, d0);
        for (int t = 0; t < len; t++) {
            if (checkpoints != null && t % s.chunk() == 0) {
                int cp = ((b * s.chunks() + t / s.chunk()) * nt) * dd + d0;
                for (int n = 0; n < nt; n++) {
                    load(hv, n * V).intoArray(checkpoints, cp + n * dd);
                }
            }
            int x = (b * len + t) * dd + d0;
            int bn = (b * len + t) * nt;
            FloatVector dt = load(delta, x);
            FloatVector uu = load(u, x);
            FloatVector du = dt.mul(uu);
            FloatVector y = FloatVector.zero(S);
            if (one) {                                   // ā ≡ 1: h += Δ u B
                FloatVector h = load(hv, 0).add(du.mul(B[bn]));
                h.intoArray(hv, 0);
                y = y.add(h.mul(C[bn]));
            }
            for (int m = 0; m < nn; m++) {               // h = exp(Δ A) h + Δ u B
                int n = m + off;
                FloatVector a = dt.mul(load(at, m * dd + d0)).lanewise(VectorOperators.EXP);
                FloatVector h = a.mul(load(hv, n * V)).add(du.mul(B[bn + n]));
                h.intoArray(hv, n * V);
                y = y.add(h.mul(C[bn + n]));
            }
            if (zero) {                                  // ā ≡ 0: h = Δ u B
                int n = nt - 1;
                FloatVector h = du.mul(B[bn + n]);
                h.intoArray(hv, n * V);
                y = y.add(h.mul(C[bn + n]));
            }
            if (dskip != null) {
                y = y.add(dskip.mul(uu));
            }
            if (z != null) {
                FloatVector zv = load(z, x);
                y = y.mul(zv.mul(sigmoid(zv)));
            }
            y.intoArray(out, x);
        }
        if (hLast != null) {
            for (int lane = 0; lane < V; lane++) {
                int dst = (b * dd + d0 + lane) * nt;
                for (int n = 0; n < nt; n++) {
                    hLast[dst + n] = hv[n * V + lane];
                }
            }
        }
    }

    /**
     * {@link Scans#selectiveBackward}: one task per (sequence, block of d), each d-vector through a
     * {@link SimdSelectiveBackwardWorker}, the d tail through the scalar twin; then the partial sums.
     */
    static void backward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                         float[] Dskip, float[] z, float[] checkpoints, float[] gOut, float[] gu,
                         float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz) {
        float[] at = transposeA(s, A);
        int dd = s.d();
        int nn = s.n();
        int nt = s.nTotal();
        int batch = s.batch();
        int len = s.len();
        int blocks = (dd + selBlock() - 1) / selBlock();
        int bln = batch * len * nt;
        // Partial sums, each written by exactly one task: gB, gC per channel block (they sum over d);
        // gA (transposed, (N, D)) and gD per sequence (they sum over the batch).
        float[] pB = new float[blocks * bln];
        float[] pC = new float[blocks * bln];
        float[] pA = new float[batch * nn * dd];
        float[] pD = Dskip == null ? null : new float[batch * dd];
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            SimdSelectiveBackwardWorker w = new SimdSelectiveBackwardWorker(s, u, delta, at, B, C, Dskip, z,
                    checkpoints, gOut, gu, gDelta, gz, pA, pB, pC, pD);
            float[] hs = new float[(len + 1) * nt];
            float[] ys = new float[len];
            float[] ghs = new float[nt];
            for (int task = from; task < to; task++) {
                int b = task / blocks;
                int blk = task % blocks;
                int d0 = blk * selBlock();
                int d1 = Math.min(dd, d0 + selBlock());
                int d = d0;
                for (; d + V <= d1; d += V) {
                    w.run(b, d, blk * bln);
                }
                for (; d < d1; d++) {
                    ScalarSelectiveScan.backwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, gOut, gu, gDelta,
                            pA, b * nn * dd, 1, dd, pB, pC, blk * bln, pD, b * dd, gz, hs, ys, ghs);
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

    /** {@link Scans#selectiveStep}: lanes over the learnable state channels of one (b, d). */
    static void step(Selective s, float[] h, float[] u, float[] delta, float[] A, float[] B, float[] C,
                     float[] Dskip, float[] z, float[] out) {
        int nt = s.nTotal();
        int nn = s.n();
        int dd = s.d();
        int off = s.learnableOffset();
        int vEnd = S.loopBound(nn);
        // Lanes over the learnable state channels, contiguous in h, A, B and C for one (b, d).
        Parallel.forRange(s.batch() * dd, 64, (from, to) -> {
            for (int x = from; x < to; x++) {
                int b = x / dd;
                int d = x % dd;
                float dt = delta[x];
                float du = dt * u[x];
                int hb = x * nt;
                int bb = b * nt;
                float y = 0f;
                if (s.polarizeOne()) {
                    h[hb] = h[hb] + du * B[bb];
                    y = y + C[bb] * h[hb];
                }
                FloatVector yv = FloatVector.zero(S);
                int m = 0;
                for (; m < vEnd; m += V) {
                    FloatVector a = load(A, d * nn + m).mul(dt).lanewise(VectorOperators.EXP);
                    FloatVector hn = a.mul(load(h, hb + off + m)).add(load(B, bb + off + m).mul(du));
                    hn.intoArray(h, hb + off + m);
                    yv = yv.add(hn.mul(load(C, bb + off + m)));
                }
                y = y + yv.reduceLanes(VectorOperators.ADD);
                for (; m < nn; m++) {
                    float a = (float) Math.exp((double) (dt * A[d * nn + m]));
                    int i = hb + off + m;
                    h[i] = a * h[i] + du * B[bb + off + m];
                    y = y + C[bb + off + m] * h[i];
                }
                if (s.polarizeZero()) {
                    h[hb + nt - 1] = du * B[bb + nt - 1];
                    y = y + C[bb + nt - 1] * h[hb + nt - 1];
                }
                if (Dskip != null) {
                    y = y + Dskip[d] * u[x];
                }
                out[x] = z == null ? y : y * (z[x] * ScalarSelectiveScan.sigmoid(z[x]));
            }
        });
    }
}
