package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/**
 * What a property of these tests sampled: a_min, A_max and T (and any other named quantity) per
 * example, summarised by the theorems module's {@link org.ssmlab.theorems.Coverage} with the
 * property's name on each line; {@link #requireTransitionsNear0And1} turns the summary into an
 * assertion that the regions a → 0 and a → 1 were explored.
 */
final class Coverage {

    private final String property;
    private final org.ssmlab.theorems.Coverage samples = new org.ssmlab.theorems.Coverage();

    Coverage(String property) {
        this.property = property;
    }

    /** Records one example's smallest and largest transition and its length. */
    Coverage record(double aMin, double aMax, int length) {
        samples.add("a_min", aMin).add("A_max", aMax).add("T", length);
        return this;
    }

    /** Records any named quantity. */
    Coverage add(String name, double v) {
        samples.add(name, v);
        return this;
    }

    /** The one-line-per-quantity summary. */
    String summary() {
        return samples.summary("[coverage] " + property + ": ");
    }

    /** Prints the summary to standard output (the surefire report keeps it). */
    void print() {
        System.out.print(summary());
    }

    /** The recorded values of one quantity. */
    List<Double> values(String name) {
        return samples.values(name);
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
