package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.opencl.Cases.assertClose;
import static org.ssmlab.opencl.Cases.assertSame;
import static org.ssmlab.opencl.Cases.assertSameRange;
import static org.ssmlab.opencl.Cases.assertUntouchedOutside;
import static org.ssmlab.opencl.Cases.logUniform;
import static org.ssmlab.opencl.Cases.oneOf;
import static org.ssmlab.opencl.Cases.uniform;
import static org.ssmlab.opencl.Cases.withSpecials;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quicktheories.core.Gen;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Elementwise;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;
import org.ssmlab.testing.Props;

/**
 * Every OpenCL elementwise kernel against its SIMD twin ({@link Backend#simd()}) on random lengths,
 * offsets and values including extremes: unary functions within a few float ulp, binary functions,
 * broadcasts, fma and axpy bit for bit; elements outside the written range untouched; in place
 * allowed. Skipped (not failed) when the machine has no OpenCL platform.
 */
class OpenClElementwiseTest {

    private static final Elementwise SIMD = Backend.simd().elementwise();
    private static final int EXAMPLES = 100;
    private static final float FILL = -12345.5f;

    /** Moderate numbers, the range of e^x, many decades, and specials (±0, e^±88, ±1e30, subnormal, ±∞, NaN). */
    private static final Gen<Float> VALUES = withSpecials(
            oneOf(uniform(-10f, 10f), uniform(-88f, 88f), logUniform(-30f, 30f)),
            0f, -0f, 88f, -88f, 1e30f, -1e30f, Float.MIN_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN);

    /** The unary kernel under test, as a function (so a negative control can substitute a wrong one). */
    @FunctionalInterface
    interface UnaryKernel {
        void apply(Unary op, float[] x, int xOff, float[] out, int outOff, int n);
    }

