package org.ssmlab.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.testing.Props;

/** SGD and AdamW against numbers worked out by hand from their formulas, and on a quadratic. */
class OptimizersTest {

    /** Gives {@code p} exactly the gradient {@code g} (replacing any earlier one). */
    private static void setGrad(Tensor p, float... g) {
        p.requiresGrad(true);
        p.zeroGrad();
        p.accumulateGrad(g);
    }

    private static Tensor param(float... values) {
        return Tensor.vector(values).requiresGrad(true);
    }

    // ================================================================ AdamW

    @Test
    void adamWTwoStepsMatchTheFormulasWorkedByHand() {
        double lr = 0.1, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        Tensor decayed = param(1f);
        Tensor exempt = param(1f);
        AdamW opt = new AdamW(List.of(decayed, exempt), lr, b1, b2, eps, wd, Set.of(exempt));

        // Step 1, g = 0.5:
        //   decay:  p = 1 * (1 - 0.1 * 0.01)           = 0.999
        //   m = 0.9 * 0 + 0.1 * 0.5                    = 0.05
        //   v = 0.999 * 0 + 0.001 * 0.25               = 0.00025
        //   mhat = 0.05 / (1 - 0.9)                    = 0.5
        //   vhat = 0.00025 / (1 - 0.999)               = 0.25,  sqrt = 0.5
        //   p -= 0.1 * 0.5 / (0.5 + 1e-8)              ->  0.999 - 0.099999998 = 0.899000002
        double m1 = 0.1 * 0.5;
        double v1 = 0.001 * 0.25;
        double update1 = lr * (m1 / (1 - b1)) / (Math.sqrt(v1 / (1 - b2)) + eps);
        assertEquals(0.099999998, update1, 1e-12); // the arithmetic above, checked
        double pDecayed = 1 * (1 - lr * wd) - update1;
        double pExempt = 1 - update1;
        setGrad(decayed, 0.5f);
        setGrad(exempt, 0.5f);
        opt.step();
        assertEquals(0.899000002, decayed.item(), 1e-6);
        assertEquals(pDecayed, decayed.item(), 1e-6);
        assertEquals(pExempt, exempt.item(), 1e-6);

        // Step 2, g = -0.25:
        //   decay:  p = 0.899000002 * 0.999
        //   m = 0.9 * 0.05 + 0.1 * (-0.25)             = 0.02
        //   v = 0.999 * 0.00025 + 0.001 * 0.0625       = 0.00031225
        //   mhat = 0.02 / (1 - 0.81)                   = 0.10526315789...
        //   vhat = 0.00031225 / (1 - 0.998001)         = 0.15620310155...,  sqrt = 0.39522538...
        //   p -= 0.1 * 0.10526315789 / 0.39522538     = 0.02663344...
        double m2 = 0.9 * m1 + 0.1 * -0.25;
        double v2 = 0.999 * v1 + 0.001 * 0.0625;
        assertEquals(0.02, m2, 1e-15);
        assertEquals(0.00031225, v2, 1e-15);
        double update2 = lr * (m2 / (1 - 0.81)) / (Math.sqrt(v2 / (1 - 0.998001)) + eps);
        assertEquals(0.0266334, update2, 1e-6);
        pDecayed = pDecayed * (1 - lr * wd) - update2;
        pExempt = pExempt - update2;
        setGrad(decayed, -0.25f);
        setGrad(exempt, -0.25f);
        opt.step();
        assertEquals(0.871467, decayed.item(), 2e-6);
        assertEquals(pDecayed, decayed.item(), 1e-6);
        assertEquals(pExempt, exempt.item(), 1e-6);
        assertEquals(2, opt.stepCount(0));
    }

    @Test
    void weightDecayIsDecoupledAndTheNoDecayFlagIsRespected() {
        // A zero gradient gives m = v = 0, so the Adam part is 0 / (0 + eps) = 0 and only decay acts:
        // p_t = (1 - lr wd)^t exactly for the decayed tensor, and 1 for the exempt one.
        Tensor w = param(2f, -4f);
        Tensor bias = param(2f, -4f);
        AdamW opt = new AdamW(List.of(w, bias), 0.1, 0.9, 0.999, 1e-8, 0.5, p -> p == bias);
        assertFalse(opt.isNoDecay(0));
        assertTrue(opt.isNoDecay(1));
        for (int t = 0; t < 3; t++) {
            setGrad(w, 0f, 0f);
            setGrad(bias, 0f, 0f);
            opt.step();
        }
        double f = Math.pow(1 - 0.1 * 0.5, 3);
        assertArrayEquals(new float[] {(float) (2 * f), (float) (-4 * f)}, w.data(), 1e-6f);
        assertArrayEquals(new float[] {2f, -4f}, bias.data());
    }

