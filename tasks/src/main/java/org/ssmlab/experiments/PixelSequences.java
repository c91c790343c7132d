package org.ssmlab.experiments;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.data.Batch;
import org.ssmlab.data.ImageSet;
import org.ssmlab.ssm.core.SequenceClassifier;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.Trainer;

/**
 * Images as pixel sequences for a {@link SequenceClassifier}: subsets and pooling of an image set, the
 * standardised (batch, L, 1) input, training batches and their cross-entropy, and arg-max predictions.
 */
final class PixelSequences {

    private PixelSequences() {
    }

    /** {@code n} images drawn without replacement by a seeded shuffle. */
    static ImageSet subset(ImageSet set, int n, long seed) {
        int[] idx = new int[set.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = idx.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        float[][] im = new float[n][];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            im[i] = set.images()[idx[i]];
            lb[i] = set.labels()[idx[i]];
        }
        return new ImageSet(im, lb, set.height(), set.width(), set.classes());
    }

    /** Average pooling of f×f blocks, f = height / side: out(r, c) = mean of in(f·r + i, f·c + j). */
    static ImageSet pool(ImageSet set, int side) {
        if (set.height() == side && set.width() == side) {
            return set;
        }
        int f = set.height() / side;
        float[][] out = new float[set.size()][side * side];
        for (int n = 0; n < set.size(); n++) {
            float[] in = set.images()[n];
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    float sum = 0;
                    for (int i = 0; i < f; i++) {
                        for (int j = 0; j < f; j++) {
                            sum += in[(f * r + i) * set.width() + f * c + j];
                        }
                    }
                    out[n][r * side + c] = sum / (f * f);
                }
            }
        }
        return new ImageSet(out, set.labels().clone(), side, side, set.classes());
    }

    /** A batch of image indices (in tokens) and their labels (in targets), len 1. */
    static Batch sample(ImageSet set, int b, SplittableRandom rng) {
        int[] idx = new int[b];
        int[] lb = new int[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(set.size());
            lb[i] = set.labels()[idx[i]];
        }
        return new Batch(idx, lb, b, 1);
    }

    /** Cross-entropy of the class logits of the batch's images. */
    static Trainer.Objective objective(SequenceClassifier model, ImageSet set) {
        return (batch, rng) -> {
            float[][] im = new float[batch.batch()][];
            for (int i = 0; i < im.length; i++) {
                im[i] = set.images()[batch.tokens()[i]];
            }
            Tensor logits = model.forward(inputs(im));
            return new Trainer.StepResult(Softmax.crossEntropy(logits, batch.targets()),
                    Evaluator.tokenAccuracy(logits, batch.targets()));
        };
    }

    /**
     * Images as a (batch, L, 1) input tensor, standardised as usual for MNIST: x' = (x - μ) / σ with the
     * fixed {@link #PIXEL_MEAN} and {@link #PIXEL_STD} (applied after any corruption, so the noise is
     * N(0, 1) in pixel units as in the paper).
     */
    static Tensor inputs(float[][] images) {
        int len = images[0].length;
        float[] x = new float[images.length * len];
        for (int i = 0; i < images.length; i++) {
            for (int t = 0; t < len; t++) {
                x[i * len + t] = (images[i][t] - PIXEL_MEAN) / PIXEL_STD;
            }
        }
        return Tensor.of(x, images.length, len, 1);
    }

    /** MNIST's pixel mean and standard deviation, the usual normalisation constants. */
    static final float PIXEL_MEAN = 0.1307f;
    static final float PIXEL_STD = 0.3081f;

    /** Arg-max class of every image, in chunks, without gradients. */
    static int[] predict(SequenceClassifier model, float[][] images) {
        int[] out = new int[images.length];
        int chunk = 50;
        try (var g = GradMode.noGrad()) {
            for (int from = 0; from < images.length; from += chunk) {
                float[][] part = Arrays.copyOfRange(images, from, Math.min(images.length, from + chunk));
                Tensor logits = model.forward(inputs(part));
                int classes = logits.dim(1);
                float[] v = logits.data();
                for (int i = 0; i < part.length; i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) {
                        if (v[i * classes + c] > v[i * classes + best]) {
                            best = c;
                        }
                    }
                    out[from + i] = best;
                }
            }
        }
        return out;
    }
}
