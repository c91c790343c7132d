package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.KernelCases.assertClose;
import static org.ssmlab.simd.KernelCases.assertSame;
import static org.ssmlab.simd.KernelCases.assertSameRange;
import static org.ssmlab.simd.KernelCases.assertUntouchedOutside;
import static org.ssmlab.simd.KernelCases.logUniform;
import static org.ssmlab.simd.KernelCases.oneOf;
import static org.ssmlab.simd.KernelCases.uniform;
import static org.ssmlab.simd.KernelCases.withSpecials;

import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.Gen;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;
import org.ssmlab.testing.Props;

/**
 * "Backend X's elementwise kernels agree with backend Y's" as property bodies, shared by the SIMD
 * versus scalar test here and the OpenCL versus SIMD test of the OpenCL module: random lengths (every
 * tail length), offsets and values including extremes; unary functions within a few float ulp, binary
 * functions, broadcasts, fma, axpy and multiplyAdd bit for bit; elements outside the written range
 * untouched; in place allowed.
 */
public final class ElementwiseProperties {

    /** What the output arrays hold before a call, so untouched elements can be recognised. */
    public static final float FILL = -12345.5f;

    /**
     * Values: moderate numbers, the whole range where e^x is a normal float, many decades of
     * magnitude, and specials (signed zeros, e^±88, ±1e30, the smallest subnormal, ±∞, NaN).
     */
    public static final Gen<Float> VALUES = withSpecials(
            oneOf(uniform(-10f, 10f), uniform(-88f, 88f), logUniform(-30f, 30f)),
            0f, -0f, 88f, -88f, 1e30f, -1e30f, Float.MIN_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN);

    private ElementwiseProperties() {
    }

    /** The unary kernel under test, as a function (so a negative control can substitute a wrong one). */
    @FunctionalInterface
    public interface UnaryKernel {
        void apply(Unary op, float[] x, int xOff, float[] out, int outOff, int n);
    }

