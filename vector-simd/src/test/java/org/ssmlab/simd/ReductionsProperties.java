package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.ssmlab.simd.KernelCases.assertClose;
import static org.ssmlab.simd.KernelCases.assertSame;
import static org.ssmlab.simd.KernelCases.logUniform;
import static org.ssmlab.simd.KernelCases.oneOf;
import static org.ssmlab.simd.KernelCases.uniform;
import static org.ssmlab.simd.KernelCases.withSpecials;

import org.quicktheories.core.Gen;
import org.ssmlab.testing.Props;

/**
 * "Backend X's reductions agree with backend Y's" as property bodies, shared by the SIMD versus
 * scalar test here and the OpenCL versus SIMD test of the OpenCL module: sums, dots and sums of
 * squares up to the rounding of a float sum in another order, max exact (so ±0 and ±∞ included), row
 * reductions likewise, and row softmax / log-softmax within a few ulp, never NaN on logits with
 * ±1e30 and -∞.
 */
public final class ReductionsProperties {

    /** Summands over nine decades of magnitude with both signs, and signed zeros. */
    public static final Gen<Float> SUMMANDS = withSpecials(oneOf(logUniform(-3f, 6f), uniform(-1f, 1f)), 0f, -0f);

    /** Max inputs: anything ordered, including both zeros and both infinities (NaN is not ordered). */
    public static final Gen<Float> ORDERED = withSpecials(oneOf(logUniform(-30f, 30f), uniform(-1f, 1f)),
            0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE);

    /** Softmax logits: moderate ones, the edges of e^x, ±1e30 and -∞ (+∞ gives NaN by contract). */
    public static final Gen<Float> LOGITS = withSpecials(oneOf(uniform(-20f, 20f), uniform(-100f, 100f)),
            1e30f, -1e30f, Float.NEGATIVE_INFINITY, 88f, -88f);

    private ReductionsProperties() {
    }

    /** A sum-like reduction under test, as a function (so a negative control can substitute a wrong one). */
    @FunctionalInterface
    public interface SumKernel {
        float apply(float[] x, int off, int n);
    }

    /**
     * Two float sums of the same n terms in different orders differ by at most about
     * n · 2^-24 · Σ|term| (plus the final rounding); 2e-7 · (n + 1) · Σ|term| is a little over three
     * times that bound.
     */
    public static double sumTolerance(int n, double sumOfMagnitudes) {
        return 2e-7 * (n + 1) * sumOfMagnitudes;
    }

    /** {@code candidate} sums like {@code reference.sum} within {@link #sumTolerance}. */
    public static void sumAgrees(Reductions reference, SumKernel candidate, int examples) {
        Props.qt(examples).forAll(KernelCases.vectors(SUMMANDS)).checkAssert(c -> {
            double mag = 0;
            for (int i = 0; i < c.n(); i++) {
                mag += Math.abs(c.x()[c.xOff() + i]);
            }
            assertClose("sum of " + c.n(), reference.sum(c.x(), c.xOff(), c.n()),
                    candidate.apply(c.x(), c.xOff(), c.n()), 0, sumTolerance(c.n(), mag));
        });
    }

    /** {@code dot} and {@code sumSquares} agree within {@link #sumTolerance}. */
    public static void dotAndSumSquaresAgree(Reductions reference, Reductions candidate, int examples) {
        Props.qt(examples).forAll(KernelCases.vectors(SUMMANDS)).checkAssert(c -> {
            double magDot = 0;
            double magSq = 0;
            for (int i = 0; i < c.n(); i++) {
                float xi = c.x()[c.xOff() + i];
                magDot += Math.abs((double) xi * c.y()[c.yOff() + i]);
                magSq += (double) xi * xi;
            }
            assertClose("dot", reference.dot(c.x(), c.xOff(), c.y(), c.yOff(), c.n()),
                    candidate.dot(c.x(), c.xOff(), c.y(), c.yOff(), c.n()), 0, sumTolerance(c.n(), magDot));
            assertClose("sumSquares", reference.sumSquares(c.x(), c.xOff(), c.n()),
                    candidate.sumSquares(c.x(), c.xOff(), c.n()), 0, sumTolerance(c.n(), magSq));
        });
    }

    /** {@code max} is exact: the same bits. */
    public static void maxIsExact(Reductions reference, Reductions candidate, int examples) {
        Props.qt(examples).forAll(KernelCases.vectors(ORDERED)).checkAssert(c ->
                assertSame("max of " + c.n(), reference.max(c.x(), c.xOff(), c.n()),
                        candidate.max(c.x(), c.xOff(), c.n())));
    }

