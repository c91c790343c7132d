package org.ssmlab.testing;

import java.util.function.Supplier;

/**
 * A named inequality that failed. Properties report the inequality they check through {@link #check},
 * so that a negative control ({@link Props#expectViolation}) can tell "the inequality the broken
 * hypothesis should violate" from any other failure (a generator guard, an exception, another check).
 * The message starts with {@code [name]}.
 */
public final class Violation extends AssertionError {

    private final String inequality;

    public Violation(String inequality, String detail) {
        super("[" + inequality + "] " + detail);
        this.inequality = inequality;
    }

    /** The name of the inequality that failed. */
    public String inequality() {
        return inequality;
    }

    /** Throws a {@link Violation} of {@code inequality} with the given detail when {@code holds} is false. */
    public static void check(boolean holds, String inequality, Supplier<String> detail) {
        if (!holds) {
            throw new Violation(inequality, detail.get());
        }
    }

    /** {@link #check(boolean, String, Supplier)} with a fixed detail. */
    public static void check(boolean holds, String inequality, String detail) {
        if (!holds) {
            throw new Violation(inequality, detail);
        }
    }
}
