package org.ssmlab.simd;

/**
 * Elementwise kernels on {@code float[]}: unary maps, binary maps (same-length, scalar and row
 * broadcast), fused multiply-add and axpy.
 *
 * <p>Every method reads {@code n} elements starting at the given offsets and writes {@code n} results;
 * {@code out} may alias an input (in-place is allowed). Bad sizes or offsets throw an
 * {@link IllegalArgumentException} that names the kernel, the argument and the sizes.
 */
public interface Elementwise {

    /** Unary functions: each is stated as the scalar formula its reference twin evaluates. */
    enum Unary {
        /** e^x */
        EXP,
        /** ln x */
        LOG,
        /** tanh x */
        TANH,
        /** 1 / (1 + e^-x) */
        SIGMOID,
        /** ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|) */
        SOFTPLUS,
        /** x · sigmoid(x) */
        SILU,
        /** x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))), the tanh approximation */
        GELU,
        /** -x */
        NEG,
        /** |x| */
        ABS,
        /** √x */
        SQRT,
        /** max(x, 0) */
        RELU
    }

    /** Binary functions. */
    enum Binary {
        /** x + y */
        ADD,
        /** x - y */
        SUB,
        /** x · y */
        MUL,
        /** x / y */
        DIV
    }

    /** {@code out[outOff+i] = op(x[xOff+i])} for {@code i < n}. */
    void unary(Unary op, float[] x, int xOff, float[] out, int outOff, int n);

    /** {@code out[outOff+i] = op(x[xOff+i], y[yOff+i])} for {@code i < n}. */
    void binary(Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n);

    /** {@code out[outOff+i] = op(x[xOff+i], s)} for {@code i < n}. */
    void binaryScalar(Binary op, float[] x, int xOff, float s, float[] out, int outOff, int n);

    /**
     * Row broadcast: {@code x} and {@code out} are (rows, cols) row-major, {@code y} has {@code cols}
     * elements, and {@code out[r,c] = op(x[r,c], y[c])}.
     */
    void binaryRowBroadcast(Binary op, float[] x, float[] y, float[] out, int rows, int cols);

    /** Fused multiply-add: {@code out[i] = a[i] · b[i] + c[i]} for {@code i < n}. */
    void fma(float[] a, float[] b, float[] c, float[] out, int n);

    /** {@code y[yOff+i] += alpha · x[xOff+i]} for {@code i < n}. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * {@code y[yOff+i] += a[aOff+i] · b[bOff+i]} for {@code i < n}, rounded once (a fused multiply-add):
     * the row update of a depthwise convolution, one tap over contiguous channels.
     */
    void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n);
}