    /**
     * Row sums and row sums of squares agree within {@link #sumTolerance} per row; row maxima are the
     * same bits, on the summands and on ordered values with zeros and infinities.
     */
    public static void rowReductionsAgree(Reductions reference, Reductions candidate, int examples) {
        Props.qt(examples).forAll(KernelCases.matrices(SUMMANDS)).checkAssert(m -> {
            int rows = m.rows();
            int cols = m.cols();
            float[] e = new float[rows];
            float[] a = new float[rows];
            reference.rowSum(m.x(), e, rows, cols);
            candidate.rowSum(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    mag += Math.abs(m.x()[r * cols + c]);
                }
                assertClose("rowSum row " + r, e[r], a[r], 0, sumTolerance(cols, mag));
            }
            reference.rowSumSquares(m.x(), e, rows, cols);
            candidate.rowSumSquares(m.x(), a, rows, cols);
            for (int r = 0; r < rows; r++) {
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    mag += (double) m.x()[r * cols + c] * m.x()[r * cols + c];
                }
                assertClose("rowSumSquares row " + r, e[r], a[r], 0, sumTolerance(cols, mag));
            }
            assertRowMaxSame(reference, candidate, m);
        });
        Props.qt(examples).forAll(KernelCases.matrices(ORDERED)).checkAssert(m ->
                assertRowMaxSame(reference, candidate, m));
    }

    private static void assertRowMaxSame(Reductions reference, Reductions candidate, KernelCases.Mat m) {
        float[] e = new float[m.rows()];
        float[] a = new float[m.rows()];
        reference.rowMax(m.x(), e, m.rows(), m.cols());
        candidate.rowMax(m.x(), a, m.rows(), m.cols());
        for (int r = 0; r < m.rows(); r++) {
            assertSame("rowMax row " + r + " of " + m.cols(), e[r], a[r]);
        }
    }

    /**
     * Softmax: each output is e^(x - m)/s, a few ulp per exponential plus the relative error of s
     * (at most ~n · 2^-24, n ≤ 70): rel 1e-5, and abs 1e-37 for subnormal outputs. Log-softmax:
     * (x - m) - ln s, where ln s carries s's relative error as an absolute one: abs 1e-5, rel 1e-6.
     * Both are computed out of place and in place, and never give NaN on these logits.
     */
    public static void softmaxRowsAgreeWithoutNaN(Reductions reference, Reductions candidate, int examples) {
        Props.qt(examples).forAll(KernelCases.matrices(LOGITS)).checkAssert(m -> {
            int rows = m.rows();
            int cols = m.cols();
            int size = rows * cols;
            float[] e = new float[size];
            float[] a = new float[size];
            reference.softmaxRows(m.x(), e, rows, cols);
            candidate.softmaxRows(m.x(), a, rows, cols);
            float[] inPlace = m.x().clone();
            candidate.softmaxRows(inPlace, inPlace, rows, cols);
            for (int i = 0; i < size; i++) {
                assertFalse(Float.isNaN(a[i]), "softmax NaN at " + i);
                assertClose("softmax at " + i, e[i], a[i], 1e-5, 1e-37);
                assertClose("softmax in place at " + i, e[i], inPlace[i], 1e-5, 1e-37);
            }
            reference.logSoftmaxRows(m.x(), e, rows, cols);
            candidate.logSoftmaxRows(m.x(), a, rows, cols);
            inPlace = m.x().clone();
            candidate.logSoftmaxRows(inPlace, inPlace, rows, cols);
            for (int i = 0; i < size; i++) {
                assertFalse(Float.isNaN(a[i]), "log-softmax NaN at " + i);
                assertClose("log-softmax at " + i, e[i], a[i], 1e-6, 1e-5);
                assertClose("log-softmax in place at " + i, e[i], inPlace[i], 1e-6, 1e-5);
            }
        });
    }

    /** A causal softmax forward under test (so a negative control can substitute a wrong one). */
    @FunctionalInterface
    public interface CausalKernel {
        void apply(float[] x, float[] out, int rows, int len, float scale);
    }

    /** A stack of square (len, len) matrices of logits, NaN above each diagonal, and a positive scale. */
    public record Causal(int matrices, int len, float scale, float[] x, float[] g) {
        int rows() {
            return matrices * len;
        }

        @Override
        public String toString() {
            return matrices + " x (" + len + " x " + len + ") scale=" + scale + " x=" + java.util.Arrays.toString(x)
                    + " g=" + java.util.Arrays.toString(g);
        }
    }

    /** 0..3 matrices of side 0..40 (every tail length of a 16-lane vector, twice), scale in [0.05, 2]. */
    public static Gen<Causal> causalStacks() {
        Gen<Integer> count = org.quicktheories.generators.SourceDSL.integers().between(0, 3);
        Gen<Integer> side = org.quicktheories.generators.SourceDSL.integers().between(0, 40);
        Gen<Float> scales = uniform(0.05f, 2f);
        Gen<Float> grads = uniform(-3f, 3f);
        Gen<Causal> gen = in -> {
            int n = count.generate(in);
            int len = side.generate(in);
            float[] x = new float[n * len * len];
            float[] g = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                int t = (i / len) % len;
                int s = i % len;
                x[i] = s <= t ? LOGITS.generate(in) : Float.NaN;   // above the diagonal: never read
                g[i] = grads.generate(in);
            }
            return new Causal(n, len, scales.generate(in), x, g);
        };
        return gen.describedAs(Causal::toString);
    }

    /**
     * The causal softmax of {@code candidate} agrees with the reference twin's (rel 1e-5, as for
     * softmax rows), is exactly 0 above each diagonal, never NaN although NaN sits there in x, and in
     * place gives the same; and the reference equals its definition, {@code softmaxRows} of
     * {@code scale·x} with {@code -∞} above the diagonal.
     */
    public static void causalSoftmaxAgrees(Reductions reference, CausalKernel candidate, int examples) {
        Props.qt(examples).forAll(causalStacks()).checkAssert(c -> {
            int rows = c.rows();
            int len = c.len();
            float[] e = new float[c.x().length];
            float[] a = new float[e.length];
            reference.causalSoftmaxRows(c.x(), e, rows, len, c.scale());
            candidate.apply(c.x(), a, rows, len, c.scale());
            float[] inPlace = c.x().clone();
            candidate.apply(inPlace, inPlace, rows, len, c.scale());
            float[] masked = new float[e.length];
            for (int i = 0; i < masked.length; i++) {
                masked[i] = i % len <= (i / len) % len ? c.x()[i] * c.scale() : Float.NEGATIVE_INFINITY;
            }
            float[] defined = new float[e.length];
            reference.softmaxRows(masked, defined, rows, len);
            for (int i = 0; i < e.length; i++) {
                // a row whose kept logits are all -∞ is uniform over those kept, not over the whole row
                boolean degenerate = reference.max(masked, i / len * len, len) == Float.NEGATIVE_INFINITY;
                assertFalse(Float.isNaN(a[i]), "causal softmax NaN at " + i);
                assertClose("causal softmax at " + i, e[i], a[i], 1e-5, 1e-37);
                assertClose("causal softmax in place at " + i, e[i], inPlace[i], 1e-5, 1e-37);
                if (!degenerate) {
                    assertClose("reference causal softmax against its definition at " + i, defined[i], e[i], 1e-6, 1e-37);
                }
                if (i % len > (i / len) % len) {
                    assertSame("causal softmax above the diagonal at " + i, 0f, a[i]);
                }
            }
        });
    }

    /**
     * Both softmax backward passes of {@code candidate} agree with the reference's, out of place and in
     * place (dx = g). Each entry is scale · y · (g - Σ g·y): the float dot's error (~n · 2^-24 · Σ|g·y|)
     * enters multiplied by scale·y, so the tolerance is 1e-5 · scale · |y| · (|g| + Σ|g·y|). The causal
     * one is 0 above the diagonal and equals scale times the full-row backward of the reference.
     */
    public static void softmaxBackwardsAgree(Reductions reference, Reductions candidate, int examples) {
        Props.qt(examples).forAll(causalStacks()).checkAssert(c -> {
            int rows = c.rows();
            int len = c.len();
            float scale = c.scale();
            float[] y = new float[c.x().length];
            reference.causalSoftmaxRows(c.x(), y, rows, len, scale);
            float[] e = new float[y.length];
            float[] a = new float[y.length];
            reference.causalSoftmaxRowsBackward(y, c.g(), e, rows, len, scale);
            candidate.causalSoftmaxRowsBackward(y, c.g(), a, rows, len, scale);
            float[] inPlace = c.g().clone();
            candidate.causalSoftmaxRowsBackward(y, inPlace, inPlace, rows, len, scale);
            float[] full = new float[y.length];
            reference.softmaxRowsBackward(y, c.g(), full, rows, len);
            float[] fullCandidate = new float[y.length];
            candidate.softmaxRowsBackward(y, c.g(), fullCandidate, rows, len);
            for (int r = 0; r < rows; r++) {
                double dotMagnitude = 0;
                for (int s = 0; s < len; s++) {
                    dotMagnitude += Math.abs((double) c.g()[r * len + s] * y[r * len + s]);
                }
                for (int s = 0; s < len; s++) {
                    int i = r * len + s;
                    double tol = 1e-5 * Math.abs(y[i]) * (Math.abs(c.g()[i]) + dotMagnitude);
                    assertClose("causal softmax backward at " + i, e[i], a[i], 0, scale * tol + 1e-37);
                    assertClose("causal softmax backward in place at " + i, e[i], inPlace[i], 0, scale * tol + 1e-37);
                    assertClose("softmax backward at " + i, full[i], fullCandidate[i], 0, tol + 1e-37);
                    assertClose("causal backward against scale times the row backward at " + i,
                            scale * full[i], e[i], 0, 2 * scale * tol + 1e-37);
                    if (s > r % len) {
                        assertSame("causal softmax backward above the diagonal at " + i, 0f, a[i]);
                    }
                }
            }
        });
    }
}
