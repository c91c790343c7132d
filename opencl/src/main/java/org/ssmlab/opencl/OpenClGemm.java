package org.ssmlab.opencl;

import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.ssmlab.simd.Gemm;
import org.ssmlab.simd.GemmChecks;

/**
 * {@link Gemm} on an OpenCL device: the register-blocked, local-memory-tiled kernel of
 * {@code gemm.cl}, {@code C = alpha · op(A) · op(B) + beta · C}, one work-group per square tile
 * of C (4·8 = 32 wide on a CPU, 16·4 = 64 on other devices) and the batch along the third NDRange
 * dimension.
 *
 * <p>Host side: each call uploads the span of A and B its products read (a stride of 0 uploads one
 * matrix, which every product then reads: broadcast), uploads C only when {@code beta != 0} (so with
 * {@code beta == 0} NaN in C is never read), and reads C back matrix by matrix when the C stride
 * leaves gaps, so elements between the matrices stay untouched.
 *
 * <p>Calls that move fewer than {@code threshold} floats (m·k + k·n + m·n per product) run on the
 * fallback (the SIMD GEMM).
 */
final class OpenClGemm implements Gemm {

    private final OpenClContext ctx;
    private final Gemm fallback;
    private final int threshold;

    OpenClGemm(OpenClContext ctx, Gemm fallback, int threshold) {
        this.ctx = ctx;
        this.fallback = fallback;
        this.threshold = threshold;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, float[] b, int bOff,
                     float beta, float[] c, int cOff) {
        GemmChecks.one("OpenClGemm.gemm", m, n, k, a, aOff, b, bOff, c, cOff);
        if (m == 0 || n == 0) {
            return;
        }
        if (moved(1, m, n, k) < threshold) {
            fallback.gemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            return;
        }
        run(transA, transB, 1, m, n, k, alpha, a, aOff, 0, b, bOff, 0, beta, c, cOff, 0);
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
                            float alpha, float[] a, int strideA, float[] b, int strideB,
                            float beta, float[] c, int strideC) {
        GemmChecks.batched("OpenClGemm.gemmBatched", batch, m, n, k, a, strideA, b, strideB, c, strideC);
        if (batch == 0) {
            return;
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (moved(batch, m, n, k) < threshold) {
            fallback.gemmBatched(transA, transB, batch, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC);
            return;
        }
        run(transA, transB, batch, m, n, k, alpha, a, 0, strideA, b, 0, strideB, beta, c, 0, strideC);
    }

    private static long moved(int batch, int m, int n, int k) {
        return (long) batch * ((long) m * k + (long) k * n + (long) m * n);
    }

    /** The products on the device; product i reads A at aOff + i·strideA (likewise B, C). */
    private void run(boolean transA, boolean transB, int batch, int m, int n, int k, float alpha,
                     float[] a, int aOff, int strideA, float[] b, int bOff, int strideB,
                     float beta, float[] c, int cOff, int strideC) {
        int last = batch - 1;
        int spanA = last * strideA + m * k;
        int spanB = last * strideB + k * n;
        int spanC = last * strideC + m * n;
        int group = ctx.gemmGroup();
        int tile = group * ctx.gemmBlock();
        long[] global = {ceilDiv(n, tile) * group, ceilDiv(m, tile) * group, batch};
        long[] local = {group, group, 1};
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel("gemm", "gemm_tiled");
            try (ClBuffer ba = ClBuffer.upload(ctx, a, aOff, spanA);
                 ClBuffer bb = ClBuffer.upload(ctx, b, bOff, spanB);
                 ClBuffer bc = beta == 0f ? ClBuffer.allocate(ctx, spanC, Sizeof.cl_float)
                         : ClBuffer.upload(ctx, c, cOff, spanC)) {
                OpenClContext.setArgs(kernel, transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha,
                        ba, 0, strideA, bb, 0, strideB, beta, bc, 0, strideC);
                ctx.run(kernel, global, local);
                if (strideC == m * n || batch == 1) {
                    bc.readRange(ctx, 0, c, cOff, spanC);
                } else {
                    // Gaps between the matrices of C: read each product alone, leave the gaps as they are.
                    for (int i = 0; i < batch; i++) {
                        bc.readRange(ctx, i * strideC, c, cOff + i * strideC, m * n);
                    }
                }
            }
        }
    }

    private static long ceilDiv(int x, int d) {
        return (x + (long) d - 1) / d;
    }
}
