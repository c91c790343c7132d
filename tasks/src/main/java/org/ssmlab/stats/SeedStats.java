package org.ssmlab.stats;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Statistics over independent seeds, the way every experiment reports them: the mean of a figure with
 * its 95 % confidence interval, and the paired difference between two conditions run on the same seeds.
 *
 * <p>For n values x_1..x_n with mean m and sample standard deviation s (divisor n - 1), the 95 % interval
 * is m ± t_{0.975, n-1} · s / √n, where t_{0.975, n-1} is Student's t quantile (from Apache Commons
 * Statistics). A paired difference is the same interval on d_i = a_i - b_i, which removes the part of
 * the seed-to-seed variation that both conditions share.
 *
 * <p>The verdict rule of the project: an effect is named only when its interval excludes 0; otherwise
 * the verdict says that no difference was resolved at this scale, with the number of seeds.
 */
public final class SeedStats {

    private SeedStats() {
    }

    /**
     * Mean and 95 % half-width of a sample over seeds.
     *
     * @param mean      the sample mean
     * @param halfWidth t_{0.975, n-1} · s / √n; NaN when n &lt; 2 (no interval from one seed)
     * @param n         the number of seeds
     */
    public record Interval(double mean, double halfWidth, int n) {

        /** The lower end of the interval. */
        public double low() {
            return mean - halfWidth;
        }

        /** The upper end of the interval. */
        public double high() {
            return mean + halfWidth;
        }

        /** Whether the interval lies wholly above or wholly below zero (false without an interval). */
        public boolean excludesZero() {
            return !Double.isNaN(halfWidth) && (low() > 0 || high() < 0);
        }

        /** {@code "m ± h"} with the given format for both numbers, or {@code "m (one seed)"}. */
        public String format(String numberFormat) {
            String m = String.format(Locale.ROOT, numberFormat, mean);
            return Double.isNaN(halfWidth) ? m + " (one seed)" : m + " ± " + String.format(Locale.ROOT, numberFormat, halfWidth);
        }
    }

    /** The mean of {@code values} and its 95 % confidence interval. */
    public static Interval meanCi95(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("SeedStats.meanCi95: no values");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("SeedStats.meanCi95: a value is not finite: " + Arrays.toString(values));
            }
        }
        int n = values.length;
        double mean = Arrays.stream(values).sum() / n;
        if (n < 2) {
            return new Interval(mean, Double.NaN, n);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = TDistribution.of(n - 1).inverseCumulativeProbability(0.975);
        return new Interval(mean, t * sd / Math.sqrt(n), n);
    }

    /**
     * A share k / n of seeds (for example, the seeds that learned a task) with its exact 95 % interval.
     *
     * @param low  the Clopper–Pearson lower end: 0 when k = 0
     * @param high the Clopper–Pearson upper end: 1 when k = n
     */
    public record Share(int k, int n, double low, double high) {

        /** {@code "k of n (95 % CI lo–hi %)"}. */
        public String format() {
            return String.format(Locale.ROOT, "%d of %d (95 %% CI %.0f–%.0f %%)", k, n, 100 * low, 100 * high);
        }
    }

    /**
     * The Clopper–Pearson 95 % interval of a binomial share: the p whose binomial tail probabilities
     * P(X ≥ k | p) and P(X ≤ k | p) are 2.5 %, the quantiles of Beta(k, n − k + 1) at 0.025 and of
     * Beta(k + 1, n − k) at 0.975. It is exact (never below 95 % coverage), which matters at a handful of
     * seeds, where the normal approximation fails.
     */
    public static Share shareCi95(int k, int n) {
        if (n < 1 || k < 0 || k > n) {
            throw new IllegalArgumentException("SeedStats.shareCi95: need 0 <= k <= n and n >= 1, got k = " + k + ", n = " + n);
        }
        double low = k == 0 ? 0 : BetaDistribution.of(k, n - k + 1).inverseCumulativeProbability(0.025);
        double high = k == n ? 1 : BetaDistribution.of(k + 1, n - k).inverseCumulativeProbability(0.975);
        return new Share(k, n, low, high);
    }

    /** The mean of a_i - b_i over paired seeds and its 95 % confidence interval. */
    public static Interval pairedDifference(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("SeedStats.pairedDifference: " + a.length + " values against " + b.length
                    + " (the two conditions must be run on the same seeds)");
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return meanCi95(d);
    }

    /**
     * The project's verdict on a difference {@code subject} minus {@code baseline}: names the direction
     * only when the interval excludes 0, e.g. "both minus none: +12.0 ± 3.1 points, both is higher"; else
     * "...: no significant difference at this scale (3 seeds)".
     *
     * @param scale multiplies the numbers for display (100 for accuracies shown in points)
     * @param unit  the unit after the numbers, e.g. " points"
     */
    public static String verdict(String subject, String baseline, Interval diff, double scale, String unit) {
        return verdict(subject, baseline, diff, scale, unit, 1);
    }

    /** As {@link #verdict(String, String, Interval, double, String)}, with {@code decimals} digits after the point. */
    public static String verdict(String subject, String baseline, Interval diff, double scale, String unit, int decimals) {
        String numbers = String.format(Locale.ROOT, "%+." + decimals + "f", diff.mean() * scale)
                + (Double.isNaN(diff.halfWidth()) ? "" : String.format(Locale.ROOT, " ± %." + decimals + "f",
                diff.halfWidth() * scale)) + unit;
        String head = subject + " minus " + baseline + ": " + numbers + ", ";
        if (!diff.excludesZero()) {
            return head + "no significant difference at this scale (" + diff.n() + (diff.n() == 1 ? " seed)" : " seeds)");
        }
        return head + subject + " is " + (diff.mean() > 0 ? "higher" : "lower") + " (95 % CI excludes 0, " + diff.n() + " seeds)";
    }
}
