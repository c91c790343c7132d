package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.opencl.Cases.assertClose;
import static org.ssmlab.opencl.Cases.assertSame;
import static org.ssmlab.opencl.Cases.logUniform;
import static org.ssmlab.opencl.Cases.oneOf;
import static org.ssmlab.opencl.Cases.uniform;
import static org.ssmlab.opencl.Cases.withSpecials;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.Gen;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Reductions;
import org.ssmlab.testing.Props;

/**
 * The OpenCL reductions against their SIMD twin: sums, dots and sums of squares up to the rounding
 * of a float sum in another order, max exact (Java's Math.max, so ±0 and ±∞ included), row
 * reductions likewise, and row softmax / log-softmax within the tolerances of the SIMD-versus-scalar
 * test, never NaN on logits with ±1e30 and -∞. Skipped when the machine has no OpenCL platform.
 */
class OpenClReductionsTest {

    private static final Reductions SIMD = Backend.simd().reductions();
    private static final int EXAMPLES = 100;

    private static final Gen<Float> SUMMANDS = withSpecials(oneOf(logUniform(-3f, 6f), uniform(-1f, 1f)), 0f, -0f);
    private static final Gen<Float> ORDERED = withSpecials(oneOf(logUniform(-30f, 30f), uniform(-1f, 1f)),
            0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE);
    private static final Gen<Float> LOGITS = withSpecials(oneOf(uniform(-20f, 20f), uniform(-100f, 100f)),
            1e30f, -1e30f, Float.NEGATIVE_INFINITY, 88f, -88f);

    /**
     * Two float sums of the same n terms in different orders differ by at most about
     * n · 2^-24 · Σ|term|; 2e-7 · (n + 1) · Σ|term| is a little over three times that.
     */
    private static double sumTolerance(int n, double sumOfMagnitudes) {
        return 2e-7 * (n + 1) * sumOfMagnitudes;
    }

    @Test
    void sumDotAndSumSquaresAgreeWithSimd() {
        Reductions cl = Device.backend().reductions();
        Props.qt(EXAMPLES).forAll(Cases.vectors(SUMMANDS)).checkAssert(c -> {
            double mag = 0;
            double magDot = 0;
            double magSq = 0;
            for (int i = 0; i < c.n(); i++) {
                float xi = c.x()[c.xOff() + i];
                mag += Math.abs(xi);
                magDot += Math.abs((double) xi * c.y()[c.yOff() + i]);
                magSq += (double) xi * xi;
            }
            assertClose("sum of " + c.n(), SIMD.sum(c.x(), c.xOff(), c.n()),
                    cl.sum(c.x(), c.xOff(), c.n()), 0, sumTolerance(c.n(), mag));
            assertClose("dot", SIMD.dot(c.x(), c.xOff(), c.y(), c.yOff(), c.n()),
                    cl.dot(c.x(), c.xOff(), c.y(), c.yOff(), c.n()), 0, sumTolerance(c.n(), magDot));
            assertClose("sumSquares", SIMD.sumSquares(c.x(), c.xOff(), c.n()),
                    cl.sumSquares(c.x(), c.xOff(), c.n()), 0, sumTolerance(c.n(), magSq));
        });
    }

