package org.ssmlab.train;

import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.data.Batch;
import org.ssmlab.ssm.core.LanguageModel;

/**
 * Measures a model on batches: token accuracy = (number of supervised positions whose arg-max logit is
 * the target) / (number of supervised positions), where a position is supervised unless its target is
 * the ignore index -100.
 */
public final class Evaluator {

    private Evaluator() {
    }

    /** Correct and supervised counts; accuracy is correct/total (NaN when nothing is supervised). */
    public record Counts(long correct, long total) {

        /** correct / total, NaN when total is 0. */
        public double accuracy() {
            return total == 0 ? Double.NaN : (double) correct / total;
        }

        /** The sum of two counts (to accumulate over batches). */
        public Counts plus(Counts o) {
            return new Counts(correct + o.correct, total + o.total);
        }
    }

    /** The loss and token accuracy of one evaluation. */
    public record Result(double loss, double accuracy, long supervised) {
    }

    /**
     * Per-position outcome for logits (..., V) with one target per row: 1 = arg-max equals the target,
     * 0 = wrong, -1 = not supervised. Ties go to the lowest index.
     */
    public static int[] correctness(Tensor logits, int[] targets) {
        int v = logits.dim(logits.rank() - 1);
        int rows = logits.size() / v;
        if (targets.length != rows) {
            throw new IllegalArgumentException("Evaluator: " + targets.length + " targets for " + rows
                    + " rows of logits with vocabulary " + v);
        }
        float[] x = logits.data();
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == Softmax.IGNORE_INDEX) {
                out[r] = -1;
                continue;
            }
            int best = 0;
            float bestV = x[r * v];
            for (int j = 1; j < v; j++) {
                if (x[r * v + j] > bestV) {
                    bestV = x[r * v + j];
                    best = j;
                }
            }
            out[r] = best == t ? 1 : 0;
        }
        return out;
    }

    /** Token accuracy counts at the supervised positions. */
    public static Counts tokenCounts(Tensor logits, int[] targets) {
        long correct = 0;
        long total = 0;
        for (int c : correctness(logits, targets)) {
            if (c >= 0) {
                total++;
                correct += c;
            }
        }
        return new Counts(correct, total);
    }

    /** Token accuracy at the supervised positions (NaN when there are none). */
    public static double tokenAccuracy(Tensor logits, int[] targets) {
        return tokenCounts(logits, targets).accuracy();
    }

    /** The loss (mean cross-entropy over supervised positions) and token accuracy of {@code model} on a batch. */
    public static Result evaluate(LanguageModel model, Batch batch) {
        try (var scope = GradMode.noGrad()) {
            Tensor logits = model.forward(batch.tokens(), batch.batch(), batch.len());
            Tensor flat = Shapes.reshape(logits, batch.batch() * batch.len(), model.vocab());
            double loss = Softmax.crossEntropy(flat, batch.targets()).item();
            Counts c = tokenCounts(flat, batch.targets());
            return new Result(loss, c.accuracy(), c.total());
        }
    }
}
