package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.Scans.Selective;
import org.ssmlab.testing.Props;

/**
 * Random scan problems, the scan tolerance and "scan kernels X agree with scan kernels Y" as one
 * example each, shared by the SIMD versus scalar test here, the OpenCL versus SIMD test of the OpenCL
 * module and the autograd scan-op tests.
 *
 * <p>Tolerance: values here are of order one and every scan is a short chain of float operations, so
 * two correct implementations agree to a few ulp times the number of steps; each element is compared
 * within {@code 1e-4 · (1 + |reference|)} plus {@code 1e-5 ·} the array's largest magnitude, which any
 * indexing or formula error (an O(1) change) exceeds.
 */
public final class ScanCases {

    private ScanCases() {
    }

    /** {@code n} floats uniform in [lo, hi). */
    public static float[] fill(SplittableRandom r, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return x;
    }

    /** Asserts the arrays have the same length and agree element by element within the class's tolerance. */
    public static void close(String what, float[] expected, float[] actual) {
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

    /** Runs {@code body} as a property over {@code examples} random seeds (fixed-seed QuickTheory). */
    public static void forSeeds(int examples, Consumer<SplittableRandom> body) {
        Props.qt(examples).forAll(integers().all()).checkAssert(seed -> body.accept(new SplittableRandom(seed)));
    }

    // ------------------------------------------------------------------ diagonal

    /**
     * One random diagonal scan (batch 1-3, L 1-30 with L = 1 one time in five, 1..maxCh channels, with
     * or without h0 and gLast): forward h and last state, backward ga, gb, gh0 agree.
     */
    public static void diagonalAgrees(Scans reference, Scans candidate, SplittableRandom r, int maxCh) {
        int batch = 1 + r.nextInt(3), len = r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(30), ch = 1 + r.nextInt(maxCh);
        int n = batch * len * ch;
        float[] a = fill(r, n, -1.1, 1.1);
        float[] b = fill(r, n, -1, 1);
        float[] h0 = r.nextBoolean() ? fill(r, batch * ch, -1, 1) : null;
        String shape = "batch=" + batch + " L=" + len + " C=" + ch + " h0=" + (h0 != null);
        float[] he = new float[n], ha = new float[n], le = new float[batch * ch], la = new float[batch * ch];
        reference.diagonal(batch, len, ch, a, b, h0, he, le);
        candidate.diagonal(batch, len, ch, a, b, h0, ha, la);
        close("diagonal h " + shape, he, ha);
        close("diagonal last " + shape, le, la);
        float[] gH = fill(r, n, -1, 1);
        float[] gLast = r.nextBoolean() ? fill(r, batch * ch, -1, 1) : null;
        float[][] ge = {new float[n], new float[n], new float[batch * ch]};
        float[][] ga = {new float[n], new float[n], new float[batch * ch]};
        reference.diagonalBackward(batch, len, ch, a, h0, he, gH, gLast, ge[0], ge[1], ge[2]);
        candidate.diagonalBackward(batch, len, ch, a, h0, he, gH, gLast, ga[0], ga[1], ga[2]);
        close("diagonal ga " + shape, ge[0], ga[0]);
        close("diagonal gb " + shape, ge[1], ga[1]);
        close("diagonal gh0 " + shape, ge[2], ga[2]);
    }

    /** A diagonal scan to run in chunks: a in [0, 1.05), b in [-1, 1), h0 present or null. */
    public record ChunkedCase(int batch, int len, int ch, int chunk, float[] a, float[] b, float[] h0) {

        /** Batch 1-3, L 1-50, 1..maxCh channels, chunk 1..L+3 (so also longer than the sequence). */
        public static ChunkedCase random(SplittableRandom r, int maxCh) {
            int batch = 1 + r.nextInt(3), len = 1 + r.nextInt(50), ch = 1 + r.nextInt(maxCh);
            int chunk = 1 + r.nextInt(len + 3);
            int n = batch * len * ch;
            float[] a = fill(r, n, 0, 1.05);
            float[] b = fill(r, n, -1, 1);
            float[] h0 = r.nextBoolean() ? fill(r, batch * ch, -1, 1) : null;
            return new ChunkedCase(batch, len, ch, chunk, a, b, h0);
        }

        /** batch · L · C, the size of a and h. */
        public int size() {
            return batch * len * ch;
        }

        /** The shape, for failure messages. */
        public String shape() {
            return "batch=" + batch + " L=" + len + " C=" + ch + " chunk=" + chunk;
        }

        /** h and the last state of the sequential scan {@code k.diagonal}. */
        public float[][] sequential(Scans k) {
            float[][] r = {new float[size()], new float[batch * ch]};
            k.diagonal(batch, len, ch, a, b, h0, r[0], r[1]);
            return r;
        }

        /** h and the last state of the chunked scan {@code k.diagonalChunked}. */
        public float[][] chunked(Scans k) {
            float[][] r = {new float[size()], new float[batch * ch]};
            k.diagonalChunked(batch, len, ch, chunk, a, b, h0, r[0], r[1]);
            return r;
        }
    }

    /** The inputs of one complex scan drawn by {@link #complexAgrees}. */
    public record ComplexCase(int batch, int len, int ch, Complex a, Complex b) {
    }

    /**
     * One random complex scan (batch 1-3, L 1-30, 1..maxCh channels, |a| &lt; 1): forward h and last
     * state, backward ga, gb, gh0, real and imaginary parts, agree. Returns the inputs drawn.
     */
    public static ComplexCase complexAgrees(Scans reference, Scans candidate, SplittableRandom r, int maxCh) {
        int batch = 1 + r.nextInt(3), len = 1 + r.nextInt(30), ch = 1 + r.nextInt(maxCh);
        int n = batch * len * ch;
        int bc = batch * ch;
        Complex a = new Complex(fill(r, n, -0.8, 0.8), fill(r, n, -0.6, 0.6));
        Complex b = new Complex(fill(r, n, -1, 1), fill(r, n, -1, 1));
        Complex h0 = r.nextBoolean() ? new Complex(fill(r, bc, -1, 1), fill(r, bc, -1, 1)) : null;
        String shape = "batch=" + batch + " L=" + len + " C=" + ch + " h0=" + (h0 != null);
        Complex he = Complex.zeros(n), ha = Complex.zeros(n), le = Complex.zeros(bc), la = Complex.zeros(bc);
        reference.complexDiagonal(batch, len, ch, a, b, h0, he, le);
        candidate.complexDiagonal(batch, len, ch, a, b, h0, ha, la);
        close("complex h.re " + shape, he.re(), ha.re());
        close("complex h.im " + shape, he.im(), ha.im());
        close("complex last.re " + shape, le.re(), la.re());
        close("complex last.im " + shape, le.im(), la.im());
        Complex gH = new Complex(fill(r, n, -1, 1), fill(r, n, -1, 1));
        Complex gLast = r.nextBoolean() ? new Complex(fill(r, bc, -1, 1), fill(r, bc, -1, 1)) : null;
        Complex[] ge = {Complex.zeros(n), Complex.zeros(n), Complex.zeros(bc)};
        Complex[] ga = {Complex.zeros(n), Complex.zeros(n), Complex.zeros(bc)};
        reference.complexDiagonalBackward(batch, len, ch, a, h0, he, gH, gLast, ge[0], ge[1], ge[2]);
        candidate.complexDiagonalBackward(batch, len, ch, a, h0, he, gH, gLast, ga[0], ga[1], ga[2]);
        String[] names = {"ga", "gb", "gh0"};
        for (int i = 0; i < 3; i++) {
            close("complex " + names[i] + ".re " + shape, ge[i].re(), ga[i].re());
            close("complex " + names[i] + ".im " + shape, ge[i].im(), ga[i].im());
        }
        return new ComplexCase(batch, len, ch, a, b);
    }

    // ------------------------------------------------------------------ selective

    /** A random selective-scan problem (ā in (0.2, 1), values of order one). */
    public record Problem(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                          float[] z, float[] gOut) {

        /** A problem of shape {@code s}, with the skip D and the gate z or without. */
        public static Problem random(SplittableRandom r, Selective s, boolean withD, boolean withZ) {
            int bld = s.batch() * s.len() * s.d();
            int bln = s.batch() * s.len() * s.nTotal();
            float[] u = fill(r, bld, -1, 1);
            // Δ in [0.01, 0.5], A = -(0.5 .. 3): ā in (0.2, 1).
            float[] delta = fill(r, bld, 0.01, 0.5);
            float[] A = fill(r, s.d() * s.n(), -3, -0.5);
            return new Problem(s, u, delta, A, fill(r, bln, -1, 1), fill(r, bln, -1, 1),
                    withD ? fill(r, s.d(), -1, 1) : null, withZ ? fill(r, bld, -2, 2) : null, fill(r, bld, -1, 1));
        }

        /**
         * Batch 1-2, L 1-40 (L = 1 one time in five), D 1..maxD, N 1-20, a random chunk, polarization,
         * skip and gate.
         */
        public static Problem random(SplittableRandom r, int maxD) {
            int batch = 1 + r.nextInt(2), len = r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(40);
            int d = 1 + r.nextInt(maxD), n = 1 + r.nextInt(20);
            int chunk = r.nextBoolean() ? 1 + r.nextInt(9) : Scans.DEFAULT_CHUNK;
            Selective s = new Selective(batch, len, d, n, r.nextBoolean(), r.nextBoolean(), chunk);
            return random(r, s, r.nextBoolean(), r.nextBoolean());
        }

        /** The forward of kernels {@code k}: output, checkpoints and final state. */
        public Forward forward(Scans k) {
            Forward f = new Forward(new float[s.batch() * s.len() * s.d()], new float[s.checkpointSize()],
                    new float[s.stateSize()]);
            k.selectiveForward(s, u, delta, A, B, C, Dskip, z, f.out, f.checkpoints, f.last);
            return f;
        }

        /** The backward of kernels {@code k} from {@code checkpoints}: all seven gradients. */
        public Grads backward(Scans k, float[] checkpoints) {
            int bld = s.batch() * s.len() * s.d();
            int bln = s.batch() * s.len() * s.nTotal();
            Grads g = new Grads(new float[bld], new float[bld], new float[s.d() * s.n()], new float[bln],
                    new float[bln], Dskip == null ? null : new float[s.d()], z == null ? null : new float[bld]);
            k.selectiveBackward(s, u, delta, A, B, C, Dskip, z, checkpoints, gOut, g.u, g.delta, g.A, g.B, g.C,
                    g.D, g.z);
            return g;
        }

        /** The inputs of recurrent step {@code t}: each batch row's slice at time t. */
        public Step step(int t) {
            int bd = s.batch() * s.d();
            int bn = s.batch() * s.nTotal();
            float[] ut = new float[bd], dt = new float[bd], zt = z == null ? null : new float[bd];
            float[] bt = new float[bn], ct = new float[bn];
            for (int b = 0; b < s.batch(); b++) {
                int src = (b * s.len() + t) * s.d();
                System.arraycopy(u, src, ut, b * s.d(), s.d());
                System.arraycopy(delta, src, dt, b * s.d(), s.d());
                if (zt != null) {
                    System.arraycopy(z, src, zt, b * s.d(), s.d());
                }
                int srcN = (b * s.len() + t) * s.nTotal();
                System.arraycopy(B, srcN, bt, b * s.nTotal(), s.nTotal());
                System.arraycopy(C, srcN, ct, b * s.nTotal(), s.nTotal());
            }
            return new Step(ut, dt, bt, ct, zt);
        }

        /** Writes one step's output {@code ot} (batch, D) into {@code out} (batch, L, D) at time t. */
        public void putStep(float[] ot, float[] out, int t) {
            for (int b = 0; b < s.batch(); b++) {
                System.arraycopy(ot, b * s.d(), out, (b * s.len() + t) * s.d(), s.d());
            }
        }

        /** A short description for failure messages. */
        public String describe() {
            return s + " D=" + (Dskip != null) + " z=" + (z != null);
        }
    }

    /** The inputs of one recurrent step: u, Δ (batch, D), B, C (batch, N_total), z (batch, D) or null. */
    public record Step(float[] u, float[] delta, float[] B, float[] C, float[] z) {
    }

    /** A selective forward's output, checkpoints and final state. */
    public record Forward(float[] out, float[] checkpoints, float[] last) {
    }

    /** A selective backward's gradients (D and z null when the problem has neither). */
    public record Grads(float[] u, float[] delta, float[] A, float[] B, float[] C, float[] D, float[] z) {

        /** Asserts each gradient agrees with {@code o}'s. */
        public void assertClose(String what, Grads o) {
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

    /**
     * One random selective scan with D up to {@code maxD}: the forward's output, checkpoints and final
     * state agree, and so do the backwards; the checkpoints have one layout, so each backend's backward
     * also serves on the other's forward.
     */
    public static void selectiveAgrees(Scans reference, String referenceName, Scans candidate, String candidateName,
                                       SplittableRandom r, int maxD) {
        Problem p = Problem.random(r, maxD);
        Forward fe = p.forward(reference);
        Forward fa = p.forward(candidate);
        close("selective out " + p.describe(), fe.out, fa.out);
        close("selective checkpoints " + p.describe(), fe.checkpoints, fa.checkpoints);
        close("selective last " + p.describe(), fe.last, fa.last);
        Grads ge = p.backward(reference, fe.checkpoints);
        ge.assertClose("selective " + candidateName + " backward " + p.describe(), p.backward(candidate, fa.checkpoints));
        ge.assertClose("selective " + candidateName + " backward on " + referenceName + " checkpoints " + p.describe(),
                p.backward(candidate, fe.checkpoints));
        ge.assertClose("selective " + referenceName + " backward on " + candidateName + " checkpoints " + p.describe(),
                p.backward(reference, fa.checkpoints));
    }

    /**
     * Asserts the polarized channels of a forward of {@code p} (both polarizations) are exact: the
     * one-channel holds the running sum of Δ u B (ā ≡ 1), the zero-channel the last step's Δ u B
     * (ā ≡ 0), to the bit.
     */
    public static void assertPolarizedChannelsExact(String who, Problem p, Forward f) {
        Selective s = p.s();
        int batch = s.batch(), len = s.len(), d = s.d(), nt = s.nTotal();
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
                String w = who + "b=" + b + " d=" + c + " " + p.describe();
                assertEquals(sum, f.last[(b * d + c) * nt], 0f, "one-channel is the exact running sum, " + w);
                assertEquals(lastX, f.last[(b * d + c) * nt + nt - 1], 0f, "zero-channel forgets, " + w);
            }
        }
    }

    /** The kernels' class name and a space, to start failure messages. */
    public static String who(Scans k) {
        return k.getClass().getSimpleName() + " ";
    }
}
