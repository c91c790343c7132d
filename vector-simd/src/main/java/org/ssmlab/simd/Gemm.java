package org.ssmlab.simd;

/**
 * General matrix multiply on row-major {@code float[]} matrices, with the transposes that training
 * needs: {@code C = alpha · op(A) · op(B) + beta · C}, where op(A) is (m, k), op(B) is (k, n) and C is
 * (m, n). With {@code transA} the array holds A as (k, m); with {@code transB} it holds B as (n, k).
 *
 * <p>With {@code beta == 0} the old contents of C are ignored (NaN in C does not propagate).
 */
public interface Gemm {

    /** One product, the matrices starting at the given offsets. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, float[] a, int aOff, float[] b, int bOff,
              float beta, float[] c, int cOff);

    /**
     * {@code batch} independent products; matrix {@code i} of A starts at {@code i · strideA} (likewise
     * B and C). A stride of 0 broadcasts one matrix to every product.
     */
    void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
                     float alpha, float[] a, int strideA, float[] b, int strideB,
                     float beta, float[] c, int strideC);
}
