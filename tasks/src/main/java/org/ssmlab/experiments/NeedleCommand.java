package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ssmlab.data.Batch;
import org.ssmlab.data.NeedleGenerator;
import org.ssmlab.data.Seeds;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.core.LanguageModel;
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
 * (docs/theory.md §3) predicts a Mamba model fails first at small depths (far needles), while attention,
 * which reads every position directly, does not depend on the distance.
 */
@Command(name = "needle", mixinStandardHelpOptions = true,
        description = "Needle-in-a-haystack accuracy against needle depth: Mamba, transformer, polarized Mamba (Fig. 2).")
public final class NeedleCommand extends ExperimentCommand {

    @Option(names = "--models", defaultValue = "mamba,transformer,mamba:both",
            description = "Models, family[:polarization] comma-separated (default: ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--vocab", description = "Vocabulary (default: 32, quick: 16).")
    Integer vocab;

    @Option(names = "--length", description = "Sequence length (default: 256, quick: 48).")
    Integer length;

    @Option(names = "--min-length", description = "Shortest training length of the length mix (default: min(24, length)).")
    Integer minLength;

    @Option(names = "--steps", description = "Training steps per model (default: 3000, quick: 600).")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 32).")
    Integer batch;

    @Option(names = "--d-model", description = "Model width (default: 64, quick: 32).")
    Integer dModel;

    @Option(names = "--layers", description = "Blocks per model (default: 2).")
    Integer layers;

    @Option(names = "--d-state", description = "State size of the SSM (default: 16, quick: 8).")
    Integer dState;

    @Option(names = "--lr", description = "Peak learning rate (default: 3e-3).")
    Double lr;

    @Option(names = "--depths", description = "Number of evaluated depths, evenly spaced in [0, 1] (default: 11, quick: 6).")
    Integer depths;

    @Option(names = "--eval", description = "Evaluation sequences per depth (default: 256, quick: 64).")
    Integer evalCount;

    /** How many training lengths the mix has. */
    static final int MIX_LENGTHS = 4;

    @Override
    public String name() {
        return "needle";
    }

    @Override
    public String title() {
        return "Needle in a haystack: accuracy against needle depth (Fig. 2)";
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        boolean q = ctx.quick();
        List<ModelVariant> variants = ModelVariant.parseList(models);
        int v = vocab != null ? vocab : q ? 16 : 32;
        int len = length != null ? length : q ? 48 : 256;
        int nSteps = steps != null ? steps : q ? 600 : 3000;
        int b = batch != null ? batch : 32;
        int d = dModel != null ? dModel : q ? 32 : 64;
        int nl = layers != null ? layers : 2;
        int ds = dState != null ? dState : q ? 8 : 16;
        double rate = lr != null ? lr : 3e-3;
        int nd = depths != null ? depths : q ? 6 : 11;
        int ne = evalCount != null ? evalCount : q ? 64 : 256;
        if (nSteps < 1 || b < 1 || d < 2 || nl < 1 || ds < 1 || !(rate > 0) || nd < 2 || ne < 1) {
            throw new IllegalArgumentException("need --steps >= 1, --batch >= 1, --d-model >= 2, --layers >= 1, --d-state >= 1,"
                    + " --lr > 0, --depths >= 2 and --eval >= 1");
        }
        NeedleGenerator gen = new NeedleGenerator(v, len); // checks vocab >= 4 and length >= 5
        int shortest = minLength != null ? minLength : Math.min(len, 24);
        if (shortest < 5 || shortest > len) {
            throw new IllegalArgumentException("--min-length = " + shortest + " must be in 5.." + len + " (the --length)");
        }
        // Training mixes MIX_LENGTHS lengths evenly spaced from the shortest to L, each step drawing one: the short
        // sequences teach the retrieval rule quickly, the long ones make it hold at every distance.
        NeedleGenerator[] mix = new NeedleGenerator[MIX_LENGTHS];
        for (int i = 0; i < MIX_LENGTHS; i++) {
            mix[i] = new NeedleGenerator(v, shortest + (int) Math.round((double) (len - shortest) * i / (MIX_LENGTHS - 1)));
        }

        double[] depthGrid = new double[nd];
        double[] positions = new double[nd];
        for (int i = 0; i < nd; i++) {
            depthGrid[i] = (double) i / (nd - 1);
            positions[i] = gen.needleStart(depthGrid[i]);
        }
        List<double[]> curves = new ArrayList<>();
        List<List<?>> rows = new ArrayList<>();
        for (ModelVariant variant : variants) {
            LanguageModel lm = variant.languageModel(v, nl, d, ds, 2, Seeds.deriveSeed(ctx.seed(), 1));
            String key = String.format(Locale.ROOT, "%s-v%d-L%d-m%d-b%d-d%d-l%d-ds%d-st%d-lr%s", variant.label(), v, len, shortest, b, d,
                    nl, ds, nSteps, rate);
            Path runDir = ctx.dir().resolve(name() + "-train").resolve(key);
            TrainOptions opts = new TrainOptions().steps(nSteps).peakLr(rate).weightDecay(0.01).seed(ctx.seed())
                    .checkpointEvery(Math.max(1, nSteps / 4)).progress(ctx.progress()).name(name() + " " + variant.label());
            Trainer.Result r = new Trainer(lm, Trainer.languageModel(lm), rng -> mix[rng.nextInt(mix.length)]
                    .batchRandomDepth(b, rng), opts, runDir).run();
            if (r.resumedFrom() > 0) {
                ctx.say(variant.label() + ": resumed from the checkpoint at step " + r.resumedFrom());
            }
            double[] acc = new double[nd];
            for (int i = 0; i < nd; i++) {
                // The same evaluation sequences for every model: the stream depends on the seed and the depth only.
                Batch eval = gen.batch(ne, depthGrid[i], Seeds.derive(ctx.seed(), 1_000_000L + i));
                acc[i] = Evaluator.evaluate(lm, eval).accuracy();
                rows.add(List.of(variant.label(), depthGrid[i], (int) positions[i], len - 2 - (int) positions[i], acc[i]));
            }
            curves.add(acc);
            ctx.figure(name() + "_accuracy_depth0_" + variant.label(), fmt(acc[0]));
            ctx.figure(name() + "_accuracy_depth1_" + variant.label(), fmt(acc[nd - 1]));
            ctx.figure(name() + "_accuracy_mean_" + variant.label(), fmt(mean(acc)));
        }
        CsvWriter.write(ctx.file(name(), "accuracy.csv"),
                List.of("model", "depth", "needle_position", "distance_to_query", "accuracy"), rows);
        List<Plots.Series> series = new ArrayList<>();
        for (int k = 0; k < variants.size(); k++) {
            series.add(new Plots.Series(variants.get(k).label(), depthGrid, curves.get(k)));
        }
        String png = name() + "-accuracy.png";
        Plots.line(ctx.dir().resolve(png), Plots.LineSpec.of("Needle retrieval, L = " + len + " (chance "
                + fmt(1.0 / (v - NeedleGenerator.FIRST_TOKEN)) + ")", "needle depth (0 = start, 1 = next to the query)",
                "accuracy"), series);

        StringBuilder verdict = new StringBuilder("needle (L = " + len + "): accuracy far / near the query: ");
        List<String> header = new ArrayList<>(List.of("model"));
        for (double dg : depthGrid) {
            header.add(String.format(Locale.ROOT, "depth %.2f", dg));
        }
        header.add("mean");
        List<List<?>> table = new ArrayList<>();
        for (int k = 0; k < variants.size(); k++) {
            double[] acc = curves.get(k);
            verdict.append(k == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s %.0f%% / %.0f%%",
                    variants.get(k).label(), 100 * acc[0], 100 * acc[nd - 1]));
            if (mean(acc) < 2.0 / (v - NeedleGenerator.FIRST_TOKEN)) {
                verdict.append(" (near chance: not learned in this budget)");
            }
            List<Object> row = new ArrayList<>(List.of(variants.get(k).label()));
            for (double a : acc) {
                row.add(String.format(Locale.ROOT, "%.1f%%", 100 * a));
            }
            row.add(String.format(Locale.ROOT, "%.1f%%", 100 * mean(acc)));
            table.add(row);
        }
        ctx.section().verdict(verdict.toString())
                .paragraph(String.format(Locale.ROOT, "Sequences of %d tokens over a vocabulary of %d: distractors, one needle "
                                + "(marker, key, value) at a random position during training, and the query (marker, key) at "
                                + "the end; the value is predicted at the last position. Training draws each batch's length "
                                + "from %d lengths evenly spaced in [%d, %d]; evaluation uses length %d. Models: %d layers, d_model %d, "
                                + "d_state %d, trained %d steps of batch %d; %d evaluation sequences per depth (chance %.1f%%). "
                                + "The paper's haystacks are thousands of tokens long with pretrained models; this is a CPU-scale "
                                + "synthetic version%s.", len, v, MIX_LENGTHS, shortest, len, len, nl, d, ds, nSteps, b, ne,
                        100.0 / (v - NeedleGenerator.FIRST_TOKEN), q ? " (quick preset: short sequences, short training)" : ""))
                .table("accuracy by needle depth", header, table)
                .image(png, "accuracy against needle depth");
        ctx.say(verdict.toString());
    }

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
