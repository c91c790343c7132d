package org.ssmlab.experiments;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.ssmlab.data.ImageSet;
import org.ssmlab.data.MnistLoader;
import org.ssmlab.data.Seeds;
import org.ssmlab.data.SyntheticImages;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunTask;
import org.ssmlab.ssm.core.SequenceClassifier;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;

/**
 * One run of the corruption experiment (Table 1, Fig. 3) as data: a classifier of one family trained on
 * clean pixel sequences, then probed with noise on the leading and trailing pixels and with the target
 * attack ({@link CorruptionProbes}). The spec {@code corruption} holds every setting, the data included
 * (MNIST, read from the executing machine's cache, or synthetic images made from the base seed); its
 * seed is the seed's index (1, 2, ...).
 */
final class CorruptionRuns {

    private CorruptionRuns() {
    }

    /** The settings of the grid that a {@link #spec} completes with a model and a seed. */
    record Grid(String data, int side, int trainCount, int testCount, int steps, int batch, int dModel, int layers,
                int dState, double lr, int[] noiseK, int[] attackK, int target, long baseSeed) {
    }

    /** The spec of model {@code v}, seed number {@code seedIndex} + 1. */
    static RunSpec spec(Grid g, ModelVariant v, int seedIndex) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", v.name());
        s.put("data", g.data());
        s.put("side", g.side());
        s.put("train_count", g.trainCount());
        s.put("test_count", g.testCount());
        s.put("steps", g.steps());
        s.put("batch", g.batch());
        s.put("d_model", g.dModel());
        s.put("layers", g.layers());
        s.put("d_state", g.dState());
        s.put("lr", g.lr());
        s.put("noise_k", join(g.noiseK()));
        s.put("attack_k", join(g.attackK()));
        s.put("target", g.target());
        s.put("base_seed", g.baseSeed());
        return RunSpec.of("corruption", s, seedIndex + 1, v.label() + " seed " + (seedIndex + 1));
    }

    /** The training and test sets of a grid, pooled to its side: MNIST from {@code mnistDir}, or synthetic. */
    static ImageSet[] data(String kind, int nTrain, int nTest, int side, long baseSeed, Path mnistDir) {
        ImageSet tr;
        ImageSet te;
        switch (kind) {
            case "mnist" -> {
                if (mnistDir == null || !new MnistLoader(mnistDir).available()) {
                    throw new IllegalArgumentException("corruption: MNIST not found" + (mnistDir == null ? "" : " in " + mnistDir)
                            + "; fetch it with " + MnistLoader.FETCH_COMMAND);
                }
                MnistLoader loader = new MnistLoader(mnistDir);
                ImageSet all = loader.train();
                ImageSet allTest = loader.test();
                if (all.size() < nTrain || allTest.size() < nTest) {
                    throw new IllegalArgumentException("MNIST in " + mnistDir + " has " + all.size() + " training and "
                            + allTest.size() + " test images; asked for --train " + nTrain + " and --test " + nTest);
                }
                tr = PixelSequences.subset(all, nTrain, Seeds.deriveSeed(baseSeed, 10));
                te = PixelSequences.subset(allTest, nTest, Seeds.deriveSeed(baseSeed, 11));
            }
            case "synthetic" -> {
                ImageSet all = SyntheticImages.generate(nTrain + nTest, Seeds.deriveSeed(baseSeed, 12));
                float[][] im = all.images();
                int[] lb = all.labels();
                tr = new ImageSet(Arrays.copyOfRange(im, 0, nTrain), Arrays.copyOfRange(lb, 0, nTrain), 28, 28, all.classes());
                te = new ImageSet(Arrays.copyOfRange(im, nTrain, nTrain + nTest), Arrays.copyOfRange(lb, nTrain, nTrain + nTest),
                        28, 28, all.classes());
            }
            default -> throw new IllegalArgumentException("corruption: data must be mnist or synthetic, not '" + kind + "'");
        }
        return new ImageSet[] {PixelSequences.pool(tr, side), PixelSequences.pool(te, side)};
    }

    /** Executes {@code corruption} specs, reading MNIST from {@code mnistDir} (null: this machine's cache). */
    static RunTask task(boolean progress, Path mnistDir) {
        return (spec, runDir) -> {
            ModelVariant v = ModelVariant.parse(spec.get("model"));
            long baseSeed = Long.parseLong(spec.get("base_seed"));
            ImageSet[] sets = data(spec.get("data"), Integer.parseInt(spec.get("train_count")),
                    Integer.parseInt(spec.get("test_count")), Integer.parseInt(spec.get("side")), baseSeed,
                    mnistDir != null ? mnistDir : DataCache.firstWithMnist(DataCache.mnistCandidates()));
            ImageSet train = sets[0];
            int steps = Integer.parseInt(spec.get("steps"));
            int batch = Integer.parseInt(spec.get("batch"));
            int seedIndex = (int) spec.seed() - 1;
            long seed = Seeds.deriveSeed(baseSeed, 100 + seedIndex);
            SequenceClassifier model = v.classifier(1, Integer.parseInt(spec.get("d_model")), Integer.parseInt(spec.get("layers")),
                    Integer.parseInt(spec.get("d_state")), 2, train.classes(), Seeds.deriveSeed(seed, 1));
            TrainOptions opts = new TrainOptions().steps(steps).peakLr(Double.parseDouble(spec.get("lr"))).weightDecay(0.01)
                    .seed(seed).checkpointEvery(Math.max(1, steps / 4)).progress(progress)
                    .name("corruption " + v.label() + " seed " + spec.seed());
            Trainer.Result r = new Trainer(model, PixelSequences.objective(model, train),
                    rng -> PixelSequences.sample(train, batch, rng), opts, runDir).run();
            int[] noiseK = ints(spec.get("noise_k"));
            int[] attackK = ints(spec.get("attack_k"));
            CorruptionProbes.SeedOutcome o = CorruptionProbes.evaluate(model, sets[1], noiseK, attackK,
                    Integer.parseInt(spec.get("target")), Seeds.deriveSeed(seed, 2));
            return new RunResult.Outcome(figures(o, noiseK, attackK), r.finalStep(), false);
        };
    }

    /** A probe outcome as named figures. */
    static Map<String, Double> figures(CorruptionProbes.SeedOutcome o, int[] noiseK, int[] attackK) {
        Map<String, Double> f = new TreeMap<>();
        f.put("clean", o.clean());
        for (int j = 0; j < noiseK.length; j++) {
            f.put("noise_first_k" + noiseK[j], o.noiseFirst()[j]);
            f.put("noise_last_k" + noiseK[j], o.noiseLast()[j]);
        }
        for (int j = 0; j < attackK.length; j++) {
            f.put("target_first_k" + attackK[j], o.fixedFirst()[j]);
            f.put("target_last_k" + attackK[j], o.fixedLast()[j]);
            f.put("all_first_k" + attackK[j], o.allFirst()[j]);
            f.put("all_last_k" + attackK[j], o.allLast()[j]);
        }
        return f;
    }

    /** The probe outcome that {@link #figures} named. */
    static CorruptionProbes.SeedOutcome outcome(RunResult r, int[] noiseK, int[] attackK) {
        double[] nf = new double[noiseK.length];
        double[] nl = new double[noiseK.length];
        for (int j = 0; j < noiseK.length; j++) {
            nf[j] = r.figure("noise_first_k" + noiseK[j]);
            nl[j] = r.figure("noise_last_k" + noiseK[j]);
        }
        double[] ff = new double[attackK.length];
        double[] fl = new double[attackK.length];
        double[] af = new double[attackK.length];
        double[] al = new double[attackK.length];
        for (int j = 0; j < attackK.length; j++) {
            ff[j] = r.figure("target_first_k" + attackK[j]);
            fl[j] = r.figure("target_last_k" + attackK[j]);
            af[j] = r.figure("all_first_k" + attackK[j]);
            al[j] = r.figure("all_last_k" + attackK[j]);
        }
        return new CorruptionProbes.SeedOutcome(r.figure("clean"), nf, nl, ff, fl, af, al);
    }

    private static String join(int[] ks) {
        return Arrays.stream(ks).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static int[] ints(String text) {
        return Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
