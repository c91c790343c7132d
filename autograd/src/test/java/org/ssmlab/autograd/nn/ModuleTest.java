package org.ssmlab.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.autograd.GradCheck;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.autograd.ops.Arith;

/** Parameter naming, state dicts (strict shape checks, nothing half-loaded) and checkpoint round trips. */
class ModuleTest {

    /** A two-level model shaped like the reference Mamba layout: layers.{i}.mixer.in_proj.weight. */
    static final class Block extends Module {
        final Linear inProj;
        final RMSNorm norm;

        Block(SplittableRandom r) {
            Module mixer = child("mixer", new Module() { });
            inProj = new Linear(3, 4, false, r);
            // register in_proj under mixer by a small wrapper module
            norm = child("norm", new RMSNorm(3));
            ((Module) mixer).child("in_proj", inProj);
        }
    }

    static final class Model extends Module {
        Model(SplittableRandom r) {
            Module layers = child("layers", new Module() { });
            layers.child("0", new Block(r));
            layers.child("1", new Block(r));
            child("norm_f", new RMSNorm(3));
        }
    }

    @Test
    void namesFollowTheDottedReferenceLayout() {
        Model m = new Model(new SplittableRandom(1));
        assertEquals(List.of("layers.0.mixer.in_proj.weight", "layers.0.norm.weight",
                "layers.1.mixer.in_proj.weight", "layers.1.norm.weight", "norm_f.weight"),
                List.copyOf(m.namedParameters().keySet()));
        assertEquals(2 * (12 + 3) + 3, m.parameterCount());
        assertTrue(m.parameters().stream().allMatch(Tensor::requiresGrad));
    }

    @Test
    void loadStateDictChecksEverythingBeforeCopying() {
        Model a = new Model(new SplittableRandom(1));
        Model b = new Model(new SplittableRandom(2));
        Map<String, Tensor> state = new HashMap<>(a.stateDict());
        float[] before = b.stateDict().get("layers.0.mixer.in_proj.weight").toArray();
        state.put("layers.1.norm.weight", Tensor.zeros(4));     // wrong shape, listed late
        var e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(state, true));
        assertTrue(e.getMessage().contains("layers.1.norm.weight") && e.getMessage().contains("[4]")
                && e.getMessage().contains("[3]"), e.getMessage());
        assertArrayEquals(before, b.stateDict().get("layers.0.mixer.in_proj.weight").toArray(),
                "nothing may be copied when any tensor does not match");

        Map<String, Tensor> extra = new HashMap<>(a.stateDict());
        extra.put("lm_head.weight", Tensor.zeros(2, 2));
        assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(extra, true));
        b.loadStateDict(extra, false);                          // non-strict ignores extras
        assertArrayEquals(a.stateDict().get("norm_f.weight").toArray(), b.stateDict().get("norm_f.weight").toArray());
    }

    @Test
    void checkpointRoundTripRestoresTheSameFunction(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        Sequential net = new Sequential(new Linear(4, 8, true, r), Activation.of(Arith::tanh), new Linear(8, 2, true, r));
        Tensor x = Tensor.randn(7, 5, 4);
        float[] y = net.forward(x).toArray();
        Path file = dir.resolve("net.safetensors");
        SafeTensors.write(file, net.stateDict(), Map.of("format", "pt"));
        Sequential other = new Sequential(new Linear(4, 8, true, r), Activation.of(Arith::tanh), new Linear(8, 2, true, r));
        other.loadStateDict(SafeTensors.read(file), true);
        assertArrayEquals(y, other.forward(x).toArray());
        assertTrue(Files.size(file) > 0);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(net.namedParameters().keySet()));
    }

    @Test
    void layersPassTheGradientCheck() {
        SplittableRandom r = new SplittableRandom(4);
        Linear lin = new Linear(3, 2, true, r);
        Tensor x = Tensor.randn(5, 2, 3).requiresGrad(true);
        GradCheck.Result res = GradCheck.check(in -> lin.forward(in.get(0)), List.of(x, lin.weight(), lin.bias()));
        assertTrue(res.ok(), res.worst());
        Conv1dDepthwiseCausal conv = new Conv1dDepthwiseCausal(3, 4, true, r);
        Tensor s = Tensor.randn(6, 2, 5, 3).requiresGrad(true);
        res = GradCheck.check(in -> conv.forward(in.get(0)), List.of(s, conv.weight(), conv.bias()));
        assertTrue(res.ok(), res.worst());
    }

    @Test
    void causalConvDoesNotLookAhead() {
        Conv1dDepthwiseCausal conv = new Conv1dDepthwiseCausal(2, 4, true, new SplittableRandom(5));
        Tensor x = Tensor.randn(8, 1, 6, 2);
        float[] y = conv.forward(x).toArray();
        float[] changed = x.toArray();
        changed[5 * 2] += 10f;                                   // change the input at t = 5 only
        float[] y2 = conv.forward(Tensor.of(changed, 1, 6, 2)).toArray();
        for (int i = 0; i < 5 * 2; i++) {
            assertEquals(y[i], y2[i], "output before t = 5 changed at index " + i);
        }
        assertTrue(y[10] != y2[10], "the output at t = 5 must see its own input");
    }
}
