package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ssmlab.data.Batch;
import org.ssmlab.data.NeedleGenerator;
import org.ssmlab.data.Seeds;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.report.Report;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.stats.SeedStats;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Needle in a haystack (Fig. 2): language models are trained on {@link NeedleGenerator} sequences with
 * the needle (marker, key, value) at a uniformly random position, then evaluated with the needle at
 * fixed depths. Accuracy is the share of sequences whose last-position prediction is the needle's value.
 * Depth 0 puts the needle at the start, L - 5 tokens before the query; depth 1 right before it. Recency
 * (docs/theory.md §3) predicts that a Mamba model fails first at small depths (far needles) once the
 * haystack is long enough, while attention, which reads every position directly, does not depend on
 * the distance.
 *
 * <p>Protocol: for every haystack length L of {@code --lengths} and every seed, each model is trained on
 * a mix of lengths up to L and evaluated at L; accuracies are reported per depth as the mean with its
 * 95 % CI over seeds ({@link SeedStats}). Each model has its own peak learning rate and warmup
 * ({@code --lr}, {@code --warmup}); {@code --sweep-lr} chooses the learning rate per model by a small
 * sweep at the shortest haystack (one seed, best worst-depth accuracy), as Zoology tunes each model.
 * A model's depth curve means something only once it has learned the task: the report states each
 * model's worst-depth accuracy at the shortest haystack against {@link #LEARNED}.
 */
@Command(name = "needle", mixinStandardHelpOptions = true,
        description = "Needle-in-a-haystack accuracy against needle depth at several haystack lengths: Mamba, polarized Mamba, "
                + "transformer (Fig. 2).")
public final class NeedleCommand extends ExperimentCommand {

    @Option(names = "--models", defaultValue = "mamba,mamba:both,transformer",
            description = "Models, family[:polarization] comma-separated (default: ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--vocab", description = "Vocabulary (default: 16).")
    Integer vocab;

    @Option(names = "--lengths", description = "Haystack lengths, comma-separated; the first is the shortest "
            + "(default: 48,96,192,384,768; quick: 48,192).")
    String lengths;

    @Option(names = "--min-length", description = "Shortest training length of the length mix (default: min(24, L)).")
    Integer minLength;

    @Option(names = "--steps", description = "Training steps per model and seed, one value or per model, e.g. "
            + "1000,transformer=5000 (default: " + DEFAULT_STEPS + ", quick: 600).")
    String steps;

    @Option(names = "--batch", description = "Batch size (default: 32).")
    Integer batch;

    @Option(names = "--d-model", description = "Model width (default: 32).")
    Integer dModel;

    @Option(names = "--layers", description = "Blocks per model (default: 2).")
    Integer layers;

    @Option(names = "--d-state", description = "State size of the SSM (default: 8).")
    Integer dState;

    @Option(names = "--lr", description = "Peak learning rate, one value or per model, e.g. 3e-3,transformer=1e-3 "
            + "(default: " + DEFAULT_LR + ").")
    String lr;

    @Option(names = "--warmup", description = "Warmup as a fraction of the steps, one value or per model "
            + "(default: " + DEFAULT_WARMUP + ").")
    String warmup;

    @Option(names = "--sweep-lr", description = "Learning rates to sweep per model at the shortest haystack (one seed); the "
            + "best worst-depth accuracy is used for the runs and overrides --lr (default: none).")
    String sweepLr;

    @Option(names = "--train-at", defaultValue = "shortest",
            description = "shortest: train each model once per seed on the length mix up to the shortest haystack (where it "
                    + "must have learned the task) and evaluate it at every length; each: train on the mix up to each "
                    + "length and evaluate there (default: ${DEFAULT-VALUE}).")
    String trainAt;

    @Option(names = "--seeds", description = "Seeds per model (default: 3).")
    Integer seeds;

    @Option(names = "--depths", description = "Number of evaluated depths, evenly spaced in [0, 1] (default: 6).")
    Integer depths;

    @Option(names = "--eval", description = "Evaluation sequences per depth (default: 128).")
    Integer evalCount;

    @picocli.CommandLine.Mixin
    ClusterOptions where = new ClusterOptions();

