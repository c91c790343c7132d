package org.ssmlab.autograd.optim;

import java.util.List;
import java.util.Objects;
import org.ssmlab.autograd.Tensor;

/** Gradient clipping. */
public final class GradClip {

    private GradClip() {
    }

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm}, as
     * PyTorch's {@code clip_grad_norm_}:
     * <pre>
     *   norm = sqrt( Σ over parameters, Σ over elements g² )      (in double)
     *   if norm &gt; maxNorm:  g *= maxNorm / norm                     (then the norm is maxNorm)
     * </pre>
     * Parameters with a null gradient count as zero. The direction of the joint gradient is kept. When the
     * norm is NaN or infinite the gradients are left as they are and the norm is returned, so the caller
     * can skip the step.
     *
     * @return the norm before clipping
     * @throws IllegalArgumentException when {@code maxNorm} is not a finite positive number
     */
    public static double clipGlobalNorm(List<Tensor> params, double maxNorm) {
        Objects.requireNonNull(params, "GradClip.clipGlobalNorm: params is null");
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("GradClip.clipGlobalNorm: maxNorm = " + maxNorm
                    + " must be finite and > 0");
        }
        double sumSq = 0;
        for (Tensor p : params) {
            float[] g = p.gradData();
            if (g == null) {
                continue;
            }
            for (float x : g) {
                sumSq += (double) x * x;
            }
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm && Double.isFinite(norm)) {
            double scale = maxNorm / norm;
            for (Tensor p : params) {
                float[] g = p.gradData();
                if (g == null) {
                    continue;
                }
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (g[i] * scale);
                }
            }
        }
        return norm;
    }
}
