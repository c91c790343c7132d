package org.ssmlab.simd;

/**
 * The real diagonal scan of {@link ScalarScans}: {@code h_t = a_t ⊙ h_{t-1} + b_t} forward and backward,
 * one channel at a time; a, b, h (batch, L, C), h0, hLast, gLast, gh0 (batch, C). Arguments are checked
 * by {@link CheckedScans}. SIMD twin: {@link SimdDiagonalScan}.
 */
final class ScalarDiagonalScan {

    private ScalarDiagonalScan() {
    }

    /** {@link Scans#diagonal}: one channel at a time, time running forward. */
    static void forward(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        for (int bi = 0; bi < batch; bi++) {
            for (int c = 0; c < channels; c++) {
                float state = h0 == null ? 0f : h0[bi * channels + c];
                for (int t = 0; t < len; t++) {
                    int i = (bi * len + t) * channels + c;
                    state = a[i] * state + b[i];           // h_t = a_t h_{t-1} + b_t
                    h[i] = state;
                }
                if (hLast != null) {
                    hLast[bi * channels + c] = state;
                }
            }
        }
    }

    /** {@link Scans#diagonalBackward}: one channel at a time, γ carried down the time axis. */
    static void backward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                         float[] gLast, float[] ga, float[] gb, float[] gh0) {
        for (int bi = 0; bi < batch; bi++) {
            for (int c = 0; c < channels; c++) {
                float gamma = gLast == null ? 0f : gLast[bi * channels + c];
                for (int t = len - 1; t >= 0; t--) {
                    int i = (bi * len + t) * channels + c;
                    gamma = gamma + gH[i];                     // total ∂L/∂h_t
                    float prev = t > 0 ? h[i - channels] : (h0 == null ? 0f : h0[bi * channels + c]);
                    gb[i] = gamma;                             // ∂h_t/∂b_t = 1
                    ga[i] = gamma * prev;                      // ∂h_t/∂a_t = h_{t-1}
                    gamma = a[i] * gamma;                      // ∂h_t/∂h_{t-1} = a_t
                }
                if (gh0 != null) {
                    gh0[bi * channels + c] = gamma;
                }
            }
        }
    }
}