    /** Sequences per forward pass in evaluation (attention at long L holds batch · heads · L² scores). */
    static final int EVAL_CHUNK = 16;
    /** How many training lengths the mix has. */
    static final int MIX_LENGTHS = 4;
    /** The worst-depth accuracy at the shortest haystack from which a model counts as having learned the task. */
    static final double LEARNED = 0.9;
    /** The learning rate of every model unless --lr or --sweep-lr say otherwise (the sweep behind it: see the README). */
    static final String DEFAULT_LR = "3e-3,transformer=1e-3";
    /** The warmup fraction of every model unless --warmup says otherwise. */
    static final String DEFAULT_WARMUP = "0.1";
    /**
     * The training steps unless --steps says otherwise: the transformer needs about five times Mamba's
     * budget to learn the retrieval at the shortest haystack (see the README's sweep).
     */
    static final String DEFAULT_STEPS = "1000,transformer=5000";

    @Override
    public String name() {
        return "needle";
    }

    @Override
    public String title() {
        return "Needle in a haystack: accuracy against needle depth (Fig. 2)";
    }

    /** The run's sizes, fixed once the preset and the flags are resolved. */
    record Setup(int vocab, PerModel steps, int batch, int dModel, int layers, int dState, int seeds, int evalCount,
                 double[] depthGrid) {
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        boolean q = ctx.quick();
        List<ModelVariant> variants = ModelVariant.parseList(models);
        int[] lens = parseLengths(lengths != null ? lengths : q ? "48,192" : "48,96,192,384,768");
        int nd = depths != null ? depths : 6;
        PerModel stepsPer = PerModel.parse("--steps", steps != null ? steps : q ? "600" : DEFAULT_STEPS, null);
        if (steps != null) {
            stepsPer.checkNames(variants);
        }
        Setup su = new Setup(vocab != null ? vocab : 16, stepsPer,
                batch != null ? batch : 32, dModel != null ? dModel : 32, layers != null ? layers : 2,
                dState != null ? dState : 8, seeds != null ? seeds : 3, evalCount != null ? evalCount : 128,
                grid(Math.max(nd, 2)));
        if (variants.stream().anyMatch(v -> stepsPer.of(v) < 1 || stepsPer.of(v) != Math.rint(stepsPer.of(v)))
                || su.batch() < 1 || su.dModel() < 2 || su.layers() < 1 || su.dState() < 1 || nd < 2
                || su.evalCount() < 1 || su.seeds() < 1) {
            throw new IllegalArgumentException("need --steps >= 1, --batch >= 1, --d-model >= 2, --layers >= 1, --d-state >= 1,"
                    + " --depths >= 2, --eval >= 1 and --seeds >= 1");
        }
        for (int len : lens) {
            new NeedleGenerator(su.vocab(), len);                       // checks vocab >= 4 and length >= 5
            int shortest = minLength != null ? minLength : Math.min(len, 24);
            if (shortest < 5 || shortest > len) {
                throw new IllegalArgumentException("--min-length = " + shortest + " must be in 5.." + len + " (each length)");
            }
        }
        PerModel lrs = PerModel.parse("--lr", lr != null ? lr : DEFAULT_LR, null);
        PerModel warm = PerModel.parse("--warmup", warmup != null ? warmup : DEFAULT_WARMUP, null);
        if (lr != null) {
            lrs.checkNames(variants);                                   // a typo in the user's own list is an error
        }
        if (warmup != null) {
            warm.checkNames(variants);
        }
        for (ModelVariant v : variants) {
            if (!(lrs.of(v) > 0) || warm.of(v) >= 1) {
                throw new IllegalArgumentException("--lr must be > 0 and --warmup a fraction in [0, 1) for " + v.label());
            }
        }

        // ------------------------------------------------------------------ the learning-rate sweep (optional)
        Map<ModelVariant, Double> chosen = new LinkedHashMap<>();
        List<List<?>> sweepRows = new ArrayList<>();
        if (sweepLr != null) {
            double[] grid = Arrays.stream(sweepLr.split(",")).filter(t -> !t.isBlank()).mapToDouble(t -> {
                try {
                    return Double.parseDouble(t.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--sweep-lr: '" + t.trim() + "' is not a number");
                }
            }).toArray();
            if (grid.length == 0 || Arrays.stream(grid).anyMatch(x -> !(x > 0))) {
                throw new IllegalArgumentException("--sweep-lr needs positive learning rates, e.g. 1e-3,3e-3,1e-2");
            }
            // The sweep's runs are needle specs too (trained at the shortest haystack, seed 1, evaluated there),
            // keyed by their settings like the grid's, so a stopped sweep resumes and goes side by side or to a cluster.
            List<RunSpec> sweepSpecs = new ArrayList<>();
            for (ModelVariant v : variants) {
                for (double rate : grid) {
                    sweepSpecs.add(NeedleRuns.spec(v, lens[0], new int[] {lens[0]}, minLength(lens[0]), 0, rate, warm.of(v), su,
                            ctx.seed()));
                }
            }
            List<RunResult> swept = where.executor(new RunStore(ctx.dir().resolve(name() + "-sweep")), ctx.progress(), ctx::say)
                    .runAll(sweepSpecs);
            int next = 0;
            for (ModelVariant v : variants) {
                double best = Double.NaN;
                double bestScore = -1;
                for (double rate : grid) {
                    double[] acc = NeedleRuns.accuracies(swept.get(next++), lens[0], su.depthGrid().length);
                    double worst = Arrays.stream(acc).min().orElse(0);
                    double mean = Arrays.stream(acc).average().orElse(0);
                    sweepRows.add(List.of(v.label(), lens[0], rate, worst, mean));
                    ctx.say(String.format(Locale.ROOT, "sweep %s lr %s: worst depth %.1f%%, mean %.1f%%", v.label(), rate,
                            100 * worst, 100 * mean));
                    double score = worst + 1e-3 * mean;
                    if (score > bestScore) {
                        bestScore = score;
                        best = rate;
                    }
                }
                chosen.put(v, best);
                ctx.figure(name() + "_sweep_lr_" + v.label(), best);
            }
            CsvWriter.write(ctx.file(name(), "sweep.csv"), List.of("model", "length", "lr", "worst_depth_accuracy",
                    "mean_accuracy"), sweepRows);
        } else {
            for (ModelVariant v : variants) {
                chosen.put(v, lrs.of(v));
            }
        }

        // ------------------------------------------------------------------ train and evaluate per length and seed
        boolean each = switch (trainAt.toLowerCase(Locale.ROOT)) {
            case "each" -> true;
            case "shortest" -> false;
            default -> throw new IllegalArgumentException("--train-at must be shortest or each, not '" + trainAt + "'");
        };
        double[] depthGrid = su.depthGrid();
        List<List<?>> rows = new ArrayList<>();
        List<List<?>> summary = new ArrayList<>();
        // The runs as data (NeedleRuns): one per model and seed, or per model, seed and length with --train-at
        // each; each trains and evaluates at its lengths, here or with --cluster on a cluster's workers.
        List<RunSpec> specs = new ArrayList<>();
        for (ModelVariant v : variants) {
            for (int s = 0; s < su.seeds(); s++) {
                if (each) {
                    for (int len : lens) {
                        specs.add(NeedleRuns.spec(v, len, new int[] {len}, minLength(len), s, chosen.get(v), warm.of(v), su,
                                ctx.seed()));
                    }
                } else {
                    specs.add(NeedleRuns.spec(v, lens[0], lens, minLength(lens[0]), s, chosen.get(v), warm.of(v), su,
                            ctx.seed()));
                }
            }
        }
        List<RunResult> results = where.executor(new RunStore(ctx.dir().resolve(name() + "-runs")), ctx.progress(), ctx::say)
                .runAll(specs);
        // acc[model][length][seed][depth]
        double[][][][] acc = new double[variants.size()][lens.length][su.seeds()][];
        int next = 0;
        for (int m = 0; m < variants.size(); m++) {
            for (int s = 0; s < su.seeds(); s++) {
                for (int li = 0; li < lens.length; li++) {
                    acc[m][li][s] = NeedleRuns.accuracies(results.get(each ? next++ : next), lens[li], depthGrid.length);
                }
                if (!each) {
                    next++;
                }
            }
        }
        for (int li = 0; li < lens.length; li++) {
            NeedleGenerator gen = new NeedleGenerator(su.vocab(), lens[li]);
            for (int m = 0; m < variants.size(); m++) {
                for (int s = 0; s < su.seeds(); s++) {
                    for (int i = 0; i < depthGrid.length; i++) {
                        int pos = gen.needleStart(depthGrid[i]);
                        rows.add(List.of(variants.get(m).label(), lens[li], s + 1, depthGrid[i], pos, lens[li] - 2 - pos,
                                acc[m][li][s][i]));
                    }
                }
            }
        }
        CsvWriter.write(ctx.file(name(), "accuracy.csv"),
                List.of("model", "length", "seed", "depth", "needle_position", "distance_to_query", "accuracy"), rows);

        // ------------------------------------------------------------------ means, intervals, figures
        double chance = 1.0 / (su.vocab() - NeedleGenerator.FIRST_TOKEN);
        List<Plots.Series> series = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("model", "L"));
        for (double dg : depthGrid) {
            header.add(String.format(Locale.ROOT, "depth %.2f", dg));
        }
        header.add("near - far (paired)");
        List<List<?>> table = new ArrayList<>();
        StringBuilder verdict = new StringBuilder("needle (" + su.seeds() + " seeds; near minus far needle, per length): ");
        List<String> learned = new ArrayList<>();
        for (int m = 0; m < variants.size(); m++) {
            String label = variants.get(m).label();
            verdict.append(m == 0 ? "" : "; ").append(label);
            for (int li = 0; li < lens.length; li++) {
                double[] mean = new double[depthGrid.length];
                List<Object> row = new ArrayList<>(List.of(label, lens[li]));
                for (int i = 0; i < depthGrid.length; i++) {
                    int ii = i;
                    int lli = li;
                    int mm = m;
                    double[] perSeed = Arrays.stream(acc[mm][lli]).mapToDouble(a -> a[ii]).toArray();
                    SeedStats.Interval ci = SeedStats.meanCi95(perSeed);
                    mean[i] = ci.mean();
                    row.add(pctCi(ci));
                    summary.add(List.of(label, lens[li], depthGrid[i], ci.mean(), Double.isNaN(ci.halfWidth()) ? Double.NaN
                            : ci.halfWidth(), ci.n()));
                    ctx.figure(name() + "_accuracy_L" + lens[li] + "_depth" + i + "_" + label, fmt(ci.mean()));
                    if (li == 0) {
                        ctx.figure(name() + "_accuracy_depth" + i + "_" + label, fmt(ci.mean()));
                    }
                }
                int last = depthGrid.length - 1;
                int lli = li;
                int mm = m;
                double[] near = Arrays.stream(acc[mm][lli]).mapToDouble(a -> a[last]).toArray();
                double[] far = Arrays.stream(acc[mm][lli]).mapToDouble(a -> a[0]).toArray();
                SeedStats.Interval diff = SeedStats.pairedDifference(near, far);
                row.add(pctCi(diff));
                table.add(row);
                series.add(new Plots.Series(label + " L=" + lens[li], depthGrid, mean));
                verdict.append(li == 0 ? " " : ", ").append("L").append(lens[li]).append(" ").append(shortDiff(diff));
                // Learned first: at the shortest haystack, where every model was trained, and with --train-at
                // each at every length, since each length is then a model of its own.
                if (li == 0 || each) {
                    double worst = Arrays.stream(mean).min().orElse(0);
                    double[] perSeedWorst = Arrays.stream(acc[mm][lli]).mapToDouble(a -> Arrays.stream(a).min().orElse(0)).toArray();
                    long seedsLearned = Arrays.stream(perSeedWorst).filter(w -> w >= LEARNED).count();
                    if (li == 0) {
                        ctx.figure(name() + "_worst_depth_accuracy_" + label, fmt(worst));
                        ctx.figure(name() + "_seeds_learned_" + label, seedsLearned + "/" + su.seeds());
                    }
                    if (each) {
                        ctx.figure(name() + "_worst_depth_accuracy_L" + lens[li] + "_" + label, fmt(worst));
                        ctx.figure(name() + "_seeds_learned_L" + lens[li] + "_" + label, seedsLearned + "/" + su.seeds());
                    }
                    StringBuilder seedText = new StringBuilder();
                    for (double w : perSeedWorst) {
                        seedText.append(seedText.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.0f%%", 100 * w));
                    }
                    learned.add(String.format(Locale.ROOT, "%s%s %.1f%% (%s; per seed %s, %d of %d seeds learned)", label,
                            each ? " at L = " + lens[li] : "", 100 * worst,
                            worst >= LEARNED ? "learned" : "NOT learned: its mean depth curve is not evidence",
                            seedText, seedsLearned, su.seeds()));
                    if (worst < LEARNED) {
                        verdict.append(" [not learned at L").append(lens[li]).append(String.format(Locale.ROOT,
                                ": worst depth %.0f%%]", 100 * worst));
                    }
                }
            }
        }
        CsvWriter.write(ctx.file(name(), "summary.csv"), List.of("model", "length", "depth", "mean", "ci95", "seeds"), summary);
        String png = name() + "-accuracy.png";
        Plots.line(ctx.dir().resolve(png), Plots.LineSpec.of("Needle retrieval, mean over " + su.seeds() + " seeds (chance "
                + fmt(chance) + ")", "needle depth (0 = start, 1 = next to the query)", "accuracy"), series);

        StringBuilder lrText = new StringBuilder();
        for (ModelVariant v : variants) {
            lrText.append(lrText.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s lr %s warmup %.0f%% %d steps",
                    v.label(), chosen.get(v), 100 * warm.of(v), (int) su.steps().of(v)));
        }
        Report.Section sec = ctx.section().verdict(verdict.toString())
                .paragraph(String.format(Locale.ROOT, "Sequences of L tokens over a vocabulary of %d: distractors, one needle "
                                + "(marker, key, value) at a random position during training, and the query (marker, key) at "
                                + "the end; the value is predicted at the last position. Haystack lengths %s, %d seeds; %s, with "
                                + "%d sequences per depth (the same sequences for every model; chance %.1f%%). Models: %d layers, d_model %d, d_state %d, batch %d; %s%s. Accuracies are "
                                + "mean ± 95 %% CI over seeds; 'near - far' is the paired difference between depth 1 and depth 0. "
                                + "The paper evaluates 7B pretrained models (Mamba-Codestral, Mistral) on haystacks of thousands "
                                + "of tokens; this is a CPU-scale synthetic version%s.", su.vocab(), Arrays.toString(lens),
                        su.seeds(), each ? "every model is trained from scratch for each L on a mix of " + MIX_LENGTHS
                                + " lengths evenly spaced in [min(24, L), L] and evaluated at L"
                                : "every model is trained once per seed on a mix of " + MIX_LENGTHS + " lengths evenly spaced "
                                + "in [min(24, L0), L0] for the shortest haystack L0 = " + lens[0] + " and evaluated at every L "
                                + "(longer haystacks test whether the retrieval it learned holds at distances it was not "
                                + "trained on: a recurrent model's state must carry the needle, attention must attend at new "
                                + "relative positions)", su.evalCount(), 100 * chance, su.layers(), su.dModel(), su.dState(),
                        su.batch(), lrText, sweepLr != null ? " (learning rates chosen by the sweep)" : "",
                        q ? " (quick preset: 600 steps, too few for the transformer to learn the task)" : ""))
                .paragraph("Learned before depth is read (worst-depth accuracy of the mean curve "
                        + (each ? "at every L, where each model was trained" : "at L = " + lens[0]) + ", threshold "
                        + Math.round(100 * LEARNED) + " %): " + String.join("; ", learned) + ".")
                .table("accuracy by needle depth, mean ± 95 % CI over seeds", header, table)
                .image(png, "accuracy against needle depth, every model and length");
        if (!sweepRows.isEmpty()) {
            sec.table("learning-rate sweep at L = " + lens[0] + " (one seed)", List.of("model", "L", "lr",
                    "worst-depth accuracy", "mean accuracy"), sweepRows);
        }
        ctx.say(verdict.toString());
    }

