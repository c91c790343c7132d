package org.ssmlab.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.ssmlab.runs.RunResult;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.stats.SeedStats;

/**
 * The statistics of a Table 2 grid: per cell (polarization, layers, KV count) the mean accuracy over seeds
 * with its 95 % CI; for each polarization against {@code none} at equal depth and KV count the paired
 * difference over the seeds both ran, with its 95 % CI; and the verdict, which names an effect only where
 * that CI excludes 0.
 */
public final class Table2Stats {

    private final List<Integer> kvCounts;
    private final List<Integer> depths;
    /** polarization → layers → seed → accuracy per KV count (the kvCounts order). */
    private final Map<Polarization, Map<Integer, TreeMap<Long, double[]>>> acc = new LinkedHashMap<>();

    /** Groups finished {@code recall} runs by their {@code polarization}, {@code layers} and seed. */
    public Table2Stats(List<RunResult> results, List<Integer> kvCounts, List<Integer> depths) {
        this.kvCounts = List.copyOf(kvCounts);
        this.depths = List.copyOf(depths);
        for (RunResult r : results) {
            Polarization pol = Polarization.parse(r.spec().get("polarization"));
            int layers = Integer.parseInt(r.spec().get("layers"));
            double[] a = new double[kvCounts.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.figure(Recall.accuracyFigure(kvCounts.get(i)));
            }
            acc.computeIfAbsent(pol, p -> new TreeMap<>()).computeIfAbsent(layers, l -> new TreeMap<>()).put(r.spec().seed(), a);
        }
    }

    private TreeMap<Long, double[]> runs(Polarization pol, int layers) {
        return acc.getOrDefault(pol, Map.of()).getOrDefault(layers, new TreeMap<>());
    }

    /** The number of seeds that ran for a cell. */
    public int seeds(Polarization pol, int layers) {
        return runs(pol, layers).size();
    }

    /**
     * How many seeds of a cell reached {@code threshold} at the smallest KV count: learning MQAR is a jump
     * from a plateau (about 1/K) to recall, which some seeds make within the budget and some do not.
     */
    public int learned(Polarization pol, int layers, double threshold) {
        return (int) runs(pol, layers).values().stream().filter(a -> a[0] >= threshold).count();
    }

    /** Mean and 95 % CI of the accuracy of a cell over its seeds; null when no seed ran. */
    public SeedStats.Interval accuracy(Polarization pol, int layers, int kvIndex) {
        TreeMap<Long, double[]> r = runs(pol, layers);
        return r.isEmpty() ? null : SeedStats.meanCi95(r.values().stream().mapToDouble(a -> a[kvIndex]).toArray());
    }

    /** {@code pol} minus {@code none}, paired over the seeds both ran; null when they share none. */
    public SeedStats.Interval differenceToNone(Polarization pol, int layers, int kvIndex) {
        TreeMap<Long, double[]> a = runs(pol, layers);
        TreeMap<Long, double[]> b = runs(Polarization.NONE, layers);
        List<Long> shared = a.keySet().stream().filter(b::containsKey).toList();
        if (shared.isEmpty()) {
            return null;
        }
        double[] x = shared.stream().mapToDouble(s -> a.get(s)[kvIndex]).toArray();
        double[] y = shared.stream().mapToDouble(s -> b.get(s)[kvIndex]).toArray();
        return SeedStats.pairedDifference(x, y);
    }

    private static String name(Polarization p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The lines for scripts, in order: {@code table2_acc_<pol>_L<layers>_kv<K>_mean} and {@code _ci95} for every
     * cell that ran, then {@code table2_diff_<pol>_vs_none_L<layers>_kv<K>} and {@code _ci95}. A half-width from
     * a single seed is NaN.
     */
    public Map<String, String> figures() {
        Map<String, String> out = new LinkedHashMap<>();
        for (int layers : depths) {
            for (Polarization pol : Polarization.values()) {
                for (int i = 0; i < kvCounts.size(); i++) {
                    SeedStats.Interval a = accuracy(pol, layers, i);
                    if (a != null) {
                        String key = "table2_acc_" + name(pol) + "_L" + layers + "_kv" + kvCounts.get(i);
                        out.put(key + "_mean", fmt(a.mean()));
                        out.put(key + "_ci95", fmt(a.halfWidth()));
                    }
                }
            }
        }
        for (int layers : depths) {
            for (Polarization pol : Polarization.values()) {
                if (pol == Polarization.NONE) {
                    continue;
                }
                for (int i = 0; i < kvCounts.size(); i++) {
                    SeedStats.Interval d = differenceToNone(pol, layers, i);
                    if (d != null) {
                        String key = "table2_diff_" + name(pol) + "_vs_none_L" + layers + "_kv" + kvCounts.get(i);
                        out.put(key, fmt(d.mean()));
                        out.put(key + "_ci95", fmt(d.halfWidth()));
                    }
                }
            }
        }
        return out;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** One line per comparison (polarization against none at equal depth and KV count), by the verdict rule. */
    public List<String> comparisons() {
        List<String> out = new ArrayList<>();
        for (int layers : depths) {
            for (Polarization pol : Polarization.values()) {
                for (int i = 0; pol != Polarization.NONE && i < kvCounts.size(); i++) {
                    SeedStats.Interval d = differenceToNone(pol, layers, i);
                    if (d != null) {
                        out.add(SeedStats.verdict(name(pol) + " (" + layers + "L, " + kvCounts.get(i) + " KV)", "none", d, 100, " points"));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The verdict: the effects whose CI excludes 0, or "no significant difference at this scale (n seeds)"
     * when there is none.
     */
    public String verdict() {
        List<String> effects = new ArrayList<>();
        int minSeeds = Integer.MAX_VALUE;
        for (int layers : depths) {
            for (Polarization pol : Polarization.values()) {
                for (int i = 0; pol != Polarization.NONE && i < kvCounts.size(); i++) {
                    SeedStats.Interval d = differenceToNone(pol, layers, i);
                    if (d == null) {
                        continue;
                    }
                    minSeeds = Math.min(minSeeds, d.n());
                    if (d.excludesZero()) {
                        effects.add(String.format(Locale.ROOT, "%s %s none at %dL, %d KV (%+.1f ± %.1f points)", name(pol),
                                d.mean() > 0 ? "above" : "below", layers, kvCounts.get(i), 100 * d.mean(), 100 * d.halfWidth()));
                    }
                }
            }
        }
        if (minSeeds == Integer.MAX_VALUE) {
            return "polarization against none: no paired runs yet";
        }
        if (effects.isEmpty()) {
            return "polarization against none: no significant difference at this scale (" + minSeeds
                    + (minSeeds == 1 ? " seed)" : " seeds)");
        }
        return "polarization against none, where the 95 % CI excludes 0: " + String.join("; ", effects)
                + "; elsewhere no significant difference at this scale";
    }
}
