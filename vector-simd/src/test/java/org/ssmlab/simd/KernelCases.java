package org.ssmlab.simd;

import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Generators and float comparisons shared by the kernel property tests: vectors of random length
 * 0..70 (so every SIMD tail length occurs) at random offsets inside larger arrays, matrices of random
 * shape, and value distributions that mix ordinary numbers with extremes. Public, with the property
 * bodies built on it, so the other backends' tests (the OpenCL module) run the same cases.
 */
public final class KernelCases {

    /** Longest vector generated: several full vectors plus a tail, for every lane count up to 16. */
    public static final int MAX_N = 70;

    private KernelCases() {
    }

    /**
     * A vector case: {@code n} elements of {@code x} from {@code xOff} and of {@code y} from {@code yOff},
     * an output offset into an output array of {@code outLen} elements, and a scalar {@code s}.
     */
    public record Vec(int n, float[] x, int xOff, float[] y, int yOff, int outOff, int outLen, float s) {
        public float[] newOut(float fill) {
            float[] out = new float[outLen];
            Arrays.fill(out, fill);
            return out;
        }

        @Override
        public String toString() {
            return "n=" + n + " xOff=" + xOff + " yOff=" + yOff + " outOff=" + outOff
                    + " s=" + s + " x=" + Arrays.toString(Arrays.copyOfRange(x, xOff, xOff + n))
                    + " y=" + Arrays.toString(Arrays.copyOfRange(y, yOff, yOff + n));
        }
    }

    /** A row-major (rows, cols) matrix {@code x} and a vector {@code y} of max(rows, cols) elements. */
    public record Mat(int rows, int cols, float[] x, float[] y) {
        @Override
        public String toString() {
            return rows + " x " + cols + " x=" + Arrays.toString(x) + " y=" + Arrays.toString(y);
        }
    }

    /** A uniform float in [lo, hi). */
    public static Gen<Float> uniform(float lo, float hi) {
        Gen<Integer> bits = integers().between(0, (1 << 24) - 1);
        return in -> lo + (hi - lo) * (bits.generate(in) / (float) (1 << 24));
    }

    /** ± 10^e with e uniform in [lo, hi]: magnitudes spread over many decades. */
    public static Gen<Float> logUniform(float lo, float hi) {
        Gen<Float> e = uniform(lo, hi);
        Gen<Integer> sign = integers().between(0, 1);
        return in -> (sign.generate(in) == 0 ? 1f : -1f) * (float) Math.pow(10, e.generate(in));
    }

    /** Each of {@code gens} with equal probability. */
    @SafeVarargs
    public static Gen<Float> oneOf(Gen<Float>... gens) {
        Gen<Integer> pick = integers().between(0, gens.length - 1);
        return in -> gens[pick.generate(in)].generate(in);
    }

    /** {@code base} most of the time, one of {@code specials} with probability 1/4. */
    public static Gen<Float> withSpecials(Gen<Float> base, float... specials) {
        Gen<Integer> pick = integers().between(0, 4 * specials.length - 1);
        return in -> {
            int k = pick.generate(in);
            return k < specials.length ? specials[k] : base.generate(in);
        };
    }

    /** Vector cases of length 0..MAX_N, offsets 0..9, a little slack after each range. */
    public static Gen<Vec> vectors(Gen<Float> values) {
        Gen<Integer> len = integers().between(0, MAX_N);
        Gen<Integer> off = integers().between(0, 9);
        Gen<Integer> slack = integers().between(0, 3);
        Gen<Vec> gen = in -> {
            int n = len.generate(in);
            int xOff = off.generate(in);
            int yOff = off.generate(in);
            int outOff = off.generate(in);
            float[] x = fill(new float[xOff + n + slack.generate(in)], values, in);
            float[] y = fill(new float[yOff + n + slack.generate(in)], values, in);
            return new Vec(n, x, xOff, y, yOff, outOff, outOff + n + slack.generate(in),
                    values.generate(in));
        };
        return gen.describedAs(Vec::toString);
    }

    /** Matrices of 0..5 rows and 0..MAX_N columns. */
    public static Gen<Mat> matrices(Gen<Float> values) {
        Gen<Integer> rowsGen = integers().between(0, 5);
        Gen<Integer> colsGen = integers().between(0, MAX_N);
        Gen<Mat> gen = in -> {
            int rows = rowsGen.generate(in);
            int cols = colsGen.generate(in);
            float[] x = fill(new float[rows * cols], values, in);
            float[] y = fill(new float[Math.max(rows, cols)], values, in);
            return new Mat(rows, cols, x, y);
        };
        return gen.describedAs(Mat::toString);
    }

    private static float[] fill(float[] a, Gen<Float> values, RandomnessSource in) {
        for (int i = 0; i < a.length; i++) {
            a[i] = values.generate(in);
        }
        return a;
    }

    /**
     * Asserts {@code |expected - actual| <= rel·|expected| + abs}; equal values (also equal infinities)
     * and two NaNs agree.
     */
    public static void assertClose(String what, float expected, float actual, double rel, double abs) {
        if (expected == actual || (Float.isNaN(expected) && Float.isNaN(actual))) {
            return;
        }
        double err = Math.abs((double) expected - actual);
        double tol = rel * Math.abs(expected) + abs;
        if (!(err <= tol)) {
            throw new AssertionError(what + ": expected " + expected + " but got " + actual
                    + " (|error| = " + err + " > tolerance " + tol + ")");
        }
    }

    /** Asserts the two floats are the same bits up to NaN payload (so -0 and +0 differ). */
    public static void assertSame(String what, float expected, float actual) {
        if (Float.compare(expected, actual) != 0) {
            throw new AssertionError(what + ": expected " + expected + " but got " + actual);
        }
    }

    /** Asserts expected[i] and actual[i] are the same bits for i in [off, off+n). */
    public static void assertSameRange(String what, float[] expected, float[] actual, int off, int n) {
        for (int i = off; i < off + n; i++) {
            assertSame(what + " at " + i, expected[i], actual[i]);
        }
    }

    /** Asserts every element of {@code out} outside [off, off+n) still holds {@code fill}. */
    public static void assertUntouchedOutside(String what, float[] out, int off, int n, float fill) {
        for (int i = 0; i < out.length; i++) {
            if ((i < off || i >= off + n) && Float.compare(out[i], fill) != 0) {
                throw new AssertionError(what + ": out[" + i + "] outside [" + off + ", " + (off + n)
                        + ") was overwritten with " + out[i]);
            }
        }
    }
}
