package org.ssmlab.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.report.Plots;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.stats.SeedStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ssmlab table2}: the grid of Table 2 — polarization {none, one, zero, both} × {2, 4} layers over
 * seeds — as a list of {@link RunSpec}s run here or, with {@code --cluster}, on a cluster's workers
 * ({@link ClusterOptions}). Every run is keyed by all its
 * settings and its result is kept, so a stopped grid continues where it stopped and runs of other
 * settings are never mixed in. With several learning rates, each (polarization, depth) cell keeps the rate
 * of the best mean accuracy, as in Zoology. Reported: mean and 95 % CI per cell, the paired difference of
 * each polarization against none, and a verdict that names an effect only where its CI excludes 0.
 */
@Command(name = "table2", mixinStandardHelpOptions = true,
        description = "Table 2: MQAR accuracy for polarization {none,one,zero,both} x {2,4} layers over seeds.")
public final class Table2Command extends ExperimentCommand {

    /** The accuracy at the smallest KV count from which a run counts as having learned recall. */
    static final double LEARNED = 0.95;

    @Option(names = "--seeds", description = "Seeds per cell (default: 3).")
    Integer seeds;

    @Option(names = "--layers", split = ",", description = "Depths (default: 2,4; quick: 2).")
    List<Integer> depths;

    @Option(names = "--steps", description = "Training steps per model (default: the preset's).")
    Integer steps;

    @Option(names = "--lr", split = ",", description = "Peak learning rates; with several, each cell keeps its best (default: the preset's).")
    List<Double> lrs;

    @Option(names = "--weight-decay", description = "AdamW's decoupled weight decay (default: the preset's).")
    Double weightDecay;

    @Option(names = "--lr-schedule", description = "cosine (decay to 1e-5) or constant (after the warmup) (default: the preset's).")
    String lrSchedule;

    @Option(names = "--no-train", description = "Report from the runs finished so far; train nothing.")
    boolean noTrain;

    @Mixin
    ClusterOptions where = new ClusterOptions();

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
        Recall.Preset p = steps == null ? base : base.withSteps(steps);
        if (weightDecay != null) {
            p = p.withWeightDecay(weightDecay);
        }
        if (lrSchedule != null) {
            p = p.withConstantLr(RecallCommand.constantSchedule(lrSchedule));
        }
        int nSeeds = seeds != null ? seeds : 3;
        List<Integer> layerList = depths != null ? depths : ctx.quick() ? List.of(2) : List.of(2, 4);
        List<Double> lrList = lrs != null ? lrs : List.of(p.lr());
        if (nSeeds < 1 || layerList.isEmpty() || layerList.stream().anyMatch(l -> l < 1 || l > 64) || lrList.isEmpty()) {
            throw new IllegalArgumentException("table2: --seeds must be positive, --layers in 1..64, --lr not empty");
        }
        // The grid as data: depth × polarization × learning rate × seed.
        List<RunSpec> specs = new ArrayList<>();
        for (int layers : layerList) {
            for (Polarization pol : Polarization.values()) {
                for (double lr : lrList) {
                    for (int s = 0; s < nSeeds; s++) {
                        specs.add(Recall.spec(p.withLr(lr), pol, layers, ctx.seed() + s));
                    }
                }
            }
        }
        RunStore store = new RunStore(ctx.dir().resolve("table2-runs"));
        List<RunResult> results = new ArrayList<>();
        if (noTrain) {
            for (RunSpec s : specs) {
                store.result(s).ifPresent(results::add);
            }
            ctx.say("table2: " + results.size() + " of " + specs.size() + " runs finished so far");
        } else {
            results = where.executor(store, ctx.progress(), ctx::say).runAll(specs);
        }
        List<RunResult> chosen = bestLearningRates(results, p.kvCounts());

        List<List<?>> raw = new ArrayList<>();
        for (RunResult r : results) {
            for (int k : p.kvCounts()) {
                raw.add(List.of(r.spec().get("polarization"), r.spec().get("layers"), r.spec().get("lr"), r.spec().seed(), k,
                        r.figure(Recall.accuracyFigure(k)), r.finalStep(), r.stoppedEarly(), String.format(Locale.ROOT, "%.1f", r.seconds())));
            }
        }
        CsvWriter.write(ctx.file(name(), "runs.csv"), List.of("polarization", "layers", "lr", "seed", "kv_pairs", "accuracy",
                "final_step", "stopped_early", "seconds"), raw);

