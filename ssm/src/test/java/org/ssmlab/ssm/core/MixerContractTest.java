package org.ssmlab.ssm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ssmlab.autograd.GradCheck;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.TestMixers;
import org.ssmlab.testing.Props;

/**
 * The contract every family's mixer keeps: recurrent mode equals parallel mode, the gradients of
 * inputs and parameters pass the finite-difference check, and outputs are causal.
 */
class MixerContractTest {

    static final int D = 8;

    static Stream<Arguments> mixers() {
        return TestMixers.all(D).entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mixers")
    void recurrentModeEqualsParallelMode(String name, Function<SplittableRandom, Mixer> make) {
        Mixer m = make.apply(new SplittableRandom(Props.SEED));
        int batch = 2, len = 7;
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 1), 1f, batch, len, D);
        float[] parallel;
        try (var s = GradMode.noGrad()) {
            parallel = m.forward(x).toArray();
        }
        RecurrentState state = m.newState(batch);
        for (int t = 0; t < len; t++) {
            Tensor xt = Shapes.reshape(Shapes.slice(x, 1, t, t + 1), batch, D);
            float[] yt = m.step(xt, state).toArray();
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < D; c++) {
                    float p = parallel[(b * len + t) * D + c];
                    assertEquals(p, yt[b * D + c], 1e-4f * (1 + Math.abs(p)),
                            name + ": recurrent and parallel differ at b=" + b + " t=" + t + " c=" + c);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mixers")
    void gradientsPassTheFiniteDifferenceCheck(String name, Function<SplittableRandom, Mixer> make) {
        Mixer m = make.apply(new SplittableRandom(Props.SEED + 2));
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 3), 0.5f, 1, 4, D).requiresGrad(true);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        inputs.addAll(m.parameters());
        GradCheck.Result r = GradCheck.check(in -> m.forward(in.get(0)), inputs);
        assertTrue(r.ok(), name + ": " + r.worst());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mixers")
    void outputsAreCausal(String name, Function<SplittableRandom, Mixer> make) {
        Mixer m = make.apply(new SplittableRandom(Props.SEED + 4));
        int len = 6;
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 5), 1f, 1, len, D);
        float[] changed = x.toArray();
        for (int c = 0; c < D; c++) {
            changed[4 * D + c] += 1f;                               // perturb position 4
        }
        try (var s = GradMode.noGrad()) {
            float[] y = m.forward(x).toArray();
            float[] y2 = m.forward(Tensor.of(changed, 1, len, D)).toArray();
            for (int i = 0; i < 4 * D; i++) {
                assertEquals(y[i], y2[i], 1e-6f * (1 + Math.abs(y[i])), name + ": output before t = 4 moved at " + i);
            }
        }
    }
}
