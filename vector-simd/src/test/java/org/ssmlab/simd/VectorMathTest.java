package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath} against {@link Math} in double: the error bounds its Javadoc states, measured in
 * ulp of the float result over a sweep of float bit patterns that covers every binade of the domain,
 * the special values, and the fixed order of {@link VectorMath#sum}.
 */
class VectorMathTest {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Every {@code stride}-th float bit pattern from {@code from} to {@code to} (both positive or both negative). */
    private static float[] sweep(float from, float to, int stride) {
        int a = Float.floatToRawIntBits(from);
        int b = Float.floatToRawIntBits(to);
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        int n = (int) (((long) hi - lo) / stride) + 1;
        int padded = (n + S.length() - 1) / S.length() * S.length();
        float[] xs = new float[padded];
        for (int i = 0; i < padded; i++) {
            xs[i] = Float.intBitsToFloat((int) Math.min(hi, lo + (long) i * stride));
        }
        return xs;
    }

    private static float[] apply(UnaryOperator<FloatVector> f, float[] xs) {
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i += S.length()) {
            f.apply(FloatVector.fromArray(S, xs, i)).intoArray(out, i);
        }
        return out;
    }

    /** The largest error in ulp of the float reference, where the error also exceeds {@code abs}. */
    private static double maxUlp(UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, float[] xs, double abs) {
        float[] got = apply(f, xs);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            double r = ref.applyAsDouble(xs[i]);
            double err = Math.abs(got[i] - r);
            if (err <= abs) {
                continue;
            }
            double ulp = Math.ulp((float) r);
            worst = Math.max(worst, err / ulp);
            if (!(err / ulp <= 64)) {
                throw new AssertionError("x = " + xs[i] + ": got " + got[i] + ", reference " + r);
            }
        }
        return worst;
    }

    private static float one(UnaryOperator<FloatVector> f, float x) {
        return f.apply(FloatVector.broadcast(S, x)).lane(0);
    }

    @Test
    void expIsWithinTwoUlpOverItsRange() {
        double neg = maxUlp(VectorMath::exp, Math::exp, sweep(-0f, -87.68f, 211), 0);
        double pos = maxUlp(VectorMath::exp, Math::exp, sweep(0f, 88.37f, 211), 0);
        assertTrue(neg <= 2 && pos <= 2, "exp: " + neg + " ulp below 0, " + pos + " above");
        // Below the normal range: flushed to 0, an absolute error under the smallest normal float.
        float[] tiny = sweep(-87.7f, -120f, 97);
        float[] got = apply(VectorMath::exp, tiny);
        for (int i = 0; i < tiny.length; i++) {
            assertTrue(got[i] >= 0 && Math.abs(got[i] - Math.exp(tiny[i])) < Float.MIN_NORMAL, "exp(" + tiny[i] + ") = " + got[i]);
        }
    }

    @Test
    void expSpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, one(VectorMath::exp, 89f));
        assertEquals(Float.POSITIVE_INFINITY, one(VectorMath::exp, 1e30f));
        assertEquals(0f, one(VectorMath::exp, -1e30f));
        assertEquals(Float.POSITIVE_INFINITY, one(VectorMath::exp, Float.POSITIVE_INFINITY));
        assertEquals(0f, one(VectorMath::exp, -104f));
        assertEquals(0f, one(VectorMath::exp, Float.NEGATIVE_INFINITY));
        assertEquals(1f, one(VectorMath::exp, 0f));
        assertTrue(Float.isNaN(one(VectorMath::exp, Float.NaN)));
    }

    @Test
    void logIsWithinTwoUlpForEveryPositiveFloat() {
        double normal = maxUlp(VectorMath::log, Math::log, sweep(Float.MIN_NORMAL, Float.MAX_VALUE, 1009), 0);
        double sub = maxUlp(VectorMath::log, Math::log, sweep(Float.MIN_VALUE, Float.MIN_NORMAL, 1009), 0);
        double nearOne = maxUlp(VectorMath::log, Math::log, sweep(0.5f, 2f, 13), 0);
        assertTrue(normal <= 2 && sub <= 2 && nearOne <= 2, "log: " + normal + " / " + sub + " / " + nearOne + " ulp");
    }

    @Test
    void logSpecialValues() {
        assertEquals(Float.NEGATIVE_INFINITY, one(VectorMath::log, 0f));
        assertEquals(Float.POSITIVE_INFINITY, one(VectorMath::log, Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(one(VectorMath::log, -1f)));
        assertTrue(Float.isNaN(one(VectorMath::log, Float.NaN)));
        assertEquals(0f, one(VectorMath::log, 1f));
    }

    @Test
    void log1pIsWithinThreeUlpIncludingTinyArguments() {
        double tinyPos = maxUlp(VectorMath::log1p, Math::log1p, sweep(Float.MIN_VALUE, 1e-3f, 1009), 0);
        double tinyNeg = maxUlp(VectorMath::log1p, Math::log1p, sweep(-Float.MIN_VALUE, -1e-3f, 1009), 0);
        double mid = maxUlp(VectorMath::log1p, Math::log1p, sweep(1e-3f, 1e30f, 1009), 0);
        double toMinusOne = maxUlp(VectorMath::log1p, Math::log1p, sweep(-1e-3f, -0.99999f, 509), 0);
        assertTrue(tinyPos <= 3 && tinyNeg <= 3 && mid <= 3 && toMinusOne <= 3,
                "log1p: " + tinyPos + " / " + tinyNeg + " / " + mid + " / " + toMinusOne + " ulp");
        assertEquals(Float.NEGATIVE_INFINITY, one(VectorMath::log1p, -1f));
        assertEquals(Float.POSITIVE_INFINITY, one(VectorMath::log1p, Float.POSITIVE_INFINITY));
    }

    @Test
    void log1pUnitIsWithinThreeUlpOnZeroToOneAndAgreesWithLog1pThere() {
        float[] all = sweep(0f, 1f, 101);
        double ulp = maxUlp(VectorMath::log1pUnit, Math::log1p, all, 0);
        assertTrue(ulp <= 3, "log1pUnit on [0, 1]: " + ulp + " ulp");
        double againstLog1p = maxUlp(VectorMath::log1pUnit, x -> one(VectorMath::log1p, (float) x), all, 0);
        assertTrue(againstLog1p <= 1, "log1pUnit against log1p: " + againstLog1p + " ulp");
        assertEquals(0f, one(VectorMath::log1pUnit, 0f));
        assertEquals(Float.MIN_VALUE, one(VectorMath::log1pUnit, Float.MIN_VALUE));     // ln(1 + t) = t below 2^-24
        assertEquals((float) Math.log(2), one(VectorMath::log1pUnit, 1f));
        assertTrue(Float.isNaN(one(VectorMath::log1pUnit, Float.NaN)));
    }

    @Test
    void sigmoidIsWithinThreeUlpAndNeverNaNOrOverflowing() {
        DoubleUnaryOperator ref = x -> 1 / (1 + Math.exp(-x));
        double pos = maxUlp(VectorMath::sigmoid, ref, sweep(0f, 20f, 211), 0);
        double neg = maxUlp(VectorMath::sigmoid, ref, sweep(-0f, -87f, 211), 0);
        assertTrue(pos <= 3 && neg <= 3, "sigmoid: " + pos + " / " + neg + " ulp");
        assertEquals(1f, one(VectorMath::sigmoid, Float.POSITIVE_INFINITY));
        assertEquals(0f, one(VectorMath::sigmoid, Float.NEGATIVE_INFINITY));
        assertEquals(0.5f, one(VectorMath::sigmoid, 0f));
        assertTrue(Float.isNaN(one(VectorMath::sigmoid, Float.NaN)));
    }

    @Test
    void tanhIsWithinThreeAndAHalfUlpOrTwoToTheMinus24() {
        double pos = maxUlp(VectorMath::tanh, Math::tanh, sweep(Float.MIN_VALUE, 20f, 211), 0x1p-24);
        double neg = maxUlp(VectorMath::tanh, Math::tanh, sweep(-Float.MIN_VALUE, -20f, 211), 0x1p-24);
        double smallRel = maxUlp(VectorMath::tanh, Math::tanh, sweep(1e-30f, 0.5f, 1009), 0);
        assertTrue(pos <= 3.5 && neg <= 3.5 && smallRel <= 3.5, "tanh: " + pos + " / " + neg + " / " + smallRel + " ulp");
        assertEquals(1f, one(VectorMath::tanh, Float.POSITIVE_INFINITY));
        assertEquals(-1f, one(VectorMath::tanh, -1e30f));
        assertTrue(Float.isNaN(one(VectorMath::tanh, Float.NaN)));
    }

    /**
     * The lane sum is the halving tree the Javadoc names, bit for bit (here emulated on an array), and
     * close to the exact sum. Values of mixed magnitude make the order visible in the last bits.
     */
    @Test
    void sumAddsTheLanesInTheStatedOrder() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        int w = S.length();
        int orderVisible = 0;
        for (int trial = 0; trial < 200; trial++) {
            float[] lanes = new float[w];
            double exact = 0;
            for (int i = 0; i < w; i++) {
                lanes[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-3, 4)));
                exact += lanes[i];
            }
            float[] tree = lanes.clone();
            for (int half = w >> 1; half >= 1; half >>= 1) {
                for (int i = 0; i < half; i++) {
                    tree[i] = tree[i] + tree[i + half];
                }
            }
            float sequential = 0;
            for (float v : lanes) {
                sequential += v;
            }
            float got = VectorMath.sum(FloatVector.fromArray(S, lanes, 0));
            assertEquals(Float.floatToIntBits(tree[0]), Float.floatToIntBits(got), "trial " + trial);
            // the array form reads the vector at its offset (here after `trial % 3` leading values)
            float[] shifted = new float[w + 3];
            System.arraycopy(lanes, 0, shifted, trial % 3, w);
            assertEquals(Float.floatToIntBits(got), Float.floatToIntBits(VectorMath.sum(shifted, trial % 3)),
                    "trial " + trial + ", array form");
            assertTrue(Math.abs(got - exact) <= 1e-6 * w * maxAbs(lanes), "trial " + trial);
            if (sequential != got) {
                orderVisible++;
            }
        }
        // Otherwise the bitwise check above could not tell the tree from a left-to-right sum.
        assertTrue(w == 1 || orderVisible > 0, "no trial told the tree order from the sequential one");
    }

    private static float maxAbs(float[] xs) {
        float m = 0;
        for (float x : xs) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
