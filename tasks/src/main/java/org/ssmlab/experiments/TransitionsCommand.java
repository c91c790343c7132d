package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.data.Batch;
import org.ssmlab.data.BrownCorpus;
import org.ssmlab.data.ByteTokenizer;
import org.ssmlab.data.TextWindows;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.stats.SeedStats;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.Block;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.ResidualBlock;
import org.ssmlab.ssm.mixers.MambaMixer;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The distribution of a_t in a trained Mamba (Fig. 6): for every learnable state channel (layer, inner
 * channel, state index), the max and the min of a_t over the positions of held-out sequences, and the
 * share of channels whose max (or min) falls below each threshold. Channels whose max a_t is small forget
 * fast (recency); channels whose min a_t is near 1 average everything (over-smoothing).
 */
@Command(name = "transitions", mixinStandardHelpOptions = true,
        description = "Distribution of a_t in a trained Mamba: share of channels with max/min a_t below thresholds (Fig. 6).")
public final class TransitionsCommand extends ExperimentCommand {

    @Option(names = "--checkpoint", description = "A Mamba LM checkpoint (safetensors file, e.g. from ./ssmlab lm, or a Hugging Face"
            + " Mamba directory); repeat it for several seeds. Without it small models are trained on MQAR first, one per seed.")
    List<Path> checkpoints;

    @Option(names = "--seeds", description = "Models trained without --checkpoint, seeds from --seed on (default: 3).")
    Integer seeds;

    @Option(names = "--polarize", defaultValue = "none", description = "The checkpoint's polarization (none, one, zero, both).")
    String polarize;

    @Option(names = "--corpus", description = "Brown corpus directory (default: the cache): checkpoints saved by ./ssmlab lm are read on its validation text.")
    Path corpusDir;

    @Option(names = "--steps", description = "Training steps without --checkpoint (default: the preset's; quick: 300).")
    Integer steps;

