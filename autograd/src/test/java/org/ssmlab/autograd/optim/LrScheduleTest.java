package org.ssmlab.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.testing.Props;

/** Learning-rate schedules. */
class LrScheduleTest {

    @Test
    void warmupCosineAtItsLandmarks() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 100, 1100, 1e-5);
        assertEquals(0, s.at(0), 0, "warmup starts at 0");
        assertEquals(5e-4, s.at(50), 1e-15, "half way up the warmup");
        assertEquals(1e-3, s.at(100), 1e-15, "the peak at the end of warmup");
        assertEquals(1e-5 + (1e-3 - 1e-5) / 2, s.at(600), 1e-15, "half way down the cosine: cos(pi/2) = 0");
        assertEquals(1e-5 + (1e-3 - 1e-5) * (1 + Math.cos(Math.PI / 4)) / 2, s.at(350), 1e-15, "a quarter down");
        assertEquals(1e-5, s.at(1100), 1e-15, "minLr at totalSteps");
        assertEquals(1e-5, s.at(50_000), 0, "and after");
    }

    @Test
    void withoutWarmupItStartsAtThePeak() {
        LrSchedule s = LrSchedule.warmupCosine(0.1, 0, 10, 0);
        assertEquals(0.1, s.at(0), 1e-15);
        assertEquals(0, s.at(10), 1e-15);
    }

    @Test
    void constantIsConstant() {
        LrSchedule s = LrSchedule.constant(0.01);
        assertEquals(0.01, s.at(0));
        assertEquals(0.01, s.at(1_000_000));
    }

    /** A random schedule and two random steps t1 <= t2. */
    private record Case(double peak, double minLr, long warmup, long total, long t1, long t2) {
        static Case of(long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            double peak = Math.pow(10, -rng.nextInt(1, 5)) * (1 + rng.nextDouble());
            double minLr = rng.nextBoolean() ? 0 : peak * rng.nextDouble();
            long warmup = rng.nextLong(0, 50);
            long total = warmup + rng.nextLong(0, 500);
            long a = rng.nextLong(0, total + 20);
            long b = rng.nextLong(0, total + 20);
            return new Case(peak, minLr, warmup, total, Math.min(a, b), Math.max(a, b));
        }

        LrSchedule schedule() {
            return LrSchedule.warmupCosine(peak, warmup, total, minLr);
        }
    }

    @Test
    void afterWarmupTheRateNeverIncreasesAndDuringWarmupItNeverDecreases() {
        Props.qt(300).forAll(longs().all()).checkAssert(seed -> {
            Case c = Case.of(seed);
            LrSchedule s = c.schedule();
            double a = s.at(c.t1());
            double b = s.at(c.t2());
            assertTrue(a >= 0 && a <= c.peak() && b >= 0 && b <= c.peak(), c + " in [0, peak]");
            if (c.t1() >= c.warmup()) {
                assertTrue(a >= b, c + ": " + a + " then " + b);
                assertTrue(b >= c.minLr() - 1e-18, c + ": not below minLr");
            }
            if (c.t2() <= c.warmup()) {
                assertTrue(a <= b, c + ": warmup " + a + " then " + b);
            }
        });
    }

    @Test
    void aNegativeControlTheScheduleIsNotMonotoneOverall() {
        // Without the "after warmup" hypothesis, monotone decrease must be falsified (by the warmup).
        Props.expectFalsified(() -> Props.qt(300).forAll(longs().all()).checkAssert(seed -> {
            Case c = Case.of(seed);
            assertTrue(c.schedule().at(c.t1()) >= c.schedule().at(c.t2()), c.toString());
        }));
    }

    @Test
    void applySetsTheOptimizersLearningRate() {
        Optimizer opt = new Sgd(List.of(Tensor.zeros(1)), 1.0);
        LrSchedule.warmupCosine(0.2, 10, 20, 0).apply(opt, 5);
        assertEquals(0.1, opt.learningRate(), 1e-15);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 10, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 0, 5, 1e-2));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(-1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).at(-1));
    }
}
