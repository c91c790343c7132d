package org.ssmlab.testing;

import org.quicktheories.QuickTheory;

/**
 * How every property test of the project runs QuickTheories: a fixed seed in CI (reported by
 * QuickTheories on failure), and two system properties for longer runs:
 * {@code -Dssmlab.seed=N} for another seed and {@code -Dssmlab.examples=N} for more examples.
 *
 * <p>Shared with the other modules through this module's test jar.
 */
public final class Props {

    /** The seed of every property in this run. */
    public static final long SEED = Long.getLong("ssmlab.seed", 20_261_124L);

    private Props() {
    }

    /** The number of examples: the CI default, or {@code -Dssmlab.examples} when given. */
    public static int examples(int ciDefault) {
        return Integer.getInteger("ssmlab.examples", ciDefault);
    }

    /** A QuickTheories run with the fixed seed and the given CI number of examples. */
    public static QuickTheory qt(int ciExamples) {
        return QuickTheory.qt().withFixedSeed(SEED).withExamples(examples(ciExamples));
    }

    /**
     * Runs a property that must be falsified (a negative control) and returns QuickTheories' report of
     * the falsifying, shrunk sample. Fails when the property holds for every sample. Prefer
     * {@link #expectViolation}, which also checks why the property failed.
     */
    public static String expectFalsified(Runnable property) {
        try {
            property.run();
        } catch (AssertionError e) {
            return e.getMessage();
        }
        throw new AssertionError("negative control: the property held for every sample (seed " + SEED
                + "), so it does not depend on the hypothesis that was broken");
    }

    /**
     * Runs a negative control that must fail by violating the named inequality (a {@link Violation}
     * thrown through {@link Violation#check}) and returns the failure report. Fails when the property
     * holds for every sample, and when it fails for any other reason: another inequality, a plain
     * assertion such as a generator's hypothesis guard, or an exception. For a QuickTheories property the
     * reason checked is that of the shrunk, reported falsifying sample.
     */
    public static String expectViolation(String inequality, Runnable property) {
        String report;
        try {
            property.run();
            throw new AssertionError("negative control for [" + inequality + "]: the property held for every sample"
                    + " (seed " + SEED + "), so it does not depend on the hypothesis that was broken");
        } catch (Violation v) {
            report = v.getMessage();
            if (!v.inequality().equals(inequality)) {
                throw new AssertionError("negative control for [" + inequality + "] failed for another reason: "
                        + v.getMessage(), v);
            }
            return report;
        } catch (AssertionError e) {
            report = String.valueOf(e.getMessage());
            if (report.startsWith("negative control for [")) {
                throw e;
            }
        }
        String cause = causeLine(report);
        if (!cause.matches("([\\w$]+\\.)*Violation: \\[" + java.util.regex.Pattern.quote(inequality) + "\\].*")) {
            throw new AssertionError("negative control for [" + inequality + "] failed for another reason: "
                    + (cause.isEmpty() ? report : cause));
        }
        return report;
    }

    /** The first line of the cause in a QuickTheories falsification report ("Cause was :-" then the line), or "". */
    static String causeLine(String report) {
        String[] lines = report.split("\\R");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].strip().equals("Cause was :-")) {
                return lines[i + 1].strip();
            }
        }
        return "";
    }
}
