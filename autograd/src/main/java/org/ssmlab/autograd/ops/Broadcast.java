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

    /**
     * {@code data} of {@code shape} materialised at {@code outShape} (a copy, or {@code data} itself when
     * equal). The output is walked in blocks of its trailing dimensions: where the source is contiguous
     * along them, a block is one array copy; where it is stretched along them, one value filled.
     */
    public static float[] expand(float[] data, int[] shape, int[] outShape) {
        if (Arrays.equals(shape, outShape)) {
            return data;
        }
        Blocks b = new Blocks(stridesIn(shape, outShape), outShape);
        float[] out = new float[Shape.size(outShape)];
        int[] idx = new int[b.outer];
        int src = 0;
        for (int o = 0; o < out.length; o += b.inner) {
            if (b.copies) {
                System.arraycopy(data, src, out, o, b.inner);
            } else {
                Arrays.fill(out, o, o + b.inner, data[src]);
            }
            src = advance(idx, b.outer, outShape, b.strides, src);
        }
        return out;
    }

    /**
     * Σ of {@code grad} (of {@code outShape}) over the dimensions that {@code shape} was stretched along,
     * in the blocks of {@link #expand}; each sum adds the gradient's elements in their row-major order.
     */
    public static float[] reduceTo(float[] grad, int[] outShape, int[] shape) {
        if (Arrays.equals(shape, outShape)) {
            return grad;
        }
        Blocks b = new Blocks(stridesIn(shape, outShape), outShape);
        float[] out = new float[Shape.size(shape)];
        int[] idx = new int[b.outer];
        int dst = 0;
        for (int o = 0; o < grad.length; o += b.inner) {
            if (b.copies) {
                for (int i = 0; i < b.inner; i++) {
                    out[dst + i] += grad[o + i];
                }
            } else {
                float sum = out[dst];
                for (int i = 0; i < b.inner; i++) {
                    sum += grad[o + i];
                }
                out[dst] = sum;
            }
            dst = advance(idx, b.outer, outShape, b.strides, dst);
        }
        return out;
    }

    /**
     * The output of a broadcast split into blocks of its trailing dimensions along which the source is
     * either contiguous ({@code copies}: source strides 1, size, size·size', ...) or stretched (stride 0
     * throughout); {@code outer} leading dimensions index the blocks, with the source {@code strides}.
     */
    private static final class Blocks {
        final int inner;
        final int outer;
        final boolean copies;
        final int[] strides;

        Blocks(int[] in, int[] outShape) {
            int k = outShape.length - 1;
            boolean contiguous = k < 0 || in[k] != 0 || outShape[k] == 1;
            int size = 1;
            // a trailing run of dimensions that all keep (or all stretch) the source is one block: kept
            // dimensions behind kept ones are contiguous in the source, so their strides are 1, size, ...
            while (k >= 0 && (outShape[k] == 1 || (in[k] != 0) == contiguous)) {
                size *= outShape[k];
                k--;
            }
            this.inner = Math.max(size, 1);
            this.outer = k + 1;
            this.copies = contiguous;
            this.strides = in;
        }
    }

    /** Steps a row-major multi-index over {@code shape}, updating a linear offset with {@code strides}. */
    static int advance(int[] idx, int[] shape, int[] strides, int offset) {
        return advance(idx, shape.length, shape, strides, offset);
    }

    /** {@link #advance(int[], int[], int[], int)} over the leading {@code dims} dimensions of {@code shape} only. */
    static int advance(int[] idx, int dims, int[] shape, int[] strides, int offset) {
        for (int d = dims - 1; d >= 0; d--) {
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
