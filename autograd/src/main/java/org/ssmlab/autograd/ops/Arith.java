package org.ssmlab.autograd.ops;

import java.util.Arrays;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Elementwise;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;

/**
 * Elementwise ops with broadcasting, each forward beside its backward. Notation: y = f(x) or
 * z = f(x, y), g = ∂L/∂(output); the backward gives ∂L/∂x = g · ∂f/∂x, summed over broadcast copies.
 */
public final class Arith {

    private Arith() {
    }

    private static Elementwise ew() {
        return Backend.current().elementwise();
    }

    // ------------------------------------------------------------------ binary, broadcasting

    /** z = x + y.  ∂z/∂x = 1, ∂z/∂y = 1. */
    public static Tensor add(Tensor x, Tensor y) {
        return binary("add", Binary.ADD, x, y, (g, xe, ye) -> g, (g, xe, ye) -> g);
    }

    /** z = x - y.  ∂z/∂x = 1, ∂z/∂y = -1. */
    public static Tensor sub(Tensor x, Tensor y) {
        return binary("sub", Binary.SUB, x, y, (g, xe, ye) -> g, (g, xe, ye) -> map(Unary.NEG, g));
    }

    /** z = x · y.  ∂z/∂x = y, ∂z/∂y = x. */
    public static Tensor mul(Tensor x, Tensor y) {
        return binary("mul", Binary.MUL, x, y, (g, xe, ye) -> zip(Binary.MUL, g, ye.get()),
                (g, xe, ye) -> zip(Binary.MUL, g, xe.get()));
    }

    /** z = x / y.  ∂z/∂x = 1/y, ∂z/∂y = -x/y². */
    public static Tensor div(Tensor x, Tensor y) {
        return binary("div", Binary.DIV, x, y, (g, xe, ye) -> zip(Binary.DIV, g, ye.get()),
                (g, xe, ye) -> {
                    float[] yv = ye.get();
                    float[] r = zip(Binary.DIV, zip(Binary.MUL, g, xe.get()), zip(Binary.MUL, yv, yv));
                    return map(Unary.NEG, r);
                });
    }

    /** The gradient of one operand of a binary op, at the output shape (before reduction). */
    @FunctionalInterface
    private interface PartialGrad {
        float[] apply(float[] g, Lazy x, Lazy y);
    }

    /** An operand materialised at the output shape only when a backward needs it. */
    private static final class Lazy {
        private final float[] data;
        private final int[] shape;
        private final int[] outShape;
        private float[] value;

        Lazy(float[] data, int[] shape, int[] outShape) {
            this.data = data;
            this.shape = shape;
            this.outShape = outShape;
        }

        float[] get() {
            if (value == null) {
                value = Broadcast.expand(data, shape, outShape);
            }
            return value;
        }
    }

    private static Tensor binary(String name, Binary op, Tensor x, Tensor y, PartialGrad dx, PartialGrad dy) {
        int[] xs = x.shape();
        int[] ys = y.shape();
        int[] out = Broadcast.shape(name, xs, ys);
        int n = org.ssmlab.autograd.Shape.size(out);
        float[] z = new float[n];
        if (Arrays.equals(xs, ys)) {
            ew().binary(op, x.data(), 0, y.data(), 0, z, 0, n);
        } else if (y.size() == 1 && Arrays.equals(xs, out)) {
            ew().binaryScalar(op, x.data(), 0, y.data()[0], z, 0, n);
        } else if (Arrays.equals(xs, out) && isTrailing(ys, out)) {
            int cols = y.size();
            ew().binaryRowBroadcast(op, x.data(), y.data(), z, cols == 0 ? 0 : n / cols, cols);
        } else {
            ew().binary(op, Broadcast.expand(x.data(), xs, out), 0, Broadcast.expand(y.data(), ys, out), 0, z, 0, n);
        }
        Lazy xe = new Lazy(x.data(), xs, out);
        Lazy ye = new Lazy(y.data(), ys, out);
        return Tensor.fromOp(z, out, g -> {
            if (x.requiresGrad()) {
                accumulate(x, Broadcast.reduceTo(dx.apply(g, xe, ye), out, xs), g);
            }
            if (y.requiresGrad()) {
                accumulate(y, Broadcast.reduceTo(dy.apply(g, xe, ye), out, ys), g);
            }
        }, x, y);
    }

    /** Adds a partial gradient into t: without a copy when it is an array of its own, not g passed through. */
    private static void accumulate(Tensor t, float[] partial, float[] g) {
        if (partial == g) {
            t.accumulateGrad(partial);
        } else {
            t.accumulateFreshGrad(partial);
        }
    }

    /** Whether {@code s} (without leading ones) equals the trailing dimensions of {@code out}. */
    private static boolean isTrailing(int[] s, int[] out) {
        int lead = 0;
        while (lead < s.length && s[lead] == 1) {
            lead++;
        }
        int len = s.length - lead;
        if (len > out.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (s[lead + i] != out[out.length - len + i]) {
                return false;
            }
        }
        return true;
    }

    /** z = x + c. */
    public static Tensor addScalar(Tensor x, float c) {
        return add(x, Tensor.scalar(c));
    }

    /** z = x · c. */
    public static Tensor mulScalar(Tensor x, float c) {
        return mul(x, Tensor.scalar(c));
    }

    // ------------------------------------------------------------------ unary

    /** y = -x.  ∂y/∂x = -1. */
    public static Tensor neg(Tensor x) {
        return unary(Unary.NEG, x, (g, xv, yv) -> map(Unary.NEG, g));
    }

