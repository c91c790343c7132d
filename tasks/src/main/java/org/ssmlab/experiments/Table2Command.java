package org.ssmlab.experiments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
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
 * settings are never mixed in. With several learning rates, each seed keeps the rate of its best validation
 * accuracy (or each cell one rate, as in Zoology: {@code --lr-selection cell}). Reported: mean and 95 % CI per cell, the paired difference of
 * each polarization against none, and a verdict that names an effect only where its CI excludes 0.
 */
@Command(name = "table2", mixinStandardHelpOptions = true,
        description = "Table 2: MQAR accuracy for polarization {none,one,zero,both} x {2,4} layers over seeds.")
public final class Table2Command extends ExperimentCommand {

    /**
     * The learning rates of the default grid, one run each per seed, each seed keeping its best on validation:
     * leaving the 1/K plateau within the budget depends on the rate as well as on the seed (the README's
     * sweep: of six Default 2L seeds, 3 learned at 0.01, 5 at 0.02, and the sixth only at 0.005).
     */
    static final List<Double> DEFAULT_RATES = List.of(0.005, 0.01, 0.02);

    /** The accuracy at the smallest KV count from which a run counts as having learned recall. */
    static final double LEARNED = 0.95;

    @Option(names = "--seeds", description = "Seeds per cell (default: 3).")
    Integer seeds;

    @Option(names = "--layers", split = ",", description = "Depths (default: 2,4; quick: 2).")
    List<Integer> depths;

    @Option(names = "--steps", description = "Training steps per model (default: the preset's).")
    Integer steps;

    @Option(names = "--lr", split = ",", description = "Peak learning rates; with several, each seed (or cell: --lr-selection) keeps its best on validation (default: 0.005, 0.01 and 0.02, chosen per seed; quick: the preset's).")
    List<Double> lrs;

    @Option(names = "--lr-selection", description = "With several --lr: keep, for each seed, the rate of its best "
            + "validation accuracy (seed), or one rate per cell, the best on average over its seeds (cell, Zoology's) "
            + "(default: seed).")
    String lrSelection = "seed";

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
        List<Double> lrList = lrs != null ? lrs : ctx.quick() ? List.of(p.lr()) : DEFAULT_RATES;
        if (nSeeds < 1 || layerList.isEmpty() || layerList.stream().anyMatch(l -> l < 1 || l > 64) || lrList.isEmpty()) {
            throw new IllegalArgumentException("table2: --seeds must be positive, --layers in 1..64, --lr not empty");
        }
        boolean perSeed = switch (lrSelection) {
            case "seed" -> true;
            case "cell" -> false;
            default -> throw new IllegalArgumentException("table2: --lr-selection must be seed or cell, not '" + lrSelection + "'");
        };
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
        Recall.Preset preset = p;
        List<RunResult> chosen = lrList.size() == 1 ? results
                : chooseLearningRates(results, r -> validationOf(store, r, preset.kvCounts()), perSeed);

