package org.ssmlab.ssm.mixers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.Polarization;

/** The memory states the over-smoothing probe reads are the states the recurrent mode carries, step by step. */
class MambaMemoryStatesTest {

    @Test
    void memoryStatesEqualTheRecurrentStatesAtEveryStep() {
        for (Polarization pol : new Polarization[] {Polarization.NONE, Polarization.BOTH}) {
            MambaMixer m = new MambaMixer(MambaMixer.Config.of(8, 3, pol), new SplittableRandom(4));
            int len = 9;
            Tensor u = Tensor.randn(new SplittableRandom(5), 1f, 1, len, 8);
            try (var g = GradMode.noGrad()) {
                float[] h = m.memoryStates(u).data();                    // (1, L, d_inner, n_total)
                int per = m.config().dInner() * m.config().nTotal();
                assertEquals(len * per, h.length);
                double peak = 0;
                for (float v : h) {
                    peak = Math.max(peak, Math.abs(v));
                }
                org.junit.jupiter.api.Assertions.assertTrue(peak > 1e-3, "the states carry something: max |h| = " + peak);
                MambaMixer.State s = (MambaMixer.State) m.newState(1);
                for (int t = 0; t < len; t++) {
                    m.step(Shapes.reshape(Shapes.slice(u, 1, t, t + 1), 1, 8), s);
                    float[] want = s.h();
                    float[] got = java.util.Arrays.copyOfRange(h, t * per, (t + 1) * per);
                    for (int i = 0; i < per; i++) {
                        assertEquals(want[i], got[i], 1e-5f * (1 + Math.abs(want[i])), pol + " t = " + t + " state " + i);
                    }
                }
                // The SSM input is (1, L, d_inner).
                assertArrayEquals(new int[] {1, len, m.config().dInner()}, m.ssmInput(u).shape());
            }
        }
    }
}
