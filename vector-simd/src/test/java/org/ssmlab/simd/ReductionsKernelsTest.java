package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.KernelCases.assertClose;
import static org.ssmlab.simd.KernelCases.assertSame;
import static org.ssmlab.simd.KernelCases.logUniform;
import static org.ssmlab.simd.KernelCases.oneOf;
import static org.ssmlab.simd.KernelCases.uniform;
import static org.ssmlab.simd.KernelCases.withSpecials;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.Gen;
import org.ssmlab.testing.Props;

/**
 * The SIMD reductions agree with their scalar twin (which sums left to right in {@code double}) up
 * to the rounding of a float sum in another order, softmax rows with ±1e30 and -∞ stay NaN-free,
 * known answers hold, and bad arguments are rejected with messages that name the kernel.
 */
class ReductionsKernelsTest {

    private static final Reductions SCALAR = new ScalarReductions();
    private static final Reductions SIMD = new SimdReductions();
    private static final int EXAMPLES = 200;

    /** Summands over nine decades of magnitude with both signs, and signed zeros. */
    private static final Gen<Float> SUMMANDS = withSpecials(oneOf(logUniform(-3f, 6f), uniform(-1f, 1f)), 0f, -0f);

    /** Max inputs: anything ordered, including both zeros and both infinities (NaN is not ordered). */
    private static final Gen<Float> ORDERED = withSpecials(oneOf(logUniform(-30f, 30f), uniform(-1f, 1f)),
            0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE);

    /** Softmax logits: moderate ones, the edges of e^x, ±1e30 and -∞ (+∞ gives NaN by contract). */
    private static final Gen<Float> LOGITS = withSpecials(oneOf(uniform(-20f, 20f), uniform(-100f, 100f)),
            1e30f, -1e30f, Float.NEGATIVE_INFINITY, 88f, -88f);

    /** A sum-like reduction under test, as a function (so a negative control can substitute a wrong one). */
    @FunctionalInterface
    interface SumKernel {
        float apply(float[] x, int off, int n);
    }

    /**
     * Two float sums of the same n terms in different orders differ by at most about
     * n · 2^-24 · Σ|term| (plus the final rounding); 2e-7 · (n + 1) · Σ|term| is a little over three
     * times that bound.
     */
    private static double sumTolerance(int n, double sumOfMagnitudes) {
        return 2e-7 * (n + 1) * sumOfMagnitudes;
    }

    private static void checkSum(SumKernel candidate) {
        Props.qt(EXAMPLES).forAll(KernelCases.vectors(SUMMANDS)).checkAssert(c -> {
            double mag = 0;
            for (int i = 0; i < c.n(); i++) {
                mag += Math.abs(c.x()[c.xOff() + i]);
            }
            assertClose("sum of " + c.n(), SCALAR.sum(c.x(), c.xOff(), c.n()),
                    candidate.apply(c.x(), c.xOff(), c.n()), 0, sumTolerance(c.n(), mag));
        });
    }

    @Test
    void simdSumAgreesWithScalar() {
        checkSum(SIMD::sum);
    }

    /** Negative control: a twin that forgets the scalar tail must falsify the sum property. */
    @Test
    void aTwinWithoutTailIsCaught() {
        SumKernel noTail = (x, off, n) -> SIMD.sum(x, off, SimdReductions.S.loopBound(n));
        String report = Props.expectFalsified(() -> checkSum(noTail));
        assertTrue(report.contains("sum of"), report);
    }

    @Test
    void simdDotAndSumSquaresAgreeWithScalar() {
        Props.qt(EXAMPLES).forAll(KernelCases.vectors(SUMMANDS)).checkAssert(c -> {
            double magDot = 0;
            double magSq = 0;
            for (int i = 0; i < c.n(); i++) {
                float xi = c.x()[c.xOff() + i];
                magDot += Math.abs((double) xi * c.y()[c.yOff() + i]);
                magSq += (double) xi * xi;
            }
            assertClose("dot", SCALAR.dot(c.x(), c.xOff(), c.y(), c.yOff(), c.n()),
                    SIMD.dot(c.x(), c.xOff(), c.y(), c.yOff(), c.n()), 0, sumTolerance(c.n(), magDot));
            assertClose("sumSquares", SCALAR.sumSquares(c.x(), c.xOff(), c.n()),
                    SIMD.sumSquares(c.x(), c.xOff(), c.n()), 0, sumTolerance(c.n(), magSq));
        });
    }

    @Test
    void simdMaxIsExact() {
        Props.qt(EXAMPLES).forAll(KernelCases.vectors(ORDERED)).checkAssert(c ->
                assertSame("max of " + c.n(), SCALAR.max(c.x(), c.xOff(), c.n()), SIMD.max(c.x(), c.xOff(), c.n())));
    }

