package org.ssmlab.theorems;

import java.util.function.Supplier;
import org.ssmlab.autograd.Tensor;

/**
 * Reverse-mode derivatives of one output entry with respect to a leaf, and the small statistics the
 * recency properties fit to them (row norms, a least-squares slope with its standard error).
 */
public final class Grads {

    private Grads() {
    }

    /** ∂ out[flatIndex] / ∂ x, out rebuilt by {@code f} (backward frees the graph); zeros when out does not depend on x. */
    public static float[] of(Supplier<Tensor> f, Tensor x, int flatIndex) {
        x.zeroGrad();
        Tensor out = f.get();
        float[] seed = new float[out.size()];
        seed[flatIndex] = 1f;
        if (out.requiresGrad()) {
            out.backward(seed);
        }
        float[] g = x.gradData();
        float[] copy = g == null ? new float[x.size()] : g.clone();
        x.zeroGrad();
        return copy;
    }

    /** The Euclidean norm of row {@code row} of a (rows, width) array. */
    public static double rowNorm(float[] g, int row, int width) {
        double s = 0;
        for (int k = 0; k < width; k++) {
            double v = g[row * width + k];
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** The largest |entry| outside row {@code row}. */
    public static double offRowMax(float[] g, int row, int width) {
        double m = 0;
        for (int k = 0; k < g.length; k++) {
            if (k / width != row) {
                m = Math.max(m, Math.abs(g[k]));
            }
        }
        return m;
    }

    /** The Euclidean norm of every row. */
    public static double[] rowNorms(float[] g, int rows, int width) {
        double[] r = new double[rows];
        for (int i = 0; i < rows; i++) {
            r[i] = rowNorm(g, i, width);
        }
        return r;
    }

    /** Least-squares slope of y against x with its standard error: {slope, se}. */
    public static double[] slope(double[] xs, double[] ys, int m) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < m; i++) {
            mx += xs[i];
            my += ys[i];
        }
        mx /= m;
        my /= m;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < m; i++) {
            sxx += (xs[i] - mx) * (xs[i] - mx);
            sxy += (xs[i] - mx) * (ys[i] - my);
        }
        double b = sxy / sxx;
        double rss = 0;
        for (int i = 0; i < m; i++) {
            double r = ys[i] - my - b * (xs[i] - mx);
            rss += r * r;
        }
        double se = m > 2 ? Math.sqrt(rss / (m - 2) / sxx) : Double.POSITIVE_INFINITY;
        return new double[] {b, se};
    }
}
