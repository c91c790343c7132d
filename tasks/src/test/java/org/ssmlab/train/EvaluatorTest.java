package org.ssmlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.data.Batch;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.mixers.TransformerBlock;

class EvaluatorTest {

    @Test
    void accuracyCountsOnlySupervisedPositions() {
        // 4 rows over a vocabulary of 3; arg-maxes 2, 0, 1, 1.
        Tensor logits = Tensor.of(new float[] {
            0, 1, 5,
            3, 1, 2,
            0, 9, 1,
            0, 2, 1}, 4, 3);
        int[] targets = {2, -100, 0, 1};
        assertArrayEquals(new int[] {1, -1, 0, 1}, Evaluator.correctness(logits, targets));
        assertEquals(new Evaluator.Counts(2, 3), Evaluator.tokenCounts(logits, targets));
        assertEquals(2.0 / 3, Evaluator.tokenAccuracy(logits, targets), 1e-12);
        assertTrue(Double.isNaN(Evaluator.tokenAccuracy(logits, new int[] {-100, -100, -100, -100})));
    }

    @Test
    void evaluateAgreesWithTheTrainingObjective() {
        LanguageModel lm = new LanguageModel(16, 8, 1, (i, rng) -> new TransformerBlock(8, 2, true, rng), true, 0,
                new SplittableRandom(2));
        Batch batch = new MqarGenerator(16, 16, 2).batch(3, 4L);
        Evaluator.Result r = Evaluator.evaluate(lm, batch);
        Trainer.StepResult s = Trainer.languageModel(lm).compute(batch, new SplittableRandom(0));
        assertEquals(s.loss().item(), r.loss(), 1e-6 * Math.max(1, Math.abs(r.loss())));
        assertEquals(s.accuracy(), r.accuracy(), 0);
        assertEquals(6, r.supervised());
        assertTrue(r.loss() > 0 && Double.isFinite(r.loss()));
    }
}
