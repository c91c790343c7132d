package org.ssmlab.data;

import java.util.Objects;

/**
 * A batch of token sequences with their next-token targets, both row-major (batch, len).
 * {@code targets[b·len + t]} is the token the model should predict at position t of sequence b, or
 * {@link #IGNORE} (-100, the cross-entropy ignore index) where no loss is taken.
 */
public record Batch(int[] tokens, int[] targets, int batch, int len) {

    /** The target value meaning "no loss at this position" (the same as Softmax.IGNORE_INDEX). */
    public static final int IGNORE = -100;

    /** Checks the array lengths agree with batch × len. */
    public Batch {
        Objects.requireNonNull(tokens, "Batch: tokens is null");
        Objects.requireNonNull(targets, "Batch: targets is null");
        if (batch < 1 || len < 1) {
            throw new IllegalArgumentException("Batch: batch = " + batch + ", len = " + len + " must be >= 1");
        }
        if (tokens.length != batch * len || targets.length != batch * len) {
            throw new IllegalArgumentException("Batch: tokens.length = " + tokens.length + ", targets.length = "
                    + targets.length + ", both must equal batch x len = " + batch + " x " + len);
        }
    }

    /** The token at position {@code t} of sequence {@code b}. */
    public int token(int b, int t) {
        return tokens[b * len + t];
    }

    /** The target at position {@code t} of sequence {@code b} ({@link #IGNORE} when none). */
    public int target(int b, int t) {
        return targets[b * len + t];
    }

    /** The number of positions that carry a loss. */
    public int supervisedCount() {
        int n = 0;
        for (int t : targets) {
            if (t != IGNORE) {
                n++;
            }
        }
        return n;
    }
}
