package org.ssmlab.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Elementwise} on the JDK Vector API. Each method walks the full vectors of its range, then
 * hands the last {@code n mod lanes} elements to the scalar formula of {@link ScalarElementwise}
 * (a scalar tail, not a masked one).
 *
 * <p>The operator is switched on once, outside the loops: every function has its own loop, so each
 * loop body is a short straight-line vector expression the JIT compiles without calls or branches.
 *
 * <p>Unary functions are evaluated in {@code float} lanes (the transcendental ones with
 * {@link VectorMath}, whose results are the same bits in every JIT tier), so they differ from the scalar
 * twin, which works in {@code double}, by a few ulp. Binary functions, {@link #fma}
 * and {@link #axpy} round once per element like the scalar twin and agree with it bit for bit.
 *
 * <p>{@code out} may be the same array as an input at the same offset (in place): every vector is
 * loaded before the vector at the same position is stored.
 */
public final class SimdElementwise implements Elementwise {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float GELU_K = (float) ScalarElementwise.GELU_K;
    private static final float GELU_C = (float) ScalarElementwise.GELU_C;

    /**
     * Below this many elements a unary map runs on one thread. The transcendental maps (EXP, SILU,
     * SOFTPLUS, ...) cost tens of cycles per vector, so a long one is worth splitting across threads;
     * the split is at multiples of the vector length, so the result does not depend on it.
     */
    static final int PARALLEL_UNARY = 1 << 15;

    @Override
    public void unary(Unary op, float[] x, int xOff, float[] out, int outOff, int n) {
        ElementwiseChecks.unary("SimdElementwise.unary", op, x, xOff, out, outOff, n);
        if (n >= PARALLEL_UNARY && Parallel.threads() > 1 && transcendental(op)) {
            int blocks = n / L;              // whole vectors; the tail goes with the last range
            Parallel.forRange(blocks, PARALLEL_UNARY / (2 * L), (from, to) -> {
                int start = from * L;
                int end = to == blocks ? n : to * L;
                unaryRange(op, x, xOff + start, out, outOff + start, end - start);
            });
            return;
        }
        unaryRange(op, x, xOff, out, outOff, n);
    }

    private static boolean transcendental(Unary op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, SOFTPLUS, SILU, GELU -> true;
            case NEG, ABS, SQRT, RELU -> false;
        };
    }

    /**
     * The unchecked body of {@link #unary} on one thread: one small loop method per map. A single
     * method with every map's loop was too large for C2 to inline the vector math into (its node
     * budget ran out), so each vector crossed a call as a heap object: a box per operation.
     */
    private static void unaryRange(Unary op, float[] x, int xOff, float[] out, int outOff, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case EXP -> expLoop(x, xOff, out, outOff, bound);
            case LOG -> logLoop(x, xOff, out, outOff, bound);
            case TANH -> tanhLoop(x, xOff, out, outOff, bound);
            case SIGMOID -> sigmoidLoop(x, xOff, out, outOff, bound);
            case SOFTPLUS -> softplusLoop(x, xOff, out, outOff, bound);
            case SILU -> siluLoop(x, xOff, out, outOff, bound);
            case GELU -> geluLoop(x, xOff, out, outOff, bound);
            case NEG -> negLoop(x, xOff, out, outOff, bound);
            case ABS -> absLoop(x, xOff, out, outOff, bound);
            case SQRT -> sqrtLoop(x, xOff, out, outOff, bound);
            case RELU -> reluLoop(x, xOff, out, outOff, bound);
        }
        for (int i = bound; i < n; i++) {
            out[outOff + i] = ScalarElementwise.unaryOf(op, x[xOff + i]);
        }
    }

    private static void expLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            VectorMath.exp(load(x, xOff + i)).intoArray(out, outOff + i);
        }
    }

    private static void logLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            VectorMath.log(load(x, xOff + i)).intoArray(out, outOff + i);
        }
    }

    private static void tanhLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            VectorMath.tanh(load(x, xOff + i)).intoArray(out, outOff + i);
        }
    }

    private static void sigmoidLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            VectorMath.sigmoid(load(x, xOff + i)).intoArray(out, outOff + i);
        }
    }

    /**
     * softplus x = max(x, 0) + ln(1 + e^-|x|) (the logarithm by {@link VectorMath#log1pUnit}), a block at a
     * time in two passes: e^-|x| into a scratch block, then the rest. exp and ln in one loop exceeded
     * C2's inlining budget, and the part left out took its vectors boxed. The scratch keeps {@code out}
     * free to alias {@code x}.
     */
    private static void softplusLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        float[] e = new float[Math.min(bound, 64 * L)];
        for (int b0 = 0; b0 < bound; b0 += e.length) {
            int b1 = Math.min(bound, b0 + e.length);
            for (int i = b0; i < b1; i += L) {
                VectorMath.exp(load(x, xOff + i).abs().neg()).intoArray(e, i - b0);
            }
            softplusFinish(x, xOff + b0, e, out, outOff + b0, b1 - b0);
        }
    }

    /** out = max(x, 0) + ln(1 + e) over n (a multiple of L) elements. */
    private static void softplusFinish(float[] x, int xOff, float[] e, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i += L) {
            load(x, xOff + i).max(0f).add(VectorMath.log1pUnit(load(e, i))).intoArray(out, outOff + i);
        }
    }

    private static void siluLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector v = load(x, xOff + i);
            v.mul(VectorMath.sigmoid(v)).intoArray(out, outOff + i);
        }
    }

    /** gelu x = x/2 · (1 + tanh(k · x · (1 + c x²))). */
    private static void geluLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector v = load(x, xOff + i);
            FloatVector inner = v.mul(v).fma(GELU_C, 1f).mul(v).mul(GELU_K);
            FloatVector t = VectorMath.tanh(inner);
            t.add(1f).mul(v).mul(0.5f).intoArray(out, outOff + i);
        }
    }

    private static void negLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            load(x, xOff + i).neg().intoArray(out, outOff + i);
        }
    }

    private static void absLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            load(x, xOff + i).abs().intoArray(out, outOff + i);
        }
    }

    private static void sqrtLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            load(x, xOff + i).sqrt().intoArray(out, outOff + i);
        }
    }

    private static void reluLoop(float[] x, int xOff, float[] out, int outOff, int bound) {
        for (int i = 0; i < bound; i += L) {
            load(x, xOff + i).max(0f).intoArray(out, outOff + i);
        }
    }

    @Override
    public void binary(Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        ElementwiseChecks.binary("SimdElementwise.binary", op, x, xOff, y, yOff, out, outOff, n);
        binaryLoop(op, x, xOff, y, yOff, out, outOff, n);
    }

    /** The unchecked body of {@link #binary}, shared with the row broadcast. */
    private static void binaryLoop(Binary op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
                                   int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case ADD -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).add(load(y, yOff + i)).intoArray(out, outOff + i);
                }
            }
            case SUB -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).sub(load(y, yOff + i)).intoArray(out, outOff + i);
                }
            }
            case MUL -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).mul(load(y, yOff + i)).intoArray(out, outOff + i);
                }
            }
            case DIV -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).div(load(y, yOff + i)).intoArray(out, outOff + i);
                }
            }
        }
        for (int i = bound; i < n; i++) {
            out[outOff + i] = ScalarElementwise.binaryOf(op, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void binaryScalar(Binary op, float[] x, int xOff, float s, float[] out, int outOff, int n) {
        ElementwiseChecks.binaryScalar("SimdElementwise.binaryScalar", op, x, xOff, out, outOff, n);
        scalarLoop(op, x, xOff, s, out, outOff, n);
    }

    /** The unchecked body of {@link #binaryScalar}. */
    private static void scalarLoop(Binary op, float[] x, int xOff, float s, float[] out, int outOff, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case ADD -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).add(s).intoArray(out, outOff + i);
                }
            }
            case SUB -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).sub(s).intoArray(out, outOff + i);
                }
            }
            case MUL -> {
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).mul(s).intoArray(out, outOff + i);
                }
            }
            case DIV -> {
                // x / s lane by lane (not x · (1/s), which would round twice).
                for (int i = 0; i < bound; i += L) {
                    load(x, xOff + i).div(s).intoArray(out, outOff + i);
                }
            }
        }
        for (int i = bound; i < n; i++) {
            out[outOff + i] = ScalarElementwise.binaryOf(op, x[xOff + i], s);
        }
    }

    @Override
    public void binaryRowBroadcast(Binary op, float[] x, float[] y, float[] out, int rows, int cols) {
        ElementwiseChecks.rowBroadcast("SimdElementwise.binaryRowBroadcast", op, x, y, out, rows, cols);
        // Row r is a same-length binary op of x[r, :] with y.
        for (int r = 0; r < rows; r++) {
            binaryLoop(op, x, r * cols, y, 0, out, r * cols, cols);
        }
    }

    @Override
    public void fma(float[] a, float[] b, float[] c, float[] out, int n) {
        ElementwiseChecks.fma("SimdElementwise.fma", a, b, c, out, n);
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += L) {
            load(a, i).fma(load(b, i), load(c, i)).intoArray(out, i);
        }
        for (int i = bound; i < n; i++) {
            out[i] = Math.fma(a[i], b[i], c[i]);
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        ElementwiseChecks.axpy("SimdElementwise.axpy", x, xOff, y, yOff, n);
        int bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int i = 0; i < bound; i += L) {
            va.fma(load(x, xOff + i), load(y, yOff + i)).intoArray(y, yOff + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        ElementwiseChecks.multiplyAdd("SimdElementwise.multiplyAdd", a, aOff, b, bOff, y, yOff, n);
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += L) {
            load(a, aOff + i).fma(load(b, bOff + i), load(y, yOff + i)).intoArray(y, yOff + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOff + i] = Math.fma(a[aOff + i], b[bOff + i], y[yOff + i]);
        }
    }

    private static FloatVector load(float[] a, int off) {
        return FloatVector.fromArray(S, a, off);
    }
}
