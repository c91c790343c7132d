package org.ssmlab.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ssmlab.runs.RunResult;
import org.ssmlab.stats.SeedStats;

/**
 * The statistics of a depth grid over seeds: per (context length, layers, width) the mean validation loss
 * with its 95 % CI, and the paired differences that Fig. 4's claim is about — the gain of depth at one
 * context, and how that gain changes from a short context to a long one.
 */
final class DepthStats {

    /** (length, layers, width) → results, in seed order. */
    private final Map<String, List<RunResult>> cells = new TreeMap<>();

    DepthStats(List<RunResult> results) {
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> Long.compare(a.spec().seed(), b.spec().seed()));
        for (RunResult r : sorted) {
            cells.computeIfAbsent(key(Integer.parseInt(r.spec().get("length")), Integer.parseInt(r.spec().get("layers")),
                    Integer.parseInt(r.spec().get("d_model"))), k -> new ArrayList<>()).add(r);
        }
    }

    /** Mean and 95 % CI of the validation loss of one configuration. */
    SeedStats.Interval loss(int len, int layers, int width) {
        return SeedStats.meanCi95(values(len, layers, width, DepthRuns.LOSS));
    }

    /** Mean validation accuracy of one configuration. */
    double accuracy(int len, int layers, int width) {
        return SeedStats.meanCi95(values(len, layers, width, DepthRuns.ACCURACY)).mean();
    }

    /** The parameter count of one configuration (the same for every seed). */
    double parameters(int len, int layers, int width) {
        return values(len, layers, width, DepthRuns.PARAMETERS)[0];
    }

    /** The lowest mean loss of any configuration at context {@code len}. */
    double bestMeanLoss(int len) {
        double best = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, List<RunResult>> e : cells.entrySet()) {
            if (e.getKey().startsWith(len + "/")) {
                RunResult first = e.getValue().get(0);
                best = Math.min(best, loss(len, Integer.parseInt(first.spec().get("layers")),
                        Integer.parseInt(first.spec().get("d_model"))).mean());
            }
        }
        return best;
    }

    /** loss(deep) − loss(shallow) at one context and width, paired over seeds (negative: depth helps). */
    SeedStats.Interval depthGain(int len, int deep, int shallow, int width) {
        return SeedStats.pairedDifference(values(len, deep, width, DepthRuns.LOSS), values(len, shallow, width, DepthRuns.LOSS));
    }

    /**
     * The gain of depth at the long context minus the gain at the short one, paired over seeds (negative:
     * depth helps more at the long context, as the paper reports).
     */
    SeedStats.Interval contextChange(int longLen, int shortLen, int deep, int shallow, int width) {
        double[] a = gains(longLen, deep, shallow, width);
        double[] b = gains(shortLen, deep, shallow, width);
        return SeedStats.pairedDifference(a, b);
    }

    private double[] gains(int len, int deep, int shallow, int width) {
        double[] d = values(len, deep, width, DepthRuns.LOSS);
        double[] s = values(len, shallow, width, DepthRuns.LOSS);
        if (d.length != s.length) {
            throw new IllegalStateException("depth: " + d.length + " seeds at " + deep + " layers against " + s.length + " at "
                    + shallow + " (context " + len + ")");
        }
        double[] g = new double[d.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = d[i] - s[i];
        }
        return g;
    }

    private double[] values(int len, int layers, int width, String figure) {
        List<RunResult> rs = cells.get(key(len, layers, width));
        if (rs == null) {
            throw new IllegalArgumentException("depth: no run at context " + len + ", " + layers + " layers, width " + width);
        }
        return rs.stream().mapToDouble(r -> r.figure(figure)).toArray();
    }

    private static String key(int len, int layers, int width) {
        return len + "/" + layers + "/" + width;
    }
}