    @Test
    void simdRowReductionsAgreeWithScalar() {
        Props.qt(EXAMPLES).forAll(KernelCases.matrices(SUMMANDS)).checkAssert(m -> {
            int rows = m.rows();
            int cols = m.cols();
            float[] e = new float[rows];
            float[] a = new float[rows];
            SCALAR.rowSum(m.x(), e, rows, cols);
            SIMD.rowSum(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    mag += Math.abs(m.x()[r * cols + c]);
                }
                assertClose("rowSum row " + r, e[r], a[r], 0, sumTolerance(cols, mag));
            }
            SCALAR.rowSumSquares(m.x(), e, rows, cols);
            SIMD.rowSumSquares(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    mag += (double) m.x()[r * cols + c] * m.x()[r * cols + c];
                }
                assertClose("rowSumSquares row " + r, e[r], a[r], 0, sumTolerance(cols, mag));
            }
            SCALAR.rowMax(m.x(), e, rows, cols);
            SIMD.rowMax(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                assertSame("rowMax row " + r, e[r], a[r]);
            }
        });
    }

    /**
     * Softmax: each output is e^(x - m)/s, a few ulp per exponential plus the relative error of s
     * (at most ~n · 2^-24, n ≤ 70): rel 1e-5, and abs 1e-37 for subnormal outputs. Log-softmax:
     * (x - m) - ln s, where ln s carries s's relative error as an absolute one: abs 1e-5, rel 1e-6.
     * Both are computed out of place and in place, and never give NaN on these logits.
     */
    @Test
    void simdSoftmaxRowsAgreeWithScalarWithoutNaN() {
        Props.qt(EXAMPLES).forAll(KernelCases.matrices(LOGITS)).checkAssert(m -> {
            int rows = m.rows();
            int cols = m.cols();
            int size = rows * cols;
            float[] e = new float[size];
            float[] a = new float[size];
            SCALAR.softmaxRows(m.x(), e, rows, cols);
            SIMD.softmaxRows(m.x(), a, rows, cols);
            float[] inPlace = m.x().clone();
            SIMD.softmaxRows(inPlace, inPlace, rows, cols);
            for (int i = 0; i < size; i++) {
                assertFalse(Float.isNaN(a[i]), "softmax NaN at " + i);
                assertClose("softmax at " + i, e[i], a[i], 1e-5, 1e-37);
                assertClose("softmax in place at " + i, e[i], inPlace[i], 1e-5, 1e-37);
            }
            SCALAR.logSoftmaxRows(m.x(), e, rows, cols);
            SIMD.logSoftmaxRows(m.x(), a, rows, cols);
            inPlace = m.x().clone();
            SIMD.logSoftmaxRows(inPlace, inPlace, rows, cols);
            for (int i = 0; i < size; i++) {
                assertFalse(Float.isNaN(a[i]), "log-softmax NaN at " + i);
                assertClose("log-softmax at " + i, e[i], a[i], 1e-6, 1e-5);
                assertClose("log-softmax in place at " + i, e[i], inPlace[i], 1e-6, 1e-5);
            }
        });
    }

    /** Softmax rows of either twin are probability vectors: entries in [0, 1] summing to 1. */
    @Test
    void softmaxRowsSumToOne() {
        Props.qt(EXAMPLES).forAll(KernelCases.matrices(LOGITS)).checkAssert(m -> {
            for (Reductions impl : List.of(SCALAR, SIMD)) {
                float[] p = new float[m.rows() * m.cols()];
                impl.softmaxRows(m.x(), p, m.rows(), m.cols());
                for (int r = 0; r < m.rows(); r++) {
                    double s = 0;
                    for (int c = 0; c < m.cols(); c++) {
                        float v = p[r * m.cols() + c];
                        assertTrue(v >= 0 && v <= 1, "entry " + v);
                        s += v;
                    }
                    if (m.cols() > 0) {
                        assertEquals(1.0, s, 1e-5, impl.getClass().getSimpleName() + " row " + r);
                    }
                }
            }
        });
    }

    // ---- known answers, on both twins ----

    @Test
    void knownAnswers() {
        float[] oneToForty = new float[40];
        for (int i = 0; i < 40; i++) {
            oneToForty[i] = i + 1;
        }
        for (Reductions impl : List.of(SCALAR, SIMD)) {
            String name = impl.getClass().getSimpleName();
            assertEquals(820f, impl.sum(oneToForty, 0, 40), name + " sum 1..40");
            assertEquals(40f * 41 * 81 / 6, impl.sumSquares(oneToForty, 0, 40), name + " sumSquares 1..40");
            assertEquals(2f + 3 + 4, impl.sum(oneToForty, 1, 3), name + " sum with offset");
            assertEquals(40f, impl.max(oneToForty, 0, 40), name + " max");
            assertEquals(0f, impl.sum(oneToForty, 5, 0), name + " empty sum");
            assertEquals(Float.NEGATIVE_INFINITY, impl.max(oneToForty, 5, 0), name + " empty max");
            assertEquals(1f * 2 + 2 * 3 + 3 * 4, impl.dot(oneToForty, 0, oneToForty, 1, 3), name + " dot");

            float[] out = new float[2];
            impl.rowSum(oneToForty, out, 2, 20);
            assertEquals(List.of(210f, 610f), List.of(out[0], out[1]), name + " rowSum");
            impl.rowMax(oneToForty, out, 2, 20);
            assertEquals(List.of(20f, 40f), List.of(out[0], out[1]), name + " rowMax");

            float[] p = new float[2];
            impl.softmaxRows(new float[] {0, 0}, p, 1, 2);
            assertEquals(List.of(0.5f, 0.5f), List.of(p[0], p[1]), name + " softmax [0, 0]");
            impl.logSoftmaxRows(new float[] {0, 0}, p, 1, 2);
            assertEquals(-Math.log(2), p[0], 1e-7, name + " log-softmax [0, 0]");
            assertEquals(-Math.log(2), p[1], 1e-7, name + " log-softmax [0, 0]");

            float[] q = new float[3];
            impl.softmaxRows(new float[] {1e30f, -1e30f, 0f}, q, 1, 3);
            assertEquals("[1.0, 0.0, 0.0]", java.util.Arrays.toString(q), name + " softmax with ±1e30");
            impl.logSoftmaxRows(new float[] {1e30f, -1e30f, 0f}, q, 1, 3);
            assertEquals("[0.0, -2.0E30, -1.0E30]", java.util.Arrays.toString(q), name + " log-softmax with ±1e30");

            // Shift invariance: softmax(x + 1000) = softmax(x) = e^x / Σ e^x.
            double z = 1 + Math.E + Math.E * Math.E;
            impl.softmaxRows(new float[] {1000, 1001, 1002}, q, 1, 3);
            assertEquals(1 / z, q[0], 1e-6, name);
            assertEquals(Math.E / z, q[1], 1e-6, name);
            assertEquals(Math.E * Math.E / z, q[2], 1e-6, name);

            // A row of -∞ is uniform by definition; a -∞ entry next to finite ones gets 0 (log: -∞).
            float ninf = Float.NEGATIVE_INFINITY;
            impl.softmaxRows(new float[] {ninf, ninf, ninf, ninf, 0f, 0f}, q = new float[6], 2, 3);
            assertEquals(List.of(1f / 3, 1f / 3, 1f / 3, 0f, 0.5f, 0.5f),
                    List.of(q[0], q[1], q[2], q[3], q[4], q[5]), name + " softmax with -∞");
            impl.logSoftmaxRows(new float[] {ninf, ninf, ninf, ninf, 0f, 0f}, q, 2, 3);
            assertEquals(-Math.log(3), q[0], 1e-6, name + " log-softmax of a -∞ row");
            assertEquals(-Math.log(3), q[2], 1e-6, name + " log-softmax of a -∞ row");
            assertEquals(ninf, q[3], name + " log-softmax of a -∞ entry");
            assertEquals(-Math.log(2), q[4], 1e-6, name);
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
        float[] two = new float[2];
        for (Reductions impl : List.of(SCALAR, SIMD)) {
            String k = impl.getClass().getSimpleName();
            assertRejected(k + ".sum", () -> impl.sum(null, 0, 0));
            assertRejected(k + ".sum", () -> impl.sum(ten, 0, -1));
            assertRejected(k + ".sum", () -> impl.sum(ten, 8, 3));
            assertRejected(k + ".max", () -> impl.max(ten, -1, 2));
            assertRejected(k + ".dot", () -> impl.dot(ten, 0, two, 0, 3));
            assertRejected(k + ".dot", () -> impl.dot(ten, 0, null, 0, 0));
            assertRejected(k + ".sumSquares", () -> impl.sumSquares(ten, 11, 0));
            assertRejected(k + ".rowSum", () -> impl.rowSum(ten, two, 5, 2) );
            assertRejected(k + ".rowSum", () -> impl.rowSum(ten, ten, 3, 4));
            assertRejected(k + ".rowMax", () -> impl.rowMax(ten, ten, -1, 2));
            assertRejected(k + ".rowSumSquares", () -> impl.rowSumSquares(null, ten, 1, 1));
            assertRejected(k + ".softmaxRows", () -> impl.softmaxRows(ten, two, 2, 5));
            assertRejected(k + ".softmaxRows", () -> impl.softmaxRows(ten, ten, 2, -5));
            assertRejected(k + ".logSoftmaxRows", () -> impl.logSoftmaxRows(two, ten, 2, 5));
        }
    }
}