    /** y = e^x.  ∂y/∂x = y. */
    public static Tensor exp(Tensor x) {
        return unary(Unary.EXP, x, (g, xv, yv) -> zip(Binary.MUL, g, yv));
    }

    /** y = ln x.  ∂y/∂x = 1/x. */
    public static Tensor log(Tensor x) {
        return unary(Unary.LOG, x, (g, xv, yv) -> zip(Binary.DIV, g, xv));
    }

    /** y = √x.  ∂y/∂x = 1/(2y). */
    public static Tensor sqrt(Tensor x) {
        return unary(Unary.SQRT, x, (g, xv, yv) -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i] * 0.5f / yv[i];
            }
            return r;
        });
    }

    /** y = |x|.  ∂y/∂x = sign(x) (0 at 0). */
    public static Tensor abs(Tensor x) {
        return unary(Unary.ABS, x, (g, xv, yv) -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i] * Math.signum(xv[i]);
            }
            return r;
        });
    }

    /** y = max(x, 0).  ∂y/∂x = [x > 0]. */
    public static Tensor relu(Tensor x) {
        return unary(Unary.RELU, x, (g, xv, yv) -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = xv[i] > 0 ? g[i] : 0f;
            }
            return r;
        });
    }

    /** y = σ(x) = 1/(1+e^-x).  ∂y/∂x = y(1-y). */
    public static Tensor sigmoid(Tensor x) {
        return unary(Unary.SIGMOID, x, (g, xv, yv) -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i] * yv[i] * (1f - yv[i]);
            }
            return r;
        });
    }

    /** y = tanh x.  ∂y/∂x = 1 - y². */
    public static Tensor tanh(Tensor x) {
        return unary(Unary.TANH, x, (g, xv, yv) -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i] * (1f - yv[i] * yv[i]);
            }
            return r;
        });
    }

    /** y = ln(1+e^x).  ∂y/∂x = σ(x). */
    public static Tensor softplus(Tensor x) {
        return unary(Unary.SOFTPLUS, x, (g, xv, yv) -> zip(Binary.MUL, g, map(Unary.SIGMOID, xv)));
    }

    /** y = x·σ(x).  ∂y/∂x = σ(x) (1 + x (1 - σ(x))). */
    public static Tensor silu(Tensor x) {
        return unary(Unary.SILU, x, (g, xv, yv) -> {
            float[] s = map(Unary.SIGMOID, xv);
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i] * s[i] * (1f + xv[i] * (1f - s[i]));
            }
            return r;
        });
    }

    /**
     * y = x/2 (1 + tanh u), u = √(2/π)(x + 0.044715x³).
     * ∂y/∂x = (1 + tanh u)/2 + x/2 (1 - tanh² u) √(2/π)(1 + 3·0.044715x²).
     */
    public static Tensor gelu(Tensor x) {
        return unary(Unary.GELU, x, (g, xv, yv) -> {
            float[] r = new float[g.length];
            double c = Math.sqrt(2 / Math.PI);
            for (int i = 0; i < r.length; i++) {
                double v = xv[i];
                double t = Math.tanh(c * (v + 0.044715 * v * v * v));
                double d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v);
                r[i] = (float) (g[i] * d);
            }
            return r;
        });
    }

    /** y = sin x.  ∂y/∂x = cos x. (Scalar loop: used on small parameter tensors only.) */
    public static Tensor sin(Tensor x) {
        float[] xv = x.data();
        float[] y = new float[xv.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.sin(xv[i]);
        }
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (g[i] * Math.cos(xv[i]));
            }
            x.accumulateFreshGrad(r);
        }, x);
    }

    /** y = cos x.  ∂y/∂x = -sin x. */
    public static Tensor cos(Tensor x) {
        float[] xv = x.data();
        float[] y = new float[xv.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.cos(xv[i]);
        }
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (-g[i] * Math.sin(xv[i]));
            }
            x.accumulateFreshGrad(r);
        }, x);
    }

    /** y = x^p for a constant p.  ∂y/∂x = p x^(p-1). */
    public static Tensor pow(Tensor x, float p) {
        float[] xv = x.data();
        float[] y = new float[xv.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.pow(xv[i], p);
        }
        return Tensor.fromOp(y, x.shape(), g -> {
            float[] r = new float[g.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (g[i] * p * Math.pow(xv[i], p - 1));
            }
            x.accumulateFreshGrad(r);
        }, x);
    }

    /** The gradient of a unary op from g, the input values and the output values. */
    @FunctionalInterface
    private interface UnaryGrad {
        float[] apply(float[] g, float[] x, float[] y);
    }

    private static Tensor unary(Unary op, Tensor x, UnaryGrad grad) {
        float[] xv = x.data();
        float[] y = map(op, xv);
        return Tensor.fromOp(y, x.shape(), g -> x.accumulateFreshGrad(grad.apply(g, xv, y)), x);
    }

    /** op applied to every element, through the current backend's kernel. */
    static float[] map(Unary op, float[] x) {
        float[] y = new float[x.length];
        ew().unary(op, x, 0, y, 0, x.length);
        return y;
    }

    /** op applied to equal-length arrays, through the current backend's kernel. */
    static float[] zip(Binary op, float[] x, float[] y) {
        float[] z = new float[x.length];
        ew().binary(op, x, 0, y, 0, z, 0, x.length);
        return z;
    }
}
