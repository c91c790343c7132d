package org.ssmlab.theorems;

import java.util.Locale;

/**
 * The outcome of one property of {@link MixerTheorems} on one family: it held on every sample, it was
 * falsified (the detail names the inequality and the shrunk sample), or the family is outside the
 * property's hypotheses (the detail says which hypothesis fails), which is not a failure.
 *
 * @param property the property's name
 * @param status   the outcome
 * @param detail   the counter-example, the hypothesis that fails, or what was checked
 * @param coverage what the samples covered, one line per quantity
 */
public record Verdict(String property, Status status, String detail, String coverage) {

    /** The three outcomes. */
    public enum Status {
        /** Held on every sample. */
        HOLDS,
        /** A sample violated the inequality. */
        FALSIFIED,
        /** The family does not satisfy the property's hypotheses; nothing was asserted. */
        OUTSIDE_HYPOTHESES
    }

    /** One line: property, status and detail. */
    public String line() {
        return String.format(Locale.ROOT, "%-34s %-18s %s", property, status.name().toLowerCase(Locale.ROOT)
                .replace('_', ' '), detail);
    }
}
