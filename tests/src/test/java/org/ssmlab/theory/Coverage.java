package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a property sampled: the distribution of a_min, A_max and T (and any other named quantity) over
 * the examples it ran, printed as one line per quantity with min / median / max and bucket counts.
 * The buckets of a transition value are [0, 0.1) [0.1, 0.5) [0.5, 0.9) [0.9, 0.99) [0.99, 1] (and
 * "> 1" for negative controls), so a reader sees whether the regions a → 0 and a → 1 were explored;
 * {@link #requireTransitionsNear0And1} turns that into an assertion.
 */
final class Coverage {

    private static final double[] A_EDGES = {0.1, 0.5, 0.9, 0.99, 1.0 + 1e-12};
    private static final String[] A_LABELS = {"[0,.1)", "[.1,.5)", "[.5,.9)", "[.9,.99)", "[.99,1]", ">1"};

    private final String property;
    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    Coverage(String property) {
        this.property = property;
    }

    /** Records one example's smallest and largest transition and its length. */
    synchronized Coverage record(double aMin, double aMax, int length) {
        add("a_min", aMin);
        add("A_max", aMax);
        add("T", length);
        return this;
    }

    /** Records any named quantity. */
    synchronized Coverage add(String name, double v) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
        return this;
    }

    /** The one-line-per-quantity summary. */
    synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        for (var e : values.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            sb.append(String.format(Locale.ROOT, "[coverage] %s: %s n=%d min=%.4g median=%.4g max=%.4g",
                    property, e.getKey(), v.size(), v.get(0), v.get(v.size() / 2), v.get(v.size() - 1)));
            if (e.getKey().startsWith("a_") || e.getKey().startsWith("A_")) {
                int[] counts = new int[A_LABELS.length];
                for (double x : v) {
                    int b = 0;
                    while (b < A_EDGES.length && x >= A_EDGES[b]) {
                        b++;
                    }
                    counts[b]++;
                }
                sb.append(" buckets");
                for (int b = 0; b < counts.length; b++) {
                    if (counts[b] > 0 || b < counts.length - 1) {
                        sb.append(' ').append(A_LABELS[b]).append('=').append(counts[b]);
                    }
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Prints the summary to standard output (the surefire report keeps it). */
    void print() {
        System.out.print(summary());
    }

    /** The recorded values of one quantity. */
    synchronized List<Double> values(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    /**
     * Asserts that the examples reached both ends of the interesting range: some a_min below
     * {@code low} and some A_max above {@code high}.
     */
    void requireTransitionsNear0And1(double low, double high) {
        double minOfMins = values("a_min").stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double maxOfMaxes = values("A_max").stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        assertTrue(minOfMins < low, property + ": no example had a_min < " + low + " (smallest " + minOfMins + ")");
        assertTrue(maxOfMaxes > high, property + ": no example had A_max > " + high + " (largest " + maxOfMaxes + ")");
    }

    /**
     * Prints a negative control's QuickTheories report (the shrunk falsifying sample and the first line
     * of its cause, without the stack trace); {@code Props.expectViolation} has checked its reason.
     */
    static String reportFalsified(String label, String report) {
        StringBuilder sb = new StringBuilder();
        for (String line : report.split("\n")) {
            if (line.startsWith("\tat ") || line.trim().startsWith("at ")) {
                break;
            }
            sb.append(line.strip()).append(' ');
        }
        String brief = sb.toString().strip();
        System.out.println("[negative control] " + label + ": " + brief);
        return brief;
    }
}
