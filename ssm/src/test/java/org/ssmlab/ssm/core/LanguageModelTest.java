package org.ssmlab.ssm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.autograd.optim.AdamW;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.testing.Props;
import org.ssmlab.ssm.mixers.TransformerBlock;

/** Language models of every family: reference names, recurrent = parallel, and each overfits one batch. */
class LanguageModelTest {

    @Test
    void mambaLanguageModelUsesTheReferenceCheckpointNames() {
        LanguageModel lm = Family.MAMBA.languageModel(32, 2, new Family.Spec(16, 4, 1, Polarization.NONE), 1);
        List<String> names = List.copyOf(lm.namedParameters().keySet());
        assertEquals(List.of("backbone.embedding.weight",
                "backbone.layers.0.mixer.A_log", "backbone.layers.0.mixer.D",
                "backbone.layers.0.mixer.in_proj.weight", "backbone.layers.0.mixer.conv1d.weight",
                "backbone.layers.0.mixer.conv1d.bias", "backbone.layers.0.mixer.x_proj.weight",
                "backbone.layers.0.mixer.dt_proj.weight", "backbone.layers.0.mixer.dt_proj.bias",
                "backbone.layers.0.mixer.out_proj.weight", "backbone.layers.0.norm.weight"), names.subList(0, 11));
        assertEquals("backbone.norm_f.weight", names.get(names.size() - 1));
        assertEquals(List.of(32, 1, 4), List.of(lm.namedParameters().get("backbone.layers.0.mixer.conv1d.weight").shape()[0],
                lm.namedParameters().get("backbone.layers.0.mixer.conv1d.weight").shape()[1],
                lm.namedParameters().get("backbone.layers.0.mixer.conv1d.weight").shape()[2]));
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void recurrentGenerationEqualsTheParallelForward(Family family) {
        LanguageModel lm = family.languageModel(20, 2, new Family.Spec(8, 3, 2, Polarization.NONE), Props.SEED);
        int batch = 2, len = 6;
        int[] tokens = new int[batch * len];
        SplittableRandom r = new SplittableRandom(Props.SEED);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(20);
        }
        float[] parallel;
        try (var s = GradMode.noGrad()) {
            parallel = lm.forward(tokens, batch, len).toArray();
        }
        LanguageModel.State state = lm.newState(batch);
        for (int t = 0; t < len; t++) {
            float[] logits = lm.step(new int[] {tokens[t], tokens[len + t]}, state).toArray();
            for (int b = 0; b < batch; b++) {
                for (int v = 0; v < 20; v++) {
                    float p = parallel[(b * len + t) * 20 + v];
                    assertEquals(p, logits[b * 20 + v], 2e-4f * (1 + Math.abs(p)), family + " b=" + b + " t=" + t + " v=" + v);
                }
            }
        }
    }

    @Test
    void transformerWithLearnedPositionsGeneratesAsItComputesInParallel() {
        int vocab = 12, batch = 1, len = 5;
        LanguageModel lm = new LanguageModel(vocab, 8, 2,
                (i, rng) -> new TransformerBlock(8, 2, false, rng), false, 16, new SplittableRandom(Props.SEED));
        assertTrue(lm.namedParameters().containsKey("backbone.pos_embedding.weight"));
        assertTrue(lm.namedParameters().containsKey("lm_head.weight"), "untied head");
        int[] tokens = {3, 1, 4, 1, 5};
        float[] parallel;
        try (var s = GradMode.noGrad()) {
            parallel = lm.forward(tokens, batch, len).toArray();
        }
        LanguageModel.State state = lm.newState(batch);
        for (int t = 0; t < len; t++) {
            float[] step = lm.step(new int[] {tokens[t]}, state).toArray();
            for (int v = 0; v < vocab; v++) {
                assertEquals(parallel[t * vocab + v], step[v], 1e-4f * (1 + Math.abs(step[v])), "t=" + t + " v=" + v);
            }
        }
    }

    /** Loss threshold for the overfit test: ln(vocab) ≈ 2.77 at the start; below 0.5 means memorised. */
    static final float OVERFIT_LOSS = 0.5f;

    @ParameterizedTest
    @EnumSource(Family.class)
    void everyFamilyOverfitsOneBatch(Family family) {
        int vocab = 16, batch = 4, len = 12;
        Polarization p = family.polarizable() ? Polarization.BOTH : Polarization.NONE;
        LanguageModel lm = family.languageModel(vocab, 2, new Family.Spec(16, 4, 2, p), Props.SEED);
        SplittableRandom r = new SplittableRandom(Props.SEED + 1);
        int[] tokens = new int[batch * (len + 1)];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(vocab);
        }
        int[] input = new int[batch * len];
        int[] target = new int[batch * len];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(tokens, b * (len + 1), input, b * len, len);
            System.arraycopy(tokens, b * (len + 1) + 1, target, b * len, len);
        }
        AdamW opt = new AdamW(lm.parameters(), 1e-2);
        float loss = Float.NaN;
        float first = Float.NaN;
        for (int step = 0; step < 400; step++) {
            Tensor logits = lm.forward(input, batch, len);
            Tensor l = Softmax.crossEntropy(Shapes.reshape(logits, batch * len, vocab), target);
            loss = l.item();
            if (step == 0) {
                first = loss;
            }
            if (loss < OVERFIT_LOSS) {
                break;
            }
            opt.zeroGrad();
            l.backward();
            opt.step();
        }
        assertTrue(loss < OVERFIT_LOSS, family + ": loss " + loss + " (from " + first + ") did not fall below " + OVERFIT_LOSS);
    }

    @Test
    void badTokensAndUnpolarizableFamiliesAreClearErrors() {
        LanguageModel lm = Family.S4D.languageModel(10, 1, new Family.Spec(8, 2, 1, Polarization.NONE), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> lm.forward(new int[] {3, 12}, 1, 2));
        assertTrue(e.getMessage().contains("token 12") && e.getMessage().contains("0..9"), e.getMessage());
        var p = assertThrows(IllegalArgumentException.class,
                () -> Family.TRANSFORMER.mixer(new Family.Spec(8, 2, 2, Polarization.ONE), new SplittableRandom(1)));
        assertTrue(p.getMessage().contains("cannot be polarized"), p.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Family.parse("lstm"));
        assertTrue(f.getMessage().contains("mamba") && f.getMessage().contains("lstm"), f.getMessage());
    }
}