    /** Trains one model on the length mix up to {@code len} (or resumes it from its checkpoint). */
    /** The shortest training length of the mix for haystack length {@code len}. */
    int minLength(int len) {
        return minLength != null ? minLength : Math.min(len, 24);
    }

    /**
     * Trains {@code v} on a mix of {@link #MIX_LENGTHS} lengths evenly spaced in [shortest, len], with the
     * needle at a random depth, resuming from {@code runDir}'s checkpoints.
     */
    static LanguageModel train(ModelVariant v, int len, int shortest, long baseSeed, int seedIndex, double rate,
                               double warmFrac, Setup su, Path runDir, boolean progress) throws IOException {
        long seed = Seeds.deriveSeed(baseSeed, 100 + seedIndex);
        int nSteps = (int) su.steps().of(v);
        NeedleGenerator[] mix = new NeedleGenerator[MIX_LENGTHS];
        for (int i = 0; i < MIX_LENGTHS; i++) {
            mix[i] = new NeedleGenerator(su.vocab(), shortest + (int) Math.round((double) (len - shortest) * i / (MIX_LENGTHS - 1)));
        }
        LanguageModel lm = v.languageModel(su.vocab(), su.layers(), su.dModel(), su.dState(), 2, Seeds.deriveSeed(seed, 1));
        TrainOptions opts = new TrainOptions().steps(nSteps).peakLr(rate)
                .warmupSteps(Math.round(warmFrac * nSteps)).weightDecay(0.01).seed(seed)
                .checkpointEvery(Math.max(1, nSteps / 4)).progress(progress)
                .name("needle run " + v.label() + " L=" + len + " seed " + (seedIndex + 1));
        int b = su.batch();
        new Trainer(lm, Trainer.languageModel(lm), rng -> mix[rng.nextInt(mix.length)].batchRandomDepth(b, rng), opts,
                runDir).run();
        return lm;
    }

