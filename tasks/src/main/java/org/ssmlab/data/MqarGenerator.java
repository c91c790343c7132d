package org.ssmlab.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Multi-query associative recall (MQAR), following the Zoology generator (Arora et al., 2023).
 *
 * <p>Vocabulary V, sequence length L, K key-value pairs. Keys are drawn without replacement from the
 * lower half of the vocabulary without token 0, {1, ..., V/2 - 1}; values without replacement from the
 * upper half, {V/2, ..., V - 1}; so keys and values are disjoint and 0 is never a key or a value. A
 * sequence is
 * <pre>
 *   positions 0 .. 2K-1:   k1 v1 k2 v2 ... kK vK              (the context)
 *   positions 2K .. L-1:   filler 0, except that each key kj appears exactly once, at
 *                          position 2K + 2·gap_j (the query of kj)
 * </pre>
 * The target (next token) at the query position of kj is vj; every other target is {@link Batch#IGNORE}.
 *
 * <p>The gaps are drawn, as in Zoology, from the S = floor((L - 2K) / 2) slots {0, ..., S-1} without
 * replacement with probabilities proportional to a power law,
 * <pre>
 *   P(gap = g) ∝ (g + 1)^(a - 1),       a = 0.01 by default
 * </pre>
 * (drawn one at a time, renormalising over the slots still free, as numpy's
 * {@code choice(replace=False, p=...)} does). With a small a the weights fall off like 1/(g+1), so most
 * queries sit close to the context. Queries sit on even offsets, so S &gt;= K needs L &gt;= 4K.
 *
 * <p>Zoology can also replace the filler 0s by random tokens ({@code random_non_queries}); that is
 * {@code randomFiller} here, off by default.
 */
public final class MqarGenerator {

    /** Zoology's default power-law exponent. */
    public static final double DEFAULT_POWER_A = 0.01;

    private final int vocab;
    private final int length;
    private final int numKvPairs;
    private final double powerA;
    private final boolean randomFiller;
    private final double[] gapWeights;

    /** A generator with Zoology's defaults: a = 0.01, filler 0. */
    public MqarGenerator(int vocab, int length, int numKvPairs) {
        this(vocab, length, numKvPairs, DEFAULT_POWER_A, false);
    }

    /**
     * @param vocab V, at least 2K + 2 (keys need K distinct tokens in 1..V/2-1)
     * @param length L, at least 4K
     * @param numKvPairs K &gt;= 1
     * @param powerA the exponent a &gt; 0 of the gap distribution
     * @param randomFiller whether non-query positions after the context hold uniform random tokens
     *     instead of 0
     * @throws IllegalArgumentException naming the argument and its limit when the sizes are impossible
     */
    public MqarGenerator(int vocab, int length, int numKvPairs, double powerA, boolean randomFiller) {
        if (numKvPairs < 1) {
            throw new IllegalArgumentException("MqarGenerator: numKvPairs = " + numKvPairs + " must be >= 1");
        }
        int keyCount = vocab / 2 - 1;
        if (numKvPairs > keyCount) {
            throw new IllegalArgumentException("MqarGenerator: numKvPairs = " + numKvPairs
                    + " exceeds the " + Math.max(keyCount, 0) + " keys of vocab = " + vocab
                    + " (keys are 1..vocab/2-1, so vocab must be >= 2*numKvPairs + 2 = " + (2 * numKvPairs + 2) + ")");
        }
        if (length < 4L * numKvPairs) {
            throw new IllegalArgumentException("MqarGenerator: length = " + length + " is too short for numKvPairs = "
                    + numKvPairs + ": the context takes 2K = " + 2 * numKvPairs + " positions and the K queries need K"
                    + " even slots after it, so length must be >= 4K = " + 4 * numKvPairs);
        }
        if (!(powerA > 0) || Double.isInfinite(powerA)) {
            throw new IllegalArgumentException("MqarGenerator: powerA = " + powerA + " must be finite and > 0");
        }
        this.vocab = vocab;
        this.length = length;
        this.numKvPairs = numKvPairs;
        this.powerA = powerA;
        this.randomFiller = randomFiller;
        int slots = (length - 2 * numKvPairs) / 2;
        this.gapWeights = new double[slots];
        for (int g = 0; g < slots; g++) {
            gapWeights[g] = powerA * Math.pow(g + 1, powerA - 1);
        }
    }

    public int vocab() {
        return vocab;
    }

    public int length() {
        return length;
    }

    public int numKvPairs() {
        return numKvPairs;
    }

    public double powerA() {
        return powerA;
    }

    /** The number S of query slots after the context. */
    public int querySlots() {
        return gapWeights.length;
    }

    /** The first value token, V/2 (keys are 1..V/2-1, values V/2..V-1). */
    public int firstValueToken() {
        return vocab / 2;
    }

    /** {@code batchSize} independent sequences drawn from {@code rng}. */
    public Batch batch(int batchSize, SplittableRandom rng) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("MqarGenerator: batchSize = " + batchSize + " must be >= 1");
        }
        int[] tokens = new int[batchSize * length];
        int[] targets = new int[batchSize * length];
        Arrays.fill(targets, Batch.IGNORE);
        for (int b = 0; b < batchSize; b++) {
            fill(tokens, targets, b * length, rng);
        }
        return new Batch(tokens, targets, batchSize, length);
    }

    /** {@code batchSize} sequences from a fresh stream of {@code seed}. */
    public Batch batch(int batchSize, long seed) {
        return batch(batchSize, new SplittableRandom(seed));
    }

    private void fill(int[] tokens, int[] targets, int off, SplittableRandom rng) {
        int k = numKvPairs;
        int half = vocab / 2;
        int[] keys = sampleWithoutReplacement(1, half, k, rng);
        int[] values = sampleWithoutReplacement(half, vocab, k, rng);
        for (int j = 0; j < k; j++) {
            tokens[off + 2 * j] = keys[j];
            tokens[off + 2 * j + 1] = values[j];
        }
        int[] gaps = weightedWithoutReplacement(gapWeights, k, rng);
        int context = 2 * k;
        if (randomFiller) {
            for (int t = context; t < length; t++) {
                tokens[off + t] = rng.nextInt(vocab);
            }
        }
        for (int j = 0; j < k; j++) {
            int pos = context + 2 * gaps[j];
            tokens[off + pos] = keys[j];
            targets[off + pos] = values[j];
        }
    }

    /** {@code count} distinct integers from [lo, hi), in random order (partial Fisher–Yates). */
    static int[] sampleWithoutReplacement(int lo, int hi, int count, SplittableRandom rng) {
        int n = hi - lo;
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) {
            pool[i] = lo + i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + rng.nextInt(n - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
        }
        return Arrays.copyOf(pool, count);
    }

    /**
     * {@code count} distinct indices drawn one at a time with probability proportional to
     * {@code weights} among the indices not drawn yet.
     */
    static int[] weightedWithoutReplacement(double[] weights, int count, SplittableRandom rng) {
        double[] w = weights.clone();
        double total = 0;
        for (double x : w) {
            total += x;
        }
        int[] out = new int[count];
        for (int c = 0; c < count; c++) {
            double u = rng.nextDouble() * total;
            int pick = -1;
            double acc = 0;
            for (int i = 0; i < w.length; i++) {
                if (w[i] == 0) {
                    continue;
                }
                pick = i; // the last free index, in case rounding leaves u above the running sum
                acc += w[i];
                if (u < acc) {
                    break;
                }
            }
            out[c] = pick;
            total -= w[pick];
            w[pick] = 0;
        }
        return out;
    }
}
