package org.ssmlab.simd;

/** Placeholder: to be written. */
public final class SimdGemm implements Gemm {
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        throw new UnsupportedOperationException("SimdGemm.gemm: not written yet");
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k, float alpha, float[] a, int strideA, float[] b, int strideB, float beta, float[] c, int strideC) {
        throw new UnsupportedOperationException("SimdGemm.gemmBatched: not written yet");
    }
}
