package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.ElementwiseProperties.assertRejected;
import static org.ssmlab.simd.ReductionsProperties.LOGITS;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.ReductionsProperties.SumKernel;
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

    @Test
    void simdSumAgreesWithScalar() {
        ReductionsProperties.sumAgrees(SCALAR, SIMD::sum, EXAMPLES);
    }

    /** Negative control: a twin that forgets the scalar tail must falsify the sum property. */
    @Test
    void aTwinWithoutTailIsCaught() {
        SumKernel noTail = (x, off, n) -> SIMD.sum(x, off, SimdReductions.S.loopBound(n));
        String report = Props.expectFalsified(() -> ReductionsProperties.sumAgrees(SCALAR, noTail, EXAMPLES));
        assertTrue(report.contains("sum of"), report);
    }

    @Test
    void simdDotAndSumSquaresAgreeWithScalar() {
        ReductionsProperties.dotAndSumSquaresAgree(SCALAR, SIMD, EXAMPLES);
    }

    @Test
    void simdMaxIsExact() {
        ReductionsProperties.maxIsExact(SCALAR, SIMD, EXAMPLES);
    }

    @Test
    void simdRowReductionsAgreeWithScalar() {
        ReductionsProperties.rowReductionsAgree(SCALAR, SIMD, EXAMPLES);
    }

    @Test
    void simdSoftmaxRowsAgreeWithScalarWithoutNaN() {
        ReductionsProperties.softmaxRowsAgreeWithoutNaN(SCALAR, SIMD, EXAMPLES);
    }

    @Test
    void simdCausalSoftmaxAgreesWithScalarAndItsDefinition() {
        ReductionsProperties.causalSoftmaxAgrees(SCALAR, SIMD::causalSoftmaxRows, EXAMPLES);
    }

    /** Negative control: a causal softmax that lets row t see position t + 1 must be caught. */
    @Test
    void aCausalSoftmaxThatSeesTheNextPositionIsCaught() {
        ReductionsProperties.CausalKernel peeks = (x, out, rows, len, scale) -> {
            for (int r = 0; r < rows; r++) {
                int kept = Math.min(r % len + 2, len);
                float[] row = new float[kept];
                for (int c = 0; c < kept; c++) {
                    row[c] = x[r * len + c] * scale;
                }
                SIMD.softmaxRows(row, row, 1, kept);
                java.util.Arrays.fill(out, r * len, (r + 1) * len, 0f);
                System.arraycopy(row, 0, out, r * len, kept);
            }
        };
        String report = Props.expectFalsified(() -> ReductionsProperties.causalSoftmaxAgrees(SCALAR, peeks, EXAMPLES));
        assertTrue(report.contains("causal softmax"), report);
    }

    @Test
    void simdSoftmaxBackwardsAgreeWithScalar() {
        ReductionsProperties.softmaxBackwardsAgree(SCALAR, SIMD, EXAMPLES);
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
            assertRejected(k + ".softmaxRowsBackward", () -> impl.softmaxRowsBackward(ten, two, ten, 2, 5));
            float[] nine = new float[9];
            assertRejected(k + ".causalSoftmaxRows", () -> impl.causalSoftmaxRows(nine, nine, 2, 3, 1f));
            assertRejected(k + ".causalSoftmaxRows", () -> impl.causalSoftmaxRows(nine, nine, 3, 3, 0f));
            assertRejected(k + ".causalSoftmaxRows", () -> impl.causalSoftmaxRows(nine, nine, 3, 3, Float.NaN));
            assertRejected(k + ".causalSoftmaxRows", () -> impl.causalSoftmaxRows(nine, two, 3, 3, 1f));
            assertRejected(k + ".causalSoftmaxRowsBackward", () -> impl.causalSoftmaxRowsBackward(nine, nine, two, 3, 3, 1f));
            assertRejected(k + ".causalSoftmaxRowsBackward", () -> impl.causalSoftmaxRowsBackward(nine, nine, nine, 3, 3, -1f));
        }
    }
}
