package org.ssmlab.autograd.ops;

import java.util.Arrays;
import org.ssmlab.autograd.Shape;

/**
 * NumPy broadcasting: shapes are aligned at their last dimension, and a dimension of size 1 (or a
 * missing leading one) stretches to match the other. Forward ops {@linkplain #expand expand} an
 * operand to the result shape; backward ops {@linkplain #reduceTo sum the gradient back} over the
 * stretched dimensions, since ∂L/∂x = Σ over the copies of x of ∂L/∂copy.
 */
public final class Broadcast {

    private Broadcast() {
    }

    /** The broadcast shape of {@code a} and {@code b}, or an error naming the op and both shapes. */
    public static int[] shape(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromRight(a, rank - 1 - i);
            int db = dimFromRight(b, rank - 1 - i);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Shape.str(a) + " and " + Shape.str(b)
                        + " cannot be broadcast (dimension " + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Dimension {@code i} of {@code shape} when left-padded with ones to rank {@code i+1+...}; see callers. */
    private static int dimFromRight(int[] shape, int fromRight) {
        int i = shape.length - 1 - fromRight;
        return i >= 0 ? shape[i] : 1;
    }

    /** Strides of {@code shape} seen from {@code outShape}: 0 along stretched or missing dimensions. */
    static int[] stridesIn(int[] shape, int[] outShape) {
        int[] own = Shape.strides(shape);
        int[] s = new int[outShape.length];
        int shift = outShape.length - shape.length;
        for (int i = 0; i < outShape.length; i++) {
            int j = i - shift;
            s[i] = j < 0 || shape[j] == 1 ? 0 : own[j];
        }
        return s;
    }

    /** {@code data} of {@code shape} materialised at {@code outShape} (a copy, or {@code data} itself when equal). */
    public static float[] expand(float[] data, int[] shape, int[] outShape) {
        if (Arrays.equals(shape, outShape)) {
            return data;
        }
        int[] in = stridesIn(shape, outShape);
        float[] out = new float[Shape.size(outShape)];
        int[] idx = new int[outShape.length];
        int src = 0;
        for (int o = 0; o < out.length; o++) {
            out[o] = data[src];
            src = advance(idx, outShape, in, src);
        }
        return out;
    }

    /** Σ of {@code grad} (of {@code outShape}) over the dimensions that {@code shape} was stretched along. */
    public static float[] reduceTo(float[] grad, int[] outShape, int[] shape) {
        if (Arrays.equals(shape, outShape)) {
            return grad;
        }
        int[] in = stridesIn(shape, outShape);
        float[] out = new float[Shape.size(shape)];
        int[] idx = new int[outShape.length];
        int dst = 0;
        for (int o = 0; o < grad.length; o++) {
            out[dst] += grad[o];
            dst = advance(idx, outShape, in, dst);
        }
        return out;
    }

    /** Steps a row-major multi-index over {@code shape}, updating a linear offset with {@code strides}. */
    static int advance(int[] idx, int[] shape, int[] strides, int offset) {
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d]++;
            offset += strides[d];
            if (idx[d] < shape[d]) {
                return offset;
            }
            offset -= strides[d] * shape[d];
            idx[d] = 0;
        }
        return offset;
    }
}
