package org.ssmlab.autograd.ops;

import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Elementwise;
import org.ssmlab.simd.Parallel;

/**
 * The depthwise causal 1-D convolution of the Mamba block (PyTorch's Conv1d with groups = channels,
 * padding k-1, keeping the first L outputs), on channels-last input (batch, L, C):
 *
 * <pre>
 *   y[b, t, c] = bias[c] + Σ_{j=0}^{k-1} w[c, j] · x[b, t - (k-1) + j, c]      (x = 0 before t = 0)
 *   ∂L/∂x[b, s, c] = Σ_j g[b, s + (k-1) - j, c] · w[c, j]
 *   ∂L/∂w[c, j]    = Σ_{b,t} g[b, t, c] · x[b, t - (k-1) + j, c]
 *   ∂L/∂bias[c]    = Σ_{b,t} g[b, t, c]
 * </pre>
 *
 * The weight has the reference layout (C, 1, k), so checkpoints move to and from PyTorch as they are.
 * Sequences run in parallel; the weight and bias gradients are summed per sequence and then over the
 * sequences in order, so the result does not depend on the thread count. Each tap of each step is one
 * row update over contiguous channels, {@link Elementwise#multiplyAdd} (a fused multiply-add, SIMD on
 * the CPU backends): written as plain loops over {@code y[out + c] += w[tap + c] · x[in + c]}, C2 left
 * them scalar (it cannot rule out that the three arrays overlap).
 */
public final class Conv {

    private Conv() {
    }

    /** See the class comment; {@code bias} may be null. */
    public static Tensor depthwiseCausal(Tensor x, Tensor w, Tensor bias) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("depthwiseCausal: input must be (batch, L, C), got " + Shape.str(x.shape()));
        }
        int batch = x.dim(0);
        int len = x.dim(1);
        int ch = x.dim(2);
        if (w.rank() != 3 || w.dim(0) != ch || w.dim(1) != 1) {
            throw new IllegalArgumentException("depthwiseCausal: weight " + Shape.str(w.shape()) + " must be (" + ch + ", 1, k)");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != ch)) {
            throw new IllegalArgumentException("depthwiseCausal: bias " + Shape.str(bias.shape()) + " must be (" + ch + ")");
        }
        int k = w.dim(2);
        float[] xv = x.data();
        float[] wt = tapMajor(w.data(), ch, k);          // (k, C): each tap's weights contiguous over channels
        float[] y = new float[xv.length];
        float[] bv = bias == null ? null : bias.data();
        Elementwise ew = Backend.current().elementwise();
        Parallel.forRange(batch, 1, (b0, b1) -> {                 // sequences are independent
            for (int b = b0; b < b1; b++) {
                forwardSequence(ew, xv, wt, bv, y, b, len, ch, k);
            }
        });
        Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] gx = new float[xv.length];
            float[] gwtPerSequence = new float[batch * wt.length];   // summed in a fixed order below
            float[] gbPerSequence = new float[batch * ch];
            Parallel.forRange(batch, 1, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    backwardSequence(ew, g, xv, wt, gx, gwtPerSequence, b * wt.length, gbPerSequence, b * ch, b, len,
                            ch, k);
                }
            });
            float[] gwt = new float[wt.length];
            float[] gb = new float[ch];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < gwt.length; i++) {
                    gwt[i] += gwtPerSequence[b * wt.length + i];
                }
                for (int c = 0; c < ch; c++) {
                    gb[c] += gbPerSequence[b * ch + c];
                }
            }
            x.accumulateFreshGrad(gx);
            w.accumulateFreshGrad(channelMajor(gwt, ch, k));
            if (bias != null) {
                bias.accumulateFreshGrad(gb);
            }
        }, inputs);
    }

    /** y[b, t, :] for every t of sequence b (the forward formula of the class comment). */
    private static void forwardSequence(Elementwise ew, float[] xv, float[] wt, float[] bias, float[] y, int b, int len,
                                        int ch, int k) {
        for (int t = 0; t < len; t++) {
            int out = (b * len + t) * ch;
            if (bias != null) {
                System.arraycopy(bias, 0, y, out, ch);
            }
            for (int j = Math.max(0, k - 1 - t); j < k; j++) {
                int in = (b * len + t - (k - 1) + j) * ch;
                ew.multiplyAdd(wt, j * ch, xv, in, y, out, ch);               // y[out + c] += w[j, c] · x[in + c]
            }
        }
    }

    /** Sequence b's part of the backward: its gx rows, and its own partial sums of gw (at gwOff) and gbias (at gbOff). */
    private static void backwardSequence(Elementwise ew, float[] g, float[] xv, float[] wt, float[] gx, float[] gwt,
                                         int gwOff, float[] gb, int gbOff, int b, int len, int ch, int k) {
        for (int t = 0; t < len; t++) {
            int out = (b * len + t) * ch;
            ew.axpy(1f, g, out, gb, gbOff, ch);                               // gb[c] += g[out + c]
            for (int j = Math.max(0, k - 1 - t); j < k; j++) {
                int in = (b * len + t - (k - 1) + j) * ch;
                int tap = j * ch;
                ew.multiplyAdd(g, out, wt, tap, gx, in, ch);                  // gx[in + c] += g[out + c] · w[j, c]
                ew.multiplyAdd(g, out, xv, in, gwt, gwOff + tap, ch);         // gw[j, c] += g[out + c] · x[in + c]
            }
        }
    }

    /** (C, 1, k) weights as (k, C), so the inner loops run over contiguous channels (and vectorise). */
    private static float[] tapMajor(float[] w, int ch, int k) {
        float[] t = new float[w.length];
        for (int c = 0; c < ch; c++) {
            for (int j = 0; j < k; j++) {
                t[j * ch + c] = w[c * k + j];
            }
        }
        return t;
    }

    /** The inverse of {@link #tapMajor}: (k, C) back to the reference layout (C, 1, k). */
    private static float[] channelMajor(float[] t, int ch, int k) {
        float[] w = new float[t.length];
        for (int c = 0; c < ch; c++) {
            for (int j = 0; j < k; j++) {
                w[c * k + j] = t[j * ch + c];
            }
        }
        return w;
    }
}
