package org.ssmlab.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Needle in a haystack over tokens. A sequence of length L is random distractor tokens with one
 * "needle", the three tokens (marker, key, value), starting at a chosen depth, and ends with the query
 * (marker, key):
 * <pre>
 *   position:  0 ..  s-1    s       s+1   s+2     s+3 .. L-3    L-2     L-1
 *   token:     distractors  MARKER  key   value   distractors   MARKER  key
 *   target:    -100 everywhere except at L-1, where it is the value
 * </pre>
 * The needle start is s = round(depth · (L - 5)): depth 0 puts it at the very beginning, depth 1 right
 * before the query. Token 0 is unused (padding), token 1 is the marker, and distractors, keys and values
 * are uniform over {2, ..., V-1}, so the marker occurs exactly twice.
 */
public final class NeedleGenerator {

    /** The marker token that introduces the needle and the query. */
    public static final int MARKER = 1;
    /** The first ordinary (distractor, key, value) token. */
    public static final int FIRST_TOKEN = 2;

    private final int vocab;
    private final int length;

    /**
     * @param vocab V &gt;= 4 (two ordinary tokens at least)
     * @param length L &gt;= 5 (needle and query)
     */
    public NeedleGenerator(int vocab, int length) {
        if (vocab < 4) {
            throw new IllegalArgumentException("NeedleGenerator: vocab = " + vocab
                    + " must be >= 4 (0 = padding, 1 = marker, and at least two ordinary tokens)");
        }
        if (length < 5) {
            throw new IllegalArgumentException("NeedleGenerator: length = " + length
                    + " must be >= 5 (3 needle tokens and 2 query tokens)");
        }
        this.vocab = vocab;
        this.length = length;
    }

    public int vocab() {
        return vocab;
    }

    public int length() {
        return length;
    }

    /** The position of the needle's marker for a depth in [0, 1]: round(depth · (L - 5)). */
    public int needleStart(double depth) {
        if (!(depth >= 0 && depth <= 1)) {
            throw new IllegalArgumentException("NeedleGenerator: depth = " + depth + " must be in [0, 1]");
        }
        return (int) Math.round(depth * (length - 5));
    }

    /** {@code batchSize} sequences with the needle at {@code depth}. */
    public Batch batch(int batchSize, double depth, SplittableRandom rng) {
        int start = needleStart(depth);
        return make(batchSize, rng, start);
    }

    /** {@code batchSize} sequences, each with its needle at a uniform random position (for training). */
    public Batch batchRandomDepth(int batchSize, SplittableRandom rng) {
        return make(batchSize, rng, -1);
    }

    private Batch make(int batchSize, SplittableRandom rng, int fixedStart) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("NeedleGenerator: batchSize = " + batchSize + " must be >= 1");
        }
        int[] tokens = new int[batchSize * length];
        int[] targets = new int[batchSize * length];
        Arrays.fill(targets, Batch.IGNORE);
        int ordinary = vocab - FIRST_TOKEN;
        for (int b = 0; b < batchSize; b++) {
            int off = b * length;
            for (int t = 0; t < length; t++) {
                tokens[off + t] = FIRST_TOKEN + rng.nextInt(ordinary);
            }
            int start = fixedStart >= 0 ? fixedStart : rng.nextInt(length - 4);
            int key = FIRST_TOKEN + rng.nextInt(ordinary);
            int value = FIRST_TOKEN + rng.nextInt(ordinary);
            tokens[off + start] = MARKER;
            tokens[off + start + 1] = key;
            tokens[off + start + 2] = value;
            tokens[off + length - 2] = MARKER;
            tokens[off + length - 1] = key;
            targets[off + length - 1] = value;
        }
        return new Batch(tokens, targets, batchSize, length);
    }
}
