package org.ssmlab.simd;

/**
 * The scalar reference twin of {@link SimdGemm}: the definition of a matrix product, one dot product
 * per element of C, read directly from the (possibly transposed) inputs. Slow and obviously right.
 */
public final class ScalarGemm implements Gemm {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, float[] b, int bOff,
                     float beta, float[] c, int cOff) {
        GemmChecks.one("ScalarGemm.gemm", m, n, k, a, aOff, b, bOff, c, cOff);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // C[i,j] = alpha · Σ_p op(A)[i,p] · op(B)[p,j] + beta · C[i,j]
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bpj = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    sum += aip * bpj;
                }
                int ci = cOff + i * n + j;
                c[ci] = beta == 0f ? alpha * sum : alpha * sum + beta * c[ci];
            }
        }
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
                            float alpha, float[] a, int strideA, float[] b, int strideB,
                            float beta, float[] c, int strideC) {
        GemmChecks.batched("ScalarGemm.gemmBatched", batch, m, n, k, a, strideA, b, strideB, c, strideC);
        for (int i = 0; i < batch; i++) {
            gemm(transA, transB, m, n, k, alpha, a, i * strideA, b, i * strideB, beta, c, i * strideC);
        }
    }
}
