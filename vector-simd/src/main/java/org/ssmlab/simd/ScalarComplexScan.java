package org.ssmlab.simd;

import org.ssmlab.simd.Scans.Complex;

/**
 * The complex diagonal scan of {@link ScalarScans} (S4D with complex Λ), forward and backward, one
 * channel at a time on split real and imaginary arrays. Arguments are checked by
 * {@link CheckedScans}. SIMD twin:
 * {@link SimdComplexScan}.
 */
final class ScalarComplexScan {

    private ScalarComplexScan() {
    }

    /** {@link Scans#complexDiagonal}: one channel at a time, time running forward. */
    static void forward(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                        Complex hLast) {
        for (int bi = 0; bi < batch; bi++) {
            for (int c = 0; c < channels; c++) {
                float re = h0 == null ? 0f : h0.re()[bi * channels + c];
                float im = h0 == null ? 0f : h0.im()[bi * channels + c];
                for (int t = 0; t < len; t++) {
                    int i = (bi * len + t) * channels + c;
                    float ar = a.re()[i];
                    float ai = a.im()[i];
                    // (ar + i ai)(re + i im) + b
                    float nr = ar * re - ai * im + b.re()[i];
                    float ni = ar * im + ai * re + b.im()[i];
                    re = nr;
                    im = ni;
                    h.re()[i] = re;
                    h.im()[i] = im;
                }
                if (hLast != null) {
                    hLast.re()[bi * channels + c] = re;
                    hLast.im()[bi * channels + c] = im;
                }
            }
        }
    }

    /** {@link Scans#complexDiagonalBackward}: the real-pair chain rule, one channel at a time. */
    static void backward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                         Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        for (int bi = 0; bi < batch; bi++) {
            for (int c = 0; c < channels; c++) {
                int j = bi * channels + c;
                float gr = gLast == null ? 0f : gLast.re()[j];
                float gi = gLast == null ? 0f : gLast.im()[j];
                for (int t = len - 1; t >= 0; t--) {
                    int i = (bi * len + t) * channels + c;
                    gr = gr + gH.re()[i];
                    gi = gi + gH.im()[i];
                    float pr = t > 0 ? h.re()[i - channels] : (h0 == null ? 0f : h0.re()[j]);
                    float pi = t > 0 ? h.im()[i - channels] : (h0 == null ? 0f : h0.im()[j]);
                    gb.re()[i] = gr;
                    gb.im()[i] = gi;
                    // ga = g · conj(h_{t-1}) = (gr + i gi)(pr - i pi)
                    ga.re()[i] = gr * pr + gi * pi;
                    ga.im()[i] = gi * pr - gr * pi;
                    // g ← conj(a) · g = (ar - i ai)(gr + i gi)
                    float ar = a.re()[i];
                    float ai = a.im()[i];
                    float nr = ar * gr + ai * gi;
                    float ni = ar * gi - ai * gr;
                    gr = nr;
                    gi = ni;
                }
                if (gh0 != null) {
                    gh0.re()[j] = gr;
                    gh0.im()[j] = gi;
                }
            }
        }
    }
}