    /**
     * The accuracy of {@code lm} at each depth of the grid at length {@code len}, in chunks of
     * {@link #EVAL_CHUNK}; the same sequences for every model and seed (their stream depends on the base
     * seed, L and the depth).
     */
    static double[] evaluate(LanguageModel lm, int len, Setup su, long baseSeed) {
        NeedleGenerator gen = new NeedleGenerator(su.vocab(), len);
        double[] grid = su.depthGrid();
        double[] out = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            Batch eval = gen.batch(su.evalCount(), grid[i], Seeds.derive(Seeds.deriveSeed(baseSeed, len), 1_000_000L + i));
            long correct = 0;
            long total = 0;
            for (int from = 0; from < eval.batch(); from += EVAL_CHUNK) {
                int n = Math.min(EVAL_CHUNK, eval.batch() - from);
                Batch part = new Batch(Arrays.copyOfRange(eval.tokens(), from * len, (from + n) * len),
                        Arrays.copyOfRange(eval.targets(), from * len, (from + n) * len), n, len);
                Evaluator.Result r = Evaluator.evaluate(lm, part);
                correct += Math.round(r.accuracy() * r.supervised());
                total += r.supervised();
            }
            out[i] = (double) correct / total;
        }
        return out;
    }

    /** Distinct lengths >= 5 in the order given; the first is the shortest. */
    static int[] parseLengths(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int len;
            try {
                len = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--lengths: '" + part.trim() + "' is not a whole number");
            }
            if (len < 5) {
                throw new IllegalArgumentException("--lengths: length = " + len + " must be >= 5 (3 needle tokens and 2 query tokens)");
            }
            if (out.contains(len)) {
                throw new IllegalArgumentException("--lengths lists " + len + " twice");
            }
            if (!out.isEmpty() && len < out.get(0)) {
                throw new IllegalArgumentException("--lengths: the first length is the shortest haystack; " + len + " < " + out.get(0));
            }
            out.add(len);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--lengths is empty");
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static double[] grid(int nd) {
        double[] g = new double[nd];
        for (int i = 0; i < nd; i++) {
            g[i] = (double) i / (nd - 1);
        }
        return g;
    }

    private static String shortDiff(SeedStats.Interval diff) {
        String numbers = String.format(Locale.ROOT, "%+.0f", 100 * diff.mean())
                + (Double.isNaN(diff.halfWidth()) ? "" : String.format(Locale.ROOT, " ± %.0f", 100 * diff.halfWidth()));
        return numbers + (diff.excludesZero() ? (diff.mean() > 0 ? " pts (near better)" : " pts (far better)") : " pts (n.s.)");
    }

    private static String pctCi(SeedStats.Interval i) {
        return Double.isNaN(i.halfWidth()) ? String.format(Locale.ROOT, "%.1f%%", 100 * i.mean())
                : String.format(Locale.ROOT, "%.1f ± %.1f%%", 100 * i.mean(), 100 * i.halfWidth());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
