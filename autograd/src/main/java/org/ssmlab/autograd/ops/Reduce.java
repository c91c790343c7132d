package org.ssmlab.autograd.ops;

import java.util.Arrays;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;

/**
 * Reductions over axes. A tensor is viewed as (outer, len, inner) around the reduced axis, so one
 * loop serves every axis. Backward: sum spreads g to every element it summed, mean spreads g/len, max
 * sends g to the first position that attained the maximum.
 */
public final class Reduce {

    private Reduce() {
    }

    /** Σ of all elements, a scalar. */
    public static Tensor sum(Tensor x) {
        float s = Backend.current().reductions().sum(x.data(), 0, x.size());
        int n = x.size();
        return Tensor.fromOp(new float[] {s}, new int[0], g -> {
            float[] r = new float[n];
            Arrays.fill(r, g[0]);
            x.accumulateGrad(r);
        }, x);
    }

    /** Mean of all elements, a scalar. */
    public static Tensor mean(Tensor x) {
        return Arith.mulScalar(sum(x), 1f / Math.max(1, x.size()));
    }

    /** Σ over the given axes (negative counts from the end); keeps them as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, boolean keepDim, int... axes) {
        Tensor r = x;
        for (int a : sortedDescending("sum", axes, x.rank())) {
            r = sumAxis(r, a, keepDim);
        }
        return r;
    }

    /** Mean over the given axes. */
    public static Tensor mean(Tensor x, boolean keepDim, int... axes) {
        long count = 1;
        for (int a : sortedDescending("mean", axes, x.rank())) {
            count *= x.dim(a);
        }
        return Arith.mulScalar(sum(x, keepDim, axes), 1f / Math.max(1, count));
    }

    /** Max over one axis.  ∂/∂x = g at the (first) arg-max, 0 elsewhere. */
    public static Tensor max(Tensor x, int axis, boolean keepDim) {
        int a = Shape.axis("max", axis, x.rank());
        int[] s = x.shape();
        int len = s[a];
        if (len == 0) {
            throw new IllegalArgumentException("max: axis " + axis + " of " + Shape.str(s) + " is empty");
        }
        int outer = Shape.size(Arrays.copyOf(s, a));
        int inner = Shape.size(Arrays.copyOfRange(s, a + 1, s.length));
        float[] xv = x.data();
        float[] y = new float[outer * inner];
        int[] arg = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * len * inner + i;
                int best = base;
                for (int j = 1; j < len; j++) {
                    if (xv[base + j * inner] > xv[best]) {
                        best = base + j * inner;
                    }
                }
                y[o * inner + i] = xv[best];
                arg[o * inner + i] = best;
            }
        }
        return Tensor.fromOp(y, reducedShape(s, a, keepDim), g -> {
            float[] r = new float[xv.length];
            for (int q = 0; q < g.length; q++) {
                r[arg[q]] += g[q];
            }
            x.accumulateGrad(r);
        }, x);
    }

    /** y[o, i] = Σ_j x[o, j, i].  ∂L/∂x[o, j, i] = g[o, i]. */
    private static Tensor sumAxis(Tensor x, int a, boolean keepDim) {
        int[] s = x.shape();
        int len = s[a];
        int outer = Shape.size(Arrays.copyOf(s, a));
        int inner = Shape.size(Arrays.copyOfRange(s, a + 1, s.length));
        float[] xv = x.data();
        float[] y = new float[outer * inner];
        if (inner == 1) {
            Backend.current().reductions().rowSum(xv, y, outer, len);
        } else {
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < len; j++) {
                    Backend.current().elementwise().axpy(1f, xv, (o * len + j) * inner, y, o * inner, inner);
                }
            }
        }
        return Tensor.fromOp(y, reducedShape(s, a, keepDim), g -> {
            float[] r = new float[xv.length];
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < len; j++) {
                    System.arraycopy(g, o * inner, r, (o * len + j) * inner, inner);
                }
            }
            x.accumulateGrad(r);
        }, x);
    }

    private static int[] reducedShape(int[] s, int a, boolean keepDim) {
        if (keepDim) {
            int[] r = s.clone();
            r[a] = 1;
            return r;
        }
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != a) {
                r[j++] = s[i];
            }
        }
        return r;
    }

    private static int[] sortedDescending(String op, int[] axes, int rank) {
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            r[i] = Shape.axis(op, axes[i], rank);
        }
        Arrays.sort(r);
        for (int i = 1; i < r.length; i++) {
            if (r[i] == r[i - 1]) {
                throw new IllegalArgumentException(op + ": axis " + r[i] + " is given twice");
            }
        }
        for (int i = 0; i < r.length / 2; i++) {
            int t = r[i];
            r[i] = r[r.length - 1 - i];
            r[r.length - 1 - i] = t;
        }
        return r;
    }
}
