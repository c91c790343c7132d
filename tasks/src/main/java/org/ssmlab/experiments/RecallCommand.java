package org.ssmlab.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.runs.LocalExecutor;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.ssm.core.Polarization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ssmlab recall}: one Mamba LM on MQAR with a chosen polarization and depth (Table 2, one cell). */
@Command(name = "recall", mixinStandardHelpOptions = true,
        description = "Associative recall (MQAR) with polarization: train one Mamba LM, accuracy per KV count (Table 2).")
public final class RecallCommand extends ExperimentCommand {

    @Option(names = "--layers", defaultValue = "2", description = "Number of Mamba layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--polarize", defaultValue = "both", description = "none, one, zero or both (default: ${DEFAULT-VALUE}).")
    String polarize;

    @Option(names = "--steps", description = "Training steps (default: the preset's).")
    Integer steps;

    @Option(names = "--length", description = "Sequence length (default: the preset's).")
    Integer length;

    @Option(names = "--kv", split = ",", description = "KV counts, e.g. 16,32,64 (default: the preset's).")
    List<Integer> kv;

    @Option(names = "--vocab", description = "Vocabulary size (default: the preset's).")
    Integer vocab;

    @Option(names = "--d-model", description = "Model width (default: the preset's).")
    Integer dModel;

    @Option(names = "--lr", description = "Peak learning rate (default: the preset's).")
    Double lr;

    @Option(names = "--weight-decay", description = "AdamW's decoupled weight decay (default: the preset's).")
    Double weightDecay;

    @Option(names = "--lr-schedule", description = "cosine (decay to 1e-5) or constant (after the warmup) (default: the preset's).")
    String lrSchedule;

    @Option(names = "--d-state", description = "SSM state size per channel (default: the preset's).")
    Integer dState;

    @Option(names = "--batch", description = "Sequences per step (default: the preset's).")
    Integer batch;

    @Option(names = "--monitor-every", description = "Steps between validation passes for the early stop at 99 %% (0: none; default: the preset's).")
    Integer monitorEvery;

    @Override
    public String name() {
        return "recall";
    }

    @Override
    public String title() {
        return "Associative recall with polarization (Table 2)";
    }

    /** The preset after the command-line overrides. */
    Recall.Preset preset(boolean quickPreset) {
        Recall.Preset p = quickPreset ? Recall.Preset.quick() : Recall.Preset.real();
        return new Recall.Preset(p.name(), vocab != null ? vocab : p.vocab(), length != null ? length : p.length(),
                kv != null ? kv.stream().sorted().distinct().toList() : p.kvCounts(), dModel != null ? dModel : p.dModel(),
                dState != null ? dState : p.dState(), steps != null ? steps : p.steps(), batch != null ? batch : p.batch(),
                lr != null ? lr : p.lr(), weightDecay != null ? weightDecay : p.weightDecay(),
                lrSchedule != null ? constantSchedule(lrSchedule) : p.constantLr(), p.evalSequences(), monitorEvery != null ? monitorEvery : p.monitorEvery(),
                p.valSequences());
    }

    /** Whether {@code --lr-schedule} names the constant schedule; anything but cosine or constant is refused. */
    static boolean constantSchedule(String name) {
        return switch (name) {
            case "constant" -> true;
            case "cosine" -> false;
            default -> throw new IllegalArgumentException("--lr-schedule must be cosine or constant, not " + name);
        };
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        Polarization pol = Polarization.parse(polarize);
        if (layers < 1 || layers > 64) {
            throw new IllegalArgumentException("--layers must be in 1..64, not " + layers);
        }
        Recall.Preset p = preset(ctx.quick());
        RunSpec spec = Recall.spec(p, pol, layers, ctx.seed());
        RunStore store = new RunStore(ctx.dir().resolve("recall-runs"));
        RunResult r = new LocalExecutor(store, Recall.task(ctx.progress()), ctx::say).runAll(List.of(spec)).get(0);
        ctx.say("recall: run directory " + store.runDir(spec) + " (validation curve in validation.csv), ended at step "
                + r.finalStep() + (r.stoppedEarly() ? " (early stop)" : ""));
        List<List<?>> rows = new ArrayList<>();
        StringBuilder summary = new StringBuilder();
        for (int k : p.kvCounts()) {
            double acc = r.figure(Recall.accuracyFigure(k));
            rows.add(List.of(pol.name().toLowerCase(Locale.ROOT), layers, ctx.seed(), k, acc));
            ctx.figure("recall_accuracy_kv" + k, String.format(Locale.ROOT, "%.4f", acc));
            summary.append(String.format(Locale.ROOT, "%s%d KV: %.1f%%", summary.isEmpty() ? "" : ", ", k, 100 * acc));
        }
        CsvWriter.write(ctx.file(name(), "accuracy.csv"), List.of("polarization", "layers", "seed", "kv_pairs", "accuracy"), rows);
        String verdict = "recall (" + pol.name().toLowerCase(Locale.ROOT) + ", " + layers + " layers, one seed): " + summary;
        ctx.section().verdict(verdict).paragraph(p.describe() + ".")
                .table("accuracy at query positions", List.of("polarization", "layers", "seed", "KV pairs", "accuracy"), rows);
        ctx.say(verdict);
    }
}
