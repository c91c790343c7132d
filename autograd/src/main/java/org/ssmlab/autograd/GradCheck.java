package org.ssmlab.autograd;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks reverse-mode gradients against central finite differences.
 *
 * <p>The function's output is projected onto fixed random weights w, L = Σ w ⊙ f(inputs), so every
 * output element takes part. The analytic gradient is one {@code backward(w)}; the numeric one is,
 * for every input element x, (L(x + h) - L(x - h)) / 2h with L accumulated in double precision (the
 * model itself runs in float32, so h must be large enough that float rounding in f, about
 * ε·Σ|w ⊙ f|, stays small against 2h·|∂L/∂x|; h = 1e-2 suits values of order one). The check passes
 * when |analytic - numeric| ≤ atol + rtol · max(|analytic|, |numeric|) for every element.
 *
 * <p>Use it on new ops and new layers: {@code GradCheck.check(in -> myOp(in.get(0), in.get(1)), List.of(x, y))}.
 */
public final class GradCheck {

    /** Default step and tolerances for float32 models with values of order one. */
    public static final double H = 1e-2;
    public static final double RTOL = 2e-2;
    public static final double ATOL = 2e-3;

    private GradCheck() {
    }

    /** The outcome: the largest violation found, described for a failure message. */
    public record Result(boolean ok, String worst, double maxError) {
    }

    /** {@link #check(Function, List, double, double, double, long)} with the default step, tolerances and seed. */
    public static Result check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        return check(f, inputs, H, RTOL, ATOL, 1L);
    }

    /**
     * Compares analytic and numeric gradients of {@code f} for every element of every input that
     * requires a gradient. The inputs' gradients are cleared before and after; their values are restored.
     */
    public static Result check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs,
                               double h, double rtol, double atol, long seed) {
        for (Tensor t : inputs) {
            t.zeroGrad();
        }
        Tensor out = f.apply(inputs);
        float[] w = new float[out.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        if (!out.requiresGrad()) {
            return new Result(false, "the output does not require a gradient (no input requires one)", Double.NaN);
        }
        out.backward(w);
        double worstExcess = Double.NEGATIVE_INFINITY;
        double maxError = 0;
        String worst = "";
        boolean ok = true;
        for (int ti = 0; ti < inputs.size(); ti++) {
            Tensor t = inputs.get(ti);
            if (!t.requiresGrad()) {
                continue;
            }
            float[] analytic = t.gradData() == null ? new float[t.size()] : t.gradData().clone();
            float[] x = t.data();
            for (int j = 0; j < x.length; j++) {
                float saved = x[j];
                x[j] = (float) (saved + h);
                double plus = projected(f, inputs, w);
                x[j] = (float) (saved - h);
                double minus = projected(f, inputs, w);
                double step = (double) (float) (saved + h) - (double) (float) (saved - h);
                x[j] = saved;
                double numeric = (plus - minus) / step;
                double err = Math.abs(analytic[j] - numeric);
                double allowed = atol + rtol * Math.max(Math.abs(analytic[j]), Math.abs(numeric));
                maxError = Math.max(maxError, err);
                if (err - allowed > worstExcess) {
                    worstExcess = err - allowed;
                    worst = "input " + ti + " " + Shape.str(t.shape()) + " element " + j + ": analytic "
                            + analytic[j] + ", numeric " + numeric + " (allowed error " + allowed + ")";
                }
                if (!(err <= allowed)) {
                    ok = false;
                }
            }
            t.zeroGrad();
        }
        return new Result(ok, worst, maxError);
    }

    /** Σ w ⊙ f(inputs) in double, without recording a graph. */
    private static double projected(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, float[] w) {
        try (var scope = GradMode.noGrad()) {
            float[] y = f.apply(inputs).data();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += (double) w[i] * y[i];
            }
            return s;
        }
    }
}
