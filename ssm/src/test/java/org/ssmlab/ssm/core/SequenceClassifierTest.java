package org.ssmlab.ssm.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.autograd.optim.AdamW;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;

/** The classifier reads the class token at the end: it learns a label carried by the FIRST element. */
class SequenceClassifierTest {

    @Test
    void learnsALabelThatOnlyTheFirstElementCarries() {
        SplittableRandom r = new SplittableRandom(11);
        Family.Spec spec = new Family.Spec(16, 4, 1, Polarization.NONE);
        SequenceClassifier model = new SequenceClassifier(1, 16, 1, 2, (i, rng) -> Family.MAMBA.block(spec, rng), r);
        int batch = 16, len = 10;
        float[] x = new float[batch * len];
        int[] y = new int[batch];
        for (int b = 0; b < batch; b++) {
            y[b] = b % 2;
            for (int t = 0; t < len; t++) {
                x[b * len + t] = (float) (r.nextDouble() - 0.5) * 0.2f;
            }
            x[b * len] = y[b] == 1 ? 1f : -1f;
        }
        Tensor input = Tensor.of(x, batch, len, 1);
        AdamW opt = new AdamW(model.parameters(), 1e-2);
        float loss = Float.NaN;
        for (int step = 0; step < 200 && !(loss < 0.05f); step++) {
            Tensor l = Softmax.crossEntropy(model.forward(input), y);
            loss = l.item();
            opt.zeroGrad();
            l.backward();
            opt.step();
        }
        assertTrue(loss < 0.05f, "loss " + loss);
    }
}
