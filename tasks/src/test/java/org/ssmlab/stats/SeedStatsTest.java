package org.ssmlab.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeedStatsTest {

    @Test
    void intervalMatchesTheTFormulaByHand() {
        // values 1, 2, 3: mean 2, s = 1, n = 3; t_{0.975, 2} = 4.302652729... (standard table value)
        SeedStats.Interval i = SeedStats.meanCi95(1, 2, 3);
        assertEquals(2.0, i.mean(), 1e-12);
        assertEquals(4.302652729911275 / Math.sqrt(3), i.halfWidth(), 1e-9);
        assertEquals(3, i.n());
    }

    @Test
    void oneSeedHasNoInterval() {
        SeedStats.Interval i = SeedStats.meanCi95(0.7);
        assertTrue(Double.isNaN(i.halfWidth()));
        assertFalse(i.excludesZero(), "one seed can never resolve an effect");
    }

    @Test
    void coverageIsAboutNinetyFivePercentOnNormalSamples() {
        SplittableRandom rng = new SplittableRandom(11);
        int covered = 0;
        int trials = 4000;
        for (int k = 0; k < trials; k++) {
            double[] x = new double[4];
            for (int j = 0; j < x.length; j++) {
                x[j] = 3.0 + gaussian(rng);
            }
            SeedStats.Interval i = SeedStats.meanCi95(x);
            if (i.low() <= 3.0 && 3.0 <= i.high()) {
                covered++;
            }
        }
        double rate = (double) covered / trials;
        // binomial SE at p = 0.95 over 4000 trials is 0.0034: 0.93..0.97 is a ±6 SE band
        assertTrue(rate > 0.93 && rate < 0.97, "coverage " + rate);
    }

    @Test
    void verdictNamesNoEffectWhenTheIntervalIncludesZero() {
        double[] none = {0.50, 0.60, 0.40};
        double[] both = {0.55, 0.58, 0.45};          // differences +0.05, -0.02, +0.05: CI straddles 0
        SeedStats.Interval d = SeedStats.pairedDifference(both, none);
        assertFalse(d.excludesZero());
        String v = SeedStats.verdict("both", "none", d, 100, " points");
        assertTrue(v.contains("no significant difference at this scale (3 seeds)"), v);
        assertFalse(v.contains("higher") || v.contains("lower"), v);
    }

    @Test
    void verdictNamesTheEffectWhenTheIntervalExcludesZero() {
        double[] none = {0.50, 0.60, 0.40};
        double[] both = {0.70, 0.81, 0.59};          // differences 0.20, 0.21, 0.19
        SeedStats.Interval d = SeedStats.pairedDifference(both, none);
        assertTrue(d.excludesZero());
        String v = SeedStats.verdict("both", "none", d, 100, " points");
        assertTrue(v.contains("both is higher"), v);
        SeedStats.Interval neg = SeedStats.pairedDifference(none, both);
        assertTrue(SeedStats.verdict("none", "both", neg, 100, " points").contains("none is lower"));
    }

    @Test
    void pairingIsByPosition() {
        // unpaired, these two samples overlap heavily; paired, every difference is exactly +1
        double[] a = {11, 21, 31};
        double[] b = {10, 20, 30};
        SeedStats.Interval d = SeedStats.pairedDifference(a, b);
        assertEquals(1.0, d.mean(), 1e-12);
        assertEquals(0.0, d.halfWidth(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> SeedStats.pairedDifference(a, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> SeedStats.meanCi95(1, Double.NaN));
    }

    @Test
    void shareIntervalEndsAreWhereTheBinomialTailsAreTwoAndAHalfPercent() {
        for (int n : new int[] {1, 3, 6, 12, 30}) {
            for (int k = 0; k <= n; k++) {
                SeedStats.Share s = SeedStats.shareCi95(k, n);
                assertTrue(s.low() <= (double) k / n && (double) k / n <= s.high(), "k/n inside " + s);
                if (k > 0) {
                    assertEquals(0.025, upperTail(k, n, s.low()), 1e-9, "P(X >= k | low), " + s);
                } else {
                    assertEquals(0, s.low());
                }
                if (k < n) {
                    assertEquals(0.025, 1 - upperTail(k + 1, n, s.high()), 1e-9, "P(X <= k | high), " + s);
                } else {
                    assertEquals(1, s.high());
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SeedStats.shareCi95(4, 3));
        assertThrows(IllegalArgumentException.class, () -> SeedStats.shareCi95(0, 0));
    }

    /** P(X >= k) for X ~ Binomial(n, p), summed term by term. */
    private static double upperTail(int k, int n, double p) {
        double sum = 0;
        for (int j = k; j <= n; j++) {
            double c = 1;
            for (int i = 0; i < j; i++) {
                c = c * (n - i) / (i + 1);
            }
            sum += c * Math.pow(p, j) * Math.pow(1 - p, n - j);
        }
        return sum;
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
