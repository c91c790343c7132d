package org.ssmlab.simd;

/**
 * The scalar reference twin of {@link Elementwise}: one plain loop per method, each element computed
 * by the formula of its {@link Elementwise.Unary} or {@link Elementwise.Binary} constant.
 *
 * <p>Unary functions are evaluated in {@code double} with {@link Math} and rounded once to
 * {@code float}, so this twin is the accurate side of every SIMD-versus-scalar comparison. Binary
 * functions, {@link #fma}, {@link #axpy} and {@link #multiplyAdd} are evaluated in {@code float} with
 * one rounding per result ({@link Math#fma} for the fused ones), exactly as the SIMD twin does, so those
 * agree bit for bit.
 *
 * <p>{@code out} may be the same array as an input at the same offset (in place); other overlaps are
 * not supported.
 */
public final class ScalarElementwise implements Elementwise {

    /** √(2/π), the constant of the tanh form of GELU. */
    static final double GELU_K = Math.sqrt(2.0 / Math.PI);
    /** The cubic coefficient of the tanh form of GELU. */
    static final double GELU_C = 0.044715;

    /**
     * One unary function at one point. The SIMD twin calls this for the elements past its last full
     * vector, so both twins share the tail.
     */
    static float unaryOf(Unary op, float xf) {
        double x = xf;
        return switch (op) {
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) sigmoid(x);
            // ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the exponent is never positive, so no overflow.
            case SOFTPLUS -> (float) (Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))));
            case SILU -> (float) (x * sigmoid(x));
            case GELU -> (float) (0.5 * x * (1.0 + Math.tanh(GELU_K * (x + GELU_C * x * x * x))));
            case NEG -> -xf;
            case ABS -> Math.abs(xf);
            case SQRT -> (float) Math.sqrt(x);
            case RELU -> Math.max(xf, 0f);
        };
    }

    /**
     * σ(x) = 1 / (1 + e^-x) for x ≥ 0 and, equivalently, e^x / (1 + e^x) for x &lt; 0, so the exponent
     * is never positive and nothing overflows.
     */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** One binary function at one point, in {@code float}. Shared with the SIMD twin's tail. */
    static float binaryOf(Binary op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    @Override
    public void unary(Unary op, float[] x, int xOff, float[] out, int outOff, int n) {
        ElementwiseChecks.unary("ScalarElementwise.unary", op, x, xOff, out, outOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = unaryOf(op, x[xOff + i]);
        }
    }

    @Override
    public void binary(Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        ElementwiseChecks.binary("ScalarElementwise.binary", op, x, xOff, y, yOff, out, outOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = binaryOf(op, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void binaryScalar(Binary op, float[] x, int xOff, float s, float[] out, int outOff, int n) {
        ElementwiseChecks.binaryScalar("ScalarElementwise.binaryScalar", op, x, xOff, out, outOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = binaryOf(op, x[xOff + i], s);
        }
    }

    @Override
    public void binaryRowBroadcast(Binary op, float[] x, float[] y, float[] out, int rows, int cols) {
        ElementwiseChecks.rowBroadcast("ScalarElementwise.binaryRowBroadcast", op, x, y, out, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = binaryOf(op, x[r * cols + c], y[c]);
            }
        }
    }

    @Override
    public void fma(float[] a, float[] b, float[] c, float[] out, int n) {
        ElementwiseChecks.fma("ScalarElementwise.fma", a, b, c, out, n);
        for (int i = 0; i < n; i++) {
            out[i] = Math.fma(a[i], b[i], c[i]);
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        ElementwiseChecks.axpy("ScalarElementwise.axpy", x, xOff, y, yOff, n);
        for (int i = 0; i < n; i++) {
            // y + alpha·x with one rounding, as the SIMD twin's fused multiply-add.
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        ElementwiseChecks.multiplyAdd("ScalarElementwise.multiplyAdd", a, aOff, b, bOff, y, yOff, n);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(a[aOff + i], b[bOff + i], y[yOff + i]);
        }
    }
}
