package org.ssmlab.simd;

import static org.ssmlab.simd.SimdDiagonalScan.forChannelBlocks;
import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.SimdScans.load;

import jdk.incubator.vector.FloatVector;
import org.ssmlab.simd.Scans.Complex;

/**
 * The complex diagonal scan of {@link SimdScans} (S4D with complex Λ), forward and backward, on split
 * real and imaginary arrays; laid out like {@link SimdDiagonalScan}. Arguments are checked by
 * {@link CheckedScans}. Scalar twin: {@link ScalarComplexScan}.
 */
final class SimdComplexScan {

    private SimdComplexScan() {
    }

    /** {@link Scans#complexDiagonal}: one task per (sequence, channel block), as the real scan. */
    static void forward(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                        Complex hLast) {
        float[] ar = a.re(), ai = a.im(), br = b.re(), bim = b.im(), hr = h.re(), him = h.im();
        float[] h0r = h0 == null ? null : h0.re();
        float[] h0i = h0 == null ? null : h0.im();
        forChannelBlocks(batch, channels, (bi, c0, c1) -> {
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
        });
        if (hLast != null) {
            SimdDiagonalScan.copyLast(batch, len, channels, h0r, hr, hLast.re());
            SimdDiagonalScan.copyLast(batch, len, channels, h0i, him, hLast.im());
        }
    }

    /** {@link Scans#complexDiagonalBackward}: the real-pair chain rule, time running backwards. */
    static void backward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                         Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        float[] ar = a.re(), ai = a.im(), hr = h.re(), him = h.im();
        float[] ghr = gH.re(), ghi = gH.im(), gar = ga.re(), gai = ga.im(), gbr = gb.re(), gbi = gb.im();
        float[] h0r = h0 == null ? null : h0.re();
        float[] h0i = h0 == null ? null : h0.im();
        float[] glr = gLast == null ? null : gLast.re();
        float[] gli = gLast == null ? null : gLast.im();
        forChannelBlocks(batch, channels, (bi, c0, c1) -> {
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
        });
    }
}
