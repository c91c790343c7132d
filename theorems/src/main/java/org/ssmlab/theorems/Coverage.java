package org.ssmlab.theorems;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a property's samples covered: per named quantity min / median / max, and for a transition
 * (a name starting with {@code a_} or {@code A_}) the counts in [0, .1) [.1, .5) [.5, .9) [.9, .99)
 * [.99, 1] (and "&gt;1", shown only when a negative control went there), so a reader sees whether
 * a → 0 and a → 1 were reached. Thread-safe: properties may sample in parallel.
 */
public final class Coverage {

    private static final double[] EDGES = {0.1, 0.5, 0.9, 0.99, 1.0 + 1e-12};
    private static final String[] LABELS = {"[0,.1)", "[.1,.5)", "[.5,.9)", "[.9,.99)", "[.99,1]", ">1"};

    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    /** Records one sample of a named quantity. */
    public synchronized Coverage add(String name, double v) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
        return this;
    }

    /** The recorded samples of one quantity, in the order they came (empty if none). */
    public synchronized List<Double> values(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    /** One line per quantity, each beginning with two spaces. */
    public String summary() {
        return summary("  ");
    }

    /** One line per quantity, each beginning with {@code linePrefix}. */
    public synchronized String summary(String linePrefix) {
        StringBuilder sb = new StringBuilder();
        for (var e : values.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            sb.append(linePrefix).append(String.format(Locale.ROOT, "%s: n=%d min=%.4g median=%.4g max=%.4g",
                    e.getKey(), v.size(), v.get(0), v.get(v.size() / 2), v.get(v.size() - 1)));
            if (e.getKey().startsWith("a_") || e.getKey().startsWith("A_")) {
                int[] counts = new int[LABELS.length];
                for (double x : v) {
                    int b = 0;
                    while (b < EDGES.length && x >= EDGES[b]) {
                        b++;
                    }
                    counts[b]++;
                }
                for (int b = 0; b < counts.length; b++) {
                    if (counts[b] > 0 || b < counts.length - 1) {
                        sb.append(' ').append(LABELS[b]).append('=').append(counts[b]);
                    }
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
