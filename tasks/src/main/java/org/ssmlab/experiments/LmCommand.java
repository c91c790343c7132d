package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ssmlab.data.BrownCorpus;
import org.ssmlab.data.TextWindows;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ssmlab lm}: byte-level language models on the Brown corpus ({@code ./ssmlab fetch brown}), a Mamba
 * and a transformer of equal parameter count by default ({@link BrownLm}). Each is trained resumably, saved
 * as {@code lm-<family>-s<seed>.safetensors} (what the probes' {@code --checkpoint} reads) and scored on
 * the validation files in bits per byte, beside the unigram baseline (byte frequencies alone). The last line
 * printed is {@code lm_val_bpb=<x>} of the first family listed.
 */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = "Train byte-level language models (Mamba and a transformer of equal size) on the Brown corpus.")
public final class LmCommand extends ExperimentCommand {

    @Option(names = "--family", defaultValue = "mamba,transformer",
            description = "Families, comma-separated (default: ${DEFAULT-VALUE}); every one is sized to the Mamba's parameter count.")
    String families;

    @Option(names = "--polarize", defaultValue = "none", description = "Polarization of the Mamba (none, one, zero, both).")
    String polarize;

    @Option(names = "--d-model", description = "The Mamba's width (default: 128, quick: 64).")
    Integer dModel;

    @Option(names = "--layers", description = "Blocks (default: 4, quick: 2).")
    Integer layers;

    @Option(names = "--context", description = "Context length in bytes (default: 256, quick: 128).")
    Integer context;

    @Option(names = "--steps", description = "Training steps (default: 3000, quick: 300).")
    Integer steps;

    @Option(names = "--batch", description = "Windows per step (default: 16, quick: 16).")
    Integer batch;

    @Option(names = "--d-state", description = "Mamba state size (default: 16).")
    Integer dState;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--val", description = "Validation windows (default: 256, quick: 32).")
    Integer val;

    @Option(names = "--corpus", description = "Directory of the Brown corpus (default: the cache, as ./ssmlab fetch brown fills it).")
    Path corpusDir;

    @Override
    public String name() {
        return "lm";
    }

    @Override
    public String title() {
        return "Byte-level language models on the Brown corpus";
    }

    /** The configuration of the first family from the options and the preset. */
    BrownLm.Config config(boolean q, ModelVariant variant, long seed) {
        BrownLm.Config p = BrownLm.Config.preset(q, variant, seed);
        return new BrownLm.Config(variant, dModel != null ? dModel : p.dModel(), layers != null ? layers : p.layers(),
                dState != null ? dState : p.dState(), context != null ? context : p.context(), batch != null ? batch : p.batch(),
                steps != null ? steps : p.steps(), lr, seed, val != null ? val : p.valWindows());
    }

    /** The families to train, the Mamba one with the requested polarization. */
    List<ModelVariant> variants() {
        Polarization pol = Polarization.parse(polarize);
        List<ModelVariant> out = new ArrayList<>();
        for (String part : families.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Family f = Family.parse(part);
            ModelVariant v = new ModelVariant(f, f == Family.MAMBA ? pol : Polarization.NONE);
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--family is empty; give e.g. mamba,transformer");
        }
        return out;
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        Path dir = corpusDir != null ? corpusDir : DataCache.brownDir();
        List<ModelVariant> vs = variants();
        BrownLm.Config first = config(ctx.quick(), vs.get(0), ctx.seed());
        BrownCorpus corpus = BrownCorpus.load(dir);
        BrownLm.Data data = BrownLm.Data.of(corpus, first.context());
        int[] valTokens = data.validation().fixedWindows(first.valWindows()).targets();
        double unigram = TextWindows.unigramBitsPerByte(data.train().stream(), valTokens);
        ctx.figure("lm_unigram_bpb", fmt(unigram));
        List<List<?>> rows = new ArrayList<>();
        List<Plots.Series> curves = new ArrayList<>();
        List<BrownLm.Trained> done = new ArrayList<>();
        for (ModelVariant v : vs) {
            BrownLm.Config c = first.with(v, ctx.seed());
            BrownLm.Trained t = BrownLm.train(c, data, ctx.dir(), ctx.progress(), ctx::say);
            done.add(t);
            ctx.figure("lm_params_" + key(v), t.parameters());
            ctx.figure("lm_val_bpb_" + key(v), fmt(t.valBpb()));
            rows.add(List.of(v.label(), t.lm().width(), c.layers(), t.parameters(), c.context(), c.steps(), ctx.seed(),
                    t.valBpb(), t.valAccuracy(), ctx.dir().relativize(t.file()).toString()));
            curves.add(trainingCurve(ctx.dir().resolve("lm-train").resolve(c.key()), v.label()));
        }
        CsvWriter.write(ctx.file(name(), "summary.csv"), List.of("model", "d_model", "layers", "parameters", "context",
                "steps", "seed", "val_bpb", "val_accuracy", "checkpoint"), rows);
        String plot = name() + "-training.png";
        Plots.line(ctx.dir().resolve(plot), Plots.LineSpec.of("Training loss on Brown (bits per byte)", "step", "bits per byte")
                .withoutMarkers(), curves);
        StringBuilder verdict = new StringBuilder("validation bits per byte: ");
        for (BrownLm.Trained t : done) {
            verdict.append(String.format(Locale.ROOT, "%s %.3f (%,d parameters); ", t.config().variant().label(), t.valBpb(),
                    t.parameters()));
        }
        verdict.append(String.format(Locale.ROOT, "unigram baseline %.3f", unigram));
        ctx.section().verdict(verdict.toString())
                .paragraph(String.format(Locale.ROOT, "Brown corpus (%d training and %d validation samples, split by file), bytes as "
                                + "tokens. Mamba d_model %d, %d layers, d_state %d; other families at the width of equal parameter count. "
                                + "Context %d, batch %d, %d steps, peak lr %s, seed %d; validation on %d fixed windows. "
                                + "The paper's models are pretrained on hundreds of billions of tokens at 130M-2.8B parameters; these are "
                                + "CPU-sized.", corpus.train().size(), corpus.validation().size(), first.dModel(), first.layers(),
                        first.dState(), first.context(), first.batch(), first.steps(), lr, ctx.seed(), first.valWindows()))
                .image(plot, "training loss")
                .table("models", List.of("model", "d_model", "layers", "parameters", "context", "steps", "seed", "val bpb",
                        "val accuracy", "checkpoint"), rows);
        ctx.say(verdict.toString());
        ctx.figure("lm_val_bpb", fmt(done.get(0).valBpb()));
    }

    private static Plots.Series trainingCurve(Path runDir, String label) throws IOException {
        List<List<String>> csv = CsvWriter.read(runDir.resolve("metrics.csv"));
        int n = csv.size() - 1;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Double.parseDouble(csv.get(i + 1).get(0));
            y[i] = Double.parseDouble(csv.get(i + 1).get(1)) / Math.log(2);
        }
        return new Plots.Series(label, x, y);
    }

    static String key(ModelVariant v) {
        return v.label().replaceAll("[^a-z0-9]+", "_");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
