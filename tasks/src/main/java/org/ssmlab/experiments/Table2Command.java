package org.ssmlab.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.ssm.core.Polarization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ssmlab table2}: the grid of Table 2 — polarization {none, one, zero, both} × {2, 4} layers over
 * several seeds — with mean and spread of the MQAR accuracy per KV count. Each cell resumes from its
 * own checkpoints, so a killed run continues where it stopped.
 */
@Command(name = "table2", mixinStandardHelpOptions = true,
        description = "Table 2: MQAR accuracy for polarization {none,one,zero,both} x {2,4} layers over seeds.")
public final class Table2Command extends ExperimentCommand {

    @Option(names = "--seeds", description = "Seeds per cell (default: 3, quick: 1).")
    Integer seeds;

    @Option(names = "--layers", split = ",", description = "Depths (default: 2,4; quick: 2).")
    List<Integer> depths;

    @Option(names = "--steps", description = "Training steps per model (default: the preset's).")
    Integer steps;

    @Override
    public String name() {
        return "table2";
    }

    @Override
    public String title() {
        return "Table 2: polarization against depth on associative recall";
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        Recall.Preset base = ctx.quick() ? Recall.Preset.quick() : Recall.Preset.real();
        Recall.Preset p = steps == null ? base : new Recall.Preset(base.name(), base.vocab(), base.length(), base.kvCounts(),
                base.dModel(), base.dState(), steps, base.batch(), base.lr(), base.evalSequences());
        int nSeeds = seeds != null ? seeds : ctx.quick() ? 1 : 3;
        List<Integer> layerList = depths != null ? depths : ctx.quick() ? List.of(2) : List.of(2, 4);
        if (nSeeds < 1 || layerList.isEmpty() || layerList.stream().anyMatch(l -> l < 1 || l > 64)) {
            throw new IllegalArgumentException("--seeds must be positive and --layers in 1..64");
        }
        List<List<?>> raw = new ArrayList<>();
        List<List<?>> table = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        List<double[]> means = new ArrayList<>();
        for (int k : p.kvCounts()) {
            means.add(new double[Polarization.values().length * layerList.size()]);
        }
        int cell = 0;
        for (int layers : layerList) {
            for (Polarization pol : Polarization.values()) {
                String label = pol.name().toLowerCase(Locale.ROOT) + " / " + layers + "L";
                categories.add(label);
                double[][] acc = new double[p.kvCounts().size()][nSeeds];
                for (int s = 0; s < nSeeds; s++) {
                    long seed = ctx.seed() + s;
                    ctx.say("table2: " + label + ", seed " + seed);
                    Recall.Outcome o = Recall.run(p, pol, layers, seed,
                            ctx.dir().resolve("table2-runs").resolve(pol.name().toLowerCase(Locale.ROOT) + "-L" + layers + "-s" + seed),
                            ctx.progress());
                    for (int i = 0; i < acc.length; i++) {
                        acc[i][s] = o.accuracy()[i];
                        raw.add(List.of(pol.name().toLowerCase(Locale.ROOT), layers, seed, p.kvCounts().get(i), o.accuracy()[i]));
                    }
                }
                List<Object> row = new ArrayList<>(List.of(pol.name().toLowerCase(Locale.ROOT), layers));
                for (int i = 0; i < acc.length; i++) {
                    double mean = mean(acc[i]);
                    means.get(i)[cell] = mean;
                    row.add(String.format(Locale.ROOT, "%.1f ± %.1f", 100 * mean, 100 * std(acc[i])));
                }
                table.add(row);
                cell++;
            }
        }
        CsvWriter.write(ctx.file(name(), "runs.csv"), List.of("polarization", "layers", "seed", "kv_pairs", "accuracy"), raw);
        List<String> header = new ArrayList<>(List.of("polarization", "layers"));
        List<String> series = new ArrayList<>();
        for (int k : p.kvCounts()) {
            header.add("KV " + k + " (%, mean ± sd)");
            series.add("KV " + k);
        }
        CsvWriter.write(ctx.file(name(), "table.csv"), header, table);
        String plot = name() + "-accuracy.png";
        Plots.bars(ctx.dir().resolve(plot), "MQAR accuracy by polarization and depth", "polarization / layers",
                "accuracy", categories, series, means);
        for (List<?> row : table) {
            ctx.say(String.join("  ", row.stream().map(String::valueOf).toList()));
        }
        int last = p.kvCounts().size() - 1;
        double none = means.get(last)[0];
        double both = means.get(last)[Polarization.BOTH.ordinal()];
        String verdict = String.format(Locale.ROOT,
                "polarization at %d KV pairs (%d layers): none %.1f%%, both %.1f%% — %s", p.kvCounts().get(last),
                layerList.get(0), 100 * none, 100 * both, both > none ? "polarizing helps recall" : "no gain at this scale");
        ctx.figure("table2_none_acc", String.format(Locale.ROOT, "%.4f", none));
        ctx.figure("table2_both_acc", String.format(Locale.ROOT, "%.4f", both));
        ctx.section().verdict(verdict).paragraph(p.describe() + "; " + nSeeds + " seeds per cell.")
                .table("accuracy at query positions (mean ± standard deviation over seeds)", header, table)
                .image(plot, "mean accuracy per cell");
        ctx.say(verdict);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
