package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.data.Batch;
import org.ssmlab.data.Corruption;
import org.ssmlab.data.ImageSet;
import org.ssmlab.data.MnistLoader;
import org.ssmlab.data.Seeds;
import org.ssmlab.data.SyntheticImages;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.core.SequenceClassifier;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Robustness to corruption (Table 1, Fig. 3). Each model reads an image pixel by pixel (a sequence of
 * side² one-dimensional inputs, the class token appended last) and is trained to classify it. At test
 * time the first or the last k pixels are replaced by N(0, 1) noise and the accuracy drop is measured:
 * <pre>
 *   drop(k, region) = acc(clean) - acc(region's k pixels noised)
 * </pre>
 * A model with recency bias (Mamba, docs/theory.md §3) loses far more from noise at the end than at the start.
 * The target attack pastes the leading or trailing k pixels of an image of the target class
 * (label + 1 mod classes) over the image; its success rate is the share of images then classified as
 * the target.
 */
@Command(name = "corruption", mixinStandardHelpOptions = true,
        description = "Sequential image classification under leading/trailing pixel noise and the target attack (Table 1, Fig. 3).")
public final class CorruptionCommand extends ExperimentCommand {

    @Option(names = "--models", defaultValue = "mamba,transformer,mamba:both",
            description = "Models, family[:polarization] comma-separated (default: ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--data", defaultValue = "auto",
            description = "auto (MNIST when cached, else synthetic), mnist or synthetic (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--mnist-dir", description = "Directory with MNIST (default: the cache, $SSMLAB_CACHE/mnist or ~/.cache/ssmlab/mnist).")
    Path mnistDir;

    @Option(names = "--side", description = "Image side after average pooling, a divisor of 28 (default: 28, quick: 14).")
    Integer side;

    @Option(names = "--train", description = "Training images (default: 4000, quick: 500).")
    Integer trainCount;

    @Option(names = "--test", description = "Test images (default: 500, quick: 150).")
    Integer testCount;

    @Option(names = "--steps", description = "Training steps per model (default: 1500, quick: 400).")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 32, quick: 16).")
    Integer batch;

    @Option(names = "--d-model", description = "Model width (default: 32, quick: 16).")
    Integer dModel;

    @Option(names = "--layers", description = "Blocks per model (default: 2, quick: 1).")
    Integer layers;

    @Option(names = "--d-state", description = "State size of the SSM (default: 8, quick: 4).")
    Integer dState;

    @Option(names = "--lr", description = "Peak learning rate (default: 5e-3, quick: 1e-2).")
    Double lr;

    @Option(names = "--rows", description = "Corrupted lengths k in image rows, comma-separated (default: 1,2,4,8; quick: 1,2,4).")
    String rows;

    @Override
    public String name() {
        return "corruption";
    }

    @Override
    public String title() {
        return "Robustness to corrupted pixels and the target attack (Table 1, Fig. 3)";
    }

    /** A trained model's numbers: accuracy per (region, k) and target-attack success per (region, k). */
    record Outcome(String label, double clean, double[] noiseFirst, double[] noiseLast, double[] pasteFirst,
                   double[] pasteLast) {
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        boolean q = ctx.quick();
        List<ModelVariant> variants = ModelVariant.parseList(models);
        int s = side != null ? side : q ? 14 : 28;
        int nTrain = trainCount != null ? trainCount : q ? 500 : 4000;
        int nTest = testCount != null ? testCount : q ? 150 : 500;
        int nSteps = steps != null ? steps : q ? 400 : 1500;
        int b = batch != null ? batch : q ? 16 : 32;
        int d = dModel != null ? dModel : q ? 16 : 32;
        int nl = layers != null ? layers : q ? 1 : 2;
        int ds = dState != null ? dState : q ? 4 : 8;
        double rate = lr != null ? lr : q ? 1e-2 : 5e-3;
        if (s < 2 || 28 % s != 0) {
            throw new IllegalArgumentException("--side = " + s + " must be a divisor of 28 of at least 2 (28, 14, 7, 4, 2)");
        }
        if (nTrain < 10 || nTest < 10 || nSteps < 1 || b < 1 || d < 2 || nl < 1 || ds < 1 || !(rate > 0)) {
            throw new IllegalArgumentException("need --train >= 10, --test >= 10, --steps >= 1, --batch >= 1, --d-model >= 2,"
                    + " --layers >= 1, --d-state >= 1 and --lr > 0");
        }
        int[] ks = parseRows(rows != null ? rows : q ? "1,2,4" : "1,2,4,8", s);

        // ------------------------------------------------------------------ data
        Data sets = loadData(ctx, nTrain, nTest);
        ImageSet train = pool(sets.train(), s);
        ImageSet test = pool(sets.test(), s);
        int len = train.pixels();

        // ------------------------------------------------------------------ train and evaluate
        List<Outcome> outcomes = new ArrayList<>();
        for (ModelVariant v : variants) {
            SequenceClassifier model = v.classifier(1, d, nl, ds, 2, train.classes(), Seeds.deriveSeed(ctx.seed(), 1));
            String key = String.format(Locale.ROOT, "%s-%s-s%d-n%d-b%d-d%d-l%d-ds%d-st%d-lr%s", v.label(), sets.name(), s,
                    nTrain, b, d, nl, ds, nSteps, rate);
            Path runDir = ctx.dir().resolve(name() + "-train").resolve(key);
            TrainOptions opts = new TrainOptions().steps(nSteps).peakLr(rate).weightDecay(0.01).seed(ctx.seed())
                    .checkpointEvery(Math.max(1, nSteps / 4)).progress(ctx.progress()).name(name() + " " + v.label());
            Trainer.Result r = new Trainer(model, objective(model, train), rng -> sample(train, b, rng), opts, runDir).run();
            if (r.resumedFrom() > 0) {
                ctx.say(v.label() + ": resumed from the checkpoint at step " + r.resumedFrom());
            }
            outcomes.add(evaluate(v.label(), model, test, ks, Seeds.deriveSeed(ctx.seed(), 2)));
            Outcome o = outcomes.get(outcomes.size() - 1);
            ctx.figure(name() + "_clean_accuracy_" + v.label(), fmt(o.clean()));
        }

        // ------------------------------------------------------------------ write
        List<List<?>> noiseRows = new ArrayList<>();
        List<List<?>> targetRows = new ArrayList<>();
        for (Outcome o : outcomes) {
            noiseRows.add(List.of(o.label(), "none", 0, o.clean(), 0.0));
            for (int i = 0; i < ks.length; i++) {
                noiseRows.add(List.of(o.label(), "first", ks[i], o.noiseFirst()[i], o.clean() - o.noiseFirst()[i]));
                noiseRows.add(List.of(o.label(), "last", ks[i], o.noiseLast()[i], o.clean() - o.noiseLast()[i]));
                targetRows.add(List.of(o.label(), "first", ks[i], o.pasteFirst()[i]));
                targetRows.add(List.of(o.label(), "last", ks[i], o.pasteLast()[i]));
            }
        }
        CsvWriter.write(ctx.file(name(), "noise.csv"), List.of("model", "region", "k", "accuracy", "drop"), noiseRows);
        CsvWriter.write(ctx.file(name(), "target.csv"), List.of("model", "region", "k", "success_rate"), targetRows);

        double[] kx = Arrays.stream(ks).asDoubleStream().toArray();
        List<Plots.Series> accSeries = new ArrayList<>();
        List<Plots.Series> atkSeries = new ArrayList<>();
        for (Outcome o : outcomes) {
            accSeries.add(new Plots.Series(o.label() + " first k", withZero(kx), withHead(o.clean(), o.noiseFirst())));
            accSeries.add(new Plots.Series(o.label() + " last k", withZero(kx), withHead(o.clean(), o.noiseLast())));
            atkSeries.add(new Plots.Series(o.label() + " first k", kx, o.pasteFirst()));
            atkSeries.add(new Plots.Series(o.label() + " last k", kx, o.pasteLast()));
        }
        String noisePng = name() + "-noise.png";
        String targetPng = name() + "-target.png";
        Plots.line(ctx.dir().resolve(noisePng), Plots.LineSpec.of("Accuracy with the first / last k pixels noised ("
                + sets.name() + ", " + s + "x" + s + ")", "k (pixels)", "test accuracy"), accSeries);
        Plots.line(ctx.dir().resolve(targetPng), Plots.LineSpec.of("Target attack: k pixels of a target-class image pasted",
                "k (pixels)", "success rate"), atkSeries);

        // ------------------------------------------------------------------ report
        int last = ks.length - 1;
        StringBuilder verdict = new StringBuilder(String.format(Locale.ROOT, "corruption (k = %d of %d pixels): ", ks[last], len));
        List<List<?>> table = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            double dropFirst = o.clean() - o.noiseFirst()[last];
            double dropLast = o.clean() - o.noiseLast()[last];
            verdict.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s loses %.0f pts from trailing vs %.0f from leading noise",
                    o.label(), 100 * dropLast, 100 * dropFirst));
            ctx.figure(name() + "_drop_last_" + o.label(), fmt(dropLast));
            ctx.figure(name() + "_drop_first_" + o.label(), fmt(dropFirst));
            ctx.figure(name() + "_target_success_last_" + o.label(), fmt(o.pasteLast()[last]));
            ctx.figure(name() + "_target_success_first_" + o.label(), fmt(o.pasteFirst()[last]));
            table.add(List.of(o.label(), pct(o.clean()), pct(o.noiseFirst()[last]), pct(o.noiseLast()[last]),
                    pct(o.pasteFirst()[last]), pct(o.pasteLast()[last])));
        }
        String k = Integer.toString(ks[last]);
        ctx.section().verdict(verdict.toString())
                .paragraph(String.format(Locale.ROOT, "Data: %s. Each image is a sequence of %d pixels (%dx%d) read one "
                                + "at a time, a class token appended last. %d training images, %d test images; %d steps of "
                                + "batch %d; d_model %d, %d layer(s), d_state %d. The paper uses 784-step MNIST / 1024-step "
                                + "CIFAR-10 with full-size models; this run is scaled to a CPU%s. Noise is N(0, 1) per pixel; "
                                + "the target attack pastes the pixels of a test image of class (label + 1) mod %d.",
                        sets.description(), len, s, s, train.size(), test.size(), nSteps, b, d, nl, ds,
                        q ? " (quick preset: 14x14 images, small models, short training)" : "", train.classes()))
                .table("accuracy at k = " + k + " corrupted pixels and target-attack success",
                        List.of("model", "clean", "noise first " + k, "noise last " + k, "attack first " + k,
                                "attack last " + k), table)
                .image(noisePng, "test accuracy against the number k of noised pixels")
                .image(targetPng, "target-attack success rate against k");
        ctx.say(verdict.toString());
    }

    /** Training and test images with a name for the report. */
    record Data(ImageSet train, ImageSet test, String name, String description) {
    }

    private Data loadData(RunContext ctx, int nTrain, int nTest) {
        String mode = data.toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("mnist") && !mode.equals("synthetic")) {
            throw new IllegalArgumentException("--data must be auto, mnist or synthetic, not '" + data + "'");
        }
        if (!mode.equals("synthetic")) {
            List<Path> dirs = mnistDir != null ? List.of(mnistDir) : DataCache.mnistCandidates();
            for (Path dir : dirs) {
                MnistLoader loader = new MnistLoader(dir);
                if (loader.available()) {
                    ImageSet tr = loader.train();
                    ImageSet te = loader.test();
                    if (tr.size() < nTrain || te.size() < nTest) {
                        throw new IllegalArgumentException("MNIST in " + dir + " has " + tr.size() + " training and "
                                + te.size() + " test images; asked for --train " + nTrain + " and --test " + nTest);
                    }
                    return new Data(subset(tr, nTrain, Seeds.deriveSeed(ctx.seed(), 10)),
                            subset(te, nTest, Seeds.deriveSeed(ctx.seed(), 11)), "mnist", "MNIST digits from " + dir);
                }
            }
            if (mode.equals("mnist")) {
                throw new IllegalArgumentException("MNIST not found in " + dirs.get(0) + "; fetch it with: "
                        + MnistLoader.FETCH_COMMAND);
            }
            ctx.say("MNIST not found in " + dirs.get(0) + " (fetch it with " + MnistLoader.FETCH_COMMAND
                    + "); using synthetic images instead");
        }
        ImageSet all = SyntheticImages.generate(nTrain + nTest, Seeds.deriveSeed(ctx.seed(), 12));
        float[][] im = all.images();
        int[] lb = all.labels();
        ImageSet tr = new ImageSet(Arrays.copyOfRange(im, 0, nTrain), Arrays.copyOfRange(lb, 0, nTrain), 28, 28, all.classes());
        ImageSet te = new ImageSet(Arrays.copyOfRange(im, nTrain, nTrain + nTest), Arrays.copyOfRange(lb, nTrain, nTrain + nTest),
                28, 28, all.classes());
        return new Data(tr, te, "synthetic", "synthetic 10-class bars and blobs made in code (MNIST was not used"
                + (mode.equals("auto") ? ": not in the cache; fetch it with " + MnistLoader.FETCH_COMMAND : "") + ")");
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

    /** k values in pixels (rows × side), each below the sequence length. */
    static int[] parseRows(String text, int side) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int r;
            try {
                r = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rows: '" + part.trim() + "' is not a whole number");
            }
            if (r < 1 || r >= side) {
                throw new IllegalArgumentException("--rows: " + r + " rows must be in 1.." + (side - 1) + " for " + side
                        + "x" + side + " images");
            }
            out.add(r * side);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--rows is empty");
        }
        return out.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
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

    private static Outcome evaluate(String label, SequenceClassifier model, ImageSet test, int[] ks, long seed) {
        int n = test.size();
        double clean = accuracy(predict(model, test.images()), test.labels());
        double[] nf = new double[ks.length];
        double[] nlast = new double[ks.length];
        double[] pf = new double[ks.length];
        double[] pl = new double[ks.length];
        int classes = test.classes();
        // The attack's source image for image i: a seeded pick among the test images of class (label + 1) mod C.
        int[] source = new int[n];
        int[] target = new int[n];
        SplittableRandom pick = Seeds.derive(seed, 0);
        for (int i = 0; i < n; i++) {
            target[i] = (test.labels()[i] + 1) % classes;
            int[] pool = test.indicesOf(target[i]);
            source[i] = pool.length == 0 ? -1 : pool[pick.nextInt(pool.length)];
        }
        for (int j = 0; j < ks.length; j++) {
            int k = ks[j];
            float[][] first = new float[n][];
            float[][] lastK = new float[n][];
            float[][] pasteFirst = new float[n][];
            float[][] pasteLast = new float[n][];
            for (int i = 0; i < n; i++) {
                SplittableRandom rng = Seeds.derive(seed, 1000L * (j + 1) + i); // the same noise for every model
                float[] x = test.images()[i];
                first[i] = Corruption.noiseFirst(x, k, rng);
                lastK[i] = Corruption.noiseLast(x, k, rng);
                float[] src = source[i] < 0 ? x : test.images()[source[i]];
                pasteFirst[i] = Corruption.pasteLeading(x, src, k);
                pasteLast[i] = Corruption.pasteTrailing(x, src, k);
            }
            nf[j] = accuracy(predict(model, first), test.labels());
            nlast[j] = accuracy(predict(model, lastK), test.labels());
            pf[j] = accuracy(predict(model, pasteFirst), target);
            pl[j] = accuracy(predict(model, pasteLast), target);
        }
        return new Outcome(label, clean, nf, nlast, pf, pl);
    }

    private static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            ok += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) ok / labels.length;
    }

    private static double[] withZero(double[] x) {
        double[] out = new double[x.length + 1];
        System.arraycopy(x, 0, out, 1, x.length);
        return out;
    }

    private static double[] withHead(double head, double[] y) {
        double[] out = new double[y.length + 1];
        out[0] = head;
        System.arraycopy(y, 0, out, 1, y.length);
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
