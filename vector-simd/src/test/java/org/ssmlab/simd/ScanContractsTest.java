package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.ScanCases.fill;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.Scans.Selective;
import org.ssmlab.testing.Props;

/**
 * The contract every scan kernel states on {@link Scans}, checked argument by argument on the SIMD
 * kernels and their scalar twin:
 * <ul>
 *   <li>every array argument is checked, and a short or missing one fails with the kernel's name, the
 *       argument's name and its shape (not later, with an index out of bounds or a wrong result);</li>
 *   <li>outputs are overwritten, never accumulated into: output arrays full of NaN give the same bits
 *       as zeroed ones;</li>
 *   <li>a diagonal scan of length 0 passes the state through: hLast = h0 (zero without h0) and
 *       gh0 = gLast (zero without gLast).</li>
 * </ul>
 */
class ScanContractsTest {

    private static final List<Scans> KERNELS = List.of(Backend.simd().scans(), Backend.scalar().scans());

    /** One named array argument of a kernel call, and the floats its shape needs. */
    private record Arg(String name, float[] value) {
    }

    /** A kernel call on a list of array arguments (in the method's parameter order). */
    @FunctionalInterface
    private interface Call {
        void run(float[][] args);
    }

    /**
     * The call succeeds as given; with each argument one float short it fails naming the kernel, that
     * argument and its shape; with each required argument null it fails naming it.
     */
    private static void everyArgumentIsChecked(String kernel, List<Arg> args, List<String> optional, Call call) {
        float[][] valid = args.stream().map(a -> a.value().clone()).toArray(float[][]::new);
        assertDoesNotThrow(() -> call.run(valid), kernel + " on valid arguments");
        for (int i = 0; i < args.size(); i++) {
            Arg arg = args.get(i);
            float[][] shortened = args.stream().map(Arg::value).toArray(float[][]::new);
            shortened[i] = new float[arg.value().length - 1];
            var e = assertThrows(IllegalArgumentException.class, () -> call.run(shortened),
                    kernel + " accepted " + arg.name() + " one float short");
            assertTrue(e.getMessage().startsWith(kernel + ": " + arg.name() + " (")
                            && e.getMessage().endsWith(".length = " + (arg.value().length - 1)),
                    kernel + ", " + arg.name() + " short: " + e.getMessage());
            float[][] missing = args.stream().map(Arg::value).toArray(float[][]::new);
            missing[i] = null;
            if (optional.contains(arg.name())) {
                assertDoesNotThrow(() -> call.run(missing), kernel + ": " + arg.name() + " is optional");
            } else {
                var n = assertThrows(IllegalArgumentException.class, () -> call.run(missing),
                        kernel + " accepted a null " + arg.name());
                assertTrue(n.getMessage().startsWith(kernel + ": " + arg.name()) && n.getMessage().endsWith(" is null"),
                        kernel + ", " + arg.name() + " null: " + n.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ selective

    private static final Selective SEL = new Selective(2, 5, 3, 2, true, true, 2);

    private static List<Arg> selectiveForwardArgs(SplittableRandom r) {
        int bld = SEL.batch() * SEL.len() * SEL.d();
        int bln = SEL.batch() * SEL.len() * SEL.nTotal();
        return List.of(new Arg("u", fill(r, bld, -1, 1)), new Arg("delta", fill(r, bld, 0.01, 0.5)),
                new Arg("A", fill(r, SEL.d() * SEL.n(), -3, -0.5)), new Arg("B", fill(r, bln, -1, 1)),
                new Arg("C", fill(r, bln, -1, 1)), new Arg("Dskip", fill(r, SEL.d(), -1, 1)),
                new Arg("z", fill(r, bld, -2, 2)), new Arg("h0", fill(r, SEL.stateSize(), -1, 1)),
                new Arg("out", new float[bld]), new Arg("checkpoints", new float[SEL.checkpointSize()]),
                new Arg("hLast", new float[SEL.stateSize()]));
    }

    private static void selectiveForward(Scans k, float[][] x) {
        k.selectiveForward(SEL, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10]);
    }

    /** The backward's arguments: the forward's inputs, its checkpoints, gOut, gLast and the eight gradients. */
    private static List<Arg> selectiveBackwardArgs(SplittableRandom r, Scans k) {
        List<Arg> fwd = selectiveForwardArgs(r);
        float[][] x = fwd.stream().map(Arg::value).toArray(float[][]::new);
        selectiveForward(k, x);
        int bld = SEL.batch() * SEL.len() * SEL.d();
        int bln = SEL.batch() * SEL.len() * SEL.nTotal();
        return List.of(fwd.get(0), fwd.get(1), fwd.get(2), fwd.get(3), fwd.get(4), fwd.get(5), fwd.get(6),
                fwd.get(7), new Arg("checkpoints", x[9]), new Arg("gOut", fill(r, bld, -1, 1)),
                new Arg("gLast", fill(r, SEL.stateSize(), -1, 1)), new Arg("gu", new float[bld]),
                new Arg("gDelta", new float[bld]), new Arg("gA", new float[SEL.d() * SEL.n()]),
                new Arg("gB", new float[bln]), new Arg("gC", new float[bln]), new Arg("gD", new float[SEL.d()]),
                new Arg("gz", new float[bld]), new Arg("gh0", new float[SEL.stateSize()]));
    }

    private static void selectiveBackward(Scans k, float[][] x) {
        k.selectiveBackward(SEL, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12],
                x[13], x[14], x[15], x[16], x[17], x[18]);
    }

    @Test
    void everySelectiveArgumentIsCheckedByName() {
        for (Scans k : KERNELS) {
            SplittableRandom r = new SplittableRandom(Props.SEED);
            everyArgumentIsChecked(k + ".selectiveForward", selectiveForwardArgs(r),
                    List.of("Dskip", "z", "h0", "checkpoints", "hLast"), x -> selectiveForward(k, x));
            // gD and gz are required here because Dskip and z are given; Dskip and z cannot be left out
            // alone (their gradients would have nowhere to go), so only the state arguments are optional.
            List<Arg> bwd = selectiveBackwardArgs(r, k);
            everyArgumentIsChecked(k + ".selectiveBackward", bwd.stream()
                    .map(a -> a.name().equals("gD") ? new Arg("gD (Dskip is given)", a.value())
                            : a.name().equals("gz") ? new Arg("gz (z is given)", a.value()) : a)
                    .toList(), List.of("Dskip", "z", "h0", "gLast", "gh0"), x -> selectiveBackward(k, x));
        }
    }

    @Test
    void selectiveOutputsAreOverwrittenNotAccumulated() {
        for (Scans k : KERNELS) {
            float[][] zeroed = valuesOf(selectiveForwardArgs(new SplittableRandom(Props.SEED)));
            float[][] dirty = valuesOf(selectiveForwardArgs(new SplittableRandom(Props.SEED)));
            poison(dirty, 8, 9, 10);
            selectiveForward(k, zeroed);
            selectiveForward(k, dirty);
            assertSameBits(k + ".selectiveForward", zeroed, dirty, 8, 9, 10);

            float[][] bZeroed = valuesOf(selectiveBackwardArgs(new SplittableRandom(Props.SEED), k));
            float[][] bDirty = valuesOf(selectiveBackwardArgs(new SplittableRandom(Props.SEED), k));
            poison(bDirty, 11, 12, 13, 14, 15, 16, 17, 18);
            selectiveBackward(k, bZeroed);
            selectiveBackward(k, bDirty);
            assertSameBits(k + ".selectiveBackward", bZeroed, bDirty, 11, 12, 13, 14, 15, 16, 17, 18);
        }
    }

    @Test
    void selectiveSizesAreCheckedByName() {
        String[] names = {"batch", "len", "d", "n"};
        for (int i = 0; i < names.length; i++) {
            int[] sizes = {2, 5, 3, 2};
            sizes[i] = -1;
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new Selective(sizes[0], sizes[1], sizes[2], sizes[3], false, false, 4));
            assertTrue(e.getMessage().equals("Scans.Selective: " + names[i] + " = -1 is negative"), e.getMessage());
        }
        Selective s = Selective.of(2, 5, 3, 2, true, false);
        assertTrue(s.chunk() == Scans.DEFAULT_CHUNK && s.nTotal() == 3 && s.learnableOffset() == 1, s.toString());
    }

    // ------------------------------------------------------------------ diagonal, real and complex

    @Test
    void everyDiagonalArgumentIsCheckedByName() {
        int b = 2, len = 3, c = 5;
        for (Scans k : KERNELS) {
            SplittableRandom r = new SplittableRandom(Props.SEED);
            everyArgumentIsChecked(k + ".diagonal", List.of(new Arg("a", fill(r, b * len * c, 0, 1)),
                            new Arg("b", fill(r, b * len * c, -1, 1)), new Arg("h0", fill(r, b * c, -1, 1)),
                            new Arg("h", new float[b * len * c]), new Arg("hLast", new float[b * c])),
                    List.of("h0", "hLast"), x -> k.diagonal(b, len, c, x[0], x[1], x[2], x[3], x[4]));
            everyArgumentIsChecked(k + ".diagonalBackward", List.of(new Arg("a", fill(r, b * len * c, 0, 1)),
                            new Arg("h0", fill(r, b * c, -1, 1)), new Arg("h", fill(r, b * len * c, -1, 1)),
                            new Arg("gH", fill(r, b * len * c, -1, 1)), new Arg("gLast", fill(r, b * c, -1, 1)),
                            new Arg("ga", new float[b * len * c]), new Arg("gb", new float[b * len * c]),
                            new Arg("gh0", new float[b * c])),
                    List.of("h0", "gLast", "gh0"),
                    x -> k.diagonalBackward(b, len, c, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]));
            for (String size : List.of("batch", "len", "channels")) {
                var e = assertThrows(IllegalArgumentException.class, () -> k.diagonal(
                        size.equals("batch") ? -1 : b, size.equals("len") ? -1 : len, size.equals("channels") ? -1 : c,
                        new float[30], new float[30], null, new float[30], null));
                assertTrue(e.getMessage().equals(k + ".diagonal: " + size + " = -1 is negative"), e.getMessage());
            }
        }
    }

