package org.ssmlab.ssm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.TestMixers;
import org.ssmlab.testing.Props;

/**
 * Every family that is an instance of Eq. 1: the layer written as Eq. 1 (explicit a_t, B_t x_t, C_t
 * and a step-by-step scan from elementary ops) equals the fused implementation, in outputs and in the
 * gradients of the input and of every parameter.
 */
class Eq1FormTest {

    static final int D = 8;

    static Stream<Arguments> eq1Mixers() {
        return TestMixers.all(D).entrySet().stream()
                .filter(e -> e.getValue().apply(new SplittableRandom(0)) instanceof Eq1Form)
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eq1Mixers")
    void explicitEq1EqualsFusedInOutputsAndGradients(String name, Function<SplittableRandom, Mixer> make) {
        Mixer m = make.apply(new SplittableRandom(Props.SEED));
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 1), 1f, 2, 9, D).requiresGrad(true);
        float[] w = Tensor.randn(Props.SEED + 2, 2, 9, D).toArray();

        Tensor fused = m.forward(x);
        fused.backward(w);
        List<float[]> fusedGrads = grads(x, m);
        x.zeroGrad();
        m.zeroGrad();
        Tensor explicit = ((Eq1Form) m).explicitForward(x);
        explicit.backward(w);
        List<float[]> explicitGrads = grads(x, m);

        assertClose(name + " output", explicit.toArray(), fused.toArray());
        for (int i = 0; i < fusedGrads.size(); i++) {
            assertClose(name + " gradient " + i, explicitGrads.get(i), fusedGrads.get(i));
        }
    }

    /** Mamba over several of the fused scan's 64-step checkpoint chunks: backward recomputes each chunk. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = org.ssmlab.ssm.core.Polarization.class, names = {"NONE", "BOTH"})
    void mambaAgreesAcrossCheckpointChunks(org.ssmlab.ssm.core.Polarization pol) {
        org.ssmlab.ssm.mixers.MambaMixer m = new org.ssmlab.ssm.mixers.MambaMixer(
                org.ssmlab.ssm.mixers.MambaMixer.Config.of(D, 4, pol), new SplittableRandom(Props.SEED));
        int len = 150;
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 1), 1f, 2, len, D).requiresGrad(true);
        float[] w = Tensor.randn(Props.SEED + 2, 2, len, D).toArray();
        Tensor fused = m.forward(x);
        fused.backward(w);
        List<float[]> fusedGrads = grads(x, m);
        x.zeroGrad();
        m.zeroGrad();
        Tensor explicit = m.explicitForward(x);
        explicit.backward(w);
        List<float[]> explicitGrads = grads(x, m);
        assertClose("mamba L=150 output", explicit.toArray(), fused.toArray());
        for (int i = 0; i < fusedGrads.size(); i++) {
            assertClose("mamba L=150 gradient " + i, explicitGrads.get(i), fusedGrads.get(i));
        }
    }

    private static List<float[]> grads(Tensor x, Mixer m) {
        List<float[]> g = new java.util.ArrayList<>();
        g.add(x.gradData().clone());
        for (Tensor p : m.parameters()) {
            g.add(p.gradData() == null ? new float[p.size()] : p.gradData().clone());
        }
        return g;
    }

    /** Equal up to float rounding of differently ordered sums: 1e-4 relative to the array's scale. */
    static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * (scale + 1e-6);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + " differs at " + i + ": " + expected[i] + " vs " + actual[i] + " (tolerance " + tol + ")");
        }
    }
}
