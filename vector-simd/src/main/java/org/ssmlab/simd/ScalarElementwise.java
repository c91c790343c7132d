package org.ssmlab.simd;

/** Placeholder: to be written. */
public final class ScalarElementwise implements Elementwise {
    @Override
    public void unary(Unary op, float[] x, int xOff, float[] out, int outOff, int n) {
        throw new UnsupportedOperationException("ScalarElementwise.unary: not written yet");
    }

    @Override
    public void binary(Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        throw new UnsupportedOperationException("ScalarElementwise.binary: not written yet");
    }

    @Override
    public void binaryScalar(Binary op, float[] x, int xOff, float s, float[] out, int outOff, int n) {
        throw new UnsupportedOperationException("ScalarElementwise.binaryScalar: not written yet");
    }

    @Override
    public void binaryRowBroadcast(Binary op, float[] x, float[] y, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarElementwise.binaryRowBroadcast: not written yet");
    }

    @Override
    public void binaryColBroadcast(Binary op, float[] x, float[] y, float[] out, int rows, int cols) {
        throw new UnsupportedOperationException("ScalarElementwise.binaryColBroadcast: not written yet");
    }

    @Override
    public void fma(float[] a, float[] b, float[] c, float[] out, int n) {
        throw new UnsupportedOperationException("ScalarElementwise.fma: not written yet");
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        throw new UnsupportedOperationException("ScalarElementwise.axpy: not written yet");
    }
}
