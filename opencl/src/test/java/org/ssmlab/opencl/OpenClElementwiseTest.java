package org.ssmlab.opencl;

import static org.ssmlab.simd.ElementwiseProperties.assertRejected;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Elementwise;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;
import org.ssmlab.simd.ElementwiseProperties;

/**
 * Every OpenCL elementwise kernel against its SIMD twin ({@link Backend#simd()}) on random lengths,
 * offsets and values including extremes: unary functions within a few float ulp, binary functions,
 * broadcasts, fma, axpy and multiplyAdd bit for bit; elements outside the written range untouched; in
 * place allowed. Skipped (not failed) when the machine has no OpenCL platform.
 */
class OpenClElementwiseTest {

    private static final Elementwise SIMD = Backend.simd().elementwise();
    private static final int EXAMPLES = 100;

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryAgreesWithSimd(Unary op) {
        Elementwise cl = Device.backend().elementwise();
        ElementwiseProperties.unaryAgrees(SIMD, cl::unary, op, EXAMPLES);
    }

    /** Negative control: the OpenCL result with its last element off by a relative 1e-4 is caught. */
    @Test
    void aPerturbedKernelIsCaught() {
        ElementwiseProperties.aPerturbedUnaryIsCaught(SIMD, Device.backend().elementwise(), Unary.SIGMOID, EXAMPLES);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryAgreesWithSimdBitForBit(Binary op) {
        ElementwiseProperties.binaryAgreesBitForBit(SIMD, Device.backend().elementwise(), op, EXAMPLES);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void broadcastsAgreeWithSimdBitForBit(Binary op) {
        ElementwiseProperties.broadcastsAgreeBitForBit(SIMD, Device.backend().elementwise(), op, EXAMPLES);
    }

    @Test
    void fusedKernelsAgreeWithSimdBitForBit() {
        ElementwiseProperties.fusedKernelsAgreeBitForBit(SIMD, Device.backend().elementwise(), EXAMPLES);
    }

    @Test
    void badArgumentsAreRejectedWithTheKernelName() {
        Elementwise cl = Device.backend().elementwise();
        float[] ten = new float[10];
        float[] six = new float[6];
        String k = "OpenClElementwise";
        assertRejected(k + ".unary", () -> cl.unary(Unary.EXP, ten, 5, six, 0, 6));
        assertRejected(k + ".unary", () -> cl.unary(null, ten, 0, ten, 0, 1));
        assertRejected(k + ".binary", () -> cl.binary(Binary.ADD, ten, 0, six, 1, ten, 0, 6));
        assertRejected(k + ".binaryScalar", () -> cl.binaryScalar(Binary.MUL, ten, 0, 1f, six, 0, 10));
        assertRejected(k + ".binaryRowBroadcast", () -> cl.binaryRowBroadcast(Binary.ADD, ten, six, ten, 1, 7));
        assertRejected(k + ".fma", () -> cl.fma(ten, ten, six, ten, 10));
        assertRejected(k + ".axpy", () -> cl.axpy(1f, ten, 0, six, 1, 6));
        assertRejected(k + ".axpy", () -> cl.axpy(1f, null, 0, six, 0, 1));
    }
}
