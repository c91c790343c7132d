package org.ssmlab.autograd.ops;

import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;

/**
 * RMSNorm and LayerNorm over the last axis, fused: forward keeps the per-row normalised values and the
 * reciprocal scale, backward uses the closed forms below (statistics accumulated in double).
 */
public final class Norms {

    private Norms() {
    }

    /**
     * RMSNorm: r = 1/√(mean(x²) + eps), x̂ = x·r, y = x̂ ⊙ w.
     * ∂L/∂w = Σ_rows g ⊙ x̂;  with ĝ = g ⊙ w:  ∂L/∂x = r (ĝ - x̂ · mean(ĝ ⊙ x̂)).
     */
    public static Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        int d = checkWeight("rmsNorm", x, w);
        int rows = d == 0 ? 0 : x.size() / d;
        float[] xv = x.data();
        float[] wv = w.data();
        float[] xhat = new float[xv.length];
        float[] rs = new float[rows];
        float[] y = new float[xv.length];
        for (int i = 0; i < rows; i++) {
            double ss = 0;
            for (int j = 0; j < d; j++) {
                ss += (double) xv[i * d + j] * xv[i * d + j];
            }
            float r = (float) (1.0 / Math.sqrt(ss / d + eps));
            rs[i] = r;
            for (int j = 0; j < d; j++) {
                xhat[i * d + j] = xv[i * d + j] * r;
                y[i * d + j] = xhat[i * d + j] * wv[j];
            }
        }
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] gw = new float[d];
            float[] gx = new float[xv.length];
            for (int i = 0; i < rows; i++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    float gh = g[i * d + j] * wv[j];
                    dot += (double) gh * xhat[i * d + j];
                    gw[j] += g[i * d + j] * xhat[i * d + j];
                }
                float meanDot = (float) (dot / d);
                for (int j = 0; j < d; j++) {
                    float gh = g[i * d + j] * wv[j];
                    gx[i * d + j] = rs[i] * (gh - xhat[i * d + j] * meanDot);
                }
            }
            x.accumulateFreshGrad(gx);
            w.accumulateFreshGrad(gw);
        }, x, w);
    }

    /**
     * LayerNorm: μ, σ² per row, r = 1/√(σ² + eps), x̂ = (x - μ) r, y = x̂ ⊙ w + b.
     * ∂L/∂w = Σ g ⊙ x̂, ∂L/∂b = Σ g;  with ĝ = g ⊙ w:  ∂L/∂x = r (ĝ - mean(ĝ) - x̂ · mean(ĝ ⊙ x̂)).
     */
    public static Tensor layerNorm(Tensor x, Tensor w, Tensor b, float eps) {
        int d = checkWeight("layerNorm", x, w);
        if (b != null && (b.rank() != 1 || b.dim(0) != d)) {
            throw new IllegalArgumentException("layerNorm: bias " + Shape.str(b.shape()) + " must be (" + d + ")");
        }
        int rows = d == 0 ? 0 : x.size() / d;
        float[] xv = x.data();
        float[] wv = w.data();
        float[] bv = b == null ? new float[d] : b.data();
        float[] xhat = new float[xv.length];
        float[] rs = new float[rows];
        float[] y = new float[xv.length];
        for (int i = 0; i < rows; i++) {
            double mu = 0;
            for (int j = 0; j < d; j++) {
                mu += xv[i * d + j];
            }
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = xv[i * d + j] - mu;
                var += c * c;
            }
            var /= d;
            double r = 1.0 / Math.sqrt(var + eps);
            rs[i] = (float) r;
            for (int j = 0; j < d; j++) {
                xhat[i * d + j] = (float) ((xv[i * d + j] - mu) * r);
                y[i * d + j] = xhat[i * d + j] * wv[j] + bv[j];
            }
        }
        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] gw = new float[d];
            float[] gb = new float[d];
            float[] gx = new float[xv.length];
            for (int i = 0; i < rows; i++) {
                double sum = 0;
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    float gh = g[i * d + j] * wv[j];
                    sum += gh;
                    dot += (double) gh * xhat[i * d + j];
                    gw[j] += g[i * d + j] * xhat[i * d + j];
                    gb[j] += g[i * d + j];
                }
                float mean = (float) (sum / d);
                float meanDot = (float) (dot / d);
                for (int j = 0; j < d; j++) {
                    float gh = g[i * d + j] * wv[j];
                    gx[i * d + j] = rs[i] * (gh - mean - xhat[i * d + j] * meanDot);
                }
            }
            x.accumulateFreshGrad(gx);
            w.accumulateFreshGrad(gw);
            if (b != null) {
                b.accumulateFreshGrad(gb);
            }
        }, inputs);
    }

    private static int checkWeight(String op, Tensor x, Tensor w) {
        if (x.rank() == 0 || w.rank() != 1 || w.dim(0) != x.dim(x.rank() - 1)) {
            throw new IllegalArgumentException(op + ": weight " + Shape.str(w.shape()) + " must be 1-D and match the last"
                    + " dimension of the input " + Shape.str(x.shape()));
        }
        return w.dim(0);
    }
}
