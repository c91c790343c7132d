package org.ssmlab.stats;

import java.util.Arrays;
import java.util.Locale;
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
