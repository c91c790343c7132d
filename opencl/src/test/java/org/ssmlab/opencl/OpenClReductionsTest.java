package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.ElementwiseProperties.assertRejected;
import static org.ssmlab.simd.KernelCases.assertClose;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Reductions;
import org.ssmlab.simd.ReductionsProperties;
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

    @Test
    void sumDotAndSumSquaresAgreeWithSimd() {
        Reductions cl = Device.backend().reductions();
        ReductionsProperties.sumAgrees(SIMD, cl::sum, EXAMPLES);
        ReductionsProperties.dotAndSumSquaresAgree(SIMD, cl, EXAMPLES);
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
        assertClose("sum of " + n, (float) exact, cl.sum(x, 5, n), 0, ReductionsProperties.sumTolerance(n, mag));
        x[77_777] = 3f;
        assertEquals(3f, cl.max(x, 5, n), "max of " + n);
        x[77_777] = Float.NaN;
        assertTrue(Float.isNaN(cl.max(x, 5, n)), "NaN wins max, as in Math.max");
    }

    @Test
    void maxIsExact() {
        ReductionsProperties.maxIsExact(SIMD, Device.backend().reductions(), EXAMPLES);
    }

    @Test
    void rowReductionsAgreeWithSimd() {
        ReductionsProperties.rowReductionsAgree(SIMD, Device.backend().reductions(), EXAMPLES);
    }

    /**
     * Softmax within rel 1e-5 (abs 1e-37 for subnormal outputs), log-softmax within abs 1e-5 and
     * rel 1e-6, as between the SIMD and scalar twins; out of place and in place; never NaN.
     */
    @Test
    void softmaxRowsAgreeWithSimdWithoutNaN() {
        ReductionsProperties.softmaxRowsAgreeWithoutNaN(SIMD, Device.backend().reductions(), EXAMPLES);
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
