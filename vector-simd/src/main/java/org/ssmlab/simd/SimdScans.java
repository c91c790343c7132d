package org.ssmlab.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Scans} on the JDK Vector API, threaded with {@link Parallel#forRange}.
 *
 * <p><b>Layout of the work.</b> Time is inherently sequential, channels are independent, so every
 * kernel vectorises across channels: the lanes of a vector are {@code S.length()} consecutive channels
 * (C of the diagonal scan, D of the selective scan), which are contiguous in the row-major (batch, L, ·)
 * arrays. Channels left over after the last full vector go through the scalar formula (a scalar tail,
 * not a masked one). Threads take (sequence, channel block) tasks.
 *
 * <p><b>Where the kernels are.</b> Each call goes to one kernel family, named like its scalar twin in
 * {@link ScalarScans}: {@link SimdDiagonalScan} (real diagonal), {@link SimdComplexScan} (complex
 * diagonal) and {@link SimdSelectiveScan} (Mamba's selective scan: forward with chunk checkpoints,
 * backward through {@link SimdSelectiveBackwardWorker}). Arguments are checked before, by
 * {@link CheckedScans}; the OpenCL backend calls these kernels unchecked for the calls it leaves to
 * the CPU.
 *
 * <p>Arithmetic follows the scalar twin operation by operation (no fused multiply-add), so the scans
 * agree with it bit for bit except where exp is involved ({@link VectorMath#exp} in float against the
 * twin's double {@code Math.exp}, a few ulp) and in the d-sums of gB and gC (another order).
 */
public final class SimdScans implements Scans {

    /** The vector shape of every scan kernel. */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int V = S.length();

    static FloatVector load(float[] a, int off) {
        return FloatVector.fromArray(S, a, off);
    }

    @Override
    public void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        SimdDiagonalScan.forward(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                                 float[] gLast, float[] ga, float[] gb, float[] gh0) {
        SimdDiagonalScan.backward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    @Override
    public void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                                Complex hLast) {
        SimdComplexScan.forward(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                                        Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        SimdComplexScan.backward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    @Override
    public void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints,
                                 float[] hLast) {
        SimdSelectiveScan.forward(s, u, delta, A, B, C, Dskip, z, h0, out, checkpoints, hLast);
    }

    @Override
    public void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] h0, float[] checkpoints, float[] gOut,
                                  float[] gLast, float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC,
                                  float[] gD, float[] gz, float[] gh0) {
        SimdSelectiveScan.backward(s, u, delta, A, B, C, Dskip, z, h0, checkpoints, gOut, gLast, gu, gDelta, gA, gB,
                gC, gD, gz, gh0);
    }

    /**
     * The selective backward's last step, shared with the OpenCL backend: adds up the partial gradients
     * of a backward whose work was split into {@code groups} channel groups, in a fixed order (so the
     * result does not depend on the split). pB, pC are (groups, batch, L, N_total), pA is (batch, N, D)
     * (A transposed), pD is (batch, D) or null; gA, gB, gC, gD are written (gD only when pD is not null).
     * The sums are spelled out at the code, in the selective-scan kernel.
     */
    public static void sumBackwardPartials(Selective s, int groups, float[] pA, float[] pB, float[] pC, float[] pD,
                                           float[] gA, float[] gB, float[] gC, float[] gD) {
        SimdSelectiveScan.sumBackwardPartials(s, groups, pA, pB, pC, pD, gA, gB, gC, gD);
    }
}
