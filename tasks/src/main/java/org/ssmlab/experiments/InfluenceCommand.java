package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.Block;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.ResidualBlock;
import org.ssmlab.ssm.mixers.MambaMixer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Influence scores (Fig. 1 and 7): for every s ≤ T, the L2 norm of ∂(Σ_k y_{T,k})/∂x_s, where x_s is the
 * input embedding at position s and y_T the model's output at the last position (the final normalised
 * hidden state, or the logits with {@code --at logits}), averaged over random token sequences. It fits
 * the decay slope of log influence against the distance T - s and prints it beside docs/theory.md §3's rate
 * log A_max, A_max being the largest transition a_t any Mamba layer uses on these inputs.
 */
@Command(name = "influence", mixinStandardHelpOptions = true,
        description = "Influence of each input position on the last output (Fig. 1/7), with the decay slope.")
public final class InfluenceCommand extends ExperimentCommand {

    @Option(names = "--model", defaultValue = "mamba", description = "Family at random init: ${COMPLETION-CANDIDATES}... (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--checkpoint", description = "A Mamba or transformer LM checkpoint (safetensors) instead of a random init.")
    Path checkpoint;

    @Option(names = "--polarize", defaultValue = "none", description = "Polarization: none, one, zero, both.")
    String polarize;

    @Option(names = "--at", defaultValue = "hidden", description = "hidden (final normalised state) or logits.")
    String at;

    @Option(names = "--length", description = "Sequence length T (default: 256, quick: 96).")
    Integer length;

    @Option(names = "--samples", description = "Random sequences averaged (default: 8, quick: 3).")
    Integer samples;

    @Override
    public String name() {
        return "influence";
    }

    @Override
    public String title() {
        return "Influence scores and recency (Fig. 1/7, Theorem 3.1)";
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        Polarization pol = Polarization.parse(polarize);
        if (!at.equals("hidden") && !at.equals("logits")) {
            throw new IllegalArgumentException("--at must be hidden or logits, not '" + at + "'");
        }
        int len = length != null ? length : ctx.quick() ? 96 : 256;
        int count = samples != null ? samples : ctx.quick() ? 3 : 8;
        if (len < 2 || count < 1) {
            throw new IllegalArgumentException("--length must be at least 2 and --samples at least 1");
        }
        LanguageModel lm;
        String label;
        if (checkpoint != null) {
            lm = Checkpoints.load(checkpoint, pol);
            label = "checkpoint " + checkpoint.getFileName();
        } else {
            Family family = Family.parse(model);
            lm = family.languageModel(256, ctx.quick() ? 2 : 4, new Family.Spec(64, 16, 4, pol), ctx.seed());
            label = family.name().toLowerCase(Locale.ROOT) + (pol == Polarization.NONE ? "" : " polarized " + pol)
                    + " (random init)";
        }
        double[] influence = new double[len];
        double aMax = 0;
        SplittableRandom rng = new SplittableRandom(ctx.seed());
        for (int k = 0; k < count; k++) {
            int[] tokens = new int[len];
            for (int t = 0; t < len; t++) {
                tokens[t] = rng.nextInt(lm.vocab());
            }
            double[] one = influence(lm, tokens, at.equals("logits"));
            for (int s = 0; s < len; s++) {
                influence[s] += one[s] / count;
            }
            aMax = Math.max(aMax, maxTransition(lm, tokens));
        }
        Path csv = ctx.file(name(), "scores.csv");
        List<List<?>> rows = new ArrayList<>();
        double[] distance = new double[len];
        for (int s = 0; s < len; s++) {
            distance[s] = len - 1 - s;
            rows.add(List.of(s, len - 1 - s, influence[s]));
        }
        CsvWriter.write(csv, List.of("position", "distance", "influence"), rows);
        double slope = fitSlope(distance, influence);
        String plot = name() + "-decay.png";
        double[] positive = new double[len];
        for (int s = 0; s < len; s++) {
            positive[s] = Math.max(influence[s], 1e-30);
        }
        Plots.line(ctx.dir().resolve(plot), Plots.LineSpec.of("Influence of x_s on y_T: " + label, "distance T - s",
                "||dy_T/dx_s||").withLogY(), List.of(new Plots.Series(label, distance, positive)));
        ctx.figure("influence_slope_per_token", String.format(Locale.ROOT, "%.5f", slope));
        boolean hasBound = aMax > 0;
        double bound = hasBound ? Math.log(aMax) : Double.NaN;
        if (hasBound) {
            ctx.figure("log_a_max", String.format(Locale.ROOT, "%.5f", bound));
        }
        double per100 = slope * 100 / Math.log(10);
        String verdict = String.format(Locale.ROOT, "recency: influence changes by 10^%.2f per 100 tokens (slope %.4f per token)",
                per100, slope)
                + (hasBound ? String.format(Locale.ROOT, "; Theorem 3.1's rate log A_max = %.4f %s", bound,
                slope <= bound + 1e-3 ? "bounds it" : "does not bound the whole model (conv and gates mix positions)") : "");
        ctx.section().verdict(verdict)
                .paragraph("Model: " + label + ", T = " + len + ", averaged over " + count + " random sequences, output: " + at + ".")
                .image(plot, "log influence against distance")
                .table("fit", List.of("quantity", "value"), List.of(List.of("fitted slope (per token)", slope),
                        List.of("log A_max", hasBound ? bound : "n/a (no diagonal transition)")));
        ctx.say(verdict);
    }

    /** ||∂(Σ_k y_{T,k})/∂x_s||₂ for every s, by one reverse pass from the last position. */
    static double[] influence(LanguageModel lm, int[] tokens, boolean logits) {
        int len = tokens.length;
        Tensor x;
        try (var s = GradMode.noGrad()) {
            x = lm.embed(tokens, 1, len);
        }
        x = Tensor.of(x.toArray(), x.shape()).requiresGrad(true);
        Tensor h = lm.hiddenFromEmbeddings(x);
        Tensor y = logits ? lm.logitsFromHidden(h) : h;
        Tensor last = Reduce.sum(Shapes.slice(y, 1, len - 1, len));
        last.backward();
        return positionNorms(x.gradData(), len, lm.width());
    }

    /** ||g_s||₂ for each position s of a (1, len, d) gradient: the influence of input s. */
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