    /**
     * {@code |simd - opencl| <= rel·|simd| + abs}, as between the SIMD and scalar twins: the
     * transcendentals a few float ulp apart (rel 1e-5; abs 1e-36 for subnormal results), GELU's
     * cancelling 1 + tanh(·) an absolute 1e-6; NEG, ABS, SQRT (correctly rounded) and RELU exact.
     */
    private static double[] tolerance(Unary op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, SOFTPLUS, SILU -> new double[] {1e-5, 1e-36};
            case GELU -> new double[] {1e-5, 1e-6};
            case NEG, ABS, SQRT, RELU -> new double[] {0, 0};
        };
    }

    private static void checkUnary(UnaryKernel candidate, Unary op) {
        double[] tol = tolerance(op);
        Props.qt(EXAMPLES).forAll(Cases.vectors(VALUES)).checkAssert(c -> {
            float[] expected = c.newOut(FILL);
            SIMD.unary(op, c.x(), c.xOff(), expected, c.outOff(), c.n());
            float[] actual = c.newOut(FILL);
            candidate.apply(op, c.x(), c.xOff(), actual, c.outOff(), c.n());
            for (int i = 0; i < c.n(); i++) {
                int j = c.outOff() + i;
                String what = op + "(" + c.x()[c.xOff() + i] + ") at i=" + i;
                if (tol[0] == 0) {
                    assertSame(what, expected[j], actual[j]);
                } else {
                    assertClose(what, expected[j], actual[j], tol[0], tol[1]);
                }
            }
            assertUntouchedOutside(op.toString(), actual, c.outOff(), c.n(), FILL);

            float[] inPlace = c.x().clone();
            candidate.apply(op, inPlace, c.xOff(), inPlace, c.xOff(), c.n());
            for (int i = 0; i < c.n(); i++) {
                String what = op + " in place at i=" + i;
                if (tol[0] == 0) {
                    assertSame(what, expected[c.outOff() + i], inPlace[c.xOff() + i]);
                } else {
                    assertClose(what, expected[c.outOff() + i], inPlace[c.xOff() + i], tol[0], tol[1]);
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryAgreesWithSimd(Unary op) {
        Elementwise cl = Device.backend().elementwise();
        checkUnary(cl::unary, op);
    }

    /** Negative control: the OpenCL result with its last element off by a relative 1e-4 is caught. */
    @Test
    void aPerturbedKernelIsCaught() {
        Elementwise cl = Device.backend().elementwise();
        UnaryKernel wrong = (op, x, xOff, out, outOff, n) -> {
            cl.unary(op, x, xOff, out, outOff, n);
            if (n > 0) {
                out[outOff + n - 1] *= 1.0001f;
            }
        };
        String report = Props.expectFalsified(() -> checkUnary(wrong, Unary.SIGMOID));
        assertTrue(report.contains("SIGMOID"), report);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryAgreesWithSimdBitForBit(Binary op) {
        Elementwise cl = Device.backend().elementwise();
        Props.qt(EXAMPLES).forAll(Cases.vectors(VALUES)).checkAssert(c -> {
            float[] expected = c.newOut(FILL);
            SIMD.binary(op, c.x(), c.xOff(), c.y(), c.yOff(), expected, c.outOff(), c.n());
            float[] actual = c.newOut(FILL);
            cl.binary(op, c.x(), c.xOff(), c.y(), c.yOff(), actual, c.outOff(), c.n());
            assertSameRange(op + " binary", expected, actual, c.outOff(), c.n());
            assertUntouchedOutside(op + " binary", actual, c.outOff(), c.n(), FILL);

            float[] inPlace = c.x().clone();
            cl.binary(op, inPlace, c.xOff(), c.y(), c.yOff(), inPlace, c.xOff(), c.n());
            for (int i = 0; i < c.n(); i++) {
                assertSame(op + " binary in place at " + i, expected[c.outOff() + i], inPlace[c.xOff() + i]);
            }

            float s = c.s();
            SIMD.binaryScalar(op, c.x(), c.xOff(), s, expected, c.outOff(), c.n());
            cl.binaryScalar(op, c.x(), c.xOff(), s, actual, c.outOff(), c.n());
            assertSameRange(op + " binaryScalar with s=" + s, expected, actual, c.outOff(), c.n());
            assertUntouchedOutside(op + " binaryScalar", actual, c.outOff(), c.n(), FILL);
        });
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void broadcastsAgreeWithSimdBitForBit(Binary op) {
        Elementwise cl = Device.backend().elementwise();
        Props.qt(EXAMPLES).forAll(Cases.matrices(VALUES)).checkAssert(m -> {
            int size = m.rows() * m.cols();
            float[] expected = new float[size];
            float[] actual = new float[size];
            SIMD.binaryRowBroadcast(op, m.x(), m.y(), expected, m.rows(), m.cols());
            cl.binaryRowBroadcast(op, m.x(), m.y(), actual, m.rows(), m.cols());
            assertSameRange(op + " row broadcast", expected, actual, 0, size);

            SIMD.binaryColBroadcast(op, m.x(), m.y(), expected, m.rows(), m.cols());
            cl.binaryColBroadcast(op, m.x(), m.y(), actual, m.rows(), m.cols());
            assertSameRange(op + " column broadcast", expected, actual, 0, size);

            float[] inPlace = m.x().clone();
            cl.binaryColBroadcast(op, inPlace, m.y(), inPlace, m.rows(), m.cols());
            assertSameRange(op + " column broadcast in place", expected, inPlace, 0, size);
        });
    }

    @Test
    void fmaAndAxpyAgreeWithSimdBitForBit() {
        Elementwise cl = Device.backend().elementwise();
        Props.qt(EXAMPLES).forAll(Cases.vectors(VALUES)).checkAssert(c -> {
            int n = c.n();
            float[] a = Arrays.copyOfRange(c.x(), c.xOff(), c.xOff() + n);
            float[] b = Arrays.copyOfRange(c.y(), c.yOff(), c.yOff() + n);
            float[] addend = c.x().clone();
            float[] expected = new float[n];
            float[] actual = new float[n];
            SIMD.fma(a, b, addend, expected, n);
            cl.fma(a, b, addend, actual, n);
            assertSameRange("fma", expected, actual, 0, n);

            float alpha = c.s();
            float[] yExpected = c.y().clone();
            float[] yActual = c.y().clone();
            SIMD.axpy(alpha, c.x(), c.xOff(), yExpected, c.yOff(), n);
            cl.axpy(alpha, c.x(), c.xOff(), yActual, c.yOff(), n);
            // Elements outside the range are left alone by both, so whole arrays compare.
            assertSameRange("axpy with alpha=" + alpha, yExpected, yActual, 0, yExpected.length);
        });
    }

    private static void assertRejected(String kernel, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, kernel);
        assertTrue(e.getMessage().startsWith(kernel + ":"), "message should name " + kernel + ": " + e.getMessage());
    }

    @Test
    void badArgumentsAreRejectedWithTheKernelName() {
        Elementwise cl = Device.backend().elementwise();
        float[] ten = new float[10];
        float[] six = new float[6];
        String k = "OpenClElementwise";
        assertRejected(k + ".unary", () -> cl.unary(Unary.EXP, ten, 5, six, 0, 6));
        assertRejected(k + ".unary", () -> cl.unary(null, ten, 0, ten, 0, 1));
        assertRejected(k + ".binary", () -> cl.binary(Binary.ADD, ten, 0, six, 1, ten, 0, 6));
        assertRejected(k + ".binaryScalar", () -> cl.binaryScalar(Binary.MUL, ten, 0, 1f, six, 0, 10));
        assertRejected(k + ".binaryRowBroadcast", () -> cl.binaryRowBroadcast(Binary.ADD, ten, six, ten, 1, 7));
        assertRejected(k + ".binaryColBroadcast", () -> cl.binaryColBroadcast(Binary.ADD, ten, six, ten, 10, 1));
        assertRejected(k + ".fma", () -> cl.fma(ten, ten, six, ten, 10));
        assertRejected(k + ".axpy", () -> cl.axpy(1f, ten, 0, six, 1, 6));
        assertRejected(k + ".axpy", () -> cl.axpy(1f, null, 0, six, 0, 1));
    }
}
