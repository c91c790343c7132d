package org.ssmlab.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.Mixer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Long-range dependency profiles (docs/theory.md §8): LRD(t, s) = ||∂y_t/∂x_s|| against t - s for one layer
 * of S4D, Mamba (with and without polarization), causal softmax attention and the attentive state
 * update, at random initialisation on Gaussian inputs, averaged over samples. SSMs decay at least like
 * A_max^{t-s}; attention and the attentive update are not forced to.
 */
@Command(name = "lrd", mixinStandardHelpOptions = true,
        description = "Long-range dependency profiles ||dy_t/dx_s|| against t - s for SSMs and attention.")
public final class LrdCommand extends ExperimentCommand {

    @Option(names = "--length", description = "Sequence length (default: 512, quick: 128).")
    Integer length;

    @Option(names = "--samples", description = "Input samples averaged (default: 8, quick: 3).")
    Integer samples;

    @Option(names = "--checkpoint", description = "Also profile a trained Mamba or transformer LM checkpoint "
            + "(the dependency of its last hidden state on each input embedding).")
    java.nio.file.Path checkpoint;

    @Option(names = "--polarize", defaultValue = "none", description = "The checkpoint's polarization (none, one, zero, both).")
    String polarize;

    @Override
    public String name() {
        return "lrd";
    }

    @Override
    public String title() {
        return "Long-range dependency profiles (second paper, docs/theory.md §8)";
    }

    private record Model(String label, Family family, Polarization pol) {
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        int len = length != null ? length : ctx.quick() ? 128 : 512;
        int count = samples != null ? samples : ctx.quick() ? 3 : 8;
        if (len < 2 || count < 1) {
            throw new IllegalArgumentException("--length must be at least 2 and --samples at least 1");
        }
        int d = 32;
        List<Model> models = List.of(new Model("S4D", Family.S4D, Polarization.NONE),
                new Model("Mamba", Family.MAMBA, Polarization.NONE),
                new Model("Mamba polarized (both)", Family.MAMBA, Polarization.BOTH),
                new Model("causal attention", Family.TRANSFORMER, Polarization.NONE),
                new Model("attentive state update", Family.ATTENTIVE, Polarization.NONE));
        List<Plots.Series> series = new ArrayList<>();
        List<List<?>> rows = new ArrayList<>();
        List<List<?>> summary = new ArrayList<>();
        double[] distance = new double[len];
        for (int s = 0; s < len; s++) {
            distance[s] = len - 1 - s;
        }
        double mambaRatio = Double.NaN;
        double attentiveRatio = Double.NaN;
        for (Model m : models) {
            Mixer mixer = m.family().mixer(new Family.Spec(d, 16, 4, m.pol()), new SplittableRandom(ctx.seed()));
            double[] profile = new double[len];
            SplittableRandom rng = new SplittableRandom(ctx.seed() + 1);
            for (int k = 0; k < count; k++) {
                Tensor x = Tensor.randn(rng, 1f, 1, len, d).requiresGrad(true);
                Reduce.sum(Shapes.slice(mixer.forward(x), 1, len - 1, len)).backward();
                double[] norms = InfluenceCommand.positionNorms(x.gradData(), len, d);
                for (int s = 0; s < len; s++) {
                    profile[s] += norms[s] / count;
                }
            }
            double[] positive = new double[len];
            for (int s = 0; s < len; s++) {
                positive[s] = Math.max(profile[s], 1e-30);
                rows.add(List.of(m.label(), len - 1 - s, profile[s]));
            }
            series.add(new Plots.Series(m.label(), distance, positive));
            double near = profile[len - 2];
            double far = profile[0];
            double ratio = far / near;
            summary.add(List.of(m.label(), near, far, ratio));
            ctx.figure("lrd_far_over_near_" + m.label().toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", "_").replaceAll("_$", ""),
                    String.format(Locale.ROOT, "%.3e", ratio));
            if (m.label().equals("Mamba")) {
                mambaRatio = ratio;
            }
            if (m.family() == Family.ATTENTIVE) {
                attentiveRatio = ratio;
            }
        }
        if (checkpoint != null) {
            org.ssmlab.ssm.core.LanguageModel lm = Checkpoints.load(checkpoint, Polarization.parse(polarize));
            SplittableRandom rng = new SplittableRandom(ctx.seed() + 2);
            double[] profile = new double[len];
            for (int k = 0; k < count; k++) {
                int[] tokens = new int[len];
                for (int t = 0; t < len; t++) {
                    tokens[t] = rng.nextInt(lm.vocab());
                }
                double[] one = InfluenceCommand.influence(lm, tokens, false);
                for (int s = 0; s < len; s++) {
                    profile[s] += one[s] / count;
                }
            }
            String label = "checkpoint " + checkpoint.getFileName();
            double[] positive = new double[len];
            for (int s = 0; s < len; s++) {
                positive[s] = Math.max(profile[s], 1e-30);
                rows.add(List.of(label, len - 1 - s, profile[s]));
            }
            series.add(new Plots.Series(label, distance, positive));
            summary.add(List.of(label, profile[len - 2], profile[0], profile[0] / profile[len - 2]));
        }
        CsvWriter.write(ctx.file(name(), "profiles.csv"), List.of("model", "distance", "lrd"), rows);
        String plot = name() + "-profiles.png";
        Plots.line(ctx.dir().resolve(plot), Plots.LineSpec.of("LRD(t, s) = ||dy_t/dx_s|| at t = T", "distance t - s",
                "||dy_t/dx_s||").withLogY().withoutMarkers(), series);
        String verdict = String.format(Locale.ROOT, "LRD: over %d tokens Mamba's dependency falls to %.1e of its value at "
                + "distance 1, the attentive update's to %.1e", len - 2, mambaRatio, attentiveRatio);
        ctx.section().verdict(verdict)
                .paragraph("One layer of each family at random initialisation (d = 32), Gaussian inputs, T = " + len
                        + ", averaged over " + count + " samples.")
                .image(plot, "dependency of the last output on each input")
                .table("near and far dependency", List.of("model", "distance 1", "distance T-1", "ratio far/near"), summary);
        ctx.say(verdict);
    }
}
