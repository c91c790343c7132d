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
import org.ssmlab.data.Seeds;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.core.Block;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.ResidualBlock;
import org.ssmlab.ssm.mixers.MambaMixer;
import org.ssmlab.ssm.mixers.TransformerBlock;
import org.ssmlab.stats.SeedStats;

/**
 * {@code smoothing --checkpoint ...}: the paper's Fig. 5 on trained models. For each layer, the ratios
 * S(input)/S(·) of the memory state h (Mamba), the mixer output and the block output, averaged over input
 * sequences; per family, the mean over checkpoints (seeds) with its 95 % interval; and the verdict on
 * the paired difference, Mamba minus transformer, of the mean over layers of ln S(block in)/S(block out)
 * (how much sharpness a block removes), named only when its interval excludes zero.
 */
final class TrainedSmoothing {

    private TrainedSmoothing() {
    }

    /** The three measured parts of a layer. */
    static final String[] PARTS = {"memory_state", "mixer_output", "block_output"};

    /** Mean sharpness S over the sequences of a (batch, len, width) array; relative: S / max|x| per sequence. */
    static double meanSharpness(float[] x, int batch, int len, int width, boolean relative) {
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            float[] one = java.util.Arrays.copyOfRange(x, b * len * width, (b + 1) * len * width);
            sum += relative ? SmoothingCommand.relativeSharpness(one, len, width) : SmoothingCommand.sharpness(one, len, width);
        }
        return sum / batch;
    }

    /** A model to measure and the name it is reported under (its checkpoint file). */
    record Named(String name, LanguageModel lm) {
    }

    static void run(SmoothingCommand cmd, RunContext ctx, List<Named> checkpoints, Polarization pol, int len, int samples,
                    Path corpusDir) throws IOException {
        if (len < 2 || samples < 1) {
            throw new IllegalArgumentException("--length must be at least 2 and --samples at least 1");
        }
        InfluenceCommand.InputText text = InfluenceCommand.InputText.of(corpusDir);
        // family -> part -> per checkpoint, per layer ratio (raw)
        Map<String, Map<String, List<double[]>>> ratios = new LinkedHashMap<>();
        List<List<?>> rows = new ArrayList<>();
        int depth = -1;
        int ci = 0;
        for (Named p : checkpoints) {
            LanguageModel lm = p.lm();
            String fam = InfluenceCommand.familyOf(lm, pol);
            int layers = lm.layers().size();
            if (depth >= 0 && layers != depth) {
                throw new IllegalArgumentException("smoothing: the checkpoints have " + depth + " and " + layers
                        + " layers; compare models of one depth");
            }
            depth = layers;
            SplittableRandom rng = new SplittableRandom(Seeds.deriveSeed(ctx.seed(), 300 + ci));
            int[] tokens = new int[samples * len];
            for (int b = 0; b < samples; b++) {
                System.arraycopy(text.sequence(lm.vocab(), len, rng), 0, tokens, b * len, len);
            }
            double[][] r = new double[PARTS.length][layers];
            for (double[] row : r) {
                java.util.Arrays.fill(row, Double.NaN);
            }
            int d = lm.width();
            try (var g = GradMode.noGrad()) {
                Tensor h = lm.embed(tokens, samples, len);
                int l = 0;
                for (Block b : lm.layers()) {
                    Tensor u = b instanceof ResidualBlock rb ? rb.mixerInput(h) : ((TransformerBlock) b).mixerInput(h);
                    Tensor mixed = b.mixer().forward(u);
                    Tensor out = b.forward(h);
                    double[] s = new double[6];
                    String[] what = new String[3];
                    if (b.mixer() instanceof MambaMixer mm) {
                        int di = mm.config().dInner();
                        int nt = mm.config().nTotal();
                        float[] x = mm.ssmInput(u).data();
                        float[] states = mm.memoryStates(u).data();
                        double sx = meanSharpness(x, samples, len, di, false);
                        double sh = meanSharpness(states, samples, len, di * nt, false);
                        r[0][l] = sx / sh;
                        rows.add(List.of(p.name(), fam, l + 1, PARTS[0], sx, sh, r[0][l],
                                meanSharpness(x, samples, len, di, true) / meanSharpness(states, samples, len, di * nt, true)));
                    }
                    double su = meanSharpness(u.data(), samples, len, d, false);
                    double sm = meanSharpness(mixed.data(), samples, len, d, false);
                    r[1][l] = su / sm;
                    rows.add(List.of(p.name(), fam, l + 1, PARTS[1], su, sm, r[1][l],
                            meanSharpness(u.data(), samples, len, d, true) / meanSharpness(mixed.data(), samples, len, d, true)));
                    double si = meanSharpness(h.data(), samples, len, d, false);
                    double so = meanSharpness(out.data(), samples, len, d, false);
                    r[2][l] = si / so;
                    rows.add(List.of(p.name(), fam, l + 1, PARTS[2], si, so, r[2][l],
                            meanSharpness(h.data(), samples, len, d, true) / meanSharpness(out.data(), samples, len, d, true)));
                    h = out;
                    l++;
                }
            }
            for (int k = 0; k < PARTS.length; k++) {
                ratios.computeIfAbsent(fam, x -> new LinkedHashMap<>()).computeIfAbsent(PARTS[k], x -> new ArrayList<>()).add(r[k]);
            }
            ci++;
        }
        String name = cmd.name();
        CsvWriter.write(ctx.file(name, "trained.csv"), List.of("checkpoint", "model", "layer", "part", "s_input", "s_output",
                "ratio_input_over_output", "relative_ratio"), rows);
        // Per family, part and layer: mean ± CI over checkpoints.
        List<List<?>> table = new ArrayList<>();
        double[] layerAxis = new double[depth];
        for (int l = 0; l < depth; l++) {
            layerAxis[l] = l + 1;
        }
        List<String> images = new ArrayList<>();
        for (int k = 0; k < PARTS.length; k++) {
            List<Plots.Series> series = new ArrayList<>();
            for (var fam : ratios.entrySet()) {
                List<double[]> per = fam.getValue().get(PARTS[k]);
                if (Double.isNaN(per.get(0)[0])) {
                    continue;
                }
                double[] mean = new double[depth];
                for (int l = 0; l < depth; l++) {
                    final int layer = l;
                    SeedStats.Interval iv = SeedStats.meanCi95(per.stream().mapToDouble(a -> a[layer]).toArray());
                    mean[l] = iv.mean();
                    table.add(List.of(fam.getKey(), PARTS[k].replace('_', ' '), l + 1, iv.format("%.3f"), per.size()));
                }
                series.add(new Plots.Series(fam.getKey(), layerAxis, mean));
            }
            if (!series.isEmpty()) {
                String png = name + "-trained-" + PARTS[k] + ".png";
                Plots.line(ctx.dir().resolve(png), Plots.LineSpec.of("S(input) / S(" + PARTS[k].replace('_', ' ') + ") per layer",
                        "layer", "S(input) / S(output)"), series);
                images.add(png);
            }
        }
        // Verdict: mean over layers of ln(block ratio), Mamba minus transformer, paired by checkpoint order.
        Map<String, double[]> blockRate = new LinkedHashMap<>();
        Map<String, double[]> mixerRate = new LinkedHashMap<>();
        StringBuilder verdict = new StringBuilder("over-smoothing in trained models, mean over layers of ln S(block in)/S(block out) "
                + "(above 0 = blocks smooth): ");
        for (var fam : ratios.entrySet()) {
            double[] v = fam.getValue().get(PARTS[2]).stream().mapToDouble(a -> java.util.Arrays.stream(a).map(Math::log)
                    .average().orElse(Double.NaN)).toArray();
            blockRate.put(fam.getKey(), v);
            SeedStats.Interval iv = SeedStats.meanCi95(v);
            verdict.append(fam.getKey()).append(' ').append(iv.format("%.3f")).append("; ");
            double[] mx = fam.getValue().get(PARTS[1]).stream().mapToDouble(a -> java.util.Arrays.stream(a).map(Math::log)
                    .average().orElse(Double.NaN)).toArray();
            mixerRate.put(fam.getKey(), mx);
            SeedStats.Interval mi = SeedStats.meanCi95(mx);
            verdict.append(String.format(Locale.ROOT, "%s mixer ln S(u)/S(mixer(u)) %s; ", fam.getKey(), mi.format("%.3f")));
            ctx.figure("smoothing_mixer_log_ratio_" + fam.getKey().replaceAll("[^a-z0-9]+", "_"), mi.format("%.4f"));
            ctx.figure("smoothing_block_log_ratio_" + fam.getKey().replaceAll("[^a-z0-9]+", "_"), iv.format("%.4f"));
            double[] mem = fam.getValue().get(PARTS[0]).stream().mapToDouble(a -> java.util.Arrays.stream(a).map(Math::log)
                    .average().orElse(Double.NaN)).filter(Double::isFinite).toArray();
            if (mem.length > 0) {
                SeedStats.Interval m = SeedStats.meanCi95(mem);
                verdict.append(String.format(Locale.ROOT, "%s memory state ln S(x)/S(h) %s; ", fam.getKey(), m.format("%.3f")));
                ctx.figure("smoothing_memory_log_ratio_" + fam.getKey().replaceAll("[^a-z0-9]+", "_"), m.format("%.4f"));
            }
        }
        if (blockRate.containsKey("mamba") && blockRate.containsKey("transformer")
                && blockRate.get("mamba").length == blockRate.get("transformer").length) {
            verdict.append("block: ").append(SeedStats.verdict("mamba", "transformer",
                    SeedStats.pairedDifference(blockRate.get("mamba"), blockRate.get("transformer")), 100, " (100 x ln ratio)"));
            verdict.append("; mixer: ").append(SeedStats.verdict("mamba", "transformer",
                    SeedStats.pairedDifference(mixerRate.get("mamba"), mixerRate.get("transformer")), 100, " (100 x ln ratio)"));
        }
        var section = ctx.section().verdict(verdict.toString())
                .paragraph("Checkpoints: " + checkpoints.stream().map(Named::name).toList() + "; " + samples
                        + " input sequences of " + len + " tokens each (" + text.describe() + "). S(x) = max_{t,t'} ||x_t - x_t'||_inf, "
                        + "per sequence, averaged. (a) memory state: S(SSM input x after the convolution) / S(h over all state "
                        + "channels); (b) mixer: S(normalised block input) / S(mixer output); (c) block: S(block input) / S(block output). "
                        + "The paper measures a pretrained 1.4B Mamba and a transformer of the same size.")
                .table("ratio S(input)/S(part) per layer, mean and 95% CI over checkpoints", List.of("model", "part", "layer",
                        "ratio", "checkpoints"), table);
        for (String png : images) {
            section.image(png, "sharpness ratio per layer");
        }
        ctx.say(verdict.toString());
    }
}