    @Test
    void everyComplexArgumentIsCheckedByName() {
        int b = 2, len = 3, c = 5;
        for (Scans k : KERNELS) {
            SplittableRandom r = new SplittableRandom(Props.SEED);
            // Each complex argument as two real ones, "x.re" and "x.im".
            List<Arg> fwd = complexArgs(r, List.of("a", "b", "h0", "h", "hLast"), b * len * c, b * c);
            // A part alone is never optional (one null part fails naming it); a whole optional pair is.
            everyArgumentIsChecked(k + ".complexDiagonal", fwd, List.of(),
                    x -> k.complexDiagonal(b, len, c, cx(x, 0), cx(x, 1), cx(x, 2), cx(x, 3), cx(x, 4)));
            float[][] noStates = valuesOf(fwd);
            Arrays.fill(noStates, 4, 6, null);
            Arrays.fill(noStates, 8, 10, null);
            assertDoesNotThrow(() -> k.complexDiagonal(b, len, c, cx(noStates, 0), cx(noStates, 1), null,
                    cx(noStates, 3), null), k + ".complexDiagonal without h0 and hLast");
            List<Arg> bwd = complexArgs(r, List.of("a", "h0", "h", "gH", "gLast", "ga", "gb", "gh0"), b * len * c, b * c);
            everyArgumentIsChecked(k + ".complexDiagonalBackward", bwd, List.of(),
                    x -> k.complexDiagonalBackward(b, len, c, cx(x, 0), cx(x, 1), cx(x, 2), cx(x, 3), cx(x, 4),
                            cx(x, 5), cx(x, 6), cx(x, 7)));
            float[][] y = valuesOf(bwd);
            assertDoesNotThrow(() -> k.complexDiagonalBackward(b, len, c, cx(y, 0), null, cx(y, 2), cx(y, 3), null,
                    cx(y, 5), cx(y, 6), null), k + ".complexDiagonalBackward without h0, gLast and gh0");
        }
    }

