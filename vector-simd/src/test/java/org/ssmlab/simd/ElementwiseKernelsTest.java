package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ssmlab.simd.ElementwiseProperties.assertRejected;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;

/**
 * The SIMD elementwise kernels agree with their scalar twin on random lengths (every tail length),
 * offsets and values including extremes; the scalar twin matches known answers computed in
 * {@code double}; bad arguments are rejected with messages that name the kernel.
 */
class ElementwiseKernelsTest {

    private static final Elementwise SCALAR = new ScalarElementwise();
    private static final Elementwise SIMD = new SimdElementwise();
    private static final int EXAMPLES = 200;

    @ParameterizedTest
    @EnumSource(Unary.class)
    void simdUnaryAgreesWithScalar(Unary op) {
        ElementwiseProperties.unaryAgrees(SCALAR, SIMD::unary, op, EXAMPLES);
    }

    /**
     * A map long enough to be split across threads gives the same bits as the same kernel run on one
     * range at a time (the split is at whole vectors), at an offset and with a tail, in place too.
     */
    @ParameterizedTest
    @EnumSource(value = Unary.class, names = {"EXP", "SILU", "SOFTPLUS"})
    void longUnaryMapSplitAcrossThreadsEqualsTheSerialMap(Unary op) {
        int n = 2 * SimdElementwise.PARALLEL_UNARY + 13;
        java.util.SplittableRandom r = new java.util.SplittableRandom(org.ssmlab.testing.Props.SEED);
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 40 - 20);
        }
        float[] whole = new float[n + 5];
        SIMD.unary(op, x, 3, whole, 5, n);
        float[] pieces = new float[n + 5];
        int piece = SimdElementwise.PARALLEL_UNARY / 2;       // each call below the threshold: one thread
        for (int at = 0; at < n; at += piece) {
            SIMD.unary(op, x, 3 + at, pieces, 5 + at, Math.min(piece, n - at));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(pieces, whole, op + " split across threads");
        float[] inPlace = Arrays.copyOf(x, x.length);
        SIMD.unary(op, inPlace, 3, inPlace, 3, n);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Arrays.copyOfRange(whole, 5, 5 + n),
                Arrays.copyOfRange(inPlace, 3, 3 + n), op + " in place");
    }

    /**
     * Negative control: a twin whose last result is off by a relative 1e-4 must falsify the property,
     * so the tolerance is tight enough to see such an error and the tail is compared.
     */
    @Test
    void aPerturbedTwinIsCaught() {
        ElementwiseProperties.aPerturbedUnaryIsCaught(SCALAR, SIMD, Unary.EXP, EXAMPLES);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void simdBinaryAgreesWithScalarBitForBit(Binary op) {
        ElementwiseProperties.binaryAgreesBitForBit(SCALAR, SIMD, op, EXAMPLES);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void simdBroadcastsAgreeWithScalarBitForBit(Binary op) {
        ElementwiseProperties.broadcastsAgreeBitForBit(SCALAR, SIMD, op, EXAMPLES);
    }

    @Test
    void simdFmaAndAxpyAgreeWithScalarBitForBit() {
        ElementwiseProperties.fusedKernelsAgreeBitForBit(SCALAR, SIMD, EXAMPLES);
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
        // ln(1 + e^x) ≈ e^x far below 0, where 1 + e^x rounds to 1: the stable form keeps it (e^-80 ≈ 1.8e-35).
        assertUnaryKnown(Unary.SOFTPLUS, -80f, Math.exp(-80), 0);
        // Below the normal floats the SIMD exp flushes to 0 (VectorMath.exp): within the smallest normal float.
        assertUnaryKnown(Unary.SOFTPLUS, -100f, Math.exp(-100), Float.MIN_NORMAL);
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

            float[] f = new float[3];
            impl.fma(new float[] {1, 2, 3}, new float[] {4, 5, 6}, new float[] {1, 1, 1}, f, 3);
            assertEquals("[5.0, 11.0, 19.0]", Arrays.toString(f), name + " fma");
            float[] y = {1, 1, 1, 1};
            impl.axpy(2f, new float[] {0, 1, 2}, 1, y, 2, 2);
            assertEquals("[1.0, 1.0, 3.0, 5.0]", Arrays.toString(y), name + " axpy");
            float[] acc = {1, 1, 1, 1};
            impl.multiplyAdd(new float[] {0, 1, 2}, 1, new float[] {3, 4, 5}, 0, acc, 1, 2);
            assertEquals("[1.0, 4.0, 9.0, 1.0]", Arrays.toString(acc), name + " multiplyAdd");
        }
    }

    // ---- bad arguments ----

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
            assertRejected(k + ".fma", () -> impl.fma(ten, ten, six, ten, 10));
            assertRejected(k + ".fma", () -> impl.fma(ten, ten, ten, ten, -2));
            assertRejected(k + ".axpy", () -> impl.axpy(1f, ten, 0, six, 1, 6));
            assertRejected(k + ".axpy", () -> impl.axpy(1f, null, 0, six, 0, 1));
            assertRejected(k + ".multiplyAdd", () -> impl.multiplyAdd(ten, 0, six, 1, ten, 0, 6));
            assertRejected(k + ".multiplyAdd", () -> impl.multiplyAdd(ten, 0, ten, 0, six, 0, 7));
            assertRejected(k + ".multiplyAdd", () -> impl.multiplyAdd(null, 0, ten, 0, ten, 0, 1));
        }
    }
}
