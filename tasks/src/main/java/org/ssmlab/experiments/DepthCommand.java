package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ssmlab.data.Batch;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.data.Seeds;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.train.Evaluator;
import org.ssmlab.runs.RunConcurrency;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Depth scaling (Fig. 4): validation loss against parameter count for several depths at two context
 * lengths. The corpus is an order-2 Markov chain made in code ({@link MarkovCorpus}; loss over every
 * position) or, with {@code --corpus mqar}, multi-query associative recall ({@link MqarGenerator}, K = L / 8
 * key-value pairs, loss at the query positions); the loss is the mean cross-entropy on a fixed held-out batch. For each context length, depth (number of blocks) and width
 * (d_model) one model is trained with the same budget; the parameter count is the model's total.
 * Over-smoothing (docs/theory.md, Fig. 5) predicts that adding layers buys less than adding width, and less
 * at the longer context.
 */
@Command(name = "depth", mixinStandardHelpOptions = true,
        description = "Validation loss against parameter count for several depths at two context lengths (Fig. 4).")
public final class DepthCommand extends ExperimentCommand {

    @Option(names = "--model", defaultValue = "mamba", description = "Family[:polarization] (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--corpus", defaultValue = "markov",
            description = "markov (an order-2 Markov chain made in code), mqar, or brown (English text, ./ssmlab fetch brown)"
                    + " (default: ${DEFAULT-VALUE}).")
    String corpus;

    @Option(names = "--brown-dir", description = "Directory of the Brown corpus for --corpus brown (default: the cache).")
    java.nio.file.Path brownDir;

    @Option(names = "--lengths", description = "Two or more context lengths (default: 128,256; quick: 32,64).")
    String lengths;

    @Option(names = "--depths", description = "Numbers of layers (default: 1,2,4; quick: 1,2).")
    String depths;

    @Option(names = "--widths", description = "d_model values (default: 32,64; quick: 16,32).")
    String widths;

    @Option(names = "--vocab", description = "Vocabulary (default: 64, quick: 32).")
    Integer vocab;

