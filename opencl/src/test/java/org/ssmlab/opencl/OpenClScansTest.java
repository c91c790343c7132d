package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Scans;
import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.Scans.Selective;
import org.ssmlab.testing.Props;

/**
 * The OpenCL scans against their SIMD twin on random shapes: the diagonal scan and its chunked form,
 * the complex scan, and the fused selective scan forward (outputs, checkpoints, final state) and
 * backward (all seven gradients) with and without polarization, skip and gate, channel counts that
 * fill one, several and partial work-groups; the recurrent step; the checkpoints exchanged between
 * backends in both directions; the polarized channels exact; and a negative control showing the
 * comparison sees a wrong checkpoint layout. Skipped when the machine has no OpenCL platform.
 *
 * <p>Tolerance, as in vector-simd's ScansKernelsTest: each element within
 * {@code 1e-4 · (1 + |reference|)} plus {@code 1e-5 ·} the array's largest magnitude. Values are of
 * order one and every scan is a short chain of float operations; the implementations differ only in
 * the ulps of exp and in the order of the d-sums of gB and gC, while an indexing or formula error is
 * an O(1) change.
 */
class OpenClScansTest {

    private static final Scans SIMD = Backend.simd().scans();

    static float[] fill(SplittableRandom r, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return x;
    }

