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
     * the falsifying, shrunk sample. Fails when the property holds for every sample.
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
}