    @Option(names = "--steps", description = "Training steps per model (default: 1000, quick: 300).")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 32, quick: 16).")
    Integer batch;

    @Option(names = "--d-state", description = "State size (default: 16, quick: 8).")
    Integer dState;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--val", description = "Validation sequences (default: 256, quick: 64).")
    Integer valCount;

    @Override
    public String name() {
        return "depth";
    }

    @Override
    public String title() {
        return "Depth scaling: validation loss against parameters (Fig. 4)";
    }

    /** Next-token contexts per Markov state. */
    static final int BRANCHING = 3;

    /** A batch maker of either corpus. */
    interface Source {
        Batch batch(int size, java.util.SplittableRandom rng);
    }

    /** One trained configuration. */
    record Point(int length, int layers, int width, long parameters, double loss, double accuracy) {
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        boolean q = ctx.quick();
        ModelVariant variant = ModelVariant.parse(model);
        int[] ls = ints("--lengths", lengths != null ? lengths : q ? "32,64" : "128,256", 8);
        int[] ns = ints("--depths", depths != null ? depths : q ? "1,2" : "1,2,4", 1);
        int[] ws = ints("--widths", widths != null ? widths : q ? "16,32" : "32,64", 2);
        int v = vocab != null ? vocab : q ? 32 : 64;
        int nSteps = steps != null ? steps : q ? 300 : 1000;
        int b = batch != null ? batch : q ? 16 : 32;
        int ds = dState != null ? dState : q ? 8 : 16;
        int nv = valCount != null ? valCount : q ? 64 : 256;
        if (ls.length < 2) {
            throw new IllegalArgumentException("--lengths needs at least two context lengths");
        }
        if (nSteps < 1 || b < 1 || ds < 1 || !(lr > 0) || nv < 1) {
            throw new IllegalArgumentException("need --steps >= 1, --batch >= 1, --d-state >= 1, --lr > 0 and --val >= 1");
        }
        String kind = corpus.toLowerCase(Locale.ROOT);
        if (!kind.equals("markov") && !kind.equals("mqar") && !kind.equals("brown")) {
            throw new IllegalArgumentException("--corpus must be markov, mqar or brown, not '" + corpus + "'");
        }
        boolean markov = kind.equals("markov");
        boolean brown = kind.equals("brown");
        org.ssmlab.data.BrownCorpus text = null;
        if (brown) {
            text = org.ssmlab.data.BrownCorpus.load(brownDir != null ? brownDir : DataCache.brownDir());
            v = org.ssmlab.data.ByteTokenizer.VOCAB;
        }
        Source[] gens = new Source[ls.length];
        Batch[] vals = new Batch[ls.length];
        for (int i = 0; i < ls.length; i++) {
            if (brown) {
                org.ssmlab.data.TextWindows tw = new org.ssmlab.data.TextWindows(text.train(), ls[i]);
                gens[i] = tw::batch;
                vals[i] = new org.ssmlab.data.TextWindows(text.validation(), ls[i]).fixedWindows(nv);
            } else if (markov) {
                MarkovCorpus mc = new MarkovCorpus(v, ls[i], BRANCHING, Seeds.deriveSeed(ctx.seed(), 7));
                gens[i] = mc::batch;
            } else {
                MqarGenerator mq = new MqarGenerator(v, ls[i], kvPairs(ls[i])); // checks vocab >= 2K + 2, L >= 4K
                gens[i] = mq::batch;
            }
        }
        String corpusText = brown ? "the Brown corpus, bytes as tokens (random windows of the training files; validation on "
                + "fixed windows of the validation files; loss over every position, in nats per byte)"
                : markov ? "an order-2 Markov chain made in code (" + BRANCHING + " next tokens per context; "
                + "loss over every position)" : "MQAR (K = L/8 key-value pairs; loss at the query positions)";

        // Every (length, depth, width) is an independent run; RunConcurrency runs them one at a time with
        // all threads, or side by side on one thread each with -Dssmlab.runs.parallel=N.
        List<Callable<Point>> runs = new ArrayList<>();
        int vocabSize = v;
        int width = RunConcurrency.sideBySide(ls.length * ns.length * ws.length);
        for (int li = 0; li < ls.length; li++) {
            Source gen = gens[li];
            int len = ls[li];
            Batch val = vals[li] != null ? vals[li] : gen.batch(nv, Seeds.derive(ctx.seed(), 1_000_000L + len));
            for (int n : ns) {
                for (int w : ws) {
                    runs.add(() -> {
                        LanguageModel lm = variant.languageModel(vocabSize, n, w, ds, 2, Seeds.deriveSeed(ctx.seed(), 1));
                        String key = String.format(Locale.ROOT, "%s-%s-v%d-L%d-l%d-d%d-ds%d-b%d-st%d-lr%s", variant.label(),
                                corpus.toLowerCase(Locale.ROOT), vocabSize, len, n, w, ds, b, nSteps, lr);
                        Path runDir = ctx.dir().resolve(name() + "-train").resolve(key);
                        TrainOptions opts = new TrainOptions().steps(nSteps).peakLr(lr).weightDecay(0.01)
                                .seed(ctx.seed()).checkpointEvery(Math.max(1, nSteps / 4))
                                .progress(ctx.progress() && width == 1)
                                .name(String.format(Locale.ROOT, "%s L=%d %dx%d", name(), len, n, w));
                        Trainer.Result r = new Trainer(lm, Trainer.languageModel(lm), rng -> gen.batch(b, rng), opts, runDir).run();
                        if (r.resumedFrom() > 0) {
                            ctx.say(key + ": resumed from the checkpoint at step " + r.resumedFrom());
                        }
                        Evaluator.Result e = BrownLm.evaluate(lm, val);
                        return new Point(len, n, w, lm.parameterCount(), e.loss(), e.accuracy());
                    });
                }
            }
        }
        if (width > 1) {
            ctx.say(runs.size() + " runs, " + width + " side by side on one thread each");
        }
        List<Point> points = RunConcurrency.runAll(runs, width);

        List<List<?>> rows = new ArrayList<>();
        for (Point p : points) {
            rows.add(List.of(p.length(), p.layers(), p.width(), p.parameters(), p.loss(), p.accuracy()));
        }
        CsvWriter.write(ctx.file(name(), "loss.csv"),
                List.of("context_length", "layers", "d_model", "parameters", "val_loss", "val_accuracy"), rows);

        Report report = new Report();
        for (int len : ls) {
            List<Plots.Series> series = new ArrayList<>();
            for (int n : ns) {
                List<Point> curve = points.stream().filter(p -> p.length() == len && p.layers() == n)
                        .sorted(java.util.Comparator.comparingLong(Point::parameters)).toList();
                series.add(new Plots.Series(n + (n == 1 ? " layer" : " layers"),
                        curve.stream().mapToDouble(Point::parameters).toArray(),
                        curve.stream().mapToDouble(Point::loss).toArray()));
            }
            String png = name() + "-L" + len + ".png";
            Plots.line(ctx.dir().resolve(png), Plots.LineSpec.of(variant.label() + ", context length " + len + " (" + corpus.toLowerCase(Locale.ROOT) + ")", "parameters", "validation loss"), series);
            report.images.add(png);
            Point best = points.stream().filter(p -> p.length() == len)
                    .min(java.util.Comparator.comparingDouble(Point::loss)).orElseThrow();
            double shallow = bestLoss(points, len, ns[0]);
            double deep = bestLoss(points, len, ns[ns.length - 1]);
            ctx.figure(name() + "_best_loss_L" + len, fmt(best.loss()));
            ctx.figure(name() + "_deep_minus_shallow_L" + len, fmt(deep - shallow));
            report.verdict.add(String.format(Locale.ROOT, "L=%d: best %.3f (%d layers, d=%d); %d vs %d layers %+.3f",
                    len, best.loss(), best.layers(), best.width(), ns[ns.length - 1], ns[0], deep - shallow));
        }
        String verdict = "depth scaling (val loss, lower is better): " + String.join("; ", report.verdict);
        List<List<?>> table = new ArrayList<>();
        for (Point p : points) {
            table.add(List.of(p.length(), p.layers(), p.width(), p.parameters(), fmt(p.loss()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * p.accuracy())));
        }
        var section = ctx.section().verdict(verdict)
                .paragraph(String.format(Locale.ROOT, "Model %s trained on %s, vocabulary %d, "
                                + "at context lengths %s, depths %s, widths %s: %d steps of batch %d, d_state %d, peak lr %s; "
                                + "validation on %d held-out sequences. The paper trains "
                                + "language models of up to hundreds of millions of parameters on text; this is a CPU-scale "
                                + "grid on a %s corpus%s.", variant.label(), corpusText, v, join(ls), join(ns), join(ws), nSteps, b,
                        ds, lr, nv, brown ? "real English" : "synthetic", q ? " (quick preset: short contexts, tiny widths, short training)" : ""))
                .table("validation loss per configuration", List.of("context length", "layers", "d_model", "parameters",
                        "val loss", "val accuracy"), table);
        for (String png : report.images) {
            section.image(png, "validation loss against parameters, one line per depth");
        }
        ctx.say(verdict);
    }

    /** Accumulates the per-length verdicts and figures. */
    private static final class Report {
        final List<String> verdict = new ArrayList<>();
        final List<String> images = new ArrayList<>();
    }

    /** K = max(1, L / 8) key-value pairs for context length L. */
    static int kvPairs(int len) {
        return Math.max(1, len / 8);
    }

    private static double bestLoss(List<Point> points, int len, int layers) {
        return points.stream().filter(p -> p.length() == len && p.layers() == layers).mapToDouble(Point::loss).min()
                .orElse(Double.NaN);
    }

    /** A comma-separated list of distinct whole numbers, each at least {@code min}, sorted. */
    static int[] ints(String option, String text, int min) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int x;
            try {
                x = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + part.trim() + "' is not a whole number");
            }
            if (x < min) {
                throw new IllegalArgumentException(option + ": " + x + " must be at least " + min);
            }
            if (!out.contains(x)) {
                out.add(x);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(option + " is empty");
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static String join(int[] xs) {
        StringBuilder sb = new StringBuilder();
        for (int x : xs) {
            sb.append(sb.isEmpty() ? "" : ", ").append(x);
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
