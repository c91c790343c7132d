package org.ssmlab.experiments;

import java.util.SplittableRandom;
import org.ssmlab.data.Batch;

/**
 * A synthetic corpus made in code: an order-2 Markov chain over V tokens. Every context (a, b) of the two
 * previous tokens has {@code branching} possible next tokens, chosen once from the seed, with
 * probabilities p_i ∝ exp(g_i), g_i ~ N(0, 1); so a model must learn a V² × branching table, and its
 * loss falls with capacity from ln V (nothing learned) towards the entropy rate of the chain:
 * <pre>
 *   H = Σ_(a,b) π(a,b) · (-Σ_i p_i(a,b) ln p_i(a,b))  ≤  ln(branching)
 * </pre>
 * Sequences start from a uniform random context; targets are next tokens (the last position has none).
 */
public final class MarkovCorpus {

    private final int vocab;
    private final int length;
    private final int[][] next;
    private final double[][] cumulative;

    /**
     * @param vocab V &gt;= 2
     * @param length sequence length L &gt;= 3
     * @param branching next tokens per context, in 1..V
     * @param seed the chain's table
     */
    public MarkovCorpus(int vocab, int length, int branching, long seed) {
        if (vocab < 2 || length < 3 || branching < 1 || branching > vocab) {
            throw new IllegalArgumentException("MarkovCorpus: vocab = " + vocab + ", length = " + length + ", branching = "
                    + branching + " (need vocab >= 2, length >= 3, 1 <= branching <= vocab)");
        }
        this.vocab = vocab;
        this.length = length;
        SplittableRandom rng = new SplittableRandom(seed);
        next = new int[vocab * vocab][branching];
        cumulative = new double[vocab * vocab][branching];
        for (int c = 0; c < vocab * vocab; c++) {
            int[] pool = new int[vocab];
            for (int i = 0; i < vocab; i++) {
                pool[i] = i;
            }
            double total = 0;
            for (int i = 0; i < branching; i++) { // partial Fisher–Yates: distinct next tokens
                int j = i + rng.nextInt(vocab - i);
                int t = pool[i];
                pool[i] = pool[j];
                pool[j] = t;
                next[c][i] = pool[i];
                total += Math.exp(org.ssmlab.data.Seeds.gaussian(rng));
                cumulative[c][i] = total;
            }
            for (int i = 0; i < branching; i++) {
                cumulative[c][i] /= total;
            }
        }
    }

    public int vocab() {
        return vocab;
    }

    public int length() {
        return length;
    }

    /** {@code batchSize} sequences with next-token targets. */
    public Batch batch(int batchSize, SplittableRandom rng) {
        int[] tokens = new int[batchSize * length];
        int[] targets = new int[batchSize * length];
        for (int b = 0; b < batchSize; b++) {
            int off = b * length;
            tokens[off] = rng.nextInt(vocab);
            tokens[off + 1] = rng.nextInt(vocab);
            for (int t = 2; t < length; t++) {
                int c = tokens[off + t - 2] * vocab + tokens[off + t - 1];
                double u = rng.nextDouble();
                int i = 0;
                while (i < cumulative[c].length - 1 && u >= cumulative[c][i]) {
                    i++;
                }
                tokens[off + t] = next[c][i];
            }
            for (int t = 0; t < length - 1; t++) {
                targets[off + t] = tokens[off + t + 1];
            }
            targets[off + length - 1] = Batch.IGNORE;
        }
        return new Batch(tokens, targets, batchSize, length);
    }
}