        Set<RunResult> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(chosen);
        List<List<?>> raw = new ArrayList<>();
        for (RunResult r : results) {
            for (int k : p.kvCounts()) {
                raw.add(List.of(r.spec().get("polarization"), r.spec().get("layers"), r.spec().get("lr"), r.spec().seed(), k,
                        r.figure(Recall.accuracyFigure(k)), r.finalStep(), r.stoppedEarly(), String.format(Locale.ROOT, "%.1f", r.seconds()),
                        kept.contains(r)));
            }
        }
        CsvWriter.write(ctx.file(name(), "runs.csv"), List.of("polarization", "layers", "lr", "seed", "kv_pairs", "accuracy",
                "final_step", "stopped_early", "seconds", "kept"), raw);

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
                String lr = ratesUsed(chosen, pn, layers);
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
        String verdict = provisional(stats.verdict(), results.size(), specs.size());
        ctx.say(learned);
        ctx.section().verdict(verdict).paragraph(p.describe() + "; " + nSeeds + " seeds per cell; learning rates " + lrList
                        + (lrList.size() == 1 ? "" : perSeed ? ", each seed keeping the rate of its best validation accuracy"
                        : ", each cell keeping the rate of its best mean validation accuracy") + ".")
                .paragraph(learned)
                .table("accuracy at query positions (mean ± 95 % CI over seeds, Student t)", header, table)
                .table("each polarization against none, paired over seeds", List.of("comparison"),
                        comparisons.stream().map(c -> List.<Object>of(c)).toList())
                .image(plot, "mean accuracy per cell with 95 % CI error bars (drawn within [0, 1])");
        ctx.say(verdict);
    }

    /**
     * The verdict as it stands, marked provisional when only {@code finished} of the grid's {@code total}
     * runs are in ({@code --no-train} on a grid still running): a look at part of a grid can show an
     * interval that the finished grid does not (at 60 of 72 runs one comparison excluded 0 that the
     * finished grid did not), so it is not a verdict yet.
     */
    static String provisional(String verdict, int finished, int total) {
        return finished >= total ? verdict
                : "provisional, " + finished + " of " + total + " runs finished (read the verdict from the finished grid): "
                + verdict;
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
        SeedStats.Share learned = SeedStats.shareCi95(stats.learned(Polarization.NONE, layers, LEARNED),
                stats.seeds(Polarization.NONE, layers));
        return String.format(Locale.ROOT, "none / %dL at %d KV pairs: %.1f %% (%s; chance %.1f %%); seeds that reached "
                        + "%.0f %% there: %s", layers, p.kvCounts().get(0),
                100 * easy.mean(), easy.mean() >= LEARNED ? "the easy column is learned" : easy.mean() > 3 * chance
                        ? "above chance but below 95 %: comparisons are between partly trained models" : "NOT learned: the comparisons mean little",
                100 * chance, 100 * LEARNED, learned.format());
    }

    /**
     * With several learning rates, the run kept for each seed of each (polarization, layers) cell: per
     * seed, the rate of that seed's best validation accuracy (mean over KV counts, last validation pass);
     * per cell (Zoology's choice), the rate of the best such accuracy averaged over the cell's seeds, all
     * of whose runs are kept. Ties go to the rate given first. The choice never looks at the test accuracy
     * that the table then reports. With one rate, all runs.
     *
     * @param validation the last validation accuracies of a run, per KV count
     */
    static List<RunResult> chooseLearningRates(List<RunResult> results, Function<RunResult, double[]> validation,
                                               boolean perSeed) {
        Map<String, Map<String, List<RunResult>>> groups = new LinkedHashMap<>();
        for (RunResult r : results) {
            String group = r.spec().get("polarization") + "/" + r.spec().get("layers") + (perSeed ? "/" + r.spec().seed() : "");
            groups.computeIfAbsent(group, c -> new LinkedHashMap<>()).computeIfAbsent(r.spec().get("lr"), l -> new ArrayList<>()).add(r);
        }
        List<RunResult> out = new ArrayList<>();
        for (Map<String, List<RunResult>> byLr : groups.values()) {
            List<RunResult> best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (List<RunResult> runs : byLr.values()) {
                double score = runs.stream().mapToDouble(r -> Arrays.stream(validation.apply(r)).average().orElse(Double.NaN))
                        .average().orElse(Double.NaN);
                if (best == null || score > bestScore) {
                    best = runs;
                    bestScore = score;
                }
            }
            out.addAll(best);
        }
        return out;
    }

    /** The last validation accuracies of a run: its figures, or, for runs stored before them, its validation.csv. */
    static double[] validationOf(RunStore store, RunResult r, List<Integer> kvCounts) {
        if (kvCounts.stream().allMatch(k -> r.figures().containsKey(Recall.validationFigure(k)))) {
            return kvCounts.stream().mapToDouble(k -> r.figure(Recall.validationFigure(k))).toArray();
        }
        try {
            return Recall.lastValidation(store.runDir(r.spec()), kvCounts).orElseThrow(() -> new IllegalStateException(
                    "table2: run " + r.spec().key() + " has no validation accuracy to choose its learning rate by"));
        } catch (IOException e) {
            throw new UncheckedIOException("table2: cannot read the validation curve of run " + r.spec().key(), e);
        }
    }

    /** The learning rates a cell's kept runs used: {@code 0.01}, or {@code 0.01 ×4, 0.02 ×2} when seeds chose differently. */
    static String ratesUsed(List<RunResult> chosen, String polarization, int layers) {
        Map<String, Long> counts = new TreeMap<>(Comparator.comparingDouble(Double::parseDouble));
        chosen.stream().filter(r -> r.spec().get("polarization").equals(polarization)
                        && r.spec().get("layers").equals(Integer.toString(layers)))
                .forEach(r -> counts.merge(r.spec().get("lr"), 1L, Long::sum));
        if (counts.isEmpty()) {
            return "-";
        }
        if (counts.size() == 1) {
            return counts.keySet().iterator().next();
        }
        return String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue()).toList());
    }
}
