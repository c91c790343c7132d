package org.ssmlab.simd;

/**
 * {@link Scans} as plain loops: the reference twin the SIMD kernels are tested against. One channel
 * at a time, time running forward (or backward), every formula written as in the class comment of
 * {@link Scans}. Transcendentals are evaluated in double and rounded to float once.
 *
 * <p>The selective backward here does not read the checkpoints: it recomputes the whole state
 * trajectory of one (sequence, channel) pair from zero — obviously right, and it makes the SIMD
 * kernel's chunk-by-chunk recomputation a tested claim rather than a shared assumption.
 *
 * <p><b>Where the kernels are.</b> This class checks the arguments ({@link ScanChecks}) and hands each
 * call to one kernel family, named like its SIMD twin in {@link SimdScans}: {@link ScalarDiagonalScan}
 * (real diagonal: forward, chunked, backward), {@link ScalarComplexScan} (complex diagonal) and
 * {@link ScalarSelectiveScan} (Mamba's selective scan: forward, backward, step).
 */
public final class ScalarScans implements Scans {

    // ------------------------------------------------------------------ diagonal, real

    @Override
    public void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        ScanChecks.diagonal("ScalarScans.diagonal", batch, len, channels, a, b, h0, h, hLast);
        ScalarDiagonalScan.forward(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void diagonalChunked(int batch, int len, int channels, int chunk, float[] a, float[] b, float[] h0,
                                float[] h, float[] hLast) {
        ScanChecks.diagonalChunked("ScalarScans.diagonalChunked", batch, len, channels, chunk, a, b, h0, h, hLast);
        ScalarDiagonalScan.chunked(batch, len, channels, chunk, a, b, h0, h, hLast);
    }

    @Override
    public void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                                 float[] gLast, float[] ga, float[] gb, float[] gh0) {
        ScanChecks.diagonalBackward("ScalarScans.diagonalBackward", batch, len, channels, a, h0, h, gH, gLast,
                ga, gb, gh0);
        ScalarDiagonalScan.backward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    // ------------------------------------------------------------------ diagonal, complex

    @Override
    public void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                                Complex hLast) {
        ScanChecks.complexDiagonal("ScalarScans.complexDiagonal", batch, len, channels, a, b, h0, h, hLast);
        ScalarComplexScan.forward(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                                        Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        ScanChecks.complexDiagonalBackward("ScalarScans.complexDiagonalBackward", batch, len, channels, a, h0, h,
                gH, gLast, ga, gb, gh0);
        ScalarComplexScan.backward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    // ------------------------------------------------------------------ selective

    @Override
    public void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] out, float[] checkpoints, float[] hLast) {
        ScanChecks.selectiveForward("ScalarScans.selectiveForward", s, u, delta, A, B, C, Dskip, z, out,
                checkpoints, hLast);
        ScalarSelectiveScan.forward(s, u, delta, A, B, C, Dskip, z, out, checkpoints, hLast);
    }

    @Override
    public void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] checkpoints, float[] gOut, float[] gu,
                                  float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz) {
        ScanChecks.selectiveBackward("ScalarScans.selectiveBackward", s, u, delta, A, B, C, Dskip, z, checkpoints,
                gOut, gu, gDelta, gA, gB, gC, gD, gz);
        ScalarSelectiveScan.backward(s, u, delta, A, B, C, Dskip, z, checkpoints, gOut, gu, gDelta, gA, gB, gC, gD,
                gz);
    }

    @Override
    public void selectiveStep(Selective s, float[] h, float[] u, float[] delta, float[] A, float[] B, float[] C,
                              float[] Dskip, float[] z, float[] out) {
        ScanChecks.selectiveStep("ScalarScans.selectiveStep", s, h, u, delta, A, B, C, Dskip, z, out);
        ScalarSelectiveScan.step(s, h, u, delta, A, B, C, Dskip, z, out);
    }
}
