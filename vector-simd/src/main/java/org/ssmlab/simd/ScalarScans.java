package org.ssmlab.simd;

/**
 * {@link Scans} as plain loops: the reference twin the SIMD kernels are tested against, and the
 * version to read. One channel at a time, time running forward (or backward), every formula written
 * as on {@link Scans} with the shapes at the lines. Transcendentals are evaluated in double and rounded
 * to float once.
 *
 * <p>The selective backward here does not read the checkpoints: it recomputes the whole state
 * trajectory of one (sequence, channel) pair from h0 — obviously right, and it makes the SIMD
 * kernel's chunk-by-chunk recomputation a tested claim rather than a shared assumption.
 *
 * <p><b>Where the kernels are.</b> Each call goes to one kernel family, named like its SIMD twin in
 * {@link SimdScans}: {@link ScalarDiagonalScan} (real diagonal), {@link ScalarComplexScan} (complex
 * diagonal) and {@link ScalarSelectiveScan} (Mamba's selective scan). Arguments are checked before,
 * by {@link CheckedScans}.
 */
public final class ScalarScans implements Scans {

    @Override
    public void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        ScalarDiagonalScan.forward(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                                 float[] gLast, float[] ga, float[] gb, float[] gh0) {
        ScalarDiagonalScan.backward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    @Override
    public void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                                Complex hLast) {
        ScalarComplexScan.forward(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                                        Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        ScalarComplexScan.backward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    @Override
    public void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints,
                                 float[] hLast) {
        ScalarSelectiveScan.forward(s, u, delta, A, B, C, Dskip, z, h0, out, checkpoints, hLast);
    }

    @Override
    public void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] h0, float[] checkpoints, float[] gOut,
                                  float[] gLast, float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC,
                                  float[] gD, float[] gz, float[] gh0) {
        ScalarSelectiveScan.backward(s, u, delta, A, B, C, Dskip, z, h0, gOut, gLast, gu, gDelta, gA, gB, gC, gD,
                gz, gh0);
    }
}
