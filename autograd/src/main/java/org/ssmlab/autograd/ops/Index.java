package org.ssmlab.autograd.ops;

import java.util.Arrays;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;

/**
 * Integer indexing: row lookup (the embedding), gather along the last axis, and scatter-add of rows.
 * The adjoint of a lookup is a scatter-add of the gradient rows, and the other way round.
 */
public final class Index {

    private Index() {
    }

    /**
     * Rows of a (rows, d) table picked by {@code ids}, shaped {@code idShape + [d]}: the embedding lookup.
     * ∂L/∂table[r] = Σ over positions p with ids[p] = r of g[p].
     */
    public static Tensor rows(Tensor table, int[] ids, int... idShape) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("rows: table must be 2-D (rows, d), got " + Shape.str(table.shape()));
        }
        if (Shape.size(idShape) != ids.length) {
            throw new IllegalArgumentException("rows: " + ids.length + " ids do not fill shape " + Shape.str(idShape));
        }
        int n = table.dim(0);
        int d = table.dim(1);
        float[] t = table.data();
        float[] y = new float[ids.length * d];
        for (int p = 0; p < ids.length; p++) {
            if (ids[p] < 0 || ids[p] >= n) {
                throw new IllegalArgumentException("rows: id " + ids[p] + " at position " + p
                        + " is out of range for a table of " + n + " rows");
            }
            System.arraycopy(t, ids[p] * d, y, p * d, d);
        }
        int[] out = Arrays.copyOf(idShape, idShape.length + 1);
        out[idShape.length] = d;
        int[] idsCopy = ids.clone();
        return Tensor.fromOp(y, out, g -> {
            float[] r = new float[t.length];
            for (int p = 0; p < idsCopy.length; p++) {
                int row = idsCopy[p] * d;
                for (int j = 0; j < d; j++) {
                    r[row + j] += g[p * d + j];
                }
            }
            table.accumulateGrad(r);
        }, table);
    }

    /**
     * y[..., j] = x[..., index[..., j]] along the last axis; {@code index} has x's leading shape and
     * {@code width} entries per row. ∂L/∂x[..., index[..., j]] += g[..., j].
     */
    public static Tensor gatherLast(Tensor x, int[] index, int width) {
        int cols = x.dim(x.rank() - 1);
        int rowsCount = cols == 0 ? 0 : x.size() / cols;
        if (index.length != rowsCount * width) {
            throw new IllegalArgumentException("gatherLast: " + index.length + " indices for " + rowsCount
                    + " rows of width " + width + " (x is " + Shape.str(x.shape()) + ")");
        }
        float[] xv = x.data();
        float[] y = new float[index.length];
        for (int q = 0; q < index.length; q++) {
            int c = index[q];
            if (c < 0 || c >= cols) {
                throw new IllegalArgumentException("gatherLast: index " + c + " at " + q + " is out of range 0.." + (cols - 1));
            }
            y[q] = xv[(q / width) * cols + c];
        }
        int[] out = x.shape();
        out[out.length - 1] = width;
        int[] idx = index.clone();
        return Tensor.fromOp(y, out, g -> {
            float[] r = new float[xv.length];
            for (int q = 0; q < idx.length; q++) {
                r[(q / width) * cols + idx[q]] += g[q];
            }
            x.accumulateGrad(r);
        }, x);
    }

    /**
     * out = base, then out[index[p]] += src[p] for each row p of {@code src} (rows of width d).
     * ∂L/∂base = g; ∂L/∂src[p] = g[index[p]].
     */
    public static Tensor scatterAddRows(Tensor base, int[] index, Tensor src) {
        if (base.rank() != 2 || src.rank() != 2 || base.dim(1) != src.dim(1) || src.dim(0) != index.length) {
            throw new IllegalArgumentException("scatterAddRows: base " + Shape.str(base.shape()) + ", src "
                    + Shape.str(src.shape()) + " and " + index.length + " indices do not fit (base (n, d), src (p, d), p indices)");
        }
        int n = base.dim(0);
        int d = base.dim(1);
        float[] y = base.data().clone();
        float[] s = src.data();
        for (int p = 0; p < index.length; p++) {
            if (index[p] < 0 || index[p] >= n) {
                throw new IllegalArgumentException("scatterAddRows: index " + index[p] + " out of range 0.." + (n - 1));
            }
            for (int j = 0; j < d; j++) {
                y[index[p] * d + j] += s[p * d + j];
            }
        }
        int[] idx = index.clone();
        return Tensor.fromOp(y, base.shape(), g -> {
            base.accumulateGrad(g);
            if (src.requiresGrad()) {
                float[] r = new float[s.length];
                for (int p = 0; p < idx.length; p++) {
                    System.arraycopy(g, idx[p] * d, r, p * d, d);
                }
                src.accumulateGrad(r);
            }
        }, base, src);
    }
}
