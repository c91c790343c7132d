package org.ssmlab.simd;

/** Placeholder: to be written. */
public final class SimdReductions implements Reductions {
    @Override
    public float sum(float[] x, int off, int n) {
        throw new UnsupportedOperationException("SimdReductions.sum: not written yet");
    }

    @Override
    public float max(float[] x, int off, int n) {
        throw new UnsupportedOperationException("SimdReductions.max: not written yet");
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        throw new UnsupportedOperationException("SimdReductions.dot: not written yet");
    }

    @Override
    public float sumSquares(float[] x, int off, int n) {
        throw new UnsupportedOperationException("SimdReductions.sumSquares: not written yet");
    }

    @Override
    public void rowSum(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("SimdReductions.rowSum: not written yet");
    }

    @Override
    public void rowMax(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("SimdReductions.rowMax: not written yet");
    }

    @Override
    public void rowSumSquares(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("SimdReductions.rowSumSquares: not written yet");
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("SimdReductions.softmaxRows: not written yet");
    }

    @Override
    public void logSoftmaxRows(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("SimdReductions.logSoftmaxRows: not written yet");
    }
}
