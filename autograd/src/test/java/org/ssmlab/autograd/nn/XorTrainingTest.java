package org.ssmlab.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.optim.AdamW;

/** End to end: a seeded 2-layer MLP learns XOR with AdamW, through every layer of the engine. */
class XorTrainingTest {

    @Test
    void mlpLearnsXor() {
        SplittableRandom r = new SplittableRandom(42);
        Sequential net = new Sequential(new Linear(2, 8, true, r), Activation.of(Arith::tanh), new Linear(8, 1, true, r));
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor target = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        AdamW opt = new AdamW(net.parameters(), 0.05);
        float first = Float.NaN;
        float loss = Float.NaN;
        for (int step = 0; step < 300; step++) {
            Tensor diff = Arith.sub(net.forward(x), target);
            Tensor l = Reduce.mean(Arith.mul(diff, diff));
            loss = l.item();
            if (step == 0) {
                first = loss;
            }
            opt.zeroGrad();
            l.backward();
            opt.step();
        }
        assertTrue(loss < 1e-3f, "XOR loss after 300 AdamW steps: " + loss + " (started at " + first + ")");
    }
}
