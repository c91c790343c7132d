package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ssmlab.data.ImageSet;
import org.ssmlab.data.MnistLoader;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.report.Report;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.stats.SeedStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Robustness to corruption (Table 1, Fig. 3), with the paper's protocol on sequential MNIST. Each model
 * reads an image pixel by pixel (a sequence of side² one-dimensional inputs, the class token appended
 * last) and is trained to classify it; nothing is corrupted during training. At test time:
 * <ul>
 *   <li>Table 1: the leading or the trailing k pixels are replaced by N(0, 1) noise, and the
 *       <em>relative</em> drop (clean − corrupted) / clean is reported, for the paper's region sizes 32
 *       and 96 of 1024 tokens scaled to the sequence length (25 and 74 of MNIST's 784 pixels);</li>
 *   <li>Fig. 3: a fixed target class is chosen; every test image of another class gets the leading or
 *       trailing k pixels of a randomly drawn test image of the target class, and the attack succeeds when
 *       the model predicts the target. The paper's ratios 256/1024 and 480/1024 (25 % and 47 %) are run
 *       for one fixed target (the paper's "horse", class 7 of CIFAR-10; here class 7 by default) and
 *       averaged over every class as target (the paper's appendix).</li>
 * </ul>
 * Every figure is a mean with its 95 % confidence interval over seeds ({@link SeedStats}); a trailing
 * versus leading difference is named only when the paired interval excludes 0. A model with recency
 * bias (docs/theory.md §3) should lose far more from its trailing pixels than from its leading ones.
 */
@Command(name = "corruption", mixinStandardHelpOptions = true,
        description = "Sequential MNIST under leading/trailing pixel noise (Table 1) and the target attack (Fig. 3).")
public final class CorruptionCommand extends ExperimentCommand {

    @Option(names = "--models", defaultValue = "mamba,mamba:both,transformer,rwkv4,h3",
            description = "Models, family[:polarization] comma-separated (default: ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--data", defaultValue = "auto",
            description = "auto (MNIST; only --quick falls back to synthetic images when it is missing), mnist or "
                    + "synthetic (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--mnist-dir", description = "Directory with MNIST (default: the cache, $SSMLAB_CACHE/mnist or ~/.cache/ssmlab/mnist).")
    Path mnistDir;

    @Option(names = "--side", description = "Image side after average pooling, a divisor of 28 (default: 28, quick: 7).")
    Integer side;

    @Option(names = "--train", description = "Training images (default: 4000, quick: 1000).")
    Integer trainCount;

    @Option(names = "--test", description = "Test images (default: 500, quick: 300).")
    Integer testCount;

    @Option(names = "--steps", description = "Training steps per model (default: 1500, quick: 400).")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 32, quick: 16).")
    Integer batch;

    @Option(names = "--d-model", description = "Model width (default: 32, quick: 16).")
    Integer dModel;

    @Option(names = "--layers", description = "Blocks per model (default: 2, quick: 1).")
    Integer layers;

    @Option(names = "--d-state", description = "State size of the SSMs (default: 8, quick: 4).")
    Integer dState;

    @Option(names = "--lr", description = "Peak learning rate, the same for every model as in the paper (default: 5e-3, quick: 1e-2).")
    Double lr;

    @Option(names = "--seeds", description = "Seeds per model (default: 3).")
    Integer seeds;

    @Option(names = "--noise-regions", defaultValue = "32/1024,96/1024",
            description = "Noised region sizes as fractions of the sequence (a/b or decimals; default: ${DEFAULT-VALUE},"
                    + " the paper's Table 1).")
    String noiseRegions;

    @Option(names = "--attack-regions", defaultValue = "256/1024,480/1024",
            description = "Target-attack region sizes as fractions of the sequence (default: ${DEFAULT-VALUE}, the paper's"
                    + " Fig. 3: 25 %% and 47 %%).")
    String attackRegions;

    @Option(names = "--target", defaultValue = "7",
            description = "The fixed target class of the attack (default: ${DEFAULT-VALUE}; the paper's 'horse' is class 7"
                    + " of CIFAR-10).")
    int target;

    /** The paper's Table 1 (CIFAR-10, 1024 tokens): clean accuracy, then relative drops at [992:1024], [0:32], [928:1024], [0:96]. */
    static final Map<String, double[]> PAPER_TABLE1 = paperTable1();

    private static Map<String, double[]> paperTable1() {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("h3", new double[] {0.654, 0.1304, 0.0003, 0.2707, 0.0072});
        m.put("transformer", new double[] {0.580, 0.0781, 0.2295, 0.2576, 0.3632});
        m.put("rwkv4", new double[] {0.474, 0.6835, 0.0158, 0.7088, 0.0291});
        m.put("mamba", new double[] {0.674, 0.8124, 0.0230, 0.8546, 0.0398});
        return java.util.Collections.unmodifiableMap(m);
    }

    @picocli.CommandLine.Mixin
    ClusterOptions where = new ClusterOptions();

    @Override
    public String name() {
        return "corruption";
    }

    @Override
    public String title() {
        return "Robustness to corrupted pixels and the target attack (Table 1, Fig. 3)";
    }

    /** The run's sizes: each option, or its preset's default. */
    private record Sizes(int side, int train, int test, int steps, int batch, int dModel, int layers, int dState,
                         double lr, int seeds, int[] noiseK, int[] attackK) {
    }

    /** The sizes of a quick or default run, checked (a bad one fails naming its option). */
    private Sizes sizes(boolean q) {
        int s = side != null ? side : q ? 7 : 28;
        int nTrain = trainCount != null ? trainCount : q ? 1000 : 4000;
        int nTest = testCount != null ? testCount : q ? 300 : 500;
        int nSteps = steps != null ? steps : q ? 400 : 1500;
        int b = batch != null ? batch : q ? 16 : 32;
        int d = dModel != null ? dModel : q ? 16 : 32;
        int nl = layers != null ? layers : q ? 1 : 2;
        int ds = dState != null ? dState : q ? 4 : 8;
        double rate = lr != null ? lr : q ? 1e-2 : 5e-3;
        int nSeeds = seeds != null ? seeds : 3;
        if (s < 2 || 28 % s != 0) {
            throw new IllegalArgumentException("--side = " + s + " must be a divisor of 28 of at least 2 (28, 14, 7, 4, 2)");
        }
        if (nTrain < 10 || nTest < 10 || nSteps < 1 || b < 1 || d < 2 || nl < 1 || ds < 1 || !(rate > 0) || nSeeds < 1) {
            throw new IllegalArgumentException("need --train >= 10, --test >= 10, --steps >= 1, --batch >= 1, --d-model >= 2,"
                    + " --layers >= 1, --d-state >= 1, --lr > 0 and --seeds >= 1");
        }
        int len = s * s;
        return new Sizes(s, nTrain, nTest, nSteps, b, d, nl, ds, rate, nSeeds,
                parseFractions(noiseRegions, len, "--noise-regions"), parseFractions(attackRegions, len, "--attack-regions"));
    }

    /** What the data check found before anything is written: the MNIST directory, or null for synthetic images. */
    private Path mnistFound;
    private boolean synthetic;

    @Override
    protected void checkBeforeWriting() {
        // The options first: a bad size or name is reported as such, whether or not MNIST is here.
        ModelVariant.parseList(models);
        sizes(quick);
        String mode = data.toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("mnist") && !mode.equals("synthetic")) {
            throw new IllegalArgumentException("--data must be auto, mnist or synthetic, not '" + data + "'");
        }
        synthetic = mode.equals("synthetic");
        mnistFound = null;
        if (synthetic) {
            return;
        }
        List<Path> dirs = mnistDir != null ? List.of(mnistDir) : DataCache.mnistCandidates();
        mnistFound = DataCache.firstWithMnist(dirs);
        if (mnistFound != null) {
            return;
        }
        if (mode.equals("mnist") || !quick) {
            throw new IllegalArgumentException("MNIST not found in " + dirs.get(0) + " and the "
                    + (quick ? "--data mnist run" : "default preset") + " needs it: fetch it with "
                    + MnistLoader.FETCH_COMMAND + (quick ? "" : " (only --quick falls back to synthetic images)"));
        }
        synthetic = true;
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        boolean q = ctx.quick();
        List<ModelVariant> variants = ModelVariant.parseList(models);
        Sizes z = sizes(q);
        int s = z.side();
        int nTrain = z.train();
        int nTest = z.test();
        int nSteps = z.steps();
        int b = z.batch();
        int d = z.dModel();
        int nl = z.layers();
        int ds = z.dState();
        double rate = z.lr();
        int nSeeds = z.seeds();
        int len = s * s;
        int[] noiseK = z.noiseK();
        int[] attackK = z.attackK();

        // ------------------------------------------------------------------ data
        Data sets = loadData(ctx, nTrain, nTest, s);
        ImageSet train = sets.train();
        ImageSet test = sets.test();
        if (target < 0 || target >= test.classes() || test.indicesOf(target).length == 0) {
            throw new IllegalArgumentException("--target = " + target + " must be a class in 0.." + (test.classes() - 1)
                    + " with at least one test image");
        }

        // ------------------------------------------------------------------ the runs as data: model x seed
        CorruptionRuns.Grid grid = new CorruptionRuns.Grid(sets.name(), s, nTrain, nTest, nSteps, b, d, nl, ds, rate, noiseK,
                attackK, target, ctx.seed());
        List<RunSpec> specs = new ArrayList<>();
        for (ModelVariant v : variants) {
            for (int i = 0; i < nSeeds; i++) {
                specs.add(CorruptionRuns.spec(grid, v, i));
            }
        }
        List<RunResult> results = where.executor(new RunStore(ctx.dir().resolve(name() + "-runs")),
                KnownRuns.tasks(ctx.progress(), DataCache.brownDir(), mnistFound), ctx::say).runAll(specs);
        List<List<CorruptionProbes.SeedOutcome>> outcomes = new ArrayList<>();
        for (int m = 0; m < variants.size(); m++) {
            List<CorruptionProbes.SeedOutcome> perSeed = new ArrayList<>();
            for (int i = 0; i < nSeeds; i++) {
                CorruptionProbes.SeedOutcome o = CorruptionRuns.outcome(results.get(m * nSeeds + i), noiseK, attackK);
                ctx.say(String.format(Locale.ROOT, "%s seed %d/%d: clean accuracy %.1f%%", variants.get(m).label(), i + 1,
                        nSeeds, 100 * o.clean()));
                perSeed.add(o);
            }
            outcomes.add(perSeed);
        }
        write(ctx, sets, train, test, variants, outcomes, noiseK, attackK, len, s, nSteps, b, d, nl, ds, rate, nSeeds);
    }

    /** The per-seed CSVs, the summary, the figures and the report section. */
    private void write(RunContext ctx, Data sets, ImageSet train, ImageSet test, List<ModelVariant> variants,
                       List<List<CorruptionProbes.SeedOutcome>> outcomes, int[] noiseK, int[] attackK, int len, int s, int nSteps, int b,
                       int d, int nl, int ds, double rate, int nSeeds) throws IOException {
        List<List<?>> noiseRows = new ArrayList<>();
        List<List<?>> targetRows = new ArrayList<>();
        List<List<?>> summaryRows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int m = 0; m < variants.size(); m++) {
            String label = variants.get(m).label();
            labels.add(label);
            List<CorruptionProbes.SeedOutcome> os = outcomes.get(m);
            for (int i = 0; i < os.size(); i++) {
                CorruptionProbes.SeedOutcome o = os.get(i);
                noiseRows.add(List.of(label, i + 1, "none", 0, o.clean(), 0.0));
                for (int j = 0; j < noiseK.length; j++) {
                    noiseRows.add(List.of(label, i + 1, "first", noiseK[j], o.noiseFirst()[j], o.relDrop(o.noiseFirst()[j])));
                    noiseRows.add(List.of(label, i + 1, "last", noiseK[j], o.noiseLast()[j], o.relDrop(o.noiseLast()[j])));
                }
                for (int j = 0; j < attackK.length; j++) {
                    targetRows.add(List.of(label, i + 1, Integer.toString(target), "first", attackK[j], o.fixedFirst()[j]));
                    targetRows.add(List.of(label, i + 1, Integer.toString(target), "last", attackK[j], o.fixedLast()[j]));
                    targetRows.add(List.of(label, i + 1, "all", "first", attackK[j], o.allFirst()[j]));
                    targetRows.add(List.of(label, i + 1, "all", "last", attackK[j], o.allLast()[j]));
                }
            }
        }
        CsvWriter.write(ctx.file(name(), "noise.csv"), List.of("model", "seed", "region", "k", "accuracy", "relative_drop"),
                noiseRows);
        CsvWriter.write(ctx.file(name(), "target.csv"), List.of("model", "seed", "target", "region", "k", "success_rate"),
                targetRows);

        // ------------------------------------------------------------------ means, intervals, verdicts
        List<List<?>> noiseTable = new ArrayList<>();
        List<List<?>> attackTable = new ArrayList<>();
        List<double[]> dropBars = new ArrayList<>();
        List<String> dropSeries = new ArrayList<>();
        List<double[]> fixedBars = new ArrayList<>();
        List<double[]> allBars = new ArrayList<>();
        List<String> attackSeries = new ArrayList<>();
        for (int j = 0; j < noiseK.length; j++) {
            dropSeries.add("leading " + noiseK[j]);
            dropSeries.add("trailing " + noiseK[j]);
            dropBars.add(new double[variants.size()]);
            dropBars.add(new double[variants.size()]);
        }
        for (int j = 0; j < attackK.length; j++) {
            attackSeries.add("leading " + pctOf(attackK[j], len));
            attackSeries.add("trailing " + pctOf(attackK[j], len));
            for (int r = 0; r < 2; r++) {
                fixedBars.add(new double[variants.size()]);
                allBars.add(new double[variants.size()]);
            }
        }
        StringBuilder verdict = new StringBuilder(String.format(Locale.ROOT,
                "corruption (%s, %d seeds; trailing minus leading, relative drop at k = %d of %d / attack success at %s,"
                        + " target %d): ", sets.name(), nSeeds, noiseK[noiseK.length - 1], len,
                pctOf(attackK[attackK.length - 1], len), target));
        List<String> details = new ArrayList<>();
        double chance = 1.0 / train.classes();
        for (int m = 0; m < variants.size(); m++) {
            String label = labels.get(m);
            List<CorruptionProbes.SeedOutcome> os = outcomes.get(m);
            SeedStats.Interval clean = SeedStats.meanCi95(os.stream().mapToDouble(CorruptionProbes.SeedOutcome::clean).toArray());
            ctx.figure(name() + "_clean_accuracy_" + label, fmt(clean.mean()));
            summaryRows.add(List.of(label, "clean_accuracy", "none", 0, clean.mean(), ci(clean), clean.n()));
            List<Object> nrow = new ArrayList<>(List.of(label, clean.format("%.3f")));
            SeedStats.Interval lastDiff = null;
            for (int j = 0; j < noiseK.length; j++) {
                int jj = j;
                double[] first = os.stream().mapToDouble(o -> o.relDrop(o.noiseFirst()[jj])).toArray();
                double[] last = os.stream().mapToDouble(o -> o.relDrop(o.noiseLast()[jj])).toArray();
                SeedStats.Interval f = SeedStats.meanCi95(first);
                SeedStats.Interval l = SeedStats.meanCi95(last);
                SeedStats.Interval diff = SeedStats.pairedDifference(last, first);
                ctx.figure(name() + "_rel_drop_first_k" + noiseK[j] + "_" + label, fmt(f.mean()));
                ctx.figure(name() + "_rel_drop_last_k" + noiseK[j] + "_" + label, fmt(l.mean()));
                summaryRows.add(List.of(label, "relative_drop", "first", noiseK[j], f.mean(), ci(f), f.n()));
                summaryRows.add(List.of(label, "relative_drop", "last", noiseK[j], l.mean(), ci(l), l.n()));
                dropBars.get(2 * j)[m] = f.mean();
                dropBars.get(2 * j + 1)[m] = l.mean();
                nrow.add(pctCi(l));
                nrow.add(pctCi(f));
                nrow.add(pctCi(diff));
                lastDiff = diff;
                details.add(label + ", noise k = " + noiseK[j] + ": " + SeedStats.verdict("trailing", "leading", diff, 100,
                        " points of relative drop"));
            }
            double[] paper = PAPER_TABLE1.get(label);
            nrow.add(paper == null ? "not in the paper" : String.format(Locale.ROOT,
                    "clean %.3f; 32: %.1f%% / %.1f%%; 96: %.1f%% / %.1f%%", paper[0], 100 * paper[1], 100 * paper[2],
                    100 * paper[3], 100 * paper[4]));
            noiseTable.add(nrow);

            List<Object> arow = new ArrayList<>(List.of(label));
            SeedStats.Interval lastAttack = null;
            for (int j = 0; j < attackK.length; j++) {
                int jj = j;
                double[] ff = os.stream().mapToDouble(o -> o.fixedFirst()[jj]).toArray();
                double[] fl = os.stream().mapToDouble(o -> o.fixedLast()[jj]).toArray();
                double[] af = os.stream().mapToDouble(o -> o.allFirst()[jj]).toArray();
                double[] al = os.stream().mapToDouble(o -> o.allLast()[jj]).toArray();
                SeedStats.Interval iff = SeedStats.meanCi95(ff);
                SeedStats.Interval ifl = SeedStats.meanCi95(fl);
                SeedStats.Interval iaf = SeedStats.meanCi95(af);
                SeedStats.Interval ial = SeedStats.meanCi95(al);
                SeedStats.Interval fixedDiff = SeedStats.pairedDifference(fl, ff);
                String tag = "_k" + attackK[j] + "_" + label;
                ctx.figure(name() + "_attack_target" + target + "_first" + tag, fmt(iff.mean()));
                ctx.figure(name() + "_attack_target" + target + "_last" + tag, fmt(ifl.mean()));
                ctx.figure(name() + "_attack_alltargets_first" + tag, fmt(iaf.mean()));
                ctx.figure(name() + "_attack_alltargets_last" + tag, fmt(ial.mean()));
                summaryRows.add(List.of(label, "attack_target" + target, "first", attackK[j], iff.mean(), ci(iff), iff.n()));
                summaryRows.add(List.of(label, "attack_target" + target, "last", attackK[j], ifl.mean(), ci(ifl), ifl.n()));
                summaryRows.add(List.of(label, "attack_all_targets", "first", attackK[j], iaf.mean(), ci(iaf), iaf.n()));
                summaryRows.add(List.of(label, "attack_all_targets", "last", attackK[j], ial.mean(), ci(ial), ial.n()));
                fixedBars.get(2 * j)[m] = iff.mean();
                fixedBars.get(2 * j + 1)[m] = ifl.mean();
                allBars.get(2 * j)[m] = iaf.mean();
                allBars.get(2 * j + 1)[m] = ial.mean();
                arow.add(pctCi(iff));
                arow.add(pctCi(ifl));
                arow.add(pctCi(iaf));
                arow.add(pctCi(ial));
                lastAttack = fixedDiff;
                details.add(label + ", attack " + pctOf(attackK[j], len) + " target " + target + ": "
                        + SeedStats.verdict("trailing", "leading", fixedDiff, 100, " points of success"));
            }
            attackTable.add(arow);
            verdict.append(m == 0 ? "" : "; ").append(label).append(" ").append(shortVerdict(lastDiff)).append(" / ")
                    .append(shortVerdict(lastAttack));
            if (clean.mean() < 2 * chance) {
                verdict.append(String.format(Locale.ROOT, " (not learned: clean %.0f%%)", 100 * clean.mean()));
            }
        }
        CsvWriter.write(ctx.file(name(), "summary.csv"), List.of("model", "measure", "region", "k", "mean", "ci95", "seeds"),
                summaryRows);

        String noisePng = name() + "-noise.png";
        String fixedPng = name() + "-target.png";
        String allPng = name() + "-target-all.png";
        Plots.bars(ctx.dir().resolve(noisePng), "Relative accuracy drop, leading vs trailing k pixels noised ("
                + sets.name() + ", " + len + " pixels)", "model", "(clean - corrupted) / clean", labels, dropSeries, dropBars);
        Plots.bars(ctx.dir().resolve(fixedPng), "Target attack, target class " + target + ": success rate", "model",
                "share classified as the target", labels, attackSeries, fixedBars);
        Plots.bars(ctx.dir().resolve(allPng), "Target attack averaged over every target class: success rate", "model",
                "share classified as the target", labels, attackSeries, allBars);

        List<String> noiseHeader = new ArrayList<>(List.of("model", "clean accuracy"));
        for (int k : noiseK) {
            noiseHeader.add("rel. drop trailing " + k);
            noiseHeader.add("rel. drop leading " + k);
            noiseHeader.add("trailing - leading " + k);
        }
        noiseHeader.add("paper Table 1 (CIFAR-10, 1024 tokens): clean; trailing / leading rel. drop");
        List<String> attackHeader = new ArrayList<>(List.of("model"));
        for (int k : attackK) {
            String p = pctOf(k, len);
            attackHeader.addAll(List.of("target " + target + " leading " + p, "target " + target + " trailing " + p,
                    "all targets leading " + p, "all targets trailing " + p));
        }
        Report.Section sec = ctx.section().verdict(verdict.toString())
                .paragraph(String.format(Locale.ROOT, "Data: %s. Each image is a sequence of %d pixels (%dx%d) read one "
                                + "at a time, a class token appended last. %d training images, %d test images; %d steps of "
                                + "batch %d (%.1f epochs); d_model %d, %d layer(s), d_state %d, peak learning rate %s for every "
                                + "model; %d seeds, each a fresh initialisation and batch order, shown as mean ± 95 %% CI. "
                                + "The paper trains 3-layer models (d_state 64) for 100 epochs on CIFAR-10 (1024 RGB tokens); "
                                + "this run is scaled to a CPU%s. Noise is N(0, 1) per pixel, before standardisation. Noised "
                                + "regions: the paper's 32 and 96 of 1024 tokens scaled to %d pixels (%s); attack regions: the "
                                + "paper's 256 and 480 of 1024 scaled (%s). The target attack runs only on test images whose class "
                                + "is not the target, pasting pixels of a randomly drawn test image of the target class.",
                        sets.description(), len, s, s, train.size(), test.size(), nSteps, b, (double) nSteps * b / train.size(),
                        d, nl, ds, rate, nSeeds, ctx.quick() ? " (quick preset: 7x7 images, one small layer, short training)" : "",
                        len, join(noiseK), join(attackK)))
                .table("Table 1 protocol: relative accuracy drop, mean ± 95 % CI over seeds", noiseHeader, noiseTable)
                .image(noisePng, "relative drop with the leading / trailing k pixels noised")
                .table("Fig. 3 protocol: target-attack success rate, mean ± 95 % CI over seeds", attackHeader, attackTable)
                .image(fixedPng, "target-attack success, fixed target class " + target)
                .image(allPng, "target-attack success averaged over every target class");
        sec.paragraph("Paired differences (trailing minus leading, same seed): " + String.join("; ", details) + ".");
        ctx.say(verdict.toString());
    }

    private static String shortVerdict(SeedStats.Interval diff) {
        String numbers = String.format(Locale.ROOT, "%+.0f", 100 * diff.mean())
                + (Double.isNaN(diff.halfWidth()) ? "" : String.format(Locale.ROOT, " ± %.0f", 100 * diff.halfWidth()));
        return numbers + (diff.excludesZero() ? (diff.mean() > 0 ? " (trailing worse)" : " (leading worse)") : " (n.s.)");
    }

    /** Training and test images (pooled) with a name for the report. */
    record Data(ImageSet train, ImageSet test, String name, String description) {
    }

    /**
     * The data {@link #checkBeforeWriting} settled on, pooled to {@code side}: MNIST from its directory, or
     * synthetic images (saying why).
     */
    private Data loadData(RunContext ctx, int nTrain, int nTest, int side) {
        if (mnistFound != null) {
            ImageSet[] sets = CorruptionRuns.data("mnist", nTrain, nTest, side, ctx.seed(), mnistFound);
            return new Data(sets[0], sets[1], "mnist", "MNIST digits from " + mnistFound);
        }
        boolean fallback = !data.equalsIgnoreCase("synthetic");
        if (fallback) {
            ctx.say("MNIST not found (fetch it with " + MnistLoader.FETCH_COMMAND
                    + "); the quick preset uses synthetic images instead");
        }
        ImageSet[] sets = CorruptionRuns.data("synthetic", nTrain, nTest, side, ctx.seed(), null);
        return new Data(sets[0], sets[1], "synthetic", "synthetic 10-class bars and blobs made in code (MNIST was not used"
                + (fallback ? ": not in the cache; fetch it with " + MnistLoader.FETCH_COMMAND : "") + ")");
    }

    /**
     * Region sizes in pixels from fractions of the sequence ({@code a/b} or decimals, comma-separated):
     * k = round(f · len), each in 1..len - 1, sorted and distinct.
     */
    static int[] parseFractions(String text, int len, String flag) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String t = part.trim();
            double f;
            try {
                int slash = t.indexOf('/');
                f = slash < 0 ? Double.parseDouble(t)
                        : Double.parseDouble(t.substring(0, slash)) / Double.parseDouble(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": '" + t + "' is not a fraction (a/b or a decimal)");
            }
            long k = Math.round(f * len);
            if (!(f > 0) || k < 1 || k >= len) {
                throw new IllegalArgumentException(flag + ": " + t + " of " + len + " pixels is " + k
                        + "; it must give 1.." + (len - 1) + " pixels");
            }
            out.add((int) k);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(flag + " is empty");
        }
        return out.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }

    private static String pctOf(int k, int len) {
        return String.format(Locale.ROOT, "%.0f%% (%d px)", 100.0 * k / len, k);
    }

    private static String join(int[] ks) {
        return String.join(", ", Arrays.stream(ks).mapToObj(Integer::toString).toList());
    }

    private static double ci(SeedStats.Interval i) {
        return Double.isNaN(i.halfWidth()) ? Double.NaN : i.halfWidth();
    }

    private static String pctCi(SeedStats.Interval i) {
        return Double.isNaN(i.halfWidth()) ? String.format(Locale.ROOT, "%.1f%%", 100 * i.mean())
                : String.format(Locale.ROOT, "%.1f ± %.1f%%", 100 * i.mean(), 100 * i.halfWidth());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