    /** Real and imaginary parts of each named complex argument; names ending in 0 or Last are states. */
    private static List<Arg> complexArgs(SplittableRandom r, List<String> names, int sequence, int state) {
        return names.stream().flatMap(n -> {
            int size = n.endsWith("0") || n.endsWith("Last") ? state : sequence;
            return List.of(new Arg(n + ".re", fill(r, size, -0.9, 0.9)), new Arg(n + ".im", fill(r, size, -0.3, 0.3)))
                    .stream();
        }).toList();
    }

    /**
     * Complex argument i of a call from its two parts; a pair with both parts null is a left-out optional
     * argument (one null part alone must still fail, naming the part).
     */
    private static Complex cx(float[][] x, int i) {
        float[] re = x[2 * i];
        float[] im = x[2 * i + 1];
        return re == null && im == null ? null : new Complex(re, im);
    }

    @Test
    void diagonalOutputsAreOverwrittenNotAccumulated() {
        int b = 2, len = 4, c = 19;
        for (Scans k : KERNELS) {
            Consumer<float[][]> fwd = x -> k.diagonal(b, len, c, x[0], x[1], x[2], x[3], x[4]);
            Consumer<float[][]> bwd = x -> k.diagonalBackward(b, len, c, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
            float[][] f0 = diagonalValues(b * len * c, b * c, 5), f1 = diagonalValues(b * len * c, b * c, 5);
            poison(f1, 3, 4);
            fwd.accept(f0);
            fwd.accept(f1);
            assertSameBits(k + ".diagonal", f0, f1, 3, 4);
            float[][] g0 = diagonalValues(b * len * c, b * c, 8), g1 = diagonalValues(b * len * c, b * c, 8);
            poison(g1, 5, 6, 7);
            bwd.accept(g0);
            bwd.accept(g1);
            assertSameBits(k + ".diagonalBackward", g0, g1, 5, 6, 7);
        }
    }

    /** Arrays in the order of a diagonal call: sequences at every index but the state ones (2 and 4 forward; 1, 4, 7 backward). */
    private static float[][] diagonalValues(int sequence, int state, int count) {
        SplittableRandom r = new SplittableRandom(Props.SEED);
        List<Integer> states = count == 5 ? List.of(2, 4) : List.of(1, 4, 7);
        float[][] x = new float[count][];
        for (int i = 0; i < count; i++) {
            x[i] = fill(r, states.contains(i) ? state : sequence, 0.1, 0.9);
        }
        return x;
    }

    @Test
    void aScanOfLengthZeroPassesTheStateThrough() {
        int b = 2, c = 21;
        for (Scans k : KERNELS) {
            SplittableRandom r = new SplittableRandom(Props.SEED);
            float[] h0 = fill(r, b * c, -1, 1);
            float[] gLast = fill(r, b * c, -1, 1);
            float[] hLast = nan(b * c);
            k.diagonal(b, 0, c, new float[0], new float[0], h0, new float[0], hLast);
            assertArrayEquals(h0, hLast, k + ".diagonal, L = 0: hLast = h0");
            k.diagonal(b, 0, c, new float[0], new float[0], null, new float[0], hLast);
            assertArrayEquals(new float[b * c], hLast, k + ".diagonal, L = 0, no h0: hLast = 0");
            float[] gh0 = nan(b * c);
            k.diagonalBackward(b, 0, c, new float[0], h0, new float[0], new float[0], gLast, new float[0], new float[0], gh0);
            assertArrayEquals(gLast, gh0, k + ".diagonalBackward, L = 0: gh0 = gLast");
            k.diagonalBackward(b, 0, c, new float[0], h0, new float[0], new float[0], null, new float[0], new float[0], gh0);
            assertArrayEquals(new float[b * c], gh0, k + ".diagonalBackward, L = 0, no gLast: gh0 = 0");

            Complex empty = new Complex(new float[0], new float[0]);
            Complex ch0 = new Complex(fill(r, b * c, -1, 1), fill(r, b * c, -1, 1));
            Complex cLast = new Complex(nan(b * c), nan(b * c));
            k.complexDiagonal(b, 0, c, empty, empty, ch0, empty, cLast);
            assertArrayEquals(ch0.re(), cLast.re(), k + ".complexDiagonal, L = 0: Re hLast = Re h0");
            assertArrayEquals(ch0.im(), cLast.im(), k + ".complexDiagonal, L = 0: Im hLast = Im h0");
            Complex cgLast = new Complex(fill(r, b * c, -1, 1), fill(r, b * c, -1, 1));
            Complex cgh0 = new Complex(nan(b * c), nan(b * c));
            k.complexDiagonalBackward(b, 0, c, empty, ch0, empty, empty, cgLast, empty, empty, cgh0);
            assertArrayEquals(cgLast.re(), cgh0.re(), k + ".complexDiagonalBackward, L = 0: Re gh0 = Re gLast");
            assertArrayEquals(cgLast.im(), cgh0.im(), k + ".complexDiagonalBackward, L = 0: Im gh0 = Im gLast");
            k.complexDiagonalBackward(b, 0, c, empty, ch0, empty, empty, null, empty, empty, cgh0);
            assertArrayEquals(new float[b * c], cgh0.re(), k + ".complexDiagonalBackward, L = 0, no gLast: gh0 = 0");
            assertArrayEquals(new float[b * c], cgh0.im(), k + ".complexDiagonalBackward, L = 0, no gLast: gh0 = 0");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static float[][] valuesOf(List<Arg> args) {
        return args.stream().map(a -> a.value().clone()).toArray(float[][]::new);
    }

    private static float[] nan(int size) {
        float[] x = new float[size];
        Arrays.fill(x, Float.NaN);
        return x;
    }

    /** Fills the arrays at the given indices with NaN (an accumulating kernel would keep it). */
    private static void poison(float[][] x, int... indices) {
        for (int i : indices) {
            Arrays.fill(x[i], Float.NaN);
        }
    }

    private static void assertSameBits(String what, float[][] expected, float[][] actual, int... indices) {
        for (int i : indices) {
            assertArrayEquals(expected[i], actual[i], what + ": output " + i + " depends on what the array held before");
        }
    }
}