    @Test
    void aParameterWithoutAGradientIsSkippedAndKeepsItsOwnStepCount() {
        Tensor a = param(1f);
        Tensor b = param(1f);
        AdamW opt = new AdamW(List.of(a, b), 0.1, 0.9, 0.999, 1e-8, 0.0, Set.of());
        for (int t = 0; t < 5; t++) {
            setGrad(a, 0.3f);
            opt.step();
        }
        assertEquals(1f, b.item());
        assertEquals(0, opt.stepCount(1));
        // b's first update uses t = 1: mhat = g, vhat = g², so the step is lr * g / (|g| + eps) ~ lr.
        setGrad(b, 123f);
        opt.step();
        assertEquals(1 - 0.1, b.item(), 1e-6);
        assertEquals(1, opt.stepCount(1));
        assertEquals(6, opt.stepCount(0));
    }

    // ================================================================ SGD

    @Test
    void sgdMomentumMatchesTheFormulasWorkedByHand() {
        // lr 0.1, momentum 0.9, gradients 0.5, -0.25, 0:
        //   buf = 0.5                    p = 1    - 0.1 * 0.5  = 0.95
        //   buf = 0.9 * 0.5 - 0.25 = 0.2 p = 0.95 - 0.1 * 0.2  = 0.93
        //   buf = 0.9 * 0.2 = 0.18       p = 0.93 - 0.1 * 0.18 = 0.912
        Tensor p = param(1f);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0);
        float[] grads = {0.5f, -0.25f, 0f};
        float[] expected = {0.95f, 0.93f, 0.912f};
        for (int t = 0; t < 3; t++) {
            setGrad(p, grads[t]);
            opt.step();
            assertEquals(expected[t], p.item(), 1e-6, "step " + (t + 1));
        }
    }

    @Test
    void sgdWeightDecayIsAddedToTheGradient() {
        // lr 0.1, momentum 0.9, wd 0.1:
        //   g = 0.5 + 0.1 * 1 = 0.6,       buf = 0.6                          p = 1 - 0.06 = 0.94
        //   g = -0.25 + 0.1 * 0.94 = -0.156, buf = 0.9 * 0.6 - 0.156 = 0.384   p = 0.94 - 0.0384 = 0.9016
        Tensor p = param(1f);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0.1);
        setGrad(p, 0.5f);
        opt.step();
        assertEquals(0.94f, p.item(), 1e-6);
        setGrad(p, -0.25f);
        opt.step();
        assertEquals(0.9016f, p.item(), 1e-6);
    }

    @Test
    void plainSgdIsOneGradientStep() {
        Tensor p = param(1f, 2f);
        Sgd opt = new Sgd(List.of(p), 0.5);
        setGrad(p, 2f, -2f);
        opt.step();
        assertArrayEquals(new float[] {0f, 3f}, p.data());
        opt.zeroGrad();
        assertEquals(null, p.gradData());
        opt.step(); // no gradient: nothing happens
        assertArrayEquals(new float[] {0f, 3f}, p.data());
    }

    // ================================================================ a quadratic

    /** Runs {@code steps} steps on sum (p - target)², whose gradient is 2 (p - target); returns the max |p - target|. */
    private static double minimise(long seed, Function<List<Tensor>, Optimizer> make, LrSchedule schedule, int steps) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tensor> params = List.of(Tensor.randn(rng, 3f, 3).requiresGrad(true), Tensor.randn(rng, 3f, 2, 2).requiresGrad(true));
        List<Tensor> targets = List.of(Tensor.randn(rng, 3f, 3), Tensor.randn(rng, 3f, 2, 2));
        Optimizer opt = make.apply(params);
        for (int t = 0; t < steps; t++) {
            if (schedule != null) {
                schedule.apply(opt, t);
            }
            opt.zeroGrad();
            for (int k = 0; k < params.size(); k++) {
                float[] p = params.get(k).data();
                float[] y = targets.get(k).data();
                float[] g = new float[p.length];
                for (int i = 0; i < p.length; i++) {
                    g[i] = 2 * (p[i] - y[i]);
                }
                params.get(k).accumulateGrad(g);
            }
            opt.step();
        }
        double worst = 0;
        for (int k = 0; k < params.size(); k++) {
            float[] p = params.get(k).data();
            float[] y = targets.get(k).data();
            for (int i = 0; i < p.length; i++) {
                worst = Math.max(worst, Math.abs(p[i] - y[i]));
            }
        }
        return worst;
    }

    @Test
    void everyOptimizerMinimisesAQuadratic() {
        Props.qt(20).forAll(longs().all()).checkAssert(seed -> {
            assertEquals(0, minimise(seed, ps -> new Sgd(ps, 0.1), null, 100), 1e-4, "plain SGD");
            assertEquals(0, minimise(seed, ps -> new Sgd(ps, 0.05, 0.9, 0), null, 300), 1e-4, "SGD with momentum");
            assertEquals(0, minimise(seed, ps -> new AdamW(ps, 0.1, 0.9, 0.999, 1e-8, 0, Set.of()),
                    LrSchedule.warmupCosine(0.3, 20, 600, 0), 600), 1e-3, "AdamW");
        });
    }

    @Test
    void aNegativeControlTheQuadraticTestCanFail() {
        // Too few steps: the same check must be falsified, so it does measure convergence.
        Props.expectFalsified(() -> Props.qt(20).forAll(longs().all()).checkAssert(seed ->
                assertEquals(0, minimise(seed, ps -> new Sgd(ps, 0.1), null, 10), 1e-4)));
    }

    // ================================================================ arguments

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        Tensor p = param(1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(p), 0.1, 1.0, 0));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(p, p), 0.1));
        assertTrue(e.getMessage().contains("same tensor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(p), -1));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(p), 0.1, 0.9, 1.0, 1e-8, 0, Set.of()));
        assertTrue(e.getMessage().contains("beta2"), e.getMessage());
        Optimizer opt = new AdamW(List.of(p), 0.1);
        assertThrows(IllegalArgumentException.class, () -> opt.setLearningRate(Double.NaN));
        opt.setLearningRate(0.25);
        assertEquals(0.25, opt.learningRate());
        assertThrows(UnsupportedOperationException.class, () -> opt.params().add(p));
    }
    @Test
    void adamWStateExportedAndImportedContinuesBitForBit() {
        // Run A: 6 steps. Run B: 3 steps, export, a fresh optimizer on a copy of the weights imports,
        // 3 more steps. The gradient is the same function of the weights in both (g = p - target).
        float[] target = {1f, -2f, 0.5f};
        Function<AdamW, float[]> stepOnce = opt -> {
            Tensor p = opt.params().get(0);
            float[] g = new float[3];
            for (int i = 0; i < 3; i++) {
                g[i] = p.data()[i] - target[i];
            }
            opt.zeroGrad();
            p.accumulateGrad(g);
            opt.step();
            return p.data();
        };
        Tensor a = Tensor.vector(0f, 0f, 0f).requiresGrad(true);
        AdamW optA = new AdamW(List.of(a), 0.05);
        for (int s = 0; s < 6; s++) {
            stepOnce.apply(optA);
        }
        Tensor b = Tensor.vector(0f, 0f, 0f).requiresGrad(true);
        AdamW optB = new AdamW(List.of(b), 0.05);
        for (int s = 0; s < 3; s++) {
            stepOnce.apply(optB);
        }
        List<AdamW.ParamState> saved = optB.exportState();
        assertEquals(3, saved.get(0).steps());
        Tensor c = Tensor.vector(b.toArray()).requiresGrad(true);
        AdamW optC = new AdamW(List.of(c), 0.05);
        optC.importState(saved);
        for (int s = 0; s < 3; s++) {
            stepOnce.apply(optC);
        }
        assertArrayEquals(a.toArray(), c.toArray(), 0f);
        // Without the state the continuation differs (the moments matter).
        Tensor d = Tensor.vector(b.toArray()).requiresGrad(true);
        AdamW optD = new AdamW(List.of(d), 0.05);
        for (int s = 0; s < 3; s++) {
            stepOnce.apply(optD);
        }
        assertFalse(java.util.Arrays.equals(a.toArray(), d.toArray()));
        assertThrows(IllegalArgumentException.class, () -> optD.importState(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> optD.importState(List.of(new AdamW.ParamState(new float[2], new float[2], 1))));
    }
}