    static void close(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * (1 + Math.abs(expected[i])) + 1e-5 * scale;
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was "
                        + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static void forSeeds(int examples, Consumer<SplittableRandom> body) {
        Props.qt(examples).forAll(integers().all()).checkAssert(seed -> body.accept(new SplittableRandom(seed)));
    }

    // ------------------------------------------------------------------ diagonal

    @Test
    void diagonalForwardAndBackwardEqualSimd() {
        Scans cl = Device.backend().scans();
        forSeeds(40, r -> {
            int batch = 1 + r.nextInt(3), len = r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(30), ch = 1 + r.nextInt(150);
            int n = batch * len * ch;
            float[] a = fill(r, n, -1.1, 1.1);
            float[] b = fill(r, n, -1, 1);
            float[] h0 = r.nextBoolean() ? fill(r, batch * ch, -1, 1) : null;
            String shape = "batch=" + batch + " L=" + len + " C=" + ch + " h0=" + (h0 != null);
            float[] hs = new float[n], hc = new float[n], ls = new float[batch * ch], lc = new float[batch * ch];
            SIMD.diagonal(batch, len, ch, a, b, h0, hs, ls);
            cl.diagonal(batch, len, ch, a, b, h0, hc, lc);
            close("diagonal h " + shape, hs, hc);
            close("diagonal last " + shape, ls, lc);
            float[] gH = fill(r, n, -1, 1);
            float[] gLast = r.nextBoolean() ? fill(r, batch * ch, -1, 1) : null;
            float[][] gs = {new float[n], new float[n], new float[batch * ch]};
            float[][] gc = {new float[n], new float[n], new float[batch * ch]};
            SIMD.diagonalBackward(batch, len, ch, a, h0, hs, gH, gLast, gs[0], gs[1], gs[2]);
            cl.diagonalBackward(batch, len, ch, a, h0, hs, gH, gLast, gc[0], gc[1], gc[2]);
            close("diagonal ga " + shape, gs[0], gc[0]);
            close("diagonal gb " + shape, gs[1], gc[1]);
            close("diagonal gh0 " + shape, gs[2], gc[2]);
        });
    }

    @Test
    void chunkedEqualsSimdChunkedAndSequential() {
        Scans cl = Device.backend().scans();
        forSeeds(30, r -> {
            int batch = 1 + r.nextInt(3), len = 1 + r.nextInt(50), ch = 1 + r.nextInt(80);
            int chunk = 1 + r.nextInt(len + 3);
            int n = batch * len * ch;
            float[] a = fill(r, n, 0, 1.05);
            float[] b = fill(r, n, -1, 1);
            float[] h0 = r.nextBoolean() ? fill(r, batch * ch, -1, 1) : null;
            String shape = "batch=" + batch + " L=" + len + " C=" + ch + " chunk=" + chunk;
            float[] seq = new float[n], seqLast = new float[batch * ch];
            SIMD.diagonal(batch, len, ch, a, b, h0, seq, seqLast);
            float[] chk = new float[n], chkLast = new float[batch * ch];
            SIMD.diagonalChunked(batch, len, ch, chunk, a, b, h0, chk, chkLast);
            float[] h = new float[n], last = new float[batch * ch];
            cl.diagonalChunked(batch, len, ch, chunk, a, b, h0, h, last);
            close("chunked h vs sequential " + shape, seq, h);
            close("chunked last vs sequential " + shape, seqLast, last);
            close("chunked h vs SIMD chunked " + shape, chk, h);
        });
    }

    @Test
    void complexForwardAndBackwardEqualSimd() {
        Scans cl = Device.backend().scans();
        forSeeds(30, r -> {
            int batch = 1 + r.nextInt(3), len = 1 + r.nextInt(30), ch = 1 + r.nextInt(100);
            int n = batch * len * ch;
            int bc = batch * ch;
            Complex a = new Complex(fill(r, n, -0.8, 0.8), fill(r, n, -0.6, 0.6));
            Complex b = new Complex(fill(r, n, -1, 1), fill(r, n, -1, 1));
            Complex h0 = r.nextBoolean() ? new Complex(fill(r, bc, -1, 1), fill(r, bc, -1, 1)) : null;
            String shape = "batch=" + batch + " L=" + len + " C=" + ch + " h0=" + (h0 != null);
            Complex hs = Complex.zeros(n), hc = Complex.zeros(n), ls = Complex.zeros(bc), lc = Complex.zeros(bc);
            SIMD.complexDiagonal(batch, len, ch, a, b, h0, hs, ls);
            cl.complexDiagonal(batch, len, ch, a, b, h0, hc, lc);
            close("complex h.re " + shape, hs.re(), hc.re());
            close("complex h.im " + shape, hs.im(), hc.im());
            close("complex last.re " + shape, ls.re(), lc.re());
            close("complex last.im " + shape, ls.im(), lc.im());
            Complex gH = new Complex(fill(r, n, -1, 1), fill(r, n, -1, 1));
            Complex gLast = r.nextBoolean() ? new Complex(fill(r, bc, -1, 1), fill(r, bc, -1, 1)) : null;
            Complex[] gs = {Complex.zeros(n), Complex.zeros(n), Complex.zeros(bc)};
            Complex[] gc = {Complex.zeros(n), Complex.zeros(n), Complex.zeros(bc)};
            SIMD.complexDiagonalBackward(batch, len, ch, a, h0, hs, gH, gLast, gs[0], gs[1], gs[2]);
            cl.complexDiagonalBackward(batch, len, ch, a, h0, hs, gH, gLast, gc[0], gc[1], gc[2]);
            String[] names = {"ga", "gb", "gh0"};
            for (int i = 0; i < 3; i++) {
                close("complex " + names[i] + ".re " + shape, gs[i].re(), gc[i].re());
                close("complex " + names[i] + ".im " + shape, gs[i].im(), gc[i].im());
            }
        });
    }

    // ------------------------------------------------------------------ selective

    /** A random selective-scan problem (ā in (0.2, 1), values of order one). */
    record Problem(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                   float[] z, float[] gOut) {

        static Problem random(SplittableRandom r, Selective s, boolean withD, boolean withZ) {
            int bld = s.batch() * s.len() * s.d();
            int bln = s.batch() * s.len() * s.nTotal();
            return new Problem(s, fill(r, bld, -1, 1), fill(r, bld, 0.01, 0.5), fill(r, s.d() * s.n(), -3, -0.5),
                    fill(r, bln, -1, 1), fill(r, bln, -1, 1), withD ? fill(r, s.d(), -1, 1) : null,
                    withZ ? fill(r, bld, -2, 2) : null, fill(r, bld, -1, 1));
        }

        /** Batch 1-2, L 1-40, D 1-150 (one, several and partial work-groups of 64), N 1-20. */
        static Problem random(SplittableRandom r) {
            int batch = 1 + r.nextInt(2), len = r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(40);
            int d = 1 + r.nextInt(150), n = 1 + r.nextInt(20);
            int chunk = r.nextBoolean() ? 1 + r.nextInt(9) : Scans.DEFAULT_CHUNK;
            Selective s = new Selective(batch, len, d, n, r.nextBoolean(), r.nextBoolean(), chunk);
            return random(r, s, r.nextBoolean(), r.nextBoolean());
        }

        Forward forward(Scans k) {
            Forward f = new Forward(new float[s.batch() * s.len() * s.d()], new float[s.checkpointSize()],
                    new float[s.stateSize()]);
            k.selectiveForward(s, u, delta, A, B, C, Dskip, z, f.out, f.checkpoints, f.last);
            return f;
        }

        Grads backward(Scans k, float[] checkpoints) {
            int bld = s.batch() * s.len() * s.d();
            int bln = s.batch() * s.len() * s.nTotal();
            Grads g = new Grads(new float[bld], new float[bld], new float[s.d() * s.n()], new float[bln],
                    new float[bln], Dskip == null ? null : new float[s.d()], z == null ? null : new float[bld]);
            k.selectiveBackward(s, u, delta, A, B, C, Dskip, z, checkpoints, gOut, g.u, g.delta, g.A, g.B, g.C,
                    g.D, g.z);
            return g;
        }

        String describe() {
            return s + " D=" + (Dskip != null) + " z=" + (z != null);
        }
    }

    record Forward(float[] out, float[] checkpoints, float[] last) {
    }

    record Grads(float[] u, float[] delta, float[] A, float[] B, float[] C, float[] D, float[] z) {

        void assertClose(String what, Grads o) {
            close(what + " gu", u, o.u);
            close(what + " gDelta", delta, o.delta);
            close(what + " gA", A, o.A);
            close(what + " gB", B, o.B);
            close(what + " gC", C, o.C);
            if (D != null) {
                close(what + " gD", D, o.D);
            }
            if (z != null) {
                close(what + " gz", z, o.z);
            }
        }
    }

    @Test
    void selectiveForwardAndBackwardEqualSimd() {
        Scans cl = Device.backend().scans();
        forSeeds(40, r -> {
            Problem p = Problem.random(r);
            Forward fs = p.forward(SIMD);
            Forward fc = p.forward(cl);
            close("selective out " + p.describe(), fs.out, fc.out);
            close("selective checkpoints " + p.describe(), fs.checkpoints, fc.checkpoints);
            close("selective last " + p.describe(), fs.last, fc.last);
            Grads gs = p.backward(SIMD, fs.checkpoints);
            gs.assertClose("selective OpenCL backward " + p.describe(), p.backward(cl, fc.checkpoints));
            // The checkpoints have one layout: each backend's backward serves on the other's forward.
            gs.assertClose("selective OpenCL backward on SIMD checkpoints " + p.describe(),
                    p.backward(cl, fs.checkpoints));
            gs.assertClose("selective SIMD backward on OpenCL checkpoints " + p.describe(),
                    p.backward(SIMD, fc.checkpoints));
        });
    }

    /** Only the forward's output, no checkpoints or final state asked for. */
    @Test
    void selectiveForwardWithoutCheckpointsOrState() {
        Scans cl = Device.backend().scans();
        forSeeds(10, r -> {
            Problem p = Problem.random(r);
            Selective s = p.s;
            float[] expected = new float[s.batch() * s.len() * s.d()];
            float[] actual = new float[expected.length];
            SIMD.selectiveForward(s, p.u, p.delta, p.A, p.B, p.C, p.Dskip, p.z, expected, null, null);
            cl.selectiveForward(s, p.u, p.delta, p.A, p.B, p.C, p.Dskip, p.z, actual, null, null);
            close("selective out alone " + p.describe(), expected, actual);
        });
    }

    @Test
    void selectiveStepEqualsSimdStepAndRepeatedEqualsTheScan() {
        Scans cl = Device.backend().scans();
        forSeeds(20, r -> {
            Problem p = Problem.random(r);
            Selective s = p.s;
            Forward f = p.forward(SIMD);
            float[] hc = new float[s.stateSize()];
            float[] hs = new float[s.stateSize()];
            float[] out = new float[s.batch() * s.len() * s.d()];
            int bd = s.batch() * s.d();
            int bn = s.batch() * s.nTotal();
            for (int t = 0; t < s.len(); t++) {
                float[] ut = new float[bd], dt = new float[bd], zt = p.z == null ? null : new float[bd];
                float[] bt = new float[bn], ct = new float[bn], oc = new float[bd], os = new float[bd];
                for (int b = 0; b < s.batch(); b++) {
                    int src = (b * s.len() + t) * s.d();
                    System.arraycopy(p.u, src, ut, b * s.d(), s.d());
                    System.arraycopy(p.delta, src, dt, b * s.d(), s.d());
                    if (zt != null) {
                        System.arraycopy(p.z, src, zt, b * s.d(), s.d());
                    }
                    int srcN = (b * s.len() + t) * s.nTotal();
                    System.arraycopy(p.B, srcN, bt, b * s.nTotal(), s.nTotal());
                    System.arraycopy(p.C, srcN, ct, b * s.nTotal(), s.nTotal());
                }
                // One step from the same state on both backends, then carry the OpenCL state on.
                System.arraycopy(hc, 0, hs, 0, hs.length);
                SIMD.selectiveStep(s, hs, ut, dt, p.A, bt, ct, p.Dskip, zt, os);
                cl.selectiveStep(s, hc, ut, dt, p.A, bt, ct, p.Dskip, zt, oc);
                close("step " + t + " out " + p.describe(), os, oc);
                close("step " + t + " state " + p.describe(), hs, hc);
                for (int b = 0; b < s.batch(); b++) {
                    System.arraycopy(oc, b * s.d(), out, (b * s.len() + t) * s.d(), s.d());
                }
            }
            close("step x L out " + p.describe(), f.out, out);
            close("step x L state " + p.describe(), f.last, hc);
        });
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
            Forward f = p.forward(cl);
            int nt = both.nTotal();
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < d; c++) {
                    float sum = 0f;
                    float lastX = 0f;
                    for (int t = 0; t < len; t++) {
                        int x = (b * len + t) * d + c;
                        int bn = (b * len + t) * nt;
                        float du = p.delta[x] * p.u[x];
                        sum = sum + du * p.B[bn];
                        lastX = du * p.B[bn + nt - 1];
                    }
                    String w = "b=" + b + " d=" + c + " " + p.describe();
                    assertEquals(sum, f.last[(b * d + c) * nt], 0f, "one-channel is the exact running sum, " + w);
                    assertEquals(lastX, f.last[(b * d + c) * nt + nt - 1], 0f, "zero-channel forgets, " + w);
                }
            }
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
            float[] transposed = new float[f.checkpoints.length];
            for (int k = 0; k < s.chunks(); k++) {
                for (int n = 0; n < nt; n++) {
                    for (int d = 0; d < s.d(); d++) {
                        transposed[(k * s.d() + d) * nt + n] = f.checkpoints[(k * nt + n) * s.d() + d];
                    }
                }
            }
            p.backward(SIMD, f.checkpoints).assertClose("transposed checkpoints", p.backward(cl, transposed));
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
        assertTrue(java.util.Arrays.equals(fs.out, fc.out), "out");
        assertTrue(java.util.Arrays.equals(fs.checkpoints, fc.checkpoints), "checkpoints");
        Grads gs = p.backward(SIMD, fs.checkpoints);
        Grads gc = p.backward(cl, fc.checkpoints);
        assertTrue(java.util.Arrays.equals(gs.B, gc.B) && java.util.Arrays.equals(gs.u, gc.u), "gradients");
    }

    @Test
    void argumentChecksNameTheKernel() {
        Scans cl = Device.backend().scans();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cl.diagonal(2, 3, 4, new float[24], new float[23], null, new float[24], null));
        assertTrue(e.getMessage().contains("OpenClScans.diagonal") && e.getMessage().contains("b (2, 3, 4)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cl.diagonalChunked(1, 2, 1, 0, new float[2], new float[2], null, new float[2], null));
        assertTrue(e.getMessage().contains("OpenClScans.diagonalChunked") && e.getMessage().contains("chunk"),
                e.getMessage());
        Selective s = new Selective(1, 4, 3, 2, true, true, 2);
        e = assertThrows(IllegalArgumentException.class, () -> cl.selectiveForward(s, new float[12],
                new float[12], new float[6], new float[4 * 3], new float[16], null, null, new float[12], null, null));
        assertTrue(e.getMessage().contains("OpenClScans.selectiveForward") && e.getMessage().contains("B (1, 4, 4)"),
                e.getMessage());
    }
}