        Table2Stats stats = new Table2Stats(chosen, p.kvCounts(), layerList);
        List<String> header = new ArrayList<>(List.of("polarization", "layers", "lr", "seeds",
                "learned (" + p.kvCounts().get(0) + " KV >= 95 %)"));
        List<String> series = new ArrayList<>();
        for (int k : p.kvCounts()) {
            header.add("KV " + k + " (%, mean ± 95 % CI)");
            series.add("KV " + k);
        }
        List<List<?>> table = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        List<double[]> means = new ArrayList<>();
        List<double[]> halfWidths = new ArrayList<>();
        p.kvCounts().forEach(k -> {
            means.add(new double[Polarization.values().length * layerList.size()]);
            halfWidths.add(new double[Polarization.values().length * layerList.size()]);
        });
        int cell = 0;
        for (int layers : layerList) {
            for (Polarization pol : Polarization.values()) {
                String pn = pol.name().toLowerCase(Locale.ROOT);
                categories.add(pn + " / " + layers + "L");
                String lr = chosen.stream().filter(r -> r.spec().get("polarization").equals(pn)
                        && r.spec().get("layers").equals(Integer.toString(layers))).map(r -> r.spec().get("lr")).findFirst().orElse("-");
                List<Object> row = new ArrayList<>(List.of(pn, layers, lr, stats.seeds(pol, layers),
                        stats.learned(pol, layers, LEARNED) + " of " + stats.seeds(pol, layers)));
                for (int i = 0; i < p.kvCounts().size(); i++) {
                    SeedStats.Interval a = stats.accuracy(pol, layers, i);
                    means.get(i)[cell] = a == null ? Double.NaN : a.mean();
                    halfWidths.get(i)[cell] = a == null ? Double.NaN : a.halfWidth();
                    row.add(a == null ? "not run" : pct(a));
                }
                table.add(row);
                cell++;
            }
        }
        CsvWriter.write(ctx.file(name(), "table.csv"), header, table);
        List<String> comparisons = stats.comparisons();
        CsvWriter.write(ctx.file(name(), "comparisons.csv"), List.of("comparison"),
                comparisons.stream().map(c -> List.<Object>of(c)).toList());
        String plot = name() + "-accuracy.png";
        Plots.bars(ctx.dir().resolve(plot), "MQAR accuracy by polarization and depth (mean, 95 % CI over seeds)",
                "polarization / layers", "accuracy", categories, series, zeroNaN(means), halfWidths, 0, 1);

        for (List<?> row : table) {
            ctx.say(String.join("  ", row.stream().map(String::valueOf).toList()));
        }
        for (Map.Entry<String, String> f : stats.figures().entrySet()) {
            ctx.figure(f.getKey(), f.getValue());
        }
        comparisons.forEach(ctx::say);
        String learned = learnedLine(stats, p, layerList.get(0));
        String verdict = stats.verdict();
        ctx.say(learned);
        ctx.section().verdict(verdict).paragraph(p.describe() + "; " + nSeeds + " seeds per cell; learning rates " + lrList + ".")
                .paragraph(learned)
                .table("accuracy at query positions (mean ± 95 % CI over seeds, Student t)", header, table)
                .table("each polarization against none, paired over seeds", List.of("comparison"),
                        comparisons.stream().map(c -> List.<Object>of(c)).toList())
                .image(plot, "mean accuracy per cell with 95 % CI error bars (drawn within [0, 1])");
        ctx.say(verdict);
    }

    private static String pct(SeedStats.Interval a) {
        return Double.isNaN(a.halfWidth()) ? String.format(Locale.ROOT, "%.1f (one seed)", 100 * a.mean())
                : String.format(Locale.ROOT, "%.1f ± %.1f", 100 * a.mean(), 100 * a.halfWidth());
    }

    private static List<double[]> zeroNaN(List<double[]> v) {
        return v.stream().map(a -> java.util.Arrays.stream(a).map(x -> Double.isNaN(x) ? 0 : x).toArray()).toList();
    }

    /** Whether Default learned the easy column: the precondition of every comparison. */
    static String learnedLine(Table2Stats stats, Recall.Preset p, int layers) {
        SeedStats.Interval easy = stats.accuracy(Polarization.NONE, layers, 0);
        if (easy == null) {
            return "none / " + layers + "L has not run yet";
        }
        double chance = 1.0 / (p.vocab() - p.vocab() / 2);
        return String.format(Locale.ROOT, "none / %dL at %d KV pairs: %.1f %% (%s; chance %.1f %%)", layers, p.kvCounts().get(0),
                100 * easy.mean(), easy.mean() >= LEARNED ? "the easy column is learned" : easy.mean() > 3 * chance
                        ? "above chance but below 95 %: comparisons are between partly trained models" : "NOT learned: the comparisons mean little",
                100 * chance);
    }

    /**
     * With several learning rates: for each (polarization, layers) cell, the runs of the rate with the best
     * mean accuracy over seeds and KV counts; with one rate, all runs.
     */
    static List<RunResult> bestLearningRates(List<RunResult> results, List<Integer> kvCounts) {
        Map<String, Map<String, List<RunResult>>> byCell = new LinkedHashMap<>();
        for (RunResult r : results) {
            String cell = r.spec().get("polarization") + "/" + r.spec().get("layers");
            byCell.computeIfAbsent(cell, c -> new LinkedHashMap<>()).computeIfAbsent(r.spec().get("lr"), l -> new ArrayList<>()).add(r);
        }
        List<RunResult> out = new ArrayList<>();
        for (Map<String, List<RunResult>> lrs : byCell.values()) {
            Optional<List<RunResult>> best = lrs.values().stream().max(Comparator.comparingDouble(rs -> rs.stream()
                    .mapToDouble(r -> kvCounts.stream().mapToDouble(k -> r.figure(Recall.accuracyFigure(k))).average().orElse(0))
                    .average().orElse(0)));
            best.ifPresent(out::addAll);
        }
        return out;
    }
}
