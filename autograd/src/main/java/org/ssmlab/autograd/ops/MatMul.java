package org.ssmlab.autograd.ops;

import java.util.Arrays;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;

/**
 * Matrix products on the GEMM kernel. For Z = X·Y with G = ∂L/∂Z:
 * ∂L/∂X = G·Yᵀ and ∂L/∂Y = Xᵀ·G — both are GEMMs with a transpose flag, never a materialised transpose.
 */
public final class MatMul {

    private MatMul() {
    }

    private static Gemm gemm() {
        return Backend.current().gemm();
    }

    /**
     * X (..., m, k) · Y (..., k, n) → (..., m, n), with NumPy broadcasting of the batch dimensions.
     * A 2-D Y is shared by every batch entry and the product runs as one (batch·m, k)·(k, n) GEMM.
     */
    public static Tensor matmul(Tensor x, Tensor y) {
        int[] xs = x.shape();
        int[] ys = y.shape();
        if (xs.length < 2 || ys.length < 2) {
            throw new IllegalArgumentException("matmul: both operands need rank >= 2, got " + Shape.str(xs)
                    + " and " + Shape.str(ys));
        }
        int m = xs[xs.length - 2];
        int k = xs[xs.length - 1];
        int n = ys[ys.length - 1];
        if (ys[ys.length - 2] != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shape.str(xs) + " · "
                    + Shape.str(ys) + " (" + k + " vs " + ys[ys.length - 2] + ")");
        }
        if (ys.length == 2) {
            return flatTimesMatrix(x, y, false);
        }
        int[] xb = Arrays.copyOf(xs, xs.length - 2);
        int[] yb = Arrays.copyOf(ys, ys.length - 2);
        int[] batchShape = Broadcast.shape("matmul (batch dimensions)", xb, yb);
        int batch = Shape.size(batchShape);
        int[] xFull = concat(batchShape, m, k);
        int[] yFull = concat(batchShape, k, n);
        float[] xe = Broadcast.expand(x.data(), xs, xFull);
        float[] ye = Broadcast.expand(y.data(), ys, yFull);
        float[] z = new float[batch * m * n];
        gemm().gemmBatched(false, false, batch, m, n, k, 1f, xe, m * k, ye, k * n, 0f, z, m * n);
        int[] outShape = concat(batchShape, m, n);
        return Tensor.fromOp(z, outShape, g -> {
            if (x.requiresGrad()) {          // ∂L/∂X = G·Yᵀ per batch entry
                float[] gx = new float[batch * m * k];
                gemm().gemmBatched(false, true, batch, m, k, n, 1f, g, m * n, ye, k * n, 0f, gx, m * k);
                x.accumulateFreshGrad(Broadcast.reduceTo(gx, xFull, xs));
            }
            if (y.requiresGrad()) {          // ∂L/∂Y = Xᵀ·G per batch entry
                float[] gy = new float[batch * k * n];
                gemm().gemmBatched(true, false, batch, k, n, m, 1f, xe, m * k, g, m * n, 0f, gy, k * n);
                y.accumulateFreshGrad(Broadcast.reduceTo(gy, yFull, ys));
            }
        }, x, y);
    }

    /**
     * The linear layer's product: x (..., in) · Wᵀ + b with W (out, in) and b (out) or null.
     * ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x (over all leading positions), ∂L/∂b = Σ G.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        int[] xs = x.shape();
        int[] ws = w.shape();
        if (ws.length != 2 || xs.length < 1 || xs[xs.length - 1] != ws[1]) {
            throw new IllegalArgumentException("linear: input " + Shape.str(xs) + " does not match weight "
                    + Shape.str(ws) + " (weight must be (out, in) with in = the input's last dimension)");
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != ws[0])) {
            throw new IllegalArgumentException("linear: bias " + Shape.str(b.shape()) + " must be (" + ws[0] + ")");
        }
        Tensor z = flatTimesMatrix(x, w, true);
        return b == null ? z : Arith.add(z, b);
    }

    /**
     * x (..., k) times a 2-D matrix as one GEMM over all leading positions: (rows, k)·(k, n), or with
     * {@code transposed} the matrix is stored (n, k) and used as its transpose.
     */
    private static Tensor flatTimesMatrix(Tensor x, Tensor w, boolean transposed) {
        int[] xs = x.shape();
        int k = xs[xs.length - 1];
        int n = transposed ? w.dim(0) : w.dim(1);
        int rows = k == 0 ? Shape.size(Arrays.copyOf(xs, xs.length - 1)) : x.size() / k;
        float[] xv = x.data();
        float[] wv = w.data();
        float[] z = new float[rows * n];
        gemm().gemm(false, transposed, rows, n, k, 1f, xv, 0, wv, 0, 0f, z, 0);
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = n;
        return Tensor.fromOp(z, outShape, g -> {
            if (x.requiresGrad()) {      // G (rows, n) · W  or  G · Wᵀ
                float[] gx = new float[rows * k];
                gemm().gemm(false, !transposed, rows, k, n, 1f, g, 0, wv, 0, 0f, gx, 0);
                x.accumulateFreshGrad(gx);
            }
            if (w.requiresGrad()) {      // Gᵀ·x (n, k)  or  xᵀ·G (k, n)
                float[] gw = new float[k * n];
                if (transposed) {
                    gemm().gemm(true, false, n, k, rows, 1f, g, 0, xv, 0, 0f, gw, 0);
                } else {
                    gemm().gemm(true, false, k, n, rows, 1f, xv, 0, g, 0, 0f, gw, 0);
                }
                w.accumulateFreshGrad(gw);
            }
        }, x, w);
    }

    private static int[] concat(int[] prefix, int a, int b) {
        int[] s = Arrays.copyOf(prefix, prefix.length + 2);
        s[prefix.length] = a;
        s[prefix.length + 1] = b;
        return s;
    }
}
