/*
 * GEMM of the OpenCL backend: C = alpha * op(A) * op(B) + beta * C on row-major matrices, where
 * op(A) is (M, K) and op(B) is (K, N). With transA the buffer holds A as (K, M); with transB it holds
 * B as (N, K). With beta == 0 the old C is not read (NaN in C does not propagate), as in
 * org.ssmlab.simd.ScalarGemm.
 *
 * Blocking: a work-group of LX x LY items computes a TM x TN tile of C (TM = LY*RM, TN = LX*RN);
 * each item keeps an RM x RN block of accumulators in registers, the items of a row of the block
 * being LY (or LX) apart so that neighbouring items touch neighbouring memory. The K dimension is
 * walked in steps of TK: the group copies the (TM x TK) slice of op(A) and the (TK x TN) slice of
 * op(B) into local memory (zero outside the matrices), then every item does
 *     acc[r][c] += As[p][i_r] * Bs[p][j_c]   for p < TK,
 * i.e. TK rank-one updates of its block from values read once from global memory per group.
 *
 * Batches run along the third dimension: matrix b of A starts at aOff + b * strideA (likewise B
 * and C); a stride of 0 broadcasts one matrix to every product.
 */
#ifndef LX
#define LX 16
#endif
#ifndef LY
#define LY 16
#endif
#ifndef RM
#define RM 4
#endif
#ifndef RN
#define RN 4
#endif
#define TK 16
#define TM (LY * RM)
#define TN (LX * RN)

__kernel __attribute__((reqd_work_group_size(LX, LY, 1)))
void gemm_tiled(int transA, int transB, int M, int N, int K, float alpha,
                __global const float* A, int aOff, int strideA,
                __global const float* B, int bOff, int strideB,
                float beta, __global float* C, int cOff, int strideC) {
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int lid = ty * LX + tx;
    int row0 = get_group_id(1) * TM;
    int col0 = get_group_id(0) * TN;
    long batch = get_global_id(2);
    A += aOff + batch * strideA;
    B += bOff + batch * strideB;
    C += cOff + batch * strideC;

    __local float As[TK][TM];   /* As[p][i] = op(A)[row0 + i, t + p] */
    __local float Bs[TK][TN];   /* Bs[p][j] = op(B)[t + p, col0 + j] */

    float acc[RM][RN];
    for (int r = 0; r < RM; r++) {
        for (int c = 0; c < RN; c++) {
            acc[r][c] = 0.0f;
        }
    }

    for (int t = 0; t < K; t += TK) {
        /* Copy the slices; consecutive items read consecutive addresses of the stored layout. */
        for (int e = lid; e < TK * TM; e += LX * LY) {
            int p = transA ? e / TM : e % TK;
            int i = transA ? e % TM : e / TK;
            int gi = row0 + i;
            int gp = t + p;
            float v = 0.0f;
            if (gi < M && gp < K) {
                v = transA ? A[(long) gp * M + gi] : A[(long) gi * K + gp];
            }
            As[p][i] = v;
        }
        for (int e = lid; e < TK * TN; e += LX * LY) {
            int p = transB ? e % TK : e / TN;
            int j = transB ? e / TK : e % TN;
            int gj = col0 + j;
            int gp = t + p;
            float v = 0.0f;
            if (gj < N && gp < K) {
                v = transB ? B[(long) gj * K + gp] : B[(long) gp * N + gj];
            }
            Bs[p][j] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int p = 0; p < TK; p++) {
            float a[RM];
            float b[RN];
            for (int r = 0; r < RM; r++) {
                a[r] = As[p][ty + r * LY];
            }
            for (int c = 0; c < RN; c++) {
                b[c] = Bs[p][tx + c * LX];
            }
            for (int r = 0; r < RM; r++) {
                for (int c = 0; c < RN; c++) {
                    acc[r][c] = fma(a[r], b[c], acc[r][c]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int r = 0; r < RM; r++) {
        int gi = row0 + ty + r * LY;
        if (gi >= M) {
            continue;
        }
        for (int c = 0; c < RN; c++) {
            int gj = col0 + tx + c * LX;
            if (gj < N) {
                long at = (long) gi * N + gj;
                /* beta == 0: C is write-only, so NaN or garbage in it never reaches the result. */
                C[at] = beta == 0.0f ? alpha * acc[r][c] : alpha * acc[r][c] + beta * C[at];
            }
        }
    }
}
