package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.stats.SeedStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Depth scaling (Fig. 4): validation loss against parameter count for several depths at two context
 * lengths. The corpus is an order-2 Markov chain made in code ({@link MarkovCorpus}; loss over every
 * * position), multi-query associative recall (MQAR, K = L / 8
 * key-value pairs, loss at the query positions) or the Brown corpus; the loss is the mean cross-entropy on a
 * fixed held-out batch. For each context length, depth (number of blocks) and width
 * (d_model) one model per seed is trained with the same budget ({@link DepthRuns}: each run a {@link RunSpec}, kept
 * under {@code depth-runs/<key>/}, so a stopped grid continues; with {@code --cluster} on a cluster's workers); the parameter count is the model's total.
 * Reported per configuration: mean and 95 % CI over seeds; the gain of depth (deepest minus shallowest at
 * the widest width) and its change between the shortest and the longest context, paired over seeds.
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

    @Option(names = "--seeds", description = "Seeds per configuration, from --seed on (default: 3).")
    Integer seeds;

    @picocli.CommandLine.Mixin
    ClusterOptions where = new ClusterOptions();

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
        int nSeeds = seeds != null ? seeds : 3;
        if (ls.length < 2) {
            throw new IllegalArgumentException("--lengths needs at least two context lengths");
        }
        if (nSteps < 1 || b < 1 || ds < 1 || !(lr > 0) || nv < 1 || nSeeds < 1) {
            throw new IllegalArgumentException("need --steps >= 1, --batch >= 1, --d-state >= 1, --lr > 0, --val >= 1 and --seeds >= 1");
        }
        String kind = corpus.toLowerCase(Locale.ROOT);
        if (!kind.equals("markov") && !kind.equals("mqar") && !kind.equals("brown")) {
            throw new IllegalArgumentException("--corpus must be markov, mqar or brown, not '" + corpus + "'");
        }
        boolean brown = kind.equals("brown");
        Path brownPath = brownDir != null ? brownDir : DataCache.brownDir();
        if (brown) {
            org.ssmlab.data.BrownCorpus.load(brownPath);     // fails here, before any run, when it is missing
            v = org.ssmlab.data.ByteTokenizer.VOCAB;
        }
        if (kind.equals("mqar")) {
            for (int len : ls) {
                new org.ssmlab.data.MqarGenerator(v, len, DepthRuns.kvPairs(len)); // impossible sizes fail here, before any run
            }
        }
        String corpusText = brown ? "the Brown corpus, bytes as tokens (random windows of the training files; validation on "
                + "fixed windows of the validation files; loss over every position, in nats per byte)"
                : kind.equals("markov") ? "an order-2 Markov chain made in code (" + DepthRuns.BRANCHING + " next tokens per "
                + "context, a new chain per seed; loss over every position)" : "MQAR (K = L/8 key-value pairs; loss at the query positions)";

        // The grid as data: every (seed, length, depth, width) is one run, kept under depth-runs/<key>/.
        DepthRuns.Grid grid = new DepthRuns.Grid(variant.name(), kind, v, ds, b, nSteps, lr, nv);
        List<RunSpec> specs = new ArrayList<>();
        for (int s = 0; s < nSeeds; s++) {
            for (int len : ls) {
                for (int n : ns) {
                    for (int w : ws) {
                        specs.add(DepthRuns.spec(grid, len, n, w, ctx.seed() + s));
                    }
                }
            }
        }
        List<RunResult> results = where.executor(new RunStore(ctx.dir().resolve(name() + "-runs")),
                KnownRuns.tasks(ctx.progress(), brownPath, null), ctx::say).runAll(specs);
        DepthStats stats = new DepthStats(results);

        List<List<?>> rows = new ArrayList<>();
        for (RunResult r : results) {
            rows.add(List.of(r.spec().get("length"), r.spec().get("layers"), r.spec().get("d_model"), r.spec().seed(),
                    (long) r.figure(DepthRuns.PARAMETERS), r.figure(DepthRuns.LOSS), r.figure(DepthRuns.ACCURACY)));
        }
        CsvWriter.write(ctx.file(name(), "loss.csv"),
                List.of("context_length", "layers", "d_model", "seed", "parameters", "val_loss", "val_accuracy"), rows);

        List<String> verdicts = new ArrayList<>();
        List<String> images = new ArrayList<>();
        int shallowest = ns[0];
        int deepest = ns[ns.length - 1];
        int widest = ws[ws.length - 1];
        for (int len : ls) {
            List<Plots.Series> series = new ArrayList<>();
            for (int n : ns) {
                double[] params = new double[ws.length];
                double[] loss = new double[ws.length];
                for (int i = 0; i < ws.length; i++) {
                    params[i] = stats.parameters(len, n, ws[i]);
                    loss[i] = stats.loss(len, n, ws[i]).mean();
                }
                series.add(new Plots.Series(n + (n == 1 ? " layer" : " layers"), params, loss));
            }
            String png = name() + "-L" + len + ".png";
            Plots.line(ctx.dir().resolve(png), Plots.LineSpec.of(variant.label() + ", context length " + len + " ("
                    + kind + ", mean of " + nSeeds + " seeds)", "parameters", "validation loss"), series);
            images.add(png);
            ctx.figure(name() + "_best_loss_L" + len, fmt(stats.bestMeanLoss(len)));
            SeedStats.Interval gain = stats.depthGain(len, deepest, shallowest, widest);
            ctx.figure(name() + "_deep_minus_shallow_L" + len, fmt(gain.mean()));
            ctx.figure(name() + "_deep_minus_shallow_L" + len + "_ci95", fmt(gain.halfWidth()));
            verdicts.add(String.format(Locale.ROOT, "L=%d, width %d: ", len, widest) + SeedStats.verdict(deepest + " layers",
                    Integer.toString(shallowest), gain, 1, " nats", 3));
        }
        if (ns.length > 1) {
            SeedStats.Interval change = stats.contextChange(ls[ls.length - 1], ls[0], deepest, shallowest, widest);
            ctx.figure(name() + "_context_change", fmt(change.mean()));
            ctx.figure(name() + "_context_change_ci95", fmt(change.halfWidth()));
            verdicts.add(SeedStats.verdict("depth's gain at L=" + ls[ls.length - 1], "at L=" + ls[0], change, 1, " nats", 3)
                    + " (the paper: longer contexts gain more from depth, i.e. lower)");
        }
        String verdict = "depth scaling (val loss, lower is better): " + String.join("; ", verdicts);
        List<List<?>> table = new ArrayList<>();
        for (int len : ls) {
            for (int n : ns) {
                for (int w : ws) {
                    SeedStats.Interval loss = stats.loss(len, n, w);
                    table.add(List.of(len, n, w, (long) stats.parameters(len, n, w), loss.format("%.3f"),
                            String.format(Locale.ROOT, "%.1f%%", 100 * stats.accuracy(len, n, w))));
                }
            }
        }
        var section = ctx.section().verdict(verdict)
                .paragraph(String.format(Locale.ROOT, "Model %s trained on %s, vocabulary %d, "
                                + "at context lengths %s, depths %s, widths %s: %d steps of batch %d, d_state %d, peak lr %s; "
                                + "validation on %d held-out sequences; %d seeds per configuration (mean ± 95 %% CI, Student t; "
                                + "the differences are paired over seeds). The paper trains "
                                + "language models of up to hundreds of millions of parameters on text; this is a CPU-scale "
                                + "grid on a %s corpus%s.", variant.label(), corpusText, v, join(ls), join(ns), join(ws), nSteps, b,
                        ds, lr, nv, nSeeds, brown ? "real English" : "synthetic",
                        q ? " (quick preset: short contexts, tiny widths, short training)" : ""))
                .table("validation loss per configuration", List.of("context length", "layers", "d_model", "parameters",
                        "val loss (mean ± 95 % CI)", "val accuracy (mean)"), table);
        for (String png : images) {
            section.image(png, "validation loss against parameters, one line per depth (mean over seeds)");
        }
        ctx.say(verdict);
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