    static final double[] THRESHOLDS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999};

    @Override
    public String name() {
        return "transitions";
    }

    @Override
    public String title() {
        return "Distribution of the transitions a_t in a trained Mamba (Fig. 6)";
    }

    /** The paper's share of channels with max_t a_t below 0.5 in a pretrained Mamba: "over 60 %". */
    static final double PAPER_SHARE = 0.6;

    /** One model's channels: max_t and min_t of a_t per learnable state channel, all layers and per layer. */
    record Channels(List<Double> maxes, List<Double> mins, List<List<Double>> layerMaxes, List<List<Double>> layerMins) {

        double shareMaxBelow(double th) {
            return share(maxes, th);
        }

        double shareMinBelow(double th) {
            return share(mins, th);
        }

        static double share(List<Double> xs, double th) {
            return xs.stream().filter(v -> v < th).count() / (double) xs.size();
        }
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        Polarization pol = Polarization.parse(polarize);
        Recall.Preset p = ctx.quick() ? Recall.Preset.quick() : Recall.Preset.real();
        List<String> names = new ArrayList<>();
        List<Channels> models = new ArrayList<>();
        String source;
        String inputs = "";
        if (checkpoints != null && !checkpoints.isEmpty()) {
            for (Path checkpoint : checkpoints) {
                LanguageModel lm = Checkpoints.loadMamba(checkpoint, pol);
                boolean brownModel = java.nio.file.Files.isRegularFile(checkpoint)
                        && "brown".equals(org.ssmlab.autograd.io.SafeTensors.metadata(checkpoint).get("corpus"));
                Batch eval;
                if (brownModel && lm.vocab() == ByteTokenizer.VOCAB) {
                    BrownCorpus corpus = BrownCorpus.load(corpusDir != null ? corpusDir : DataCache.brownDir());
                    eval = new TextWindows(corpus.validation(), 256).fixedWindows(8);
                    inputs = "8 windows of 256 bytes of the Brown validation text";
                } else {
                    eval = mqarInputs(lm, p, ctx.seed());
                    inputs = "8 held-out MQAR sequences";
                }
                names.add(checkpoint.getFileName().toString());
                models.add(measure(lm, eval));
            }
            source = checkpoints.size() == 1 ? "checkpoint " + names.get(0) : checkpoints.size() + " checkpoints (" + String.join(", ", names) + ")";
        } else {
            int nSeeds = seeds != null ? seeds : 3;
            if (nSeeds < 1) {
                throw new IllegalArgumentException("--seeds must be positive, not " + nSeeds);
            }
            int trainSteps = steps != null ? steps : ctx.quick() ? 300 : p.steps();
            for (int si = 0; si < nSeeds; si++) {
                long seed = ctx.seed() + si;
                LanguageModel lm = Family.MAMBA.languageModel(p.vocab(), 2, new Family.Spec(p.dModel(), p.dState(), 1, pol), seed);
                MqarGenerator g = new MqarGenerator(p.vocab(), p.length(), p.kvCounts().get(0));
                TrainOptions opts = new TrainOptions().steps(trainSteps).peakLr(p.lr()).seed(seed).progress(ctx.progress())
                        .checkpointEvery(Math.max(50, trainSteps / 4)).name("transitions: training seed " + seed)
                        .setting("preset", p.name()).setting("polarization", pol.name().toLowerCase(Locale.ROOT));
                new Trainer(lm, Trainer.languageModel(lm), rng -> g.batch(p.batch(), rng), opts,
                        ctx.dir().resolve("transitions-runs").resolve(String.format(Locale.ROOT, "%s-%s-st%d-s%d", p.name(),
                                pol.name().toLowerCase(Locale.ROOT), trainSteps, seed))).run();
                names.add("seed " + seed);
                models.add(measure(lm, mqarInputs(lm, p, seed)));
            }
            source = nSeeds + " 2-layer Mambas (seeds " + ctx.seed() + "–" + (ctx.seed() + nSeeds - 1) + ") trained " + trainSteps
                    + " steps on MQAR (" + p.name() + " preset)";
            inputs = "8 held-out MQAR sequences per model";
        }

        // Shares per model; their mean over models and its 95 % CI.
        double[] shareMax = new double[THRESHOLDS.length];
        double[] shareMin = new double[THRESHOLDS.length];
        List<List<?>> rows = new ArrayList<>();
        for (int i = 0; i < THRESHOLDS.length; i++) {
            double th = THRESHOLDS[i];
            for (Channels c : models) {
                shareMax[i] += c.shareMaxBelow(th) / models.size();
                shareMin[i] += c.shareMinBelow(th) / models.size();
            }
            rows.add(List.of(th, shareMax[i], shareMin[i]));
        }
        CsvWriter.write(ctx.file(name(), "shares.csv"), List.of("threshold", "share_max_below", "share_min_below"), rows);
        List<List<?>> layerRows = new ArrayList<>();
        List<List<?>> layerTable = new ArrayList<>();
        int nLayers = models.get(0).layerMaxes().size();
        for (int l = 0; l < nLayers; l++) {
            double[] below = new double[models.size()];
            double[] above = new double[models.size()];
            for (int m = 0; m < models.size(); m++) {
                List<Double> lMax = models.get(m).layerMaxes().get(l);
                List<Double> lMin = models.get(m).layerMins().get(l);
                for (double th : THRESHOLDS) {
                    layerRows.add(List.of(names.get(m), l + 1, th, Channels.share(lMax, th), Channels.share(lMin, th)));
                }
                below[m] = Channels.share(lMax, 0.5);
                above[m] = 1 - Channels.share(lMin, 0.99);
            }
            SeedStats.Interval b = SeedStats.meanCi95(below);
            ctx.figure("share_max_below_0_5_layer" + (l + 1), String.format(Locale.ROOT, "%.4f", b.mean()));
            layerTable.add(List.of(l + 1, models.get(0).layerMaxes().get(l).size(), pct(b),
                    pct(SeedStats.meanCi95(above))));
        }
        CsvWriter.write(ctx.file(name(), "layers.csv"), List.of("model", "layer", "threshold", "share_max_below", "share_min_below"),
                layerRows);
        String plot = name() + "-shares.png";
        Plots.line(ctx.dir().resolve(plot), Plots.LineSpec.of("Share of channels with max/min a_t below a threshold (mean of "
                        + models.size() + (models.size() == 1 ? " model)" : " models)"), "threshold", "share of channels"),
                List.of(new Plots.Series("max_t a_t < threshold", THRESHOLDS, shareMax),
                        new Plots.Series("min_t a_t < threshold", THRESHOLDS, shareMin)));
        SeedStats.Interval forget = SeedStats.meanCi95(models.stream().mapToDouble(c -> c.shareMaxBelow(0.5)).toArray());
        SeedStats.Interval average = SeedStats.meanCi95(models.stream().mapToDouble(c -> 1 - c.shareMinBelow(0.99)).toArray());
        String agreement = forget.n() < 2 ? "not resolvable with one model"
                : forget.low() > PAPER_SHARE ? "agrees" : forget.high() < PAPER_SHARE ? "disagrees at this scale" : "not resolvable at this scale";
        String verdict = String.format(Locale.ROOT, "transitions: %s of the %d channels per model never exceed a = 0.5 (they forget "
                + "within a few tokens); %s stay above 0.99 at every step (they average); %d model(s), mean ± 95 %% CI",
                pct(forget), models.get(0).maxes().size(), pct(average), models.size());
        ctx.figure("share_max_below_0_5", String.format(Locale.ROOT, "%.4f", forget.mean()));
        ctx.figure("share_max_below_0_5_ci95", String.format(Locale.ROOT, "%.4f", forget.halfWidth()));
        ctx.figure("share_min_above_0_99", String.format(Locale.ROOT, "%.4f", average.mean()));
        ctx.section().verdict(verdict + " (the paper: over 60 % of the channels of a pretrained Mamba have max a_t below 0.5; here: "
                        + agreement + ")")
                .paragraph("Model: " + source + "; a_t measured on " + inputs + ". A channel is one (layer, inner channel, "
                        + "learnable state index); polarized constant channels are left out. The paper reads pretrained Mambas of "
                        + "130 M parameters and more; these are small models after a short training.")
                .image(plot, "cumulative shares (mean over models)")
                .table("shares (mean over models)", List.of("threshold", "share max a_t below", "share min a_t below"), rows)
                .table("per layer (mean ± 95 % CI over models)", List.of("layer", "channels", "max a_t < 0.5", "min a_t >= 0.99"),
                        layerTable);
        ctx.say(verdict);
    }

    private static String pct(SeedStats.Interval iv) {
        return Double.isNaN(iv.halfWidth()) ? String.format(Locale.ROOT, "%.1f %%", 100 * iv.mean())
                : String.format(Locale.ROOT, "%.1f ± %.1f %%", 100 * iv.mean(), 100 * iv.halfWidth());
    }

    /** 8 held-out MQAR sequences for a model of the preset's vocabulary. */
    private static Batch mqarInputs(LanguageModel lm, Recall.Preset p, long seed) {
        return new MqarGenerator(lm.vocab(), Math.min(p.length(), 256), Math.min(p.kvCounts().get(0), 8)).batch(8, seed + 99);
    }

    /** max_t and min_t of a_t of every learnable state channel of every Mamba layer, on {@code eval}. */
    static Channels measure(LanguageModel lm, Batch eval) {
        List<Double> maxes = new ArrayList<>();
        List<Double> mins = new ArrayList<>();
        List<List<Double>> layerMaxes = new ArrayList<>();
        List<List<Double>> layerMins = new ArrayList<>();
        try (var s = GradMode.noGrad()) {
            Tensor h = lm.embed(eval.tokens(), eval.batch(), eval.len());
            for (Block b : lm.layers()) {
                if (b instanceof ResidualBlock rb && rb.mixer() instanceof MambaMixer mm) {
                    float[] a = mm.transitions(rb.mixerInput(h)).data();
                    int di = mm.config().dInner();
                    int nt = mm.config().nTotal();
                    int first = mm.config().polarization().firstLearnable();
                    int positions = a.length / (di * nt);
                    List<Double> lMax = new ArrayList<>();
                    List<Double> lMin = new ArrayList<>();
                    layerMaxes.add(lMax);
                    layerMins.add(lMin);
                    for (int c = 0; c < di; c++) {
                        for (int j = first; j < first + mm.config().dState(); j++) {
                            double mx = 0;
                            double mn = 1;
                            for (int q = 0; q < positions; q++) {
                                double v = a[(q * di + c) * nt + j];
                                mx = Math.max(mx, v);
                                mn = Math.min(mn, v);
                            }
                            maxes.add(mx);
                            mins.add(mn);
                            lMax.add(mx);
                            lMin.add(mn);
                        }
                    }
                }
                h = b.forward(h);
            }
        }
        if (maxes.isEmpty()) {
            throw new IllegalArgumentException("transitions: the model has no Mamba layer");
        }
        return new Channels(maxes, mins, layerMaxes, layerMins);
    }
}
