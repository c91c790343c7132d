package org.ssmlab.experiments;

import java.util.SplittableRandom;
import org.ssmlab.data.Corruption;
import org.ssmlab.data.ImageSet;
import org.ssmlab.data.Seeds;
import org.ssmlab.ssm.core.SequenceClassifier;

/**
 * The probes of Table 1 and Fig. 3 on one trained model: accuracy with the leading or trailing pixels
 * replaced by noise, and the success of the target attack that pastes part of a target-class image.
 */
final class CorruptionProbes {

    private CorruptionProbes() {
    }

    /** One trained model (one seed): accuracies under noise and attack success rates, per region size. */
    record SeedOutcome(double clean, double[] noiseFirst, double[] noiseLast, double[] fixedFirst, double[] fixedLast,
                       double[] allFirst, double[] allLast) {

        double relDrop(double corrupted) {
            return clean > 0 ? (clean - corrupted) / clean : 0;          // a model at 0 % has nothing to lose
        }
    }

    /**
     * One trained model on the test set: clean accuracy; accuracy with the leading / trailing k pixels
     * noised for every noise size (the same noise for every model: it depends on the seed, k and the image);
     * target-attack success for the fixed target and averaged over every class as target.
     */
    static SeedOutcome evaluate(SequenceClassifier model, ImageSet test, int[] noiseK, int[] attackK, int target, long seed) {
        int n = test.size();
        double clean = accuracy(PixelSequences.predict(model, test.images()), test.labels());
        double[] nf = new double[noiseK.length];
        double[] nlast = new double[noiseK.length];
        for (int j = 0; j < noiseK.length; j++) {
            int k = noiseK[j];
            float[][] first = new float[n][];
            float[][] lastK = new float[n][];
            for (int i = 0; i < n; i++) {
                SplittableRandom rng = Seeds.derive(seed, 1000L * (j + 1) + i);
                first[i] = Corruption.noiseFirst(test.images()[i], k, rng);
                lastK[i] = Corruption.noiseLast(test.images()[i], k, rng);
            }
            nf[j] = accuracy(PixelSequences.predict(model, first), test.labels());
            nlast[j] = accuracy(PixelSequences.predict(model, lastK), test.labels());
        }
        double[] ff = new double[attackK.length];
        double[] fl = new double[attackK.length];
        double[] af = new double[attackK.length];
        double[] al = new double[attackK.length];
        for (int j = 0; j < attackK.length; j++) {
            int classesWithImages = 0;
            for (int c = 0; c < test.classes(); c++) {
                if (test.indicesOf(c).length == 0 || test.indicesOf(c).length == n) {
                    continue;                                               // no source, or no victim
                }
                classesWithImages++;
                double first = attackSuccess(model, test, c, attackK[j], false, Seeds.derive(seed, 7_000_000L + 100L * j + c));
                double last = attackSuccess(model, test, c, attackK[j], true, Seeds.derive(seed, 8_000_000L + 100L * j + c));
                af[j] += first;
                al[j] += last;
                if (c == target) {
                    ff[j] = first;
                    fl[j] = last;
                }
            }
            af[j] /= Math.max(1, classesWithImages);
            al[j] /= Math.max(1, classesWithImages);
        }
        return new SeedOutcome(clean, nf, nlast, ff, fl, af, al);
    }

    /** The share of the attacked images (true class not the target) that the model classifies as the target. */
    static double attackSuccess(SequenceClassifier model, ImageSet test, int target, int k, boolean trailing,
                                SplittableRandom rng) {
        Corruption.Attacked a = Corruption.targetAttack(test.images(), test.labels(), target, k, trailing, rng);
        int[] predicted = PixelSequences.predict(model, a.images());
        int hits = 0;
        for (int p : predicted) {
            hits += p == target ? 1 : 0;
        }
        return (double) hits / predicted.length;
    }

    private static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            ok += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) ok / labels.length;
    }
}
