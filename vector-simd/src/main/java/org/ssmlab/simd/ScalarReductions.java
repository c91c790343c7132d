package org.ssmlab.simd;

/** Placeholder: to be written. */
public final class ScalarReductions implements Reductions {
    @Override
    public float sum(float[] x, int off, int n) {
        throw new UnsupportedOperationException("ScalarReductions.sum: not written yet");
    }

    @Override
    public float max(float[] x, int off, int n) {
        throw new UnsupportedOperationException("ScalarReductions.max: not written yet");
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        throw new UnsupportedOperationException("ScalarReductions.dot: not written yet");
    }

    @Override
    public float sumSquares(float[] x, int off, int n) {
        throw new UnsupportedOperationException("ScalarReductions.sumSquares: not written yet");
    }

    @Override
    public void rowSum(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarReductions.rowSum: not written yet");
    }

    @Override
    public void rowMax(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarReductions.rowMax: not written yet");
    }

    @Override
    public void rowSumSquares(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarReductions.rowSumSquares: not written yet");
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarReductions.softmaxRows: not written yet");
    }

    @Override
    public void logSoftmaxRows(float[] x, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarReductions.logSoftmaxRows: not written yet");
    }
}
