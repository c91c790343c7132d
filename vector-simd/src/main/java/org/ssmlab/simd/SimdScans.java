package org.ssmlab.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Scans} on the JDK Vector API, threaded with {@link Parallel#forRange}.
 *
 * <p><b>Layout of the work.</b> Time is inherently sequential, channels are independent, so every
 * kernel vectorises across channels: the lanes of a vector are {@code S.length()} consecutive channels
 * (C of the diagonal scan, D of the selective scan), which are contiguous in the row-major (batch, L, ·)
 * arrays. Channels left over after the last full vector go through the scalar formula (a scalar tail,
 * not a masked one). Threads take (sequence, channel block) tasks.
 *
 * <p><b>Selective scan.</b> With lanes over d, the state of one d-vector is N_total vectors, the step
 * ā = exp(Δ_t[d] A[d,n]) is one vector EXP per (t, n), y_t is a vertical sum over n (no horizontal
 * reduction), and the gradients of A, D, Δ, u are vertical too. Only gB_t[n] and gC_t[n] sum over d;
 * they take one lane reduction per (t, n, d-vector), and each thread writes its own partial sums
 * (per channel block), added in a fixed order at the end — the result does not depend on the thread
 * count. The forward keeps a checkpoint of the state every {@code chunk} steps; the backward
 * recomputes one chunk of one d-vector (its states and ā) into a small buffer, then runs it backwards.
 *
 * <p>Arithmetic follows the scalar twin operation by operation (no fused multiply-add), so the scans
 * agree with it bit for bit except where EXP is involved (the Vector API's float EXP against the
 * twin's double {@code Math.exp}, a few ulp) and in the d-sums of gB and gC (another order).
 */
public final class SimdScans implements Scans {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Channels per task of the diagonal scans (a multiple of the vector width). */
    private static final int DIAG_BLOCK = 16 * V;
    /** Vectors of d per task of the selective scan. */
    private static final int SEL_BLOCK_VECS = 4;

    private static FloatVector load(float[] a, int off) {
        return FloatVector.fromArray(S, a, off);
    }

    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    // ================================================================== diagonal, real

    @Override
    public void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        ScanChecks.diagonal("SimdScans.diagonal", batch, len, channels, a, b, h0, h, hLast);
        int blocks = (channels + DIAG_BLOCK - 1) / DIAG_BLOCK;
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bi = task / blocks;
                int c0 = (task % blocks) * DIAG_BLOCK;
                int c1 = Math.min(channels, c0 + DIAG_BLOCK);
                scanRows(a, b, h0, h, bi, 0, len, len, channels, c0, c1);
            }
        });
        copyLast(batch, len, channels, h0, h, hLast);
    }

    /**
     * h_t = a_t h_{t-1} + b_t over steps [t0, t1) of sequence bi, channels [c0, c1); the state before t0
     * is h[t0-1] when t0 > 0, else {@code init} (null = 0).
     */
    private static void scanRows(float[] a, float[] b, float[] init, float[] h, int bi, int t0, int t1, int len,
                                 int channels, int c0, int c1) {
        int vEnd = c0 + S.loopBound(c1 - c0);
        for (int t = t0; t < t1; t++) {
            int row = (bi * len + t) * channels;
            boolean first = t == t0;
            for (int c = c0; c < vEnd; c += V) {
                int i = row + c;
                FloatVector prev = !first ? load(h, i - channels)
                        : init == null ? FloatVector.zero(S) : load(init, bi * channels + c);
                load(a, i).mul(prev).add(load(b, i)).intoArray(h, i);
            }
            for (int c = vEnd; c < c1; c++) {
                int i = row + c;
                float prev = !first ? h[i - channels] : init == null ? 0f : init[bi * channels + c];
                h[i] = a[i] * prev + b[i];
            }
        }
    }

    private static void copyLast(int batch, int len, int channels, float[] h0, float[] h, float[] hLast) {
        if (hLast == null) {
            return;
        }
        for (int bi = 0; bi < batch; bi++) {
            if (len > 0) {
                System.arraycopy(h, (bi * len + len - 1) * channels, hLast, bi * channels, channels);
            } else if (h0 != null) {
                System.arraycopy(h0, bi * channels, hLast, bi * channels, channels);
            } else {
                java.util.Arrays.fill(hLast, bi * channels, (bi + 1) * channels, 0f);
            }
        }
    }

    @Override
    public void diagonalChunked(int batch, int len, int channels, int chunk, float[] a, float[] b, float[] h0,
                                float[] h, float[] hLast) {
        ScanChecks.diagonalChunked("SimdScans.diagonalChunked", batch, len, channels, chunk, a, b, h0, h, hLast);
        int chunks = (len + chunk - 1) / chunk;
        // Phase 1, parallel over (sequence, chunk): scan each chunk from zero (chunk 0 from h0) and
        // record P_k = Π_{t in chunk k} a_t, the factor by which chunk k carries its entering state.
        float[] prod = new float[batch * chunks * channels];
        Parallel.forRange(batch * chunks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bi = task / chunks;
                int ck = task % chunks;
                int t0 = ck * chunk;
                int t1 = Math.min(len, t0 + chunk);
                scanRows(a, b, ck == 0 ? h0 : null, h, bi, t0, t1, len, channels, 0, channels);
                int p = task * channels;
                java.util.Arrays.fill(prod, p, p + channels, 1f);
                for (int t = t0; t < t1; t++) {
                    multiplyRow(prod, p, a, (bi * len + t) * channels, channels);
                }
            }
        });
        // Phase 2, sequential over chunks: carry_k (the true state entering chunk k) =
        // local end of chunk k-1 + P_{k-1} · carry_{k-1}, with carry_1 = end of chunk 0 (already exact).
        float[] carry = new float[batch * chunks * channels];
        for (int bi = 0; bi < batch; bi++) {
            for (int ck = 1; ck < chunks; ck++) {
                int end = (bi * len + ck * chunk - 1) * channels;
                int dst = (bi * chunks + ck) * channels;
                int src = dst - channels;
                for (int c = 0; c < channels; c++) {
                    carry[dst + c] = ck == 1 ? h[end + c] : h[end + c] + prod[src + c] * carry[src + c];
                }
            }
        }
        // Phase 3, parallel over (sequence, chunk ≥ 1): h_t += (Π_{s=t0..t} a_s) · carry_k.
        Parallel.forRange(batch * chunks, 1, (from, to) -> {
            float[] p = new float[channels];
            for (int task = from; task < to; task++) {
                int bi = task / chunks;
                int ck = task % chunks;
                if (ck == 0) {
                    continue;
                }
                int cOff = task * channels;
                java.util.Arrays.fill(p, 1f);
                int vEnd = S.loopBound(channels);
                for (int t = ck * chunk; t < Math.min(len, (ck + 1) * chunk); t++) {
                    int row = (bi * len + t) * channels;
                    for (int c = 0; c < vEnd; c += V) {
                        FloatVector pv = load(p, c).mul(load(a, row + c));
                        pv.intoArray(p, c);
                        load(h, row + c).add(pv.mul(load(carry, cOff + c))).intoArray(h, row + c);
                    }
                    for (int c = vEnd; c < channels; c++) {
                        p[c] = p[c] * a[row + c];
                        h[row + c] = h[row + c] + p[c] * carry[cOff + c];
                    }
                }
            }
        });
        copyLast(batch, len, channels, h0, h, hLast);
    }

    /** x[xOff + c] *= y[yOff + c] for c < n. */
    private static void multiplyRow(float[] x, int xOff, float[] y, int yOff, int n) {
        int vEnd = S.loopBound(n);
        for (int c = 0; c < vEnd; c += V) {
            load(x, xOff + c).mul(load(y, yOff + c)).intoArray(x, xOff + c);
        }
        for (int c = vEnd; c < n; c++) {
            x[xOff + c] = x[xOff + c] * y[yOff + c];
        }
    }

    @Override
    public void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                                 float[] gLast, float[] ga, float[] gb, float[] gh0) {
        ScanChecks.diagonalBackward("SimdScans.diagonalBackward", batch, len, channels, a, h0, h, gH, gLast,
                ga, gb, gh0);
        int blocks = (channels + DIAG_BLOCK - 1) / DIAG_BLOCK;
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bi = task / blocks;
                int c0 = (task % blocks) * DIAG_BLOCK;
                int c1 = Math.min(channels, c0 + DIAG_BLOCK);
                int vEnd = c0 + S.loopBound(c1 - c0);
                int base = bi * channels;
                // γ_t = gH_t + a_{t+1} γ_{t+1} (γ_L = gLast) is exactly gb_t, so gb carries the recurrence.
                for (int t = len - 1; t >= 0; t--) {
                    int row = (bi * len + t) * channels;
                    boolean last = t == len - 1;
                    for (int c = c0; c < vEnd; c += V) {
                        int i = row + c;
                        FloatVector carried = !last ? load(a, i + channels).mul(load(gb, i + channels))
                                : gLast == null ? FloatVector.zero(S) : load(gLast, base + c);
                        FloatVector g = carried.add(load(gH, i));
                        FloatVector prev = t > 0 ? load(h, i - channels)
                                : h0 == null ? FloatVector.zero(S) : load(h0, base + c);
                        g.intoArray(gb, i);
                        g.mul(prev).intoArray(ga, i);
                    }
                    for (int c = vEnd; c < c1; c++) {
                        int i = row + c;
                        float carried = !last ? a[i + channels] * gb[i + channels]
                                : gLast == null ? 0f : gLast[base + c];
                        float g = carried + gH[i];
                        float prev = t > 0 ? h[i - channels] : h0 == null ? 0f : h0[base + c];
                        gb[i] = g;
                        ga[i] = g * prev;
                    }
                }
                if (gh0 != null) {
                    for (int c = c0; c < c1; c++) {
                        gh0[base + c] = len == 0 ? (gLast == null ? 0f : gLast[base + c])
                                : a[bi * len * channels + c] * gb[bi * len * channels + c];
                    }
                }
            }
        });
    }

    // ================================================================== diagonal, complex

    @Override
    public void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                                Complex hLast) {
        ScanChecks.complexDiagonal("SimdScans.complexDiagonal", batch, len, channels, a, b, h0, h, hLast);
        float[] ar = a.re(), ai = a.im(), br = b.re(), bim = b.im(), hr = h.re(), him = h.im();
        float[] h0r = h0 == null ? null : h0.re();
        float[] h0i = h0 == null ? null : h0.im();
        int blocks = (channels + DIAG_BLOCK - 1) / DIAG_BLOCK;
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bi = task / blocks;
                int c0 = (task % blocks) * DIAG_BLOCK;
                int c1 = Math.min(channels, c0 + DIAG_BLOCK);
                int vEnd = c0 + S.loopBound(c1 - c0);
                int base = bi * channels;
                for (int t = 0; t < len; t++) {
                    int row = (bi * len + t) * channels;
                    for (int c = c0; c < vEnd; c += V) {
                        int i = row + c;
                        FloatVector pr = t > 0 ? load(hr, i - channels) : h0r == null ? FloatVector.zero(S) : load(h0r, base + c);
                        FloatVector pi = t > 0 ? load(him, i - channels) : h0i == null ? FloatVector.zero(S) : load(h0i, base + c);
                        FloatVector xr = load(ar, i);
                        FloatVector xi = load(ai, i);
                        // (ar + i ai)(pr + i pi) + b
                        xr.mul(pr).sub(xi.mul(pi)).add(load(br, i)).intoArray(hr, i);
                        xr.mul(pi).add(xi.mul(pr)).add(load(bim, i)).intoArray(him, i);
                    }
                    for (int c = vEnd; c < c1; c++) {
                        int i = row + c;
                        float pr = t > 0 ? hr[i - channels] : h0r == null ? 0f : h0r[base + c];
                        float pi = t > 0 ? him[i - channels] : h0i == null ? 0f : h0i[base + c];
                        hr[i] = ar[i] * pr - ai[i] * pi + br[i];
                        him[i] = ar[i] * pi + ai[i] * pr + bim[i];
                    }
                }
            }
        });
        if (hLast != null) {
            copyLast(batch, len, channels, h0r, hr, hLast.re());
            copyLast(batch, len, channels, h0i, him, hLast.im());
        }
    }

    @Override
    public void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                                        Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        ScanChecks.complexDiagonalBackward("SimdScans.complexDiagonalBackward", batch, len, channels, a, h0, h,
                gH, gLast, ga, gb, gh0);
        float[] ar = a.re(), ai = a.im(), hr = h.re(), him = h.im();
        float[] ghr = gH.re(), ghi = gH.im(), gar = ga.re(), gai = ga.im(), gbr = gb.re(), gbi = gb.im();
        float[] h0r = h0 == null ? null : h0.re();
        float[] h0i = h0 == null ? null : h0.im();
        float[] glr = gLast == null ? null : gLast.re();
        float[] gli = gLast == null ? null : gLast.im();
        int blocks = (channels + DIAG_BLOCK - 1) / DIAG_BLOCK;
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bi = task / blocks;
                int c0 = (task % blocks) * DIAG_BLOCK;
                int c1 = Math.min(channels, c0 + DIAG_BLOCK);
                int vEnd = c0 + S.loopBound(c1 - c0);
                int base = bi * channels;
                for (int t = len - 1; t >= 0; t--) {
                    int row = (bi * len + t) * channels;
                    boolean last = t == len - 1;
                    for (int c = c0; c < vEnd; c += V) {
                        int i = row + c;
                        FloatVector cr;
                        FloatVector ci;
                        if (!last) {
                            // conj(a_{t+1}) · γ_{t+1}
                            FloatVector xr = load(ar, i + channels);
                            FloatVector xi = load(ai, i + channels);
                            FloatVector gr = load(gbr, i + channels);
                            FloatVector gi = load(gbi, i + channels);
                            cr = xr.mul(gr).add(xi.mul(gi));
                            ci = xr.mul(gi).sub(xi.mul(gr));
                        } else {
                            cr = glr == null ? FloatVector.zero(S) : load(glr, base + c);
                            ci = gli == null ? FloatVector.zero(S) : load(gli, base + c);
                        }
                        FloatVector gr = cr.add(load(ghr, i));
                        FloatVector gi = ci.add(load(ghi, i));
                        FloatVector pr = t > 0 ? load(hr, i - channels) : h0r == null ? FloatVector.zero(S) : load(h0r, base + c);
                        FloatVector pi = t > 0 ? load(him, i - channels) : h0i == null ? FloatVector.zero(S) : load(h0i, base + c);
                        gr.intoArray(gbr, i);
                        gi.intoArray(gbi, i);
                        gr.mul(pr).add(gi.mul(pi)).intoArray(gar, i);
                        gi.mul(pr).sub(gr.mul(pi)).intoArray(gai, i);
                    }
                    for (int c = vEnd; c < c1; c++) {
                        int i = row + c;
                        float cr;
                        float ci;
                        if (!last) {
                            cr = ar[i + channels] * gbr[i + channels] + ai[i + channels] * gbi[i + channels];
                            ci = ar[i + channels] * gbi[i + channels] - ai[i + channels] * gbr[i + channels];
                        } else {
                            cr = glr == null ? 0f : glr[base + c];
                            ci = gli == null ? 0f : gli[base + c];
                        }
                        float gr = cr + ghr[i];
                        float gi = ci + ghi[i];
                        float pr = t > 0 ? hr[i - channels] : h0r == null ? 0f : h0r[base + c];
                        float pi = t > 0 ? him[i - channels] : h0i == null ? 0f : h0i[base + c];
                        gbr[i] = gr;
                        gbi[i] = gi;
                        gar[i] = gr * pr + gi * pi;
                        gai[i] = gi * pr - gr * pi;
                    }
                }
                if (gh0 != null) {
                    for (int c = c0; c < c1; c++) {
                        int j = base + c;
                        if (len == 0) {
                            gh0.re()[j] = glr == null ? 0f : glr[j];
                            gh0.im()[j] = gli == null ? 0f : gli[j];
                        } else {
                            int i = bi * len * channels + c;
                            gh0.re()[j] = ar[i] * gbr[i] + ai[i] * gbi[i];
                            gh0.im()[j] = ar[i] * gbi[i] - ai[i] * gbr[i];
                        }
                    }
                }
            }
        });
    }

    // ================================================================== selective

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

    @Override
    public void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] out, float[] checkpoints, float[] hLast) {
        ScanChecks.selectiveForward("SimdScans.selectiveForward", s, u, delta, A, B, C, Dskip, z, out,
                checkpoints, hLast);
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
                    ScalarScans.forwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, out, checkpoints, hLast, hs);
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

    @Override
    public void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] checkpoints, float[] gOut, float[] gu,
                                  float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz) {
        ScanChecks.selectiveBackward("SimdScans.selectiveBackward", s, u, delta, A, B, C, Dskip, z, checkpoints,
                gOut, gu, gDelta, gA, gB, gC, gD, gz);
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
            BackwardWorker w = new BackwardWorker(s, u, delta, at, B, C, Dskip, z, checkpoints, gOut, gu, gDelta,
                    gz, pA, pB, pC, pD);
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
                    ScalarScans.backwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, gOut, gu, gDelta,
                            pA, b * nn * dd, 1, dd, pB, pC, blk * bln, pD, b * dd, gz, hs, ys, ghs);
                }
            }
        });
        sumBackwardPartials(s, blocks, pA, pB, pC, pD, gA, gB, gC, gD);
    }

    /**
     * The selective backward's last step, shared with the OpenCL backend: sums the partial gradients in
     * a fixed order (so the result does not depend on how the work was split).
     * <pre>
     *   gB[i]        = Σ_g pB[g·bln + i]         gC likewise   (over the {@code groups} channel groups)
     *   gA[d·N + m]  = Σ_b pA[(b·N + m)·D + d]                 (over the batch; pA is transposed, (N, D))
     *   gD[d]        = Σ_b pD[b·D + d]                         (only when pD is not null)
     * </pre>
     * with bln = batch·L·N_total.
     */
    public static void sumBackwardPartials(Selective s, int groups, float[] pA, float[] pB, float[] pC, float[] pD,
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

    /**
     * The backward of one d-vector at a time, for one thread: holds the problem's arrays and its own
     * scratch. Chunk by chunk from the last, {@link #recompute} rebuilds the chunk's states (hbuf, j = 0
     * is the checkpoint), ā (abuf) and y (ybuf) from its checkpoint, then {@link #reverseStep} runs the
     * chunk backwards carrying gh = ∂L/∂h through the recurrence.
     *
     * <p>The work is split into small methods on purpose: C2 inlines the Vector API calls (and so turns
     * them into registers and instructions) only within its inlining budget; one large method would fall
     * back to the API's Java implementation, allocating a box per operation.
     */
    private static final class BackwardWorker {
        final Selective s;
        final float[] u, delta, at, B, C, Dskip, z, checkpoints, gOut, gu, gDelta, gz, pA, pB, pC, pD;
        final int nt, nn, dd, len, off, hStride;
        final float[] hbuf, abuf, ybuf, gh, gav, gyv, gdv;
        int b, d0, pBase;

        BackwardWorker(Selective s, float[] u, float[] delta, float[] at, float[] B, float[] C, float[] Dskip,
                       float[] z, float[] checkpoints, float[] gOut, float[] gu, float[] gDelta, float[] gz,
                       float[] pA, float[] pB, float[] pC, float[] pD) {
            this.s = s;
            this.u = u;
            this.delta = delta;
            this.at = at;
            this.B = B;
            this.C = C;
            this.Dskip = Dskip;
            this.z = z;
            this.checkpoints = checkpoints;
            this.gOut = gOut;
            this.gu = gu;
            this.gDelta = gDelta;
            this.gz = gz;
            this.pA = pA;
            this.pB = pB;
            this.pC = pC;
            this.pD = pD;
            nt = s.nTotal();
            nn = s.n();
            dd = s.d();
            len = s.len();
            off = s.learnableOffset();
            hStride = nt * V;
            int chunk = Math.min(s.chunk(), Math.max(1, len));
            hbuf = new float[(chunk + 1) * hStride];
            abuf = new float[chunk * nn * V];
            ybuf = new float[chunk * V];
            gh = new float[nt * V];
            gav = new float[nn * V];
            gyv = new float[V];
            gdv = new float[V];
        }

        /** The backward of sequence b, channels [d0, d0+V); gB, gC partials go to pB, pC at pBase. */
        void run(int b, int d0, int pBase) {
            this.b = b;
            this.d0 = d0;
            this.pBase = pBase;
            java.util.Arrays.fill(gh, 0f);
            java.util.Arrays.fill(gav, 0f);
            java.util.Arrays.fill(gdv, 0f);
            for (int ck = s.chunks() - 1; ck >= 0; ck--) {
                int t0 = ck * s.chunk();
                int t1 = Math.min(len, t0 + s.chunk());
                recompute(ck, t0, t1);
                for (int t = t1 - 1; t >= t0; t--) {
                    reverseStep(t, t - t0 + 1);
                }
            }
            for (int m = 0; m < nn; m++) {
                System.arraycopy(gav, m * V, pA, (b * nn + m) * dd + d0, V);
            }
            if (pD != null) {
                System.arraycopy(gdv, 0, pD, b * dd + d0, V);
            }
        }

        /** hbuf[0] = checkpoint ck = h_{t0-1}; hbuf[j] = h_{t0+j-1}, abuf[j-1] = ā_{t0+j-1}, ybuf[j-1] = y. */
        private void recompute(int ck, int t0, int t1) {
            int cp = ((b * s.chunks() + ck) * nt) * dd + d0;
            for (int n = 0; n < nt; n++) {
                FloatVector.fromArray(S, checkpoints, cp + n * dd).intoArray(hbuf, n * V);
            }
            for (int t = t0; t < t1; t++) {
                recomputeStep(t, t - t0 + 1);
            }
        }

        private void recomputeStep(int t, int j) {
            int x = (b * len + t) * dd + d0;
            int bn = (b * len + t) * nt;
            FloatVector dt = FloatVector.fromArray(S, delta, x);
            FloatVector uu = FloatVector.fromArray(S, u, x);
            FloatVector du = dt.mul(uu);
            FloatVector y = FloatVector.zero(S);
            int hp = (j - 1) * hStride;
            int hc = j * hStride;
            if (s.polarizeOne()) {
                FloatVector h = FloatVector.fromArray(S, hbuf, hp).add(du.mul(B[bn]));
                h.intoArray(hbuf, hc);
                y = y.add(h.mul(C[bn]));
            }
            for (int m = 0; m < nn; m++) {
                int n = m + off;
                FloatVector a = dt.mul(FloatVector.fromArray(S, at, m * dd + d0)).lanewise(VectorOperators.EXP);
                a.intoArray(abuf, ((j - 1) * nn + m) * V);
                FloatVector h = a.mul(FloatVector.fromArray(S, hbuf, hp + n * V)).add(du.mul(B[bn + n]));
                h.intoArray(hbuf, hc + n * V);
                y = y.add(h.mul(C[bn + n]));
            }
            if (s.polarizeZero()) {
                int n = nt - 1;
                FloatVector h = du.mul(B[bn + n]);
                h.intoArray(hbuf, hc + n * V);
                y = y.add(h.mul(C[bn + n]));
            }
            if (z != null) {
                if (Dskip != null) {
                    y = y.add(FloatVector.fromArray(S, Dskip, d0).mul(uu));
                }
                y.intoArray(ybuf, (j - 1) * V);
            }
        }

        /** Step t (j = its index in hbuf) backwards: writes gu, gDelta, gz at t; updates gh, gav, gdv, pB, pC. */
        private void reverseStep(int t, int j) {
            int x = (b * len + t) * dd + d0;
            int bn = (b * len + t) * nt;
            int hp = (j - 1) * hStride;
            int hc = j * hStride;
            if (z != null) {
                gateBackward(x, j);
            } else {
                FloatVector.fromArray(S, gOut, x).intoArray(gyv, 0);
            }
            FloatVector gy = FloatVector.fromArray(S, gyv, 0);
            FloatVector dt = FloatVector.fromArray(S, delta, x);
            FloatVector uu = FloatVector.fromArray(S, u, x);
            FloatVector du = dt.mul(uu);
            if (Dskip != null) {
                FloatVector.fromArray(S, gdv, 0).add(gy.mul(uu)).intoArray(gdv, 0);   // ∂y/∂D = u
            }
            FloatVector sumGB = FloatVector.zero(S);                 // Σ_n ∂L/∂h_t[n] B_t[n]
            FloatVector gdt = FloatVector.zero(S);
            if (s.polarizeOne()) {
                FloatVector ghn = FloatVector.fromArray(S, gh, 0).add(gy.mul(C[bn]));
                pC[pBase + bn] += FloatVector.fromArray(S, hbuf, hc).mul(gy).reduceLanes(VectorOperators.ADD);
                pB[pBase + bn] += ghn.mul(du).reduceLanes(VectorOperators.ADD);
                sumGB = sumGB.add(ghn.mul(B[bn]));
                ghn.intoArray(gh, 0);                                // ā ≡ 1
            }
            for (int m = 0; m < nn; m++) {
                int n = m + off;
                // ghn = total ∂L/∂h_t[n];  gC += h_t gy;  gB += ghn Δ u
                FloatVector ghn = FloatVector.fromArray(S, gh, n * V).add(gy.mul(C[bn + n]));
                pC[pBase + bn + n] += FloatVector.fromArray(S, hbuf, hc + n * V).mul(gy)
                        .reduceLanes(VectorOperators.ADD);
                pB[pBase + bn + n] += ghn.mul(du).reduceLanes(VectorOperators.ADD);
                sumGB = sumGB.add(ghn.mul(B[bn + n]));
                FloatVector a = FloatVector.fromArray(S, abuf, ((j - 1) * nn + m) * V);
                FloatVector q = ghn.mul(FloatVector.fromArray(S, hbuf, hp + n * V)).mul(a);   // ∂L/∂ā · ā
                gdt = gdt.add(q.mul(FloatVector.fromArray(S, at, m * dd + d0)));           // ∂ā/∂Δ = ā A
                FloatVector.fromArray(S, gav, m * V).add(q.mul(dt)).intoArray(gav, m * V); // ∂ā/∂A = ā Δ
                a.mul(ghn).intoArray(gh, n * V);
            }
            if (s.polarizeZero()) {
                int n = nt - 1;
                FloatVector ghn = FloatVector.fromArray(S, gh, n * V).add(gy.mul(C[bn + n]));
                pC[pBase + bn + n] += FloatVector.fromArray(S, hbuf, hc + n * V).mul(gy)
                        .reduceLanes(VectorOperators.ADD);
                pB[pBase + bn + n] += ghn.mul(du).reduceLanes(VectorOperators.ADD);
                sumGB = sumGB.add(ghn.mul(B[bn + n]));
                FloatVector.zero(S).intoArray(gh, n * V);           // ā ≡ 0
            }
            FloatVector guv = sumGB.mul(dt);                         // ∂(Δ u B)/∂u = Δ B
            if (Dskip != null) {
                guv = gy.mul(FloatVector.fromArray(S, Dskip, d0)).add(guv);
            }
            guv.intoArray(gu, x);
            gdt.add(sumGB.mul(uu)).intoArray(gDelta, x);             // ∂(Δ u B)/∂Δ = u B
        }

        /** out = y · silu(z):  gy = g · silu(z) into gyv;  gz = g · y · σ(z)(1 + z(1 - σ(z))). */
        private void gateBackward(int x, int j) {
            FloatVector g = FloatVector.fromArray(S, gOut, x);
            FloatVector zv = FloatVector.fromArray(S, z, x);
            FloatVector sg = sigmoid(zv);
            g.mul(zv.mul(sg)).intoArray(gyv, 0);
            FloatVector dsilu = sg.mul(zv.mul(sg.neg().add(1f)).add(1f));
            g.mul(FloatVector.fromArray(S, ybuf, (j - 1) * V)).mul(dsilu).intoArray(gz, x);
        }
    }

    // ================================================================== selective step

    @Override
    public void selectiveStep(Selective s, float[] h, float[] u, float[] delta, float[] A, float[] B, float[] C,
                              float[] Dskip, float[] z, float[] out) {
        ScanChecks.selectiveStep("SimdScans.selectiveStep", s, h, u, delta, A, B, C, Dskip, z, out);
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
                out[x] = z == null ? y : y * (z[x] * ScalarScans.sigmoid(z[x]));
            }
        });
    }
}