    /** A long vector, so that every work-group and the host's combination of partials take part. */
    @Test
    void longSumsUseEveryGroup() {
        Reductions cl = Device.backend().reductions();
        SplittableRandom r = new SplittableRandom(Props.SEED);
        int n = 100_003;
        float[] x = new float[n + 5];
        double exact = 0;
        double mag = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 5; i < n + 5; i++) {
            exact += x[i];
            mag += Math.abs(x[i]);
        }
        assertClose("sum of " + n, (float) exact, cl.sum(x, 5, n), 0, sumTolerance(n, mag));
        x[77_777] = 3f;
        assertEquals(3f, cl.max(x, 5, n), "max of " + n);
        x[77_777] = Float.NaN;
        assertTrue(Float.isNaN(cl.max(x, 5, n)), "NaN wins max, as in Math.max");
    }

    @Test
    void maxIsExact() {
        Reductions cl = Device.backend().reductions();
        Props.qt(EXAMPLES).forAll(Cases.vectors(ORDERED)).checkAssert(c ->
                assertSame("max of " + c.n(), SIMD.max(c.x(), c.xOff(), c.n()), cl.max(c.x(), c.xOff(), c.n())));
    }

    @Test
    void rowReductionsAgreeWithSimd() {
        Reductions cl = Device.backend().reductions();
        Props.qt(EXAMPLES).forAll(Cases.matrices(SUMMANDS)).checkAssert(m -> {
            int rows = m.rows();
            int cols = m.cols();
            float[] e = new float[rows];
            float[] a = new float[rows];
            SIMD.rowSum(m.x(), e, rows, cols);
            cl.rowSum(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    mag += Math.abs(m.x()[r * cols + c]);
                }
                assertClose("rowSum row " + r, e[r], a[r], 0, sumTolerance(cols, mag));
            }
            SIMD.rowSumSquares(m.x(), e, rows, cols);
            cl.rowSumSquares(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    mag += (double) m.x()[r * cols + c] * m.x()[r * cols + c];
                }
                assertClose("rowSumSquares row " + r, e[r], a[r], 0, sumTolerance(cols, mag));
            }
        });
        Props.qt(EXAMPLES).forAll(Cases.matrices(ORDERED)).checkAssert(m -> {
            float[] e = new float[m.rows()];
            float[] a = new float[m.rows()];
            SIMD.rowMax(m.x(), e, m.rows(), m.cols());
            cl.rowMax(m.x(), a, m.rows(), m.cols());
            for (int r = 0; r < m.rows(); r++) {
                assertSame("rowMax row " + r + " of " + m.cols(), e[r], a[r]);
            }
        });
    }

    /**
     * Softmax within rel 1e-5 (abs 1e-37 for subnormal outputs), log-softmax within abs 1e-5 and
     * rel 1e-6, as between the SIMD and scalar twins; out of place and in place; never NaN.
     */
    @Test
    void softmaxRowsAgreeWithSimdWithoutNaN() {
        Reductions cl = Device.backend().reductions();
        Props.qt(EXAMPLES).forAll(Cases.matrices(LOGITS)).checkAssert(m -> {
            int rows = m.rows();
            int cols = m.cols();
            int size = rows * cols;
            float[] e = new float[size];
            float[] a = new float[size];
            SIMD.softmaxRows(m.x(), e, rows, cols);
            cl.softmaxRows(m.x(), a, rows, cols);
            float[] inPlace = m.x().clone();
            cl.softmaxRows(inPlace, inPlace, rows, cols);
            for (int i = 0; i < size; i++) {
                assertFalse(Float.isNaN(a[i]), "softmax NaN at " + i);
                assertClose("softmax at " + i, e[i], a[i], 1e-5, 1e-37);
                assertClose("softmax in place at " + i, e[i], inPlace[i], 1e-5, 1e-37);
            }
            SIMD.logSoftmaxRows(m.x(), e, rows, cols);
            cl.logSoftmaxRows(m.x(), a, rows, cols);
            inPlace = m.x().clone();
            cl.logSoftmaxRows(inPlace, inPlace, rows, cols);
            for (int i = 0; i < size; i++) {
                assertFalse(Float.isNaN(a[i]), "log-softmax NaN at " + i);
                assertClose("log-softmax at " + i, e[i], a[i], 1e-6, 1e-5);
                assertClose("log-softmax in place at " + i, e[i], inPlace[i], 1e-6, 1e-5);
            }
        });
    }

    /** Wide rows (more columns than one work-group has items) and the -∞ conventions. */
    @Test
    void wideRowsAndInfinities() {
        Reductions cl = Device.backend().reductions();
        SplittableRandom r = new SplittableRandom(Props.SEED);
        int rows = 3;
        int cols = 1000;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 40 - 20);
        }
        float[] e = new float[x.length];
        float[] a = new float[x.length];
        SIMD.softmaxRows(x, e, rows, cols);
        cl.softmaxRows(x, a, rows, cols);
        for (int i = 0; i < x.length; i++) {
            assertClose("wide softmax at " + i, e[i], a[i], 1e-5, 1e-37);
        }
        float ninf = Float.NEGATIVE_INFINITY;
        float[] q = new float[6];
        cl.softmaxRows(new float[] {ninf, ninf, ninf, ninf, 0f, 0f}, q, 2, 3);
        assertEquals(List.of(1f / 3, 1f / 3, 1f / 3, 0f, 0.5f, 0.5f),
                List.of(q[0], q[1], q[2], q[3], q[4], q[5]), "softmax with -∞");
        cl.logSoftmaxRows(new float[] {ninf, ninf, ninf, ninf, 0f, 0f}, q, 2, 3);
        assertEquals(-Math.log(3), q[0], 1e-6, "log-softmax of a -∞ row");
        assertEquals(ninf, q[3], "log-softmax of a -∞ entry");
        assertEquals(-Math.log(2), q[4], 1e-6);
        float[] p = new float[3];
        cl.softmaxRows(new float[] {1e30f, -1e30f, 0f}, p, 1, 3);
        assertEquals("[1.0, 0.0, 0.0]", java.util.Arrays.toString(p), "softmax with ±1e30");
    }

    private static void assertRejected(String kernel, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, kernel);
        assertTrue(e.getMessage().startsWith(kernel + ":"), "message should name " + kernel + ": " + e.getMessage());
    }

    @Test
    void badArgumentsAreRejectedWithTheKernelName() {
        Reductions cl = Device.backend().reductions();
        float[] ten = new float[10];
        float[] two = new float[2];
        String k = "OpenClReductions";
        assertRejected(k + ".sum", () -> cl.sum(null, 0, 0));
        assertRejected(k + ".sum", () -> cl.sum(ten, 8, 3));
        assertRejected(k + ".max", () -> cl.max(ten, -1, 2));
        assertRejected(k + ".dot", () -> cl.dot(ten, 0, two, 0, 3));
        assertRejected(k + ".sumSquares", () -> cl.sumSquares(ten, 11, 0));
        assertRejected(k + ".rowSum", () -> cl.rowSum(ten, two, 5, 2));
        assertRejected(k + ".rowMax", () -> cl.rowMax(ten, ten, -1, 2));
        assertRejected(k + ".rowSumSquares", () -> cl.rowSumSquares(null, ten, 1, 1));
        assertRejected(k + ".softmaxRows", () -> cl.softmaxRows(ten, two, 2, 5));
        assertRejected(k + ".logSoftmaxRows", () -> cl.logSoftmaxRows(two, ten, 2, 5));
    }
}
