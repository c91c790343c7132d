package org.ssmlab.simd;

import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.SimdScans.load;

import jdk.incubator.vector.FloatVector;

/**
 * The real diagonal scan of {@link SimdScans}: {@code h_t = a_t ⊙ h_{t-1} + b_t} forward, by chunks,
 * and backward. Lanes are consecutive channels; threads take (sequence, channel block) tasks.
 * Arguments are checked by the caller. Scalar twin: {@link ScalarDiagonalScan}.
 */
final class SimdDiagonalScan {

    /** Channels per task of the diagonal scans (a multiple of the vector width); the complex scan uses it too. */
    static final int DIAG_BLOCK = 16 * V;

    private SimdDiagonalScan() {
    }

    /** {@link Scans#diagonal}: one task per (sequence, channel block), each scanning its block in time. */
    static void forward(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        forChannelBlocks(batch, channels, (bi, c0, c1) -> {
            scanRows(a, b, h0, h, bi, 0, len, len, channels, c0, c1);
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

    /** hLast[b] = h[b, L-1] (h0[b], or zero, when L = 0); nothing when hLast is null. Shared with the complex scan. */
    static void copyLast(int batch, int len, int channels, float[] h0, float[] h, float[] hLast) {
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

    /** {@link Scans#diagonalChunked}: the three phases below, the two parallel ones vectorised across channels. */
    static void chunked(int batch, int len, int channels, int chunk, float[] a, float[] b, float[] h0,
                        float[] h, float[] hLast) {
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

    /** {@link Scans#diagonalBackward}: one task per (sequence, channel block), time running backwards. */
    static void backward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                         float[] gLast, float[] ga, float[] gb, float[] gh0) {
        forChannelBlocks(batch, channels, (bi, c0, c1) -> {
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
        });
    }

    /** The work of one task: channels [c0, c1) of sequence {@code b}. */
    @FunctionalInterface
    interface ChannelBlock {
        void run(int b, int c0, int c1);
    }

    /**
     * Runs {@code body} on every (sequence, block of {@link #DIAG_BLOCK} channels), the tasks split across
     * threads: time is sequential inside a task, and tasks never share an output element.
     */
    static void forChannelBlocks(int batch, int channels, ChannelBlock body) {
        int blocks = (channels + DIAG_BLOCK - 1) / DIAG_BLOCK;
        Parallel.forRange(batch * blocks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int c0 = (task % blocks) * DIAG_BLOCK;
                body.run(task / blocks, c0, Math.min(channels, c0 + DIAG_BLOCK));
            }
        });
    }
}
