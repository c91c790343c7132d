package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.mixers.MambaMixer;
import org.ssmlab.ssm.mixers.S4DMixer;
import org.ssmlab.testing.Props;
import org.ssmlab.theorems.BuiltInFamilies;
import org.ssmlab.theorems.MixerTheorems;
import org.ssmlab.theorems.Verdict;
import org.ssmlab.theorems.Verdict.Status;

/**
 * The reusable theorem suite ({@link MixerTheorems}) on every built-in family, as a user would point it
 * at a new mixer, and its negative controls: mixers that break one property each must be reported as
 * falsifying that property, by name.
 */
class TheoremSuiteTest {

    static final int EXAMPLES = 4;

    static MixerTheorems suite(Family f, Polarization p) {
        return MixerTheorems.of(BuiltInFamilies.label(f, p), BuiltInFamilies.factory(f, p))
                .examples(Props.examples(EXAMPLES)).seed(Props.SEED);
    }

    /**
     * Every diagonal family passes every property whose hypotheses it meets, and meets those of the recency
     * bound (complex S4D: Theorem D.2) and, with a real state, of smoothing; the families outside Eq. 1's
     * diagonal form (RWKV-4's ratio of scans, the attentive update, the transformer) are reported as
     * outside, never as failing; polarizable families polarized (both) and not. Polarized families (and
     * linear attention, a ≡ 1) also meet the polarization invariants; the others are outside them.
     */
    @ParameterizedTest
    @EnumSource(Family.class)
    void everyBuiltInFamily(Family f) {
        everyBuiltInFamily(f, f.polarizable() ? Polarization.BOTH : Polarization.NONE);
        if (f.polarizable()) {
            everyBuiltInFamily(f, Polarization.NONE);
        }
    }

    private static void everyBuiltInFamily(Family f, Polarization p) {
        List<Verdict> v = suite(f, p).assertHolds();
        System.out.print(MixerTheorems.report(BuiltInFamilies.label(f, p), v));
        assertEquals(Status.HOLDS, v.get(0).status(), "step equals parallel: " + v.get(0).line());
        // H3's transitions are real and diagonal (its diagonal SSM), but its terms at t read the keys
        // k_{t-m+1..t} through the shift SSM, as Mamba's read x_{t-3..t} through its conv: the recency
        // bound's hypothesis (terms of x_t alone) does not hold, while smoothing and polarization, which
        // only need the transitions, do.
        boolean readsOnlyXt = switch (f) {
            case MAMBA, S4D, S4D_COMPLEX, LINEAR_ATTENTION, RETNET, GLA, GRIFFIN -> true;
            default -> false;
        };
        boolean realDiagonal = switch (f) {
            case MAMBA, S4D, LINEAR_ATTENTION, RETNET, GLA, GRIFFIN, H3 -> true;
            default -> false;
        };
        // Linear attention's channels all have a ≡ 1: it meets the one-channel invariant without polarization.
        boolean constantChannels = p != Polarization.NONE || f == Family.LINEAR_ATTENTION;
        boolean complexDiagonal = f == Family.S4D_COMPLEX;
        boolean diagonal = realDiagonal || complexDiagonal;
        assertEquals(readsOnlyXt ? Status.HOLDS : Status.OUTSIDE_HYPOTHESES, v.get(1).status(), v.get(1).line());
        assertEquals(realDiagonal ? Status.HOLDS : Status.OUTSIDE_HYPOTHESES, v.get(2).status(), v.get(2).line());
        assertEquals(diagonal && constantChannels ? Status.HOLDS : Status.OUTSIDE_HYPOTHESES, v.get(3).status(),
                v.get(3).line());
    }

    /** Mamba with the reference causal conv (kernel 4) reads x_{t-3..t} in a_t: recency is outside its hypotheses. */
    @Test
    void mambaWithItsConvolutionIsOutsideTheRecencyHypotheses() {
        Verdict v = MixerTheorems.of("mamba d_conv 4", rng -> new MambaMixer(MambaMixer.Config.of(4, 2, Polarization.NONE), rng))
                .examples(2).seed(Props.SEED).recency();
        assertEquals(Status.OUTSIDE_HYPOTHESES, v.status(), v.line());
        assertTrue(v.detail().contains("x_r for some r ≠ t"), v.line());
    }

    /** S4D whose readout also adds x_0 to every output: a path the bound does not know about. */
    static final class LeakyS4D extends DiagonalMixer {
        final S4DMixer inner;

        LeakyS4D(SplittableRandom rng) {
            inner = child("inner", new S4DMixer(4, 2, Polarization.NONE, rng));
        }

        @Override
        public int width() {
            return 4;
        }

        @Override
        public Terms terms(Tensor x) {
            return inner.terms(x);
        }

        @Override
        public Tensor readout(Tensor x, Terms t, Tensor h) {
            return Arith.add(inner.readout(x, t, h), Arith.mulScalar(Shapes.slice(x, 1, 0, 1), 0.5f));
        }
    }

    /** S4D whose forward scans with a² while its terms say a: below the bound, but not the Lemma D.1 value. */
    static final class FasterForgettingS4D extends DiagonalMixer {
        final S4DMixer inner;

        FasterForgettingS4D(SplittableRandom rng) {
            inner = child("inner", new S4DMixer(4, 2, Polarization.NONE, rng));
        }

        @Override
        public int width() {
            return 4;
        }

        @Override
        public Terms terms(Tensor x) {
            return inner.terms(x);
        }

        @Override
        public Tensor readout(Tensor x, Terms t, Tensor h) {
            return inner.readout(x, t, h);
        }

        @Override
        public Tensor forward(Tensor x) {
            Terms t = terms(x);
            return readout(x, t, fusedScan(Arith.mul(t.a(), t.a()), t.bx()));
        }
    }

    /** Negative controls: each broken mixer falsifies the property it breaks, by name. */
    @Test
    void negativeControlsAreFalsifiedByName() {
        Verdict leak = MixerTheorems.of("leaky", LeakyS4D::new).examples(4).seed(Props.SEED).recency();
        System.out.println("[negative control] " + leak.line());
        assertEquals(Status.FALSIFIED, leak.status(), leak.line());
        assertTrue(leak.detail().startsWith("[" + MixerTheorems.RECENCY + "]"), leak.line());

        Verdict fast = MixerTheorems.of("a squared", FasterForgettingS4D::new).examples(4).seed(Props.SEED).recency();
        System.out.println("[negative control] " + fast.line());
        assertEquals(Status.FALSIFIED, fast.status(), fast.line());
        assertTrue(fast.detail().startsWith("[" + MixerTheorems.TIME_INVARIANT + "]"), fast.line());

        Verdict step = MixerTheorems.of("a squared", FasterForgettingS4D::new).examples(4).seed(Props.SEED)
                .stepEqualsParallel();
        assertEquals(Status.FALSIFIED, step.status(), step.line());
        assertTrue(step.detail().startsWith("[" + MixerTheorems.STEP + "]"), step.line());
    }
}
