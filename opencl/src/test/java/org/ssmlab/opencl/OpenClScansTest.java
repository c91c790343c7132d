package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.ScanCases.close;
import static org.ssmlab.simd.ScanCases.forSeeds;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.ScanCases;
import org.ssmlab.simd.ScanCases.Forward;
import org.ssmlab.simd.ScanCases.Grads;
import org.ssmlab.simd.ScanCases.Problem;
import org.ssmlab.simd.Scans;
import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.Scans.Selective;
import org.ssmlab.testing.Props;

/**
 * The OpenCL scans against their SIMD twin on random shapes: the diagonal scan, the complex scan, and
 * the fused selective scan forward (outputs, checkpoints, final state) and backward (all eight
 * gradients) with and without polarization, skip, gate, initial state and final-state gradient,
 * channel counts that fill one, several and partial work-groups; sequences in pieces against one
 * piece; the checkpoints exchanged between
 * backends in both directions; the polarized channels exact; and a negative control showing the
 * comparison sees a wrong checkpoint layout. Skipped when the machine has no OpenCL platform.
 *
 * <p>Tolerance, as in vector-simd's scan tests ({@link ScanCases}): each element within
 * {@code 1e-4 · (1 + |reference|)} plus {@code 1e-5 ·} the array's largest magnitude. Values are of
 * order one and every scan is a short chain of float operations; the implementations differ only in
 * the ulps of exp and in the order of the d-sums of gB and gC, while an indexing or formula error is
 * an O(1) change.
 */
class OpenClScansTest {

    private static final Scans SIMD = Backend.simd().scans();

    // ------------------------------------------------------------------ diagonal

    @Test
    void diagonalForwardAndBackwardEqualSimd() {
        Scans cl = Device.backend().scans();
        forSeeds(40, r -> ScanCases.diagonalAgrees(SIMD, cl, r, 150));
    }

    @Test
    void diagonalInPiecesEqualsOnePiece() {
        Scans cl = Device.backend().scans();
        forSeeds(20, r -> ScanCases.diagonalInPiecesAgrees(cl, r, 150));
    }

    @Test
    void complexForwardAndBackwardEqualSimd() {
        Scans cl = Device.backend().scans();
        forSeeds(30, r -> ScanCases.complexAgrees(SIMD, cl, r, 100));
    }

    // ------------------------------------------------------------------ selective

    /** D 1-150: one, several and partial work-groups of 64. */
    @Test
    void selectiveForwardAndBackwardEqualSimd() {
        Scans cl = Device.backend().scans();
        forSeeds(40, r -> ScanCases.selectiveAgrees(SIMD, "SIMD", cl, "OpenCL", r, 150));
    }

    /** Only the forward's output, no checkpoints or final state asked for. */
    @Test
    void selectiveForwardWithoutCheckpointsOrState() {
        Scans cl = Device.backend().scans();
        forSeeds(10, r -> {
            Problem p = Problem.random(r, 150);
            Selective s = p.s();
            float[] expected = new float[s.batch() * s.len() * s.d()];
            float[] actual = new float[expected.length];
            SIMD.selectiveForward(s, p.u(), p.delta(), p.A(), p.B(), p.C(), p.Dskip(), p.z(), p.h0(), expected, null,
                    null);
            cl.selectiveForward(s, p.u(), p.delta(), p.A(), p.B(), p.C(), p.Dskip(), p.z(), p.h0(), actual, null, null);
            close("selective out alone " + p.describe(), expected, actual);
        });
    }

    /** A sequence in pieces, each from the final state of the one before, equals one piece on the device. */
    @Test
    void selectiveInPiecesEqualsOnePiece() {
        Scans cl = Device.backend().scans();
        forSeeds(20, r -> ScanCases.selectiveInPiecesAgrees(cl, r, 150));
    }

    /**
     * The one-channel holds exactly the running sum of Δ u B (ā ≡ 1) and the zero-channel exactly the
     * last step's Δ u B (ā ≡ 0): no exp rounds them.
     */
    @Test
    void polarizedChannelsAreExact() {
        Scans cl = Device.backend().scans();
        forSeeds(20, r -> {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(30), d = 1 + r.nextInt(70), n = 1 + r.nextInt(6);
            Selective both = new Selective(batch, len, d, n, true, true, 1 + r.nextInt(8));
            Problem p = Problem.random(r, both, r.nextBoolean(), r.nextBoolean());
            ScanCases.assertPolarizedChannelsExact("", p, p.forward(cl));
        });
    }

    /**
     * Negative control: the backward given checkpoints laid out (batch, chunks, D, N_total) instead of
     * (batch, chunks, N_total, D) disagrees with the SIMD backward, so the comparison above does check
     * which layout the kernel reads.
     */
    @Test
    void negativeControlTransposedCheckpointsAreCaught() {
        Scans cl = Device.backend().scans();
        String report = Props.expectFalsified(() -> forSeeds(20, r -> {
            Selective s = new Selective(1, 6 + r.nextInt(10), 2 + r.nextInt(10), 2 + r.nextInt(4), false, false, 3);
            Problem p = Problem.random(r, s, false, false);
            Forward f = p.forward(SIMD);
            int nt = s.nTotal();
            float[] transposed = new float[f.checkpoints().length];
            for (int k = 0; k < s.chunks(); k++) {
                for (int n = 0; n < nt; n++) {
                    for (int d = 0; d < s.d(); d++) {
                        transposed[(k * s.d() + d) * nt + n] = f.checkpoints()[(k * nt + n) * s.d() + d];
                    }
                }
            }
            p.backward(SIMD, f.checkpoints()).assertClose("transposed checkpoints", p.backward(cl, transposed));
        }));
        assertTrue(report.contains("transposed checkpoints"), report);
    }

    /** More state channels than an item holds: the call runs on the SIMD kernels, bit for bit. */
    @Test
    void tooManyStateChannelsFallBackToSimd() {
        Scans cl = Device.backend().scans();
        SplittableRandom r = new SplittableRandom(Props.SEED);
        Selective s = new Selective(1, 5, 3, OpenClScans.MAX_NT, true, false, 2);
        Problem p = Problem.random(r, s, true, true);
        Forward fs = p.forward(SIMD);
        Forward fc = p.forward(cl);
        assertTrue(java.util.Arrays.equals(fs.out(), fc.out()), "out");
        assertTrue(java.util.Arrays.equals(fs.checkpoints(), fc.checkpoints()), "checkpoints");
        Grads gs = p.backward(SIMD, fs.checkpoints());
        Grads gc = p.backward(cl, fc.checkpoints());
        assertTrue(java.util.Arrays.equals(gs.B(), gc.B()) && java.util.Arrays.equals(gs.u(), gc.u()), "gradients");
    }

    @Test
    void argumentChecksNameTheKernel() {
        Scans cl = Device.backend().scans();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cl.diagonal(2, 3, 4, new float[24], new float[23], null, new float[24], null));
        assertTrue(e.getMessage().contains("OpenClScans.diagonal") && e.getMessage().contains("b (2, 3, 4)"),
                e.getMessage());
        Selective s = new Selective(1, 4, 3, 2, true, true, 2);
        e = assertThrows(IllegalArgumentException.class, () -> cl.selectiveForward(s, new float[12],
                new float[12], new float[6], new float[4 * 3], new float[16], null, null, null, new float[12], null,
                null));
        assertTrue(e.getMessage().contains("OpenClScans.selectiveForward") && e.getMessage().contains("B (1, 4, 4)"),
                e.getMessage());
    }
}
