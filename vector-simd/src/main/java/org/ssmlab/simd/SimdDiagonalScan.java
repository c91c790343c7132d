package org.ssmlab.simd;

import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.SimdScans.load;

import jdk.incubator.vector.FloatVector;

/**
 * The real diagonal scan of {@link SimdScans}: {@code h_t = a_t ⊙ h_{t-1} + b_t} forward and backward.
 * Lanes are consecutive channels; threads take (sequence, channel block) tasks. Arguments are checked
 * by {@link CheckedScans}. Scalar twin: {@link ScalarDiagonalScan}.
 */
final class SimdDiagonalScan {

    /** Channels per task of the diagonal scans (a multiple of the vector width); the complex scan uses it too. */
    static final int DIAG_BLOCK = 16 * V;

    private SimdDiagonalScan() {
    }

    /** {@link Scans#diagonal}: one task per (sequence, channel block), each scanning its block in time. */
    static void forward(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        forChannelBlocks(batch, channels, (bi, c0, c1) -> scanRows(a, b, h0, h, bi, len, channels, c0, c1));
        copyLast(batch, len, channels, h0, h, hLast);
    }

    /** h_t = a_t h_{t-1} + b_t over sequence bi, channels [c0, c1), from {@code init} (null = 0). */
    private static void scanRows(float[] a, float[] b, float[] init, float[] h, int bi, int len, int channels,
                                 int c0, int c1) {
        int vEnd = c0 + S.loopBound(c1 - c0);
        for (int t = 0; t < len; t++) {
            int row = (bi * len + t) * channels;
            boolean first = t == 0;
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
