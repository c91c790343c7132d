package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.KernelCases.assertClose;
import static org.ssmlab.simd.KernelCases.assertSame;
import static org.ssmlab.simd.KernelCases.assertUntouchedOutside;
import static org.ssmlab.simd.KernelCases.logUniform;
import static org.ssmlab.simd.KernelCases.oneOf;
import static org.ssmlab.simd.KernelCases.uniform;
import static org.ssmlab.simd.KernelCases.withSpecials;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quicktheories.core.Gen;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;
import org.ssmlab.testing.Props;

/**
 * The SIMD elementwise kernels agree with their scalar twin on random lengths (every tail length),
 * offsets and values including extremes; the scalar twin matches known answers computed in
 * {@code double}; bad arguments are rejected with messages that name the kernel.
 */
class ElementwiseKernelsTest {

    private static final Elementwise SCALAR = new ScalarElementwise();
    private static final Elementwise SIMD = new SimdElementwise();
    private static final int EXAMPLES = 200;
    private static final float FILL = -12345.5f;

    /**
     * Values: moderate numbers, the whole range where e^x is a normal float, many decades of
     * magnitude, and specials (signed zeros, e^±88, ±1e30, the smallest subnormal, ±∞, NaN).
     */
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
     * Per-function tolerance {@code |scalar - simd| <= rel·|scalar| + abs}: the transcendental ones are
     * a few float ulp apart (rel 1e-5 leaves a wide margin; abs 1e-36 admits differences among
     * subnormal results); GELU's 1 + tanh(·) cancels for negative x, so it gets an absolute 1e-6;
     * NEG, ABS, SQRT (correctly rounded in both) and RELU must agree exactly.
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
        Props.qt(EXAMPLES).forAll(KernelCases.vectors(VALUES)).checkAssert(c -> {
            float[] expected = c.newOut(FILL);
            SCALAR.unary(op, c.x(), c.xOff(), expected, c.outOff(), c.n());
            float[] actual = c.newOut(FILL);
            candidate.apply(op, c.x(), c.xOff(), actual, c.outOff(), c.n());
            for (int i = 0; i < c.n(); i++) {
                int j = c.outOff() + i;
                float a = expected[j];
                float b = actual[j];
                String what = op + "(" + c.x()[c.xOff() + i] + ") at i=" + i;
                if (tol[0] == 0) {
                    assertSame(what, a, b);
                } else {
                    assertClose(what, a, b, tol[0], tol[1]);
                }
            }
            assertUntouchedOutside(op.toString(), actual, c.outOff(), c.n(), FILL);

            // In place: out is x at the same offset.
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
    void simdUnaryAgreesWithScalar(Unary op) {
        checkUnary(SIMD::unary, op);
    }

    /**
     * Negative control: a twin whose last result is off by a relative 1e-4 must falsify the property,
     * so the tolerance is tight enough to see such an error and the tail is compared.
     */
    @Test
    void aPerturbedTwinIsCaught() {
        UnaryKernel wrong = (op, x, xOff, out, outOff, n) -> {
            SIMD.unary(op, x, xOff, out, outOff, n);
            if (n > 0) {
                out[outOff + n - 1] *= 1.0001f;
            }
        };
        String report = Props.expectFalsified(() -> checkUnary(wrong, Unary.EXP));
        assertTrue(report.contains("EXP"), report);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void simdBinaryAgreesWithScalarBitForBit(Binary op) {
        Props.qt(EXAMPLES).forAll(KernelCases.vectors(VALUES)).checkAssert(c -> {
            float[] expected = c.newOut(FILL);
            SCALAR.binary(op, c.x(), c.xOff(), c.y(), c.yOff(), expected, c.outOff(), c.n());
            float[] actual = c.newOut(FILL);
            SIMD.binary(op, c.x(), c.xOff(), c.y(), c.yOff(), actual, c.outOff(), c.n());
            assertSameRange(op + " binary", expected, actual, c.outOff(), c.n());
            assertUntouchedOutside(op + " binary", actual, c.outOff(), c.n(), FILL);

            float[] inPlace = c.x().clone();
            SIMD.binary(op, inPlace, c.xOff(), c.y(), c.yOff(), inPlace, c.xOff(), c.n());
            for (int i = 0; i < c.n(); i++) {
                assertSame(op + " binary in place at " + i, expected[c.outOff() + i], inPlace[c.xOff() + i]);
            }

            float s = c.s();
            SCALAR.binaryScalar(op, c.x(), c.xOff(), s, expected, c.outOff(), c.n());
            SIMD.binaryScalar(op, c.x(), c.xOff(), s, actual, c.outOff(), c.n());
            assertSameRange(op + " binaryScalar with s=" + s, expected, actual, c.outOff(), c.n());
            assertUntouchedOutside(op + " binaryScalar", actual, c.outOff(), c.n(), FILL);
        });
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void simdBroadcastsAgreeWithScalarBitForBit(Binary op) {
        Props.qt(EXAMPLES).forAll(KernelCases.matrices(VALUES)).checkAssert(m -> {
            int size = m.rows() * m.cols();
            float[] expected = new float[size];
            float[] actual = new float[size];
            SCALAR.binaryRowBroadcast(op, m.x(), m.y(), expected, m.rows(), m.cols());
            SIMD.binaryRowBroadcast(op, m.x(), m.y(), actual, m.rows(), m.cols());
            assertSameRange(op + " row broadcast", expected, actual, 0, size);

            SCALAR.binaryColBroadcast(op, m.x(), m.y(), expected, m.rows(), m.cols());
            SIMD.binaryColBroadcast(op, m.x(), m.y(), actual, m.rows(), m.cols());
            assertSameRange(op + " column broadcast", expected, actual, 0, size);

            float[] inPlace = m.x().clone();
            SIMD.binaryColBroadcast(op, inPlace, m.y(), inPlace, m.rows(), m.cols());
            assertSameRange(op + " column broadcast in place", expected, inPlace, 0, size);
        });
    }

    @Test
    void simdFmaAndAxpyAgreeWithScalarBitForBit() {
        Props.qt(EXAMPLES).forAll(KernelCases.vectors(VALUES)).checkAssert(c -> {
            int n = c.n();
            float[] a = Arrays.copyOfRange(c.x(), c.xOff(), c.xOff() + n);
            float[] b = Arrays.copyOfRange(c.y(), c.yOff(), c.yOff() + n);
            float[] addend = c.x().clone();
            float[] expected = new float[n];
            float[] actual = new float[n];
            SCALAR.fma(a, b, addend, expected, n);
            SIMD.fma(a, b, addend, actual, n);
            assertSameRange("fma", expected, actual, 0, n);

            float alpha = c.s();
            float[] yExpected = c.y().clone();
            float[] yActual = c.y().clone();
            SCALAR.axpy(alpha, c.x(), c.xOff(), yExpected, c.yOff(), n);
            SIMD.axpy(alpha, c.x(), c.xOff(), yActual, c.yOff(), n);
            // Elements outside the range are left alone by both, so whole arrays compare.
            assertSameRange("axpy with alpha=" + alpha, yExpected, yActual, 0, yExpected.length);
        });
    }

    private static void assertSameRange(String what, float[] expected, float[] actual, int off, int n) {
        for (int i = off; i < off + n; i++) {
            assertSame(what + " at " + i, expected[i], actual[i]);
        }
    }

    // ---- known answers (both twins; 37 copies so the SIMD twin runs full vectors and a tail) ----

    private static void assertUnaryKnown(Unary op, float x, double expected, double abs) {
        for (Elementwise impl : List.of(SCALAR, SIMD)) {
            float[] in = new float[37];
            Arrays.fill(in, x);
            float[] out = new float[37];
            impl.unary(op, in, 0, out, 0, 37);
            for (int i = 0; i < 37; i++) {
                assertEquals(expected, out[i], 2e-6 * Math.abs(expected) + abs,
                        impl.getClass().getSimpleName() + " " + op + "(" + x + ") at " + i);
            }
        }
    }

    @Test
    void unaryKnownAnswers() {
        assertUnaryKnown(Unary.EXP, 0f, 1.0, 0);
        assertUnaryKnown(Unary.EXP, 1f, Math.E, 0);
        assertUnaryKnown(Unary.EXP, -1f, 1 / Math.E, 0);
        assertUnaryKnown(Unary.EXP, 88f, Math.exp(88), 0);
        assertUnaryKnown(Unary.LOG, 1f, 0.0, 0);
        assertUnaryKnown(Unary.LOG, 10f, Math.log(10), 0);
        assertUnaryKnown(Unary.TANH, 0.5f, Math.tanh(0.5), 0);
        assertUnaryKnown(Unary.TANH, -30f, -1.0, 0);
        assertUnaryKnown(Unary.SIGMOID, 0f, 0.5, 0);
        assertUnaryKnown(Unary.SIGMOID, 2f, 1 / (1 + Math.exp(-2)), 0);
        assertUnaryKnown(Unary.SIGMOID, -2f, 1 / (1 + Math.exp(2)), 0);
        assertUnaryKnown(Unary.SIGMOID, 1000f, 1.0, 0);
        assertUnaryKnown(Unary.SIGMOID, -1000f, 0.0, 0);
        assertUnaryKnown(Unary.SOFTPLUS, 0f, Math.log(2), 0);
        assertUnaryKnown(Unary.SOFTPLUS, 3f, Math.log1p(Math.exp(3)), 0);
        assertUnaryKnown(Unary.SOFTPLUS, 100f, 100.0, 0);
        assertUnaryKnown(Unary.SOFTPLUS, 1e30f, 1e30, 0);
        assertUnaryKnown(Unary.SOFTPLUS, -100f, Math.exp(-100), 1e-44);
        assertUnaryKnown(Unary.SILU, 1f, 1 / (1 + Math.exp(-1)), 0);
        assertUnaryKnown(Unary.SILU, -1000f, 0.0, 0);
        double k = Math.sqrt(2 / Math.PI);
        assertUnaryKnown(Unary.GELU, 1f, 0.5 * (1 + Math.tanh(k * 1.044715)), 0);
        assertUnaryKnown(Unary.GELU, -2f, -(1 + Math.tanh(k * (-2 - 0.044715 * 8))), 0);
        assertUnaryKnown(Unary.GELU, 0f, 0.0, 0);
        assertUnaryKnown(Unary.NEG, 3f, -3.0, 0);
        assertUnaryKnown(Unary.ABS, -3f, 3.0, 0);
        assertUnaryKnown(Unary.SQRT, 2f, Math.sqrt(2), 0);
        assertUnaryKnown(Unary.RELU, -2f, 0.0, 0);
        assertUnaryKnown(Unary.RELU, 2f, 2.0, 0);
    }

    @Test
    void binaryAndBroadcastKnownAnswers() {
        for (Elementwise impl : List.of(SCALAR, SIMD)) {
            String name = impl.getClass().getSimpleName();
            float[] out = new float[2];
            impl.binary(Binary.ADD, new float[] {1, 2}, 0, new float[] {10, 20}, 0, out, 0, 2);
            assertEquals(List.of(11f, 22f), List.of(out[0], out[1]), name + " ADD");
            impl.binary(Binary.SUB, new float[] {1, 2}, 0, new float[] {10, 20}, 0, out, 0, 2);
            assertEquals(List.of(-9f, -18f), List.of(out[0], out[1]), name + " SUB");
            impl.binaryScalar(Binary.MUL, new float[] {1, 2}, 0, 3f, out, 0, 2);
            assertEquals(List.of(3f, 6f), List.of(out[0], out[1]), name + " MUL");
            impl.binaryScalar(Binary.DIV, new float[] {1, 2}, 0, 4f, out, 0, 2);
            assertEquals(List.of(0.25f, 0.5f), List.of(out[0], out[1]), name + " DIV");

            float[] x = {1, 2, 3, 4, 5, 6};
            float[] m = new float[6];
            impl.binaryRowBroadcast(Binary.ADD, x, new float[] {10, 20, 30}, m, 2, 3);
            assertEquals("[11.0, 22.0, 33.0, 14.0, 25.0, 36.0]", Arrays.toString(m), name + " row broadcast");
            impl.binaryColBroadcast(Binary.MUL, x, new float[] {10, 100}, m, 2, 3);
            assertEquals("[10.0, 20.0, 30.0, 400.0, 500.0, 600.0]", Arrays.toString(m), name + " col broadcast");

            float[] f = new float[3];
            impl.fma(new float[] {1, 2, 3}, new float[] {4, 5, 6}, new float[] {1, 1, 1}, f, 3);
            assertEquals("[5.0, 11.0, 19.0]", Arrays.toString(f), name + " fma");
            float[] y = {1, 1, 1, 1};
            impl.axpy(2f, new float[] {0, 1, 2}, 1, y, 2, 2);
            assertEquals("[1.0, 1.0, 3.0, 5.0]", Arrays.toString(y), name + " axpy");
        }
    }

    // ---- bad arguments ----

    private static void assertRejected(String kernel, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, kernel);
        assertTrue(e.getMessage().startsWith(kernel + ":"), "message should name " + kernel + ": " + e.getMessage());
    }

    @Test
    void badArgumentsAreRejectedWithTheKernelName() {
        float[] ten = new float[10];
        float[] six = new float[6];
        for (Elementwise impl : List.of(SCALAR, SIMD)) {
            String k = impl.getClass().getSimpleName();
            assertRejected(k + ".unary", () -> impl.unary(null, ten, 0, ten, 0, 10));
            assertRejected(k + ".unary", () -> impl.unary(Unary.EXP, null, 0, ten, 0, 1));
            assertRejected(k + ".unary", () -> impl.unary(Unary.EXP, ten, 0, null, 0, 1));
            assertRejected(k + ".unary", () -> impl.unary(Unary.EXP, ten, 0, ten, 0, -1));
            assertRejected(k + ".unary", () -> impl.unary(Unary.EXP, ten, 5, ten, 0, 6));
            assertRejected(k + ".unary", () -> impl.unary(Unary.EXP, ten, -1, ten, 0, 1));
            assertRejected(k + ".unary", () -> impl.unary(Unary.EXP, ten, 0, six, 0, 7));
            assertRejected(k + ".binary", () -> impl.binary(Binary.ADD, ten, 0, null, 0, ten, 0, 1));
            assertRejected(k + ".binary", () -> impl.binary(null, ten, 0, ten, 0, ten, 0, 1));
            assertRejected(k + ".binary", () -> impl.binary(Binary.ADD, ten, 0, six, 1, ten, 0, 6));
            assertRejected(k + ".binaryScalar", () -> impl.binaryScalar(Binary.MUL, ten, 0, 1f, six, 0, 10));
            assertRejected(k + ".binaryRowBroadcast", () -> impl.binaryRowBroadcast(Binary.ADD, ten, six, ten, 1, 7));
            assertRejected(k + ".binaryRowBroadcast", () -> impl.binaryRowBroadcast(Binary.ADD, ten, ten, ten, 3, 4));
            assertRejected(k + ".binaryRowBroadcast", () -> impl.binaryRowBroadcast(Binary.ADD, ten, ten, ten, -1, 2));
            assertRejected(k + ".binaryColBroadcast", () -> impl.binaryColBroadcast(Binary.ADD, ten, six, ten, 10, 1));
            assertRejected(k + ".binaryColBroadcast", () -> impl.binaryColBroadcast(Binary.ADD, ten, ten, six, 2, 5));
            assertRejected(k + ".fma", () -> impl.fma(ten, ten, six, ten, 10));
            assertRejected(k + ".fma", () -> impl.fma(ten, ten, ten, ten, -2));
            assertRejected(k + ".axpy", () -> impl.axpy(1f, ten, 0, six, 1, 6));
            assertRejected(k + ".axpy", () -> impl.axpy(1f, null, 0, six, 0, 1));
        }
    }
}
