package org.ssmlab.ssm.mixers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.testing.Props;

/** Polarization (docs/theory.md §6): exact constant transitions, no parameter behind them, nothing else changed. */
class PolarizedChannelsTest {

    static final int D = 8;

    /** a_t of every state channel, (batch, L, ..., channels) with the state axis last. */
    private static Tensor transitions(Mixer m, Tensor x) {
        if (m instanceof MambaMixer mm) {
            return mm.transitions(x);
        }
        Tensor a = ((DiagonalMixer) m).terms(x).a();
        // Matrix states are (batch, L, heads, keys, values): the state axis is the key axis.
        return m instanceof MatrixStateMixer ? org.ssmlab.autograd.ops.Shapes.transpose(a, -1, -2) : a;
    }

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"MAMBA", "S4D", "RETNET", "GLA", "GRIFFIN", "H3"})
    void constantChannelsAreExactlyOneAndZeroAtEveryStep(Family family) {
        Mixer m = family.mixer(new Family.Spec(D, 3, 2, Polarization.BOTH), new SplittableRandom(Props.SEED));
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 1), 3f, 2, 11, D);
        try (var s = GradMode.noGrad()) {
            Tensor a = transitions(m, x);
            int channels = a.dim(a.rank() - 1);
            float[] v = a.toArray();
            for (int i = 0; i < v.length; i += channels) {
                assertEquals(1f, v[i], family + ": the one-channel's a must be exactly 1");
                assertEquals(0f, v[i + channels - 1], family + ": the zero-channel's a must be exactly 0");
                for (int j = 1; j < channels - 1; j++) {
                    assertTrue(v[i + j] >= 0f && v[i + j] < 1f, family + ": learnable a in [0, 1): " + v[i + j]);
                }
            }
        }
    }

    @Test
    void mambaConstantChannelsHaveNoParameter() {
        MambaMixer plain = new MambaMixer(MambaMixer.Config.of(D, 4, Polarization.NONE), new SplittableRandom(1));
        MambaMixer both = new MambaMixer(MambaMixer.Config.of(D, 4, Polarization.BOTH), new SplittableRandom(1));
        assertArrayEquals(plain.aLog().shape(), both.aLog().shape(), "A_log covers the learnable channels only");
        assertArrayEquals(new int[] {2 * D, 4}, both.aLog().shape());
        int r = both.config().dtRank();
        assertArrayEquals(new int[] {r + 2 * (4 + 2), 2 * D}, both.namedParameters().get("x_proj.weight").shape(),
                "x_proj emits dt_rank + 2 (n + 2) values: B and C cover the constant channels too");
    }

    /**
     * A polarized Mamba whose constant channels have zero B and C rows, and otherwise the plain layer's
     * weights, computes exactly the plain layer: the learnable channels are untouched by polarization.
     */
    @Test
    void polarizationWithSilentConstantChannelsIsThePlainLayerBitForBit() {
        int n = 4;
        MambaMixer plain = new MambaMixer(MambaMixer.Config.of(D, n, Polarization.NONE), new SplittableRandom(2));
        MambaMixer both = new MambaMixer(MambaMixer.Config.of(D, n, Polarization.BOTH), new SplittableRandom(3));
        Map<String, Tensor> src = plain.namedParameters();
        Map<String, Tensor> dst = both.namedParameters();
        for (String name : src.keySet()) {
            if (!name.equals("x_proj.weight")) {
                System.arraycopy(src.get(name).data(), 0, dst.get(name).data(), 0, src.get(name).size());
            }
        }
        int r = plain.config().dtRank();
        int cols = 2 * D;
        float[] from = src.get("x_proj.weight").data();
        float[] to = dst.get("x_proj.weight").data();
        java.util.Arrays.fill(to, 0f);
        System.arraycopy(from, 0, to, 0, r * cols);                                          // dt rows
        System.arraycopy(from, r * cols, to, (r + 1) * cols, n * cols);                        // B rows
        System.arraycopy(from, (r + n) * cols, to, (r + n + 2 + 1) * cols, n * cols);          // C rows
        Tensor x = Tensor.randn(new SplittableRandom(4), 1f, 2, 7, D);
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(plain.forward(x).toArray(), both.forward(x).toArray());
        }
    }

    @Test
    void oneChannelKeepsInfluenceWhileLearnableChannelsForget() {
        // The a ≡ 1 channel sums its inputs: after a pulse at t = 0 its state stays put; a < 1 decays.
        S4DMixer m = new S4DMixer(1, 2, Polarization.ONE, new SplittableRandom(5));
        float[] pulse = new float[40];
        pulse[0] = 1f;
        try (var s = GradMode.noGrad()) {
            DiagonalMixer.Terms t = m.terms(Tensor.of(pulse, 1, 40, 1));
            Tensor h = org.ssmlab.ssm.core.Eq1.scan(t.a(), t.bx());
            float[] hv = h.toArray();          // (1, 40, 1, 3): [one | learnable x2]
            assertEquals(hv[0], hv[39 * 3], 0f, "the one-channel's state never decays");
            assertTrue(Math.abs(hv[39 * 3 + 1]) < Math.abs(hv[1]), "a learnable channel forgets");
        }
    }
}
