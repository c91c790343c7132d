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
            + " Mamba directory); without it a small model is trained on MQAR first.")
    Path checkpoint;

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

    @Override
    public void run(RunContext ctx) throws IOException {
        Polarization pol = Polarization.parse(polarize);
        LanguageModel lm;
        String source;
        Recall.Preset p = ctx.quick() ? Recall.Preset.quick() : Recall.Preset.real();
        if (checkpoint != null) {
            lm = Checkpoints.loadMamba(checkpoint, pol);
            source = "checkpoint " + checkpoint.getFileName();
        } else {
            lm = Family.MAMBA.languageModel(p.vocab(), 2, new Family.Spec(p.dModel(), p.dState(), 1, pol), ctx.seed());
            MqarGenerator g = new MqarGenerator(p.vocab(), p.length(), p.kvCounts().get(0));
            int trainSteps = steps != null ? steps : ctx.quick() ? 300 : p.steps();
            new Trainer(lm, Trainer.languageModel(lm), rng -> g.batch(p.batch(), rng),
                    new TrainOptions().steps(trainSteps).peakLr(p.lr()).seed(ctx.seed()).progress(ctx.progress())
                            .checkpointEvery(Math.max(50, trainSteps / 4)).name("transitions: training"),
                    ctx.dir().resolve("transitions-run")).run();
            source = "a 2-layer Mamba trained " + trainSteps + " steps on MQAR (" + p.name() + " preset)";
        }
        Batch eval;
        String inputs;
        boolean brownModel = checkpoint != null && java.nio.file.Files.isRegularFile(checkpoint)
                && "brown".equals(org.ssmlab.autograd.io.SafeTensors.metadata(checkpoint).get("corpus"));
        if (brownModel && lm.vocab() == ByteTokenizer.VOCAB) {
            BrownCorpus corpus = BrownCorpus.load(corpusDir != null ? corpusDir : DataCache.brownDir());
            eval = new TextWindows(corpus.validation(), 256).fixedWindows(8);
            inputs = "8 windows of 256 bytes of the Brown validation text";
        } else {
            eval = new MqarGenerator(lm.vocab(), Math.min(p.length(), 256), Math.min(p.kvCounts().get(0), 8))
                    .batch(8, ctx.seed() + 99);
            inputs = "8 held-out MQAR sequences";
        }
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
            throw new IllegalArgumentException("the model has no Mamba layer");
        }
        double[] shareMax = new double[THRESHOLDS.length];
        double[] shareMin = new double[THRESHOLDS.length];
        List<List<?>> rows = new ArrayList<>();
        for (int i = 0; i < THRESHOLDS.length; i++) {
            double th = THRESHOLDS[i];
            shareMax[i] = maxes.stream().filter(v -> v < th).count() / (double) maxes.size();
            shareMin[i] = mins.stream().filter(v -> v < th).count() / (double) mins.size();
            rows.add(List.of(th, shareMax[i], shareMin[i]));
        }
        CsvWriter.write(ctx.file(name(), "shares.csv"), List.of("threshold", "share_max_below", "share_min_below"), rows);
        List<List<?>> layerRows = new ArrayList<>();
        List<List<?>> layerTable = new ArrayList<>();
        for (int l = 0; l < layerMaxes.size(); l++) {
            List<Double> lMax = layerMaxes.get(l);
            List<Double> lMin = layerMins.get(l);
            for (double th : THRESHOLDS) {
                layerRows.add(List.of(l + 1, th, lMax.stream().filter(v -> v < th).count() / (double) lMax.size(),
                        lMin.stream().filter(v -> v < th).count() / (double) lMin.size()));
            }
            double below = lMax.stream().filter(v -> v < 0.5).count() / (double) lMax.size();
            double above = lMin.stream().filter(v -> v >= 0.99).count() / (double) lMin.size();
            ctx.figure("share_max_below_0_5_layer" + (l + 1), String.format(Locale.ROOT, "%.4f", below));
            layerTable.add(List.of(l + 1, lMax.size(), String.format(Locale.ROOT, "%.1f%%", 100 * below),
                    String.format(Locale.ROOT, "%.1f%%", 100 * above)));
        }
        CsvWriter.write(ctx.file(name(), "layers.csv"), List.of("layer", "threshold", "share_max_below", "share_min_below"), layerRows);
        String plot = name() + "-shares.png";
        Plots.line(ctx.dir().resolve(plot), Plots.LineSpec.of("Share of channels with max/min a_t below a threshold",
                "threshold", "share of channels"), List.of(new Plots.Series("max_t a_t < threshold", THRESHOLDS, shareMax),
                new Plots.Series("min_t a_t < threshold", THRESHOLDS, shareMin)));
        int i5 = 4;
        int i99 = 10;
        String verdict = String.format(Locale.ROOT, "transitions: %.0f%% of %d channels never exceed a = 0.5 (they forget "
                + "within a few tokens); %.0f%% stay above 0.99 at every step (they average)", 100 * shareMax[i5], maxes.size(),
                100 * (1 - shareMin[i99]));
        ctx.figure("share_max_below_0_5", String.format(Locale.ROOT, "%.4f", shareMax[i5]));
        ctx.figure("share_min_above_0_99", String.format(Locale.ROOT, "%.4f", 1 - shareMin[i99]));
        ctx.section().verdict(verdict + String.format(Locale.ROOT, " (the paper: over 60%% of the channels of a pretrained Mamba "
                        + "have max a_t below 0.5; here %s)", 100 * shareMax[i5] > 60 ? "agrees" : "fewer"))
                .paragraph("Model: " + source + "; a_t measured on " + inputs + ". A channel is one (layer, inner channel, "
                        + "learnable state index); polarized constant channels are left out.")
                .image(plot, "cumulative shares").table("shares", List.of("threshold", "share max a_t below", "share min a_t below"), rows)
                .table("per layer", List.of("layer", "channels", "max a_t < 0.5", "min a_t >= 0.99"), layerTable);
        ctx.say(verdict);
    }
}