    /**
     * Per-function tolerance {@code |reference - candidate| <= rel·|reference| + abs}: the
     * transcendental ones are a few float ulp apart (rel 1e-5 leaves a wide margin; abs 1e-36 admits
     * differences among subnormal results); GELU's 1 + tanh(·) cancels for negative x, so it gets an
     * absolute 1e-6; NEG, ABS, SQRT (correctly rounded in both) and RELU must agree exactly.
     */
    public static double[] tolerance(Unary op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, SOFTPLUS, SILU -> new double[] {1e-5, 1e-36};
            case GELU -> new double[] {1e-5, 1e-6};
            case NEG, ABS, SQRT, RELU -> new double[] {0, 0};
        };
    }

    /** {@code kernel}'s unary with the last result of every call off by a relative 1e-4. */
    public static UnaryKernel perturbedLast(Elementwise kernel) {
        return (op, x, xOff, out, outOff, n) -> {
            kernel.unary(op, x, xOff, out, outOff, n);
            if (n > 0) {
                out[outOff + n - 1] *= 1.0001f;
            }
        };
    }

    /** {@code candidate} agrees with {@code reference}'s unary {@code op} within {@link #tolerance}, also in place. */
    public static void unaryAgrees(Elementwise reference, UnaryKernel candidate, Unary op, int examples) {
        double[] tol = tolerance(op);
        Props.qt(examples).forAll(KernelCases.vectors(VALUES)).checkAssert(c -> {
            float[] expected = c.newOut(FILL);
            reference.unary(op, c.x(), c.xOff(), expected, c.outOff(), c.n());
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

    /**
     * Negative control: {@link #unaryAgrees} must be falsified for {@code op} when the candidate's last
     * result is off by a relative 1e-4, so the tolerance sees such an error and the tail is compared.
     */
    public static void aPerturbedUnaryIsCaught(Elementwise reference, Elementwise candidate, Unary op, int examples) {
        String report = Props.expectFalsified(() -> unaryAgrees(reference, perturbedLast(candidate), op, examples));
        assertTrue(report.contains(op.toString()), report);
    }

    /** {@code binary} and {@code binaryScalar} agree bit for bit, also in place. */
    public static void binaryAgreesBitForBit(Elementwise reference, Elementwise candidate, Binary op, int examples) {
        Props.qt(examples).forAll(KernelCases.vectors(VALUES)).checkAssert(c -> {
            float[] expected = c.newOut(FILL);
            reference.binary(op, c.x(), c.xOff(), c.y(), c.yOff(), expected, c.outOff(), c.n());
            float[] actual = c.newOut(FILL);
            candidate.binary(op, c.x(), c.xOff(), c.y(), c.yOff(), actual, c.outOff(), c.n());
            assertSameRange(op + " binary", expected, actual, c.outOff(), c.n());
            assertUntouchedOutside(op + " binary", actual, c.outOff(), c.n(), FILL);

            float[] inPlace = c.x().clone();
            candidate.binary(op, inPlace, c.xOff(), c.y(), c.yOff(), inPlace, c.xOff(), c.n());
            for (int i = 0; i < c.n(); i++) {
                assertSame(op + " binary in place at " + i, expected[c.outOff() + i], inPlace[c.xOff() + i]);
            }

            float s = c.s();
            reference.binaryScalar(op, c.x(), c.xOff(), s, expected, c.outOff(), c.n());
            candidate.binaryScalar(op, c.x(), c.xOff(), s, actual, c.outOff(), c.n());
            assertSameRange(op + " binaryScalar with s=" + s, expected, actual, c.outOff(), c.n());
            assertUntouchedOutside(op + " binaryScalar", actual, c.outOff(), c.n(), FILL);
        });
    }

    /** Row broadcasts agree bit for bit, also in place. */
    public static void broadcastsAgreeBitForBit(Elementwise reference, Elementwise candidate, Binary op, int examples) {
        Props.qt(examples).forAll(KernelCases.matrices(VALUES)).checkAssert(m -> {
            int size = m.rows() * m.cols();
            float[] expected = new float[size];
            float[] actual = new float[size];
            reference.binaryRowBroadcast(op, m.x(), m.y(), expected, m.rows(), m.cols());
            candidate.binaryRowBroadcast(op, m.x(), m.y(), actual, m.rows(), m.cols());
            assertSameRange(op + " row broadcast", expected, actual, 0, size);

            float[] inPlace = m.x().clone();
            candidate.binaryRowBroadcast(op, inPlace, m.y(), inPlace, m.rows(), m.cols());
            assertSameRange(op + " row broadcast in place", expected, inPlace, 0, size);
        });
    }

    /**
     * {@code fma}, {@code axpy} and {@code multiplyAdd} agree bit for bit; axpy and multiplyAdd leave y
     * outside its range alone.
     */
    public static void fusedKernelsAgreeBitForBit(Elementwise reference, Elementwise candidate, int examples) {
        Props.qt(examples).forAll(KernelCases.vectors(VALUES)).checkAssert(c -> {
            int n = c.n();
            float[] a = Arrays.copyOfRange(c.x(), c.xOff(), c.xOff() + n);
            float[] b = Arrays.copyOfRange(c.y(), c.yOff(), c.yOff() + n);
            float[] addend = c.x().clone();
            float[] expected = new float[n];
            float[] actual = new float[n];
            reference.fma(a, b, addend, expected, n);
            candidate.fma(a, b, addend, actual, n);
            assertSameRange("fma", expected, actual, 0, n);

            float alpha = c.s();
            float[] yExpected = c.y().clone();
            float[] yActual = c.y().clone();
            reference.axpy(alpha, c.x(), c.xOff(), yExpected, c.yOff(), n);
            candidate.axpy(alpha, c.x(), c.xOff(), yActual, c.yOff(), n);
            // Elements outside the range are left alone by both, so whole arrays compare.
            assertSameRange("axpy with alpha=" + alpha, yExpected, yActual, 0, yExpected.length);

            float[] accExpected = c.y().clone();
            float[] accActual = c.y().clone();
            reference.multiplyAdd(c.x(), c.xOff(), c.y(), c.yOff(), accExpected, c.yOff(), n);
            candidate.multiplyAdd(c.x(), c.xOff(), c.y(), c.yOff(), accActual, c.yOff(), n);
            assertSameRange("multiplyAdd", accExpected, accActual, 0, accExpected.length);
        });
    }

    /** Asserts {@code call} throws an IllegalArgumentException whose message starts with "kernel:". */
    public static void assertRejected(String kernel, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, kernel);
        assertTrue(e.getMessage().startsWith(kernel + ":"), "message should name " + kernel + ": " + e.getMessage());
    }
}
