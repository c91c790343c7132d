package org.ssmlab.autograd.ops;

import java.util.Arrays;
import java.util.List;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;

/**
 * Ops that move elements without arithmetic: reshape, permute/transpose, slice, concat, stack, pad.
 * Each backward moves the gradient back along the same map (the adjoint of a permutation is its
 * inverse; of a slice, a scatter into zeros; of a concat, the slices).
 */
public final class Shapes {

    private Shapes() {
    }

    /** The same elements in a new shape; one dimension may be -1 (inferred). Shares the data array. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(shape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0 && known > 0) {
            s[infer] = (int) (x.size() / known);
        }
        if (Shape.size(s) != x.size()) {
            throw new IllegalArgumentException("reshape: cannot view " + Shape.str(x.shape()) + " (" + x.size()
                    + " elements) as " + Shape.str(shape));
        }
        return Tensor.fromOp(x.data(), s, g -> x.accumulateGrad(g), x);
    }

    /** Swaps two axes. */
    public static Tensor transpose(Tensor x, int a, int b) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int aa = Shape.axis("transpose", a, x.rank());
        int bb = Shape.axis("transpose", b, x.rank());
        perm[aa] = bb;
        perm[bb] = aa;
        return permute(x, perm);
    }

    /** out.dim(i) = x.dim(perm[i]).  Backward: permute g by the inverse permutation. */
    public static Tensor permute(Tensor x, int... perm) {
        int rank = x.rank();
        if (perm.length != rank) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation of rank " + rank);
        }
        int[] inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int p = Shape.axis("permute", perm[i], rank);
            if (seen[p]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " repeats axis " + p);
            }
            seen[p] = true;
            inverse[p] = i;
        }
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = x.dim(perm[i]);
        }
        float[] y = permuteData(x.data(), x.shape(), perm);
        return Tensor.fromOp(y, out, g -> x.accumulateGrad(permuteData(g, out, inverse)), x);
    }

    private static float[] permuteData(float[] data, int[] shape, int[] perm) {
        int rank = shape.length;
        int[] src = Shape.strides(shape);
        int[] outShape = new int[rank];
        int[] strides = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[perm[i]];
            strides[i] = src[perm[i]];
        }
        float[] y = new float[data.length];
        int[] idx = new int[rank];
        int at = 0;
        for (int o = 0; o < y.length; o++) {
            y[o] = data[at];
            at = Broadcast.advance(idx, outShape, strides, at);
        }
        return y;
    }

    /** Elements from..to (exclusive) along {@code axis}.  Backward: g placed back, zeros elsewhere. */
    public static Tensor slice(Tensor x, int axis, int from, int to) {
        int a = Shape.axis("slice", axis, x.rank());
        int len = x.dim(a);
        if (from < 0 || to < from || to > len) {
            throw new IllegalArgumentException("slice: [" + from + ", " + to + ") is not within axis " + axis
                    + " of " + Shape.str(x.shape()));
        }
        int[] s = x.shape();
        int outer = Shape.size(Arrays.copyOf(s, a));
        int inner = Shape.size(Arrays.copyOfRange(s, a + 1, s.length));
        int width = (to - from) * inner;
        float[] xv = x.data();
        float[] y = new float[outer * width];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(xv, (o * len + from) * inner, y, o * width, width);
        }
        int[] out = s.clone();
        out[a] = to - from;
        return Tensor.fromOp(y, out, g -> {
            float[] r = new float[xv.length];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(g, o * width, r, (o * len + from) * inner, width);
            }
            x.accumulateGrad(r);
        }, x);
    }

    /** Joins tensors along an existing axis; all other dimensions must match. */
    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts.get(0);
        int a = Shape.axis("concat", axis, first.rank());
        int[] s = first.shape();
        int total = 0;
        for (Tensor t : parts) {
            int[] ts = t.shape();
            boolean ok = ts.length == s.length;
            for (int i = 0; ok && i < s.length; i++) {
                ok = i == a || ts[i] == s[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("concat: shape " + Shape.str(ts) + " does not match "
                        + Shape.str(s) + " outside axis " + axis);
            }
            total += ts[a];
        }
        int outer = Shape.size(Arrays.copyOf(s, a));
        int inner = Shape.size(Arrays.copyOfRange(s, a + 1, s.length));
        int rowWidth = total * inner;
        float[] y = new float[outer * rowWidth];
        int offset = 0;
        int[] offsets = new int[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            Tensor t = parts.get(p);
            int w = t.dim(a) * inner;
            offsets[p] = offset;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(t.data(), o * w, y, o * rowWidth + offset, w);
            }
            offset += w;
        }
        int[] out = s.clone();
        out[a] = total;
        Tensor[] inputs = parts.toArray(new Tensor[0]);
        return Tensor.fromOp(y, out, g -> {
            for (int p = 0; p < inputs.length; p++) {
                Tensor t = inputs[p];
                if (!t.requiresGrad()) {
                    continue;
                }
                int w = t.dim(a) * inner;
                float[] r = new float[t.size()];
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(g, o * rowWidth + offsets[p], r, o * w, w);
                }
                t.accumulateGrad(r);
            }
        }, inputs);
    }

    /** Joins equally shaped tensors along a new axis. */
    public static Tensor stack(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        int rank = parts.get(0).rank() + 1;
        int a = Shape.axis("stack", axis, rank);
        List<Tensor> expanded = parts.stream().map(t -> {
            if (!Arrays.equals(t.shape(), parts.get(0).shape())) {
                throw new IllegalArgumentException("stack: shapes " + Shape.str(parts.get(0).shape()) + " and "
                        + Shape.str(t.shape()) + " differ");
            }
            return unsqueeze(t, a);
        }).toList();
        return concat(expanded, a);
    }

    /**
     * x stretched to {@code shape} by NumPy broadcasting (its dimensions of size 1, and missing leading
     * ones, repeat): y[i] = x[source(i)]. Backward: ∂L/∂x = Σ of g over the copies of each element.
     * The same values and gradient as multiplying by ones of {@code shape}, without the multiplications.
     */
    public static Tensor broadcastTo(Tensor x, int... shape) {
        int[] target = shape.clone();
        int[] result = Broadcast.shape("broadcastTo", x.shape(), target);
        if (!Arrays.equals(result, target)) {
            throw new IllegalArgumentException("broadcastTo: " + Shape.str(x.shape()) + " does not stretch to "
                    + Shape.str(target) + " (it would broadcast to " + Shape.str(result) + ")");
        }
        int[] from = x.shape();
        if (Arrays.equals(from, target)) {
            return x;
        }
        return Tensor.fromOp(Broadcast.expand(x.data(), from, target), target,
                g -> x.accumulateGrad(Broadcast.reduceTo(g, target, from)), x);
    }

    /** Inserts a dimension of size 1 at {@code axis} (0..rank). */
    public static Tensor unsqueeze(Tensor x, int axis) {
        int a = Shape.axis("unsqueeze", axis, x.rank() + 1);
        int[] s = new int[x.rank() + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            s[i] = i == a ? 1 : x.dim(j++);
        }
        return reshape(x, s);
    }

    /**
     * Pads {@code axis} with {@code before} and {@code after} copies of {@code value}.
     * Backward: the slice of g that covers the original elements.
     */
    public static Tensor pad(Tensor x, int axis, int before, int after, float value) {
        int a = Shape.axis("pad", axis, x.rank());
        if (before < 0 || after < 0) {
            throw new IllegalArgumentException("pad: negative padding (" + before + ", " + after + ")");
        }
        int[] s = x.shape();
        int len = s[a];
        int outer = Shape.size(Arrays.copyOf(s, a));
        int inner = Shape.size(Arrays.copyOfRange(s, a + 1, s.length));
        int newLen = len + before + after;
        float[] y = new float[outer * newLen * inner];
        if (value != 0f) {
            Arrays.fill(y, value);
        }
        float[] xv = x.data();
        for (int o = 0; o < outer; o++) {
            System.arraycopy(xv, o * len * inner, y, (o * newLen + before) * inner, len * inner);
        }
        int[] out = s.clone();
        out[a] = newLen;
        return Tensor.fromOp(y, out, g -> {
            float[] r = new float[xv.length];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(g, (o * newLen + before) * inner, r, o * len * inner, len * inner);
            }
            x.accumulateGrad(r);
        }, x);
    }
}
