package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.data.ByteTokenizer;
import org.ssmlab.data.Seeds;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Block;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.ResidualBlock;
import org.ssmlab.ssm.mixers.MambaMixer;
import org.ssmlab.stats.SeedStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Influence scores (Fig. 1 and 7): for every s ≤ T, the Jacobian norm ‖∂y_T/∂e_s‖_F ({@link JacobianNorm}),
 * e_s being the input embedding at position s and y_T the final normalised hidden state at the last
 * position (or the logits, {@code --at logits}); exact (one reverse pass per output channel, batched) or
 * estimated from random probes with its standard error ({@code --method estimate}).
 *
 * <p>Models: language models at random initialisation (Mamba and a transformer of equal parameter count,
 * {@link BrownLm#build}, one per seed), or trained checkpoints ({@code --checkpoint}, repeatable: the
 * seeds of a family; a file or a Hugging Face model directory). For each model the decay slope of
 * ln I(s) against the distance T - s is fitted by least squares; over seeds it is reported with its 95 %
 * confidence interval beside log A_max, the largest transition a_t any Mamba layer uses on the inputs
 * (docs/theory.md §3: Theorem 3.1 bounds the SSM core's decay rate by it).
 *
 * <p>With {@code --tokens 3,17,5,...} the command measures that one input on one model and writes the exact
 * norms to {@code influence-scores.csv} (columns position, norm).
 */
@Command(name = "influence", mixinStandardHelpOptions = true,
        description = "Jacobian norm of the last output with respect to each input embedding (Fig. 1/7), decay slope vs log A_max.")
public final class InfluenceCommand extends ExperimentCommand {

    @Option(names = "--model", defaultValue = "mamba,transformer",
            description = "Families at random init, comma-separated (default: ${DEFAULT-VALUE}); sized as ./ssmlab lm sizes them.")
    String models;

    @Option(names = "--checkpoint", description = "A trained LM checkpoint (safetensors file or Hugging Face Mamba directory); repeat it for seeds.")
    List<Path> checkpoints;

    @Option(names = "--polarize", defaultValue = "none", description = "Polarization of Mamba models: none, one, zero, both.")
    String polarize;

    @Option(names = "--at", defaultValue = "hidden", description = "hidden (final normalised state) or logits.")
    String at;

    @Option(names = "--method", defaultValue = "exact", description = "exact (m reverse passes) or estimate (random probes).")
    String method;

    @Option(names = "--probes", defaultValue = "32", description = "Probes of the estimate (default: ${DEFAULT-VALUE}).")
    int probes;

    @Option(names = "--length", description = "Sequence length T (default: 256, quick: 96).")
    Integer length;

    @Option(names = "--samples", description = "Input sequences averaged per model (default: 4, quick: 2).")
    Integer samples;

    @Option(names = "--seeds", description = "Seeds per family at random init or with --train-lm (default: 3).")
    Integer seeds;

    @Option(names = "--tokens", split = ",", description = "One input (comma-separated ids): write its exact norms to influence-scores.csv.")
    int[] tokens;

    @Option(names = "--along", description = "An lm run directory (lm-train/<run>), repeatable: measure each of its checkpoints along training.")
    List<Path> along;

    @Option(names = "--train-lm", description = "Train the Brown LMs first (the lm preset, Mamba and transformer, --seeds seeds) and measure them.")
    boolean trainLm;

    @Option(names = "--corpus", description = "Brown corpus directory: byte-level models read validation text from it (default: the cache; random tokens when absent).")
    Path corpusDir;

    @Override
    public String name() {
        return "influence";
    }

    @Override
    public String title() {
        return "Influence scores and recency (Fig. 1/7, Theorem 3.1)";
    }

    /** One measured model: its family label, seed index, mean norms per position, slope and log A_max. */
    record Measured(String family, int seed, double[] norms, double[] se, double slope, double logAMax) {
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        Polarization pol = Polarization.parse(polarize);
        if (!at.equals("hidden") && !at.equals("logits")) {
            throw new IllegalArgumentException("--at must be hidden or logits, not '" + at + "'");
        }
        if (!method.equals("exact") && !method.equals("estimate")) {
            throw new IllegalArgumentException("--method must be exact or estimate, not '" + method + "'");
        }
        boolean logits = at.equals("logits");
        if (tokens != null) {
            runOneInput(ctx, pol, logits);
            return;
        }
        int len = length != null ? length : ctx.quick() ? 96 : 256;
        int count = samples != null ? samples : ctx.quick() ? 2 : 4;
        int nSeeds = seeds != null ? seeds : 3;
        if (len < 3 || count < 1 || nSeeds < 1) {
            throw new IllegalArgumentException("--length must be at least 3, --samples and --seeds at least 1");
        }
        Map<String, List<LanguageModel>> groups = new LinkedHashMap<>();
        String source;
        if (along != null && !along.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (Path run : along) {
                Path dir = run.resolve("checkpoints");
                if (!java.nio.file.Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("--along " + run + ": no checkpoints directory (give an lm run directory, "
                            + "lm-train/<run>)");
                }
                List<Path> steps;
                try (var list = java.nio.file.Files.list(dir)) {
                    steps = list.filter(p -> p.getFileName().toString().matches("step-\\d{8,}")
                            && java.nio.file.Files.isRegularFile(p.resolve("model.safetensors"))).sorted().toList();
                }
                for (Path step : steps) {
                    LanguageModel lm = Checkpoints.load(step.resolve("model.safetensors"), pol, BrownLm.HEADS);
                    long n = Long.parseLong(step.getFileName().toString().substring(5));
                    groups.computeIfAbsent(familyOf(lm, pol) + " step " + n, k -> new ArrayList<>()).add(lm);
                }
                names.add(run.getFileName().toString());
            }
            source = "the checkpoints along training of " + names;
        } else if (trainLm) {
            for (BrownLm.Trained t : BrownLm.trainPreset(ctx.quick(), ctx.seed(), nSeeds, corpusDir, ctx.dir(), ctx.progress(), ctx::say)) {
                groups.computeIfAbsent(t.config().variant().label(), k -> new ArrayList<>()).add(t.lm());
            }
            source = "Brown LMs trained here with the lm " + (ctx.quick() ? "quick " : "") + "preset, seeds " + ctx.seed() + ".."
                    + (ctx.seed() + nSeeds - 1);
        } else if (checkpoints != null && !checkpoints.isEmpty()) {
            for (Path p : checkpoints) {
                LanguageModel lm = Checkpoints.load(p, pol);
                groups.computeIfAbsent(familyOf(lm, pol), k -> new ArrayList<>()).add(lm);
            }
            source = "trained checkpoints: " + checkpoints.stream().map(p -> p.getFileName().toString()).toList();
        } else {
            List<ModelVariant> vs = new ArrayList<>();
            for (String part : models.split(",")) {
                if (!part.isBlank()) {
                    Family f = Family.parse(part);
                    vs.add(new ModelVariant(f, f == Family.MAMBA ? pol : Polarization.NONE));
                }
            }
            for (ModelVariant v : vs) {
                for (int k = 0; k < nSeeds; k++) {
                    BrownLm.Config c = new BrownLm.Config(v, ctx.quick() ? 64 : 128, ctx.quick() ? 2 : 4, 16, len, 1, 1, 1e-3,
                            Seeds.deriveSeed(ctx.seed(), k), 1);
                    groups.computeIfAbsent(v.label(), x -> new ArrayList<>()).add(BrownLm.build(c));
                }
            }
            source = "random initialisation, sized as ./ssmlab lm " + (ctx.quick() ? "--quick " : "") + "sizes them (Mamba d_model "
                    + (ctx.quick() ? 64 : 128) + ", " + (ctx.quick() ? 2 : 4) + " layers; the others at equal parameter count)";
        }
        InputText text = InputText.of(corpusDir);
        List<Measured> all = new ArrayList<>();
        List<List<?>> rows = new ArrayList<>();
        for (var g : groups.entrySet()) {
            int k = 0;
            for (LanguageModel lm : g.getValue()) {
                double[] mean = new double[len];
                double[] se2 = new double[len];
                double aMax = 0;
                SplittableRandom rng = new SplittableRandom(Seeds.deriveSeed(ctx.seed(), 100 + k));
                for (int n = 0; n < count; n++) {
                    int[] input = text.sequence(lm.vocab(), len, rng);
                    JacobianNorm.Result r = method.equals("exact") ? JacobianNorm.exact(lm, input, logits)
                            : JacobianNorm.estimate(lm, input, logits, probes, rng.nextLong());
                    double[] norms = r.norms();
                    for (int s = 0; s < len; s++) {
                        mean[s] += norms[s] / count;
                        double seNorm = norms[s] > 0 ? r.se()[s] / (2 * norms[s]) : 0;
                        se2[s] += seNorm * seNorm / ((double) count * count);
                    }
                    aMax = Math.max(aMax, maxTransition(lm, input));
                }
                double[] se = new double[len];
                double[] distance = new double[len];
                for (int s = 0; s < len; s++) {
                    se[s] = Math.sqrt(se2[s]);
                    distance[s] = len - 1 - s;
                    rows.add(List.of(g.getKey(), k, s, len - 1 - s, mean[s], se[s]));
                }
                all.add(new Measured(g.getKey(), k, mean, se, fitSlope(distance, mean), aMax > 0 ? Math.log(aMax) : Double.NaN));
                k++;
            }
        }
        CsvWriter.write(ctx.file(name(), "profiles.csv"), List.of("model", "seed", "position", "distance", "norm", "se"), rows);
        report(ctx, all, len, count, source + "; inputs: " + text.describe());
    }

    private void report(RunContext ctx, List<Measured> all, int len, int count, String source) throws IOException {
        double[] distance = new double[len];
        for (int s = 0; s < len; s++) {
            distance[s] = len - 1 - s;
        }
        List<Plots.Series> series = new ArrayList<>();
        List<List<?>> table = new ArrayList<>();
        Map<String, double[]> slopes = new LinkedHashMap<>();
        StringBuilder verdict = new StringBuilder("recency (fitted slope of ln ||dy_T/de_s||_F per token, 95% CI over seeds): ");
        for (String fam : all.stream().map(Measured::family).distinct().toList()) {
            List<Measured> ms = all.stream().filter(m -> m.family().equals(fam)).toList();
            double[] mean = new double[len];
            for (Measured m : ms) {
                for (int s = 0; s < len; s++) {
                    mean[s] += m.norms()[s] / ms.size();
                }
            }
            double[] positive = new double[len];
            for (int s = 0; s < len; s++) {
                positive[s] = Math.max(mean[s], 1e-30);
            }
            series.add(new Plots.Series(fam, distance, positive));
            double[] sl = ms.stream().mapToDouble(Measured::slope).toArray();
            slopes.put(fam, sl);
            SeedStats.Interval slope = SeedStats.meanCi95(sl);
            double[] la = ms.stream().mapToDouble(Measured::logAMax).filter(Double::isFinite).toArray();
            SeedStats.Interval logA = la.length > 0 ? SeedStats.meanCi95(la) : null;
            String key = fam.replaceAll("[^a-z0-9]+", "_");
            ctx.figure("influence_slope_" + key, slope.format("%.5f"));
            if (logA != null) {
                ctx.figure("log_a_max_" + key, logA.format("%.5f"));
            }
            table.add(List.of(fam, ms.size(), slope.format("%.5f"), logA == null ? "n/a (no diagonal transition)" : logA.format("%.5f"),
                    logA == null ? "n/a" : slope.high() <= logA.low() ? "yes" : slope.low() > logA.high() ? "no" : "not resolved"));
            verdict.append(String.format(Locale.ROOT, "%s %s%s; ", fam, slope.format("%.4f"),
                    logA == null ? "" : " (log A_max " + logA.format("%.4f") + ")"));
        }
        for (var a : slopes.entrySet()) {
            if (!a.getKey().startsWith("mamba")) {
                continue;
            }
            double[] b = slopes.get(a.getKey().replaceFirst("^mamba(\\+[a-z]+)?", "transformer"));
            if (b != null && b.length == a.getValue().length) {
                verdict.append(SeedStats.verdict(a.getKey() + " slope", a.getKey().replaceFirst("^mamba(\\+[a-z]+)?", "transformer")
                        + " slope", SeedStats.pairedDifference(a.getValue(), b), 1000, " per 1000 tokens")).append("; ");
            }
        }
        ctx.figure("influence_slope_per_token", String.format(Locale.ROOT, "%.5f", all.get(0).slope()));
        String plot = name() + "-decay.png";
        Plots.line(ctx.dir().resolve(plot), Plots.LineSpec.of("Influence ||dy_T/de_s||_F (mean over seeds)", "distance T - s",
                "||dy_T/de_s||_F").withLogY().withoutMarkers(), series);
        ctx.section().verdict(verdict.toString())
                .paragraph("Models: " + source + ". T = " + len + ", " + count + " input sequences per model, output: " + at
                        + ", method: " + method + (method.equals("estimate") ? " (" + probes + " Rademacher probes)" : "")
                        + ". Slope: least squares of ln I against distance over distances >= 1. Theorem 3.1 bounds the SSM core's "
                        + "decay by log A_max; a whole block also mixes positions through its convolution and gates.")
                .image(plot, "influence against distance")
                .table("decay slope per family", List.of("model", "seeds", "slope (95% CI)", "log A_max (95% CI)",
                        "slope below log A_max"), table);
        ctx.say(verdict.toString());
    }

    /** {@code --tokens}: the exact norms of one input on one model, as position,norm. */
    private void runOneInput(RunContext ctx, Polarization pol, boolean logits) throws IOException {
        if (checkpoints != null && checkpoints.size() > 1) {
            throw new IllegalArgumentException("--tokens measures one model: give one --checkpoint, not " + checkpoints.size());
        }
        LanguageModel lm;
        if (checkpoints != null && !checkpoints.isEmpty()) {
            lm = Checkpoints.load(checkpoints.get(0), pol);
        } else {
            Family f = Family.parse(models.split(",")[0]);
            lm = BrownLm.build(new BrownLm.Config(new ModelVariant(f, f == Family.MAMBA ? pol : Polarization.NONE), 64, 2, 16, 2, 1, 1,
                    1e-3, ctx.seed(), 1));
        }
        if (tokens.length < 1) {
            throw new IllegalArgumentException("--tokens is empty");
        }
        long start = System.nanoTime();
        JacobianNorm.Result r = method.equals("exact") ? JacobianNorm.exact(lm, tokens, logits)
                : JacobianNorm.estimate(lm, tokens, logits, probes, ctx.seed());
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] norms = r.norms();
        List<List<?>> rows = new ArrayList<>();
        for (int s = 0; s < norms.length; s++) {
            rows.add(List.of(s, norms[s]));
        }
        CsvWriter.write(ctx.file(name(), "scores.csv"), List.of("position", "norm"), rows);
        ctx.figure("influence_seconds", String.format(Locale.ROOT, "%.2f", seconds));
        String verdict = String.format(Locale.ROOT, "||dy_T/de_s||_F (%s) for one input of %d tokens: %.4g at s = T, %.4g at s = 0",
                method, tokens.length, norms[norms.length - 1], norms[0]);
        ctx.section().verdict(verdict).paragraph("Wrote influence-scores.csv (position, norm); " + r.probes()
                + (r.exact() ? " output channels" : " probes") + ", " + String.format(Locale.ROOT, "%.1f s.", seconds));
        ctx.say(verdict);
    }

    /** "transformer" when the first block is not a Mamba residual block, else "mamba" (with its polarization). */
    static String familyOf(LanguageModel lm, Polarization pol) {
        boolean mamba = !lm.layers().isEmpty() && lm.layers().get(0) instanceof ResidualBlock rb && rb.mixer() instanceof MambaMixer;
        return new ModelVariant(mamba ? Family.MAMBA : Family.TRANSFORMER, mamba ? pol : Polarization.NONE).label();
    }

    /** Where input sequences come from: validation text for byte-level models when the corpus is there, else random tokens. */
    record InputText(int[] stream, String describe) {

        static InputText of(Path dir) {
            Path d = dir != null ? dir : DataCache.brownDir();
            try {
                var corpus = org.ssmlab.data.BrownCorpus.load(d);
                return new InputText(new org.ssmlab.data.TextWindows(corpus.validation(), 1).stream(),
                        "windows of the Brown validation text (byte-level models), else random tokens");
            } catch (IOException e) {
                return new InputText(null, "random tokens");
            }
        }

        /** A sequence of {@code len} tokens: a random window of the text when the vocabulary is bytes, else uniform ids. */
        int[] sequence(int vocab, int len, SplittableRandom rng) {
            int[] out = new int[len];
            if (stream != null && vocab == ByteTokenizer.VOCAB && stream.length > len) {
                System.arraycopy(stream, rng.nextInt(stream.length - len), out, 0, len);
            } else {
                for (int t = 0; t < len; t++) {
                    out[t] = rng.nextInt(vocab);
                }
            }
            return out;
        }
    }

    /**
     * ||∂(Σ_k y_{T,k})/∂x_s||₂ for every s, by one reverse pass with an all-ones output gradient: a single
     * vector-Jacobian product (channels can cancel), not the Jacobian norm of {@link JacobianNorm}. The
     * long-range-dependency profiles ({@code lrd}) use it as their cheap probe.
     */
    static double[] influence(LanguageModel lm, int[] tokens, boolean logits) {
        int len = tokens.length;
        Tensor x;
        try (var s = GradMode.noGrad()) {
            x = lm.embed(tokens, 1, len);
        }
        x = Tensor.of(x.toArray(), x.shape()).requiresGrad(true);
        Tensor h = lm.hiddenFromEmbeddings(x);
        Tensor y = logits ? lm.logitsFromHidden(h) : h;
        org.ssmlab.autograd.ops.Reduce.sum(org.ssmlab.autograd.ops.Shapes.slice(y, 1, len - 1, len)).backward();
        return positionNorms(x.gradData(), len, lm.width());
    }

    /** ||g_s||₂ for each position s of a (1, len, d) gradient. */
    static double[] positionNorms(float[] g, int len, int d) {
        double[] out = new double[len];
        for (int s = 0; s < len; s++) {
            double sq = 0;
            for (int j = 0; j < d; j++) {
                sq += (double) g[s * d + j] * g[s * d + j];
            }
            out[s] = Math.sqrt(sq);
        }
        return out;
    }

    /** The largest learnable transition a_t of any Mamba layer on these tokens (0 when there is none). */
    static double maxTransition(LanguageModel lm, int[] tokens) {
        double max = 0;
        try (var s = GradMode.noGrad()) {
            Tensor h = lm.embed(tokens, 1, tokens.length);
            for (Block b : lm.layers()) {
                if (b instanceof ResidualBlock rb && rb.mixer() instanceof MambaMixer mm) {
                    Tensor a = mm.transitions(rb.mixerInput(h));
                    int nt = mm.config().nTotal();
                    int first = mm.config().polarization().firstLearnable();
                    float[] v = a.data();
                    for (int i = 0; i < v.length; i++) {
                        int ch = i % nt;
                        if (ch >= first && ch < first + mm.config().dState()) {
                            max = Math.max(max, v[i]);
                        }
                    }
                }
                h = b.forward(h);
            }
        }
        return max;
    }

    /** Least-squares slope of ln(influence) against distance, over distances ≥ 1 with positive influence. */
    static double fitSlope(double[] distance, double[] influence) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int i = 0; i < distance.length; i++) {
            if (distance[i] >= 1 && influence[i] > 0) {
                double y = Math.log(influence[i]);
                sx += distance[i];
                sy += y;
                sxx += distance[i] * distance[i];
                sxy += distance[i] * y;
                n++;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
