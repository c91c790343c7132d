package org.ssmlab.theorems;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a property's samples covered: per named quantity min / median / max, and for transitions the
 * counts in [0, .1) [.1, .5) [.5, .9) [.9, .99) [.99, 1], so a reader sees whether a → 0 and a → 1
 * were reached.
 */
final class Coverage {

    private static final double[] EDGES = {0.1, 0.5, 0.9, 0.99};
    private static final String[] LABELS = {"[0,.1)", "[.1,.5)", "[.5,.9)", "[.9,.99)", "[.99,1]"};

    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    synchronized void add(String name, double v) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    }

    synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        for (var e : values.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            sb.append(String.format(Locale.ROOT, "  %s: n=%d min=%.4g median=%.4g max=%.4g", e.getKey(), v.size(),
                    v.get(0), v.get(v.size() / 2), v.get(v.size() - 1)));
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
                    sb.append(' ').append(LABELS[b]).append('=').append(counts[b]);
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
