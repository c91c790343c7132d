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

    /**
     * A diagonal scan run in pieces equals the scan in one piece (batch 1-3, L 2-40, 1..maxCh channels,
     * with or without h0 and gLast): the sequence is cut at random times, each piece starts from the
     * final state of the one before and the backward runs the pieces in reverse, each piece's gh0
     * being the gLast of the piece before. States, final state, ga, gb and gh0 agree.
     */
    public static void diagonalInPiecesAgrees(Scans k, SplittableRandom r, int maxCh) {
        int batch = 1 + r.nextInt(3), len = 2 + r.nextInt(39), ch = 1 + r.nextInt(maxCh);
        int n = batch * len * ch, bc = batch * ch;
        float[] a = fill(r, n, -1.1, 1.1), b = fill(r, n, -1, 1), gH = fill(r, n, -1, 1);
        float[] h0 = r.nextBoolean() ? fill(r, bc, -1, 1) : null;
        float[] gLast = r.nextBoolean() ? fill(r, bc, -1, 1) : null;
        int[] cuts = cuts(r, len);
        String what = k.getClass().getSimpleName() + " diagonal in pieces " + java.util.Arrays.toString(cuts)
                + " batch=" + batch + " L=" + len + " C=" + ch;
        float[] h = new float[n], last = new float[bc];
        k.diagonal(batch, len, ch, a, b, h0, h, last);
        float[] ga = new float[n], gb = new float[n], gh0 = new float[bc];
        k.diagonalBackward(batch, len, ch, a, h0, h, gH, gLast, ga, gb, gh0);

        float[] hp = new float[n], gap = new float[n], gbp = new float[n];
        float[][] starts = new float[cuts.length][];
        float[] state = h0;
        for (int i = 0; i + 1 < cuts.length; i++) {
            int t0 = cuts[i], t1 = cuts[i + 1], pl = t1 - t0;
            starts[i] = state;
            float[] hi = new float[batch * pl * ch];
            float[] next = new float[bc];
            k.diagonal(batch, pl, ch, slice(a, batch, len, ch, t0, t1), slice(b, batch, len, ch, t0, t1), state, hi,
                    next);
            put(hi, hp, batch, len, ch, t0, t1);
            state = next;
        }
        close(what + " h", h, hp);
        close(what + " last", last, state);
        float[] g = gLast;
        for (int i = cuts.length - 2; i >= 0; i--) {
            int t0 = cuts[i], t1 = cuts[i + 1], pl = t1 - t0;
            float[] hi = slice(hp, batch, len, ch, t0, t1);
            float[] gai = new float[hi.length], gbi = new float[hi.length], g0 = new float[bc];
            k.diagonalBackward(batch, pl, ch, slice(a, batch, len, ch, t0, t1), starts[i], hi,
                    slice(gH, batch, len, ch, t0, t1), g, gai, gbi, g0);
            put(gai, gap, batch, len, ch, t0, t1);
            put(gbi, gbp, batch, len, ch, t0, t1);
            g = g0;
        }
        close(what + " ga", ga, gap);
        close(what + " gb", gb, gbp);
        close(what + " gh0", gh0, g);
    }

    /** 0 = c_0 < c_1 < ... < c_k = len (len ≥ 2): two to four pieces, each at least one step long. */
    public static int[] cuts(SplittableRandom r, int len) {
        java.util.TreeSet<Integer> c = new java.util.TreeSet<>(java.util.List.of(0, len));
        int extra = 1 + r.nextInt(Math.min(3, len - 1));
        while (c.size() < 2 + extra) {
            c.add(1 + r.nextInt(len - 1));
        }
        return c.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Steps [t0, t1) of x (batch, len, width), as (batch, t1 - t0, width). */
    public static float[] slice(float[] x, int batch, int len, int width, int t0, int t1) {
        if (x == null) {
            return null;
        }
        float[] y = new float[batch * (t1 - t0) * width];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, (b * len + t0) * width, y, b * (t1 - t0) * width, (t1 - t0) * width);
        }
        return y;
    }

    /** The inverse of {@link #slice}: writes piece (batch, t1 - t0, width) into x (batch, len, width). */
    public static void put(float[] piece, float[] x, int batch, int len, int width, int t0, int t1) {
        for (int b = 0; b < batch; b++) {
            System.arraycopy(piece, b * (t1 - t0) * width, x, (b * len + t0) * width, (t1 - t0) * width);
        }
    }

    // ------------------------------------------------------------------ selective

    /**
     * A random selective-scan problem (ā in (0.2, 1), values of order one): the inputs, the initial state
     * h0 and the gradients gOut, gLast of the output and final state (h0, gLast: null for a zero one).
     */
    public record Problem(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                          float[] z, float[] gOut, float[] h0, float[] gLast) {

        /** A problem of shape {@code s}, with the skip D and the gate z or without, from a zero state. */
        public static Problem random(SplittableRandom r, Selective s, boolean withD, boolean withZ) {
            int bld = s.batch() * s.len() * s.d();
            int bln = s.batch() * s.len() * s.nTotal();
            float[] u = fill(r, bld, -1, 1);
            // Δ in [0.01, 0.5], A = -(0.5 .. 3): ā in (0.2, 1).
            float[] delta = fill(r, bld, 0.01, 0.5);
            float[] A = fill(r, s.d() * s.n(), -3, -0.5);
            return new Problem(s, u, delta, A, fill(r, bln, -1, 1), fill(r, bln, -1, 1),
                    withD ? fill(r, s.d(), -1, 1) : null, withZ ? fill(r, bld, -2, 2) : null, fill(r, bld, -1, 1),
                    null, null);
        }

        /**
         * Batch 1-2, L 1-40 (L = 1 one time in five), D 1..maxD, N 1-20, a random chunk, polarization,
         * skip and gate; h0 and gLast each present one time in two.
         */
        public static Problem random(SplittableRandom r, int maxD) {
            return random(r, 1, maxD);
        }

        /** As {@link #random(SplittableRandom, int)} with D in minD..maxD. */
        public static Problem random(SplittableRandom r, int minD, int maxD) {
            int batch = 1 + r.nextInt(2), len = r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(40);
            int d = minD + r.nextInt(maxD - minD + 1), n = 1 + r.nextInt(20);
            int chunk = r.nextBoolean() ? 1 + r.nextInt(9) : Scans.DEFAULT_CHUNK;
            Selective s = new Selective(batch, len, d, n, r.nextBoolean(), r.nextBoolean(), chunk);
            Problem p = random(r, s, r.nextBoolean(), r.nextBoolean());
            return p.withStates(r.nextBoolean() ? fill(r, s.stateSize(), -1, 1) : null,
                    r.nextBoolean() ? fill(r, s.stateSize(), -1, 1) : null);
        }

        /** This problem from initial state {@code h0}, with final-state gradient {@code gLast}. */
        public Problem withStates(float[] h0, float[] gLast) {
            return new Problem(s, u, delta, A, B, C, Dskip, z, gOut, h0, gLast);
        }

        /** Steps [t0, t1) of this problem from initial state {@code h0}, with final-state gradient {@code gLast}. */
        public Problem piece(int t0, int t1, float[] h0, float[] gLast) {
            int b = s.batch(), len = s.len(), d = s.d(), nt = s.nTotal();
            Selective ps = new Selective(b, t1 - t0, d, s.n(), s.polarizeOne(), s.polarizeZero(), s.chunk());
            return new Problem(ps, slice(u, b, len, d, t0, t1), slice(delta, b, len, d, t0, t1), A,
                    slice(B, b, len, nt, t0, t1), slice(C, b, len, nt, t0, t1), Dskip, slice(z, b, len, d, t0, t1),
                    slice(gOut, b, len, d, t0, t1), h0, gLast);
        }

        /** The forward of kernels {@code k}: output, checkpoints and final state. */
        public Forward forward(Scans k) {
            Forward f = new Forward(new float[s.batch() * s.len() * s.d()], new float[s.checkpointSize()],
                    new float[s.stateSize()]);
            k.selectiveForward(s, u, delta, A, B, C, Dskip, z, h0, f.out, f.checkpoints, f.last);
            return f;
        }

        /** The backward of kernels {@code k} from {@code checkpoints}: all eight gradients. */
        public Grads backward(Scans k, float[] checkpoints) {
            int bld = s.batch() * s.len() * s.d();
            int bln = s.batch() * s.len() * s.nTotal();
            Grads g = new Grads(new float[bld], new float[bld], new float[s.d() * s.n()], new float[bln],
                    new float[bln], Dskip == null ? null : new float[s.d()], z == null ? null : new float[bld],
                    new float[s.stateSize()]);
            k.selectiveBackward(s, u, delta, A, B, C, Dskip, z, h0, checkpoints, gOut, gLast, g.u, g.delta, g.A,
                    g.B, g.C, g.D, g.z, g.h0);
            return g;
        }

        /** A short description for failure messages. */
        public String describe() {
            return s + " D=" + (Dskip != null) + " z=" + (z != null) + " h0=" + (h0 != null) + " gLast="
                    + (gLast != null);
        }
    }

    /** A selective forward's output, checkpoints and final state. */
    public record Forward(float[] out, float[] checkpoints, float[] last) {
    }

    /** A selective backward's gradients (D and z null when the problem has neither). */
    public record Grads(float[] u, float[] delta, float[] A, float[] B, float[] C, float[] D, float[] z, float[] h0) {

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
            close(what + " gh0", h0, o.h0);
        }
    }

    /**
     * A selective scan run in pieces equals the scan in one piece, on kernels {@code k}: the sequence
     * (L ≥ 2) is cut at random times; each piece's forward starts from the final state of the one
     * before; the backward runs the pieces in reverse, each piece's gh0 being the gLast of the one
     * before. Outputs, final state and every gradient agree (gA, gD summed over the pieces).
     */
    public static void selectiveInPiecesAgrees(Scans k, SplittableRandom r, int maxD) {
        Problem p = Problem.random(r, maxD);
        while (p.s().len() < 2) {
            p = Problem.random(r, maxD);
        }
        Selective s = p.s();
        int b = s.batch(), len = s.len(), d = s.d(), nt = s.nTotal();
        int[] cuts = cuts(r, len);
        String what = who(k) + "selective in pieces " + java.util.Arrays.toString(cuts) + " " + p.describe();
        Forward whole = p.forward(k);
        Grads gWhole = p.backward(k, whole.checkpoints());

        float[] out = new float[whole.out().length];
        Problem[] pieces = new Problem[cuts.length - 1];
        Forward[] fwd = new Forward[cuts.length - 1];
        float[] state = p.h0();
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = p.piece(cuts[i], cuts[i + 1], state, null);
            fwd[i] = pieces[i].forward(k);
            put(fwd[i].out(), out, b, len, d, cuts[i], cuts[i + 1]);
            state = fwd[i].last();
        }
        close(what + " out", whole.out(), out);
        close(what + " last", whole.last(), state);

        int bld = b * len * d, bln = b * len * nt;
        Grads sum = new Grads(new float[bld], new float[bld], new float[d * s.n()], new float[bln], new float[bln],
                p.Dskip() == null ? null : new float[d], p.z() == null ? null : new float[bld], null);
        float[] g = p.gLast();
        for (int i = pieces.length - 1; i >= 0; i--) {
            int t0 = cuts[i], t1 = cuts[i + 1];
            Grads gi = pieces[i].withStates(pieces[i].h0(), g).backward(k, fwd[i].checkpoints());
            put(gi.u(), sum.u(), b, len, d, t0, t1);
            put(gi.delta(), sum.delta(), b, len, d, t0, t1);
            put(gi.B(), sum.B(), b, len, nt, t0, t1);
            put(gi.C(), sum.C(), b, len, nt, t0, t1);
            if (gi.z() != null) {
                put(gi.z(), sum.z(), b, len, d, t0, t1);
            }
            addInto(sum.A(), gi.A());
            if (gi.D() != null) {
                addInto(sum.D(), gi.D());
            }
            g = gi.h0();
        }
        gWhole.assertClose(what, new Grads(sum.u(), sum.delta(), sum.A(), sum.B(), sum.C(), sum.D(), sum.z(), g));
    }

    private static void addInto(float[] acc, float[] x) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += x[i];
        }
    }

    /**
     * One random selective scan with D up to {@code maxD}: the forward's output, checkpoints and final
     * state agree, and so do the backwards; the checkpoints have one layout, so each backend's backward
     * also serves on the other's forward.
     */
    public static void selectiveAgrees(Scans reference, String referenceName, Scans candidate, String candidateName,
                                       SplittableRandom r, int maxD) {
        selectiveAgrees(reference, referenceName, candidate, candidateName, r, 1, maxD);
    }

    /** As {@link #selectiveAgrees(Scans, String, Scans, String, SplittableRandom, int)} with D in minD..maxD. */
    public static void selectiveAgrees(Scans reference, String referenceName, Scans candidate, String candidateName,
                                       SplittableRandom r, int minD, int maxD) {
        Problem p = Problem.random(r, minD, maxD);
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
                float sum = p.h0 == null ? 0f : p.h0[(b * d + c) * nt];
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

    /** The kernels' name (the implementation's class behind the checks) and a space, to start failure messages. */
    public static String who(Scans k) {
        return (k instanceof CheckedScans ? k.toString() : k.getClass().getSimpleName()) + " ";
    }
}
