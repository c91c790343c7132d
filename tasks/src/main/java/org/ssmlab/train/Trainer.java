package org.ssmlab.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Module;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.autograd.optim.AdamW;
import org.ssmlab.autograd.optim.GradClip;
import org.ssmlab.autograd.optim.LrSchedule;
import org.ssmlab.data.Batch;
import org.ssmlab.data.Seeds;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.ssm.core.LanguageModel;

/**
 * Trains a module with AdamW, a warmup-cosine learning rate and global gradient clipping, resumably.
 *
 * <h2>One step t = 0, 1, ..., steps-1</h2>
 * <pre>
 *   rng    = Seeds.derive(seed, t)               the step's own random stream
 *   batch  = data.next(rng)                      then objective.compute(batch, rng) (e.g. dropout)
 *   lr     = warmupCosine(peakLr, warmup, steps, minLr)(t)
 *   zero the gradients; loss.backward(); norm = clipGlobalNorm(maxNorm)
 *   AdamW step (skipped, and counted, when the norm is NaN or infinite)
 * </pre>
 * Because the step's randomness is derived from (seed, t) alone, the whole random state of a run is the
 * seed and the step, and a resumed run draws exactly the batches an uninterrupted one would.
 *
 * <h2>Checkpoints</h2>
 * With a run directory, every {@code checkpointEvery} steps (and after the last) the trainer saves a
 * checkpoint through its {@link CheckpointStore}. At start it loads the newest complete checkpoint, if
 * any, and continues from its step; a checkpoint written with other settings ({@link TrainOptions#identity})
 * is refused before anything in the directory changes. Each step appends a row to {@code metrics.csv}
 * (step, loss, accuracy, lr, grad_norm); on resume the rows after the checkpoint are dropped, so the file
 * always describes one uninterrupted run.
 *
 * <h2>Early stop</h2>
 * With a {@link Monitor} and {@link TrainOptions#monitorEvery}, the monitor sees the model after every
 * {@code monitorEvery} steps; when it says stop, the trainer checkpoints that step, marked as stopped,
 * and ends. Resuming a stopped run does nothing more.
 *
 * <h2>Progress</h2>
 * A progress bar with loss, accuracy and ETA goes to stderr when stderr is a terminal and
 * {@link TrainOptions#progress} is on.
 */
public final class Trainer {

    /** One optimisation target: the loss of a batch and, when meaningful, the token accuracy. */
    @FunctionalInterface
    public interface Objective {
        /** The loss (a scalar tensor connected to the parameters) of {@code batch}; may draw from {@code rng}. */
        StepResult compute(Batch batch, SplittableRandom rng);
    }

    /** Makes the batch of a step from the step's random stream. */
    @FunctionalInterface
    public interface BatchSource {
        Batch next(SplittableRandom rng);
    }

    /** A step's loss and accuracy (NaN when the objective does not measure it). */
    public record StepResult(Tensor loss, double accuracy) {
    }

    /** What one step did; {@code step} counts completed steps, 1 for the first. */
    public record StepLog(long step, double loss, double accuracy, double lr, double gradNorm) {
    }

    /** Looks at the model every {@code monitorEvery} steps, e.g. a validation accuracy for an early stop. */
    @FunctionalInterface
    public interface Monitor {
        /** Whether to stop after {@code step} completed steps. */
        boolean stop(long step);
    }

    /** The outcome of {@link #run()}; {@code finalStep} is where the run ended (early or at {@code steps}). */
    public record Result(long resumedFrom, long finalStep, long skippedSteps, boolean stoppedEarly, List<StepLog> history) {

        /** The last step's loss (NaN when no step ran in this session). */
        public double lastLoss() {
            return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).loss();
        }
    }

    static final String METRICS = "metrics.csv";

    private final Module model;
    private final Objective objective;
    private final BatchSource data;
    private final TrainOptions options;
    private final Monitor monitor;
    private final CheckpointStore store;
    private final Path runDir;
    private final Map<String, Tensor> named;
    private final AdamW optimizer;
    private final LrSchedule schedule;

    /**
     * @param runDir where checkpoints and metrics go; null for an in-memory run without checkpoints
     */
    public Trainer(Module model, Objective objective, BatchSource data, TrainOptions options, Path runDir) {
        this(model, objective, data, options, runDir, null);
    }

    /**
     * @param runDir  where checkpoints and metrics go; null for an in-memory run without checkpoints
     * @param monitor called every {@link TrainOptions#monitorEvery} steps; null for none
     */
    public Trainer(Module model, Objective objective, BatchSource data, TrainOptions options, Path runDir, Monitor monitor) {
        this.monitor = monitor;
        this.model = Objects.requireNonNull(model, "Trainer: model is null");
        this.objective = Objects.requireNonNull(objective, "Trainer: objective is null");
        this.data = Objects.requireNonNull(data, "Trainer: data is null");
        this.options = Objects.requireNonNull(options, "Trainer: options is null");
        this.runDir = runDir;
        this.store = runDir == null ? null : new CheckpointStore(runDir, options.keepCheckpoints);
        this.named = model.namedParameters();
        this.optimizer = new AdamW(new ArrayList<>(named.values()), options.peakLr, options.beta1, options.beta2,
                options.eps, options.weightDecay, noDecay(named)::contains);
        this.schedule = LrSchedule.warmupCosine(options.peakLr, options.warmup(), options.steps, options.minLr);
    }

    /**
     * The parameters exempt from weight decay, as in the reference Mamba: every vector (biases, norm
     * weights, D, Δ bias) and the SSM's A_log, whose decay towards 0 would pull every A towards -1.
     */
    static java.util.Set<Tensor> noDecay(Map<String, Tensor> named) {
        java.util.Set<Tensor> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        named.forEach((name, p) -> {
            if (p.rank() <= 1 || name.equals("A_log") || name.endsWith(".A_log")) {
                out.add(p);
            }
        });
        return out;
    }

    /** The next-token objective of a language model: mean cross-entropy over supervised positions. */
    public static Objective languageModel(LanguageModel lm) {
        return (batch, rng) -> {
            Tensor logits = lm.forward(batch.tokens(), batch.batch(), batch.len());
            Tensor flat = Shapes.reshape(logits, batch.batch() * batch.len(), lm.vocab());
            return new StepResult(Softmax.crossEntropy(flat, batch.targets()),
                    Evaluator.tokenAccuracy(flat, batch.targets()));
        };
    }

    /** Any loss of a batch, without an accuracy. */
    public static Objective lossOnly(Function<Batch, Tensor> loss) {
        return (batch, rng) -> new StepResult(loss.apply(batch), Double.NaN);
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Resumes from the newest checkpoint if there is one, then trains up to {@code steps}. */
    public Result run() {
        try {
            return runChecked();
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: " + e.getMessage(), e);
        }
    }

    private Result runChecked() throws IOException {
        long start = 0;
        if (store != null) {
            CheckpointStore.Loaded loaded = store.load(model, named, optimizer, options.identity());
            if (loaded == null) {
                Files.deleteIfExists(runDir.resolve(METRICS));
            } else {
                truncateMetrics(loaded.step());
                start = loaded.step();
                if (loaded.stoppedEarly()) {
                    return new Result(start, start, 0, true, List.of());
                }
            }
        }
        List<StepLog> history = new ArrayList<>();
        long skipped = 0;
        long end = options.steps;
        boolean stopped = false;
        CsvWriter metrics = null;
        if (runDir != null) {
            Files.createDirectories(runDir);
            metrics = new CsvWriter(runDir.resolve(METRICS), true, "step", "loss", "accuracy", "lr", "grad_norm");
        }
        try (ProgressBar bar = progressBar(start)) {
            for (long t = start; t < options.steps && !stopped; t++) {
                StepLog log = step(t);
                if (!Double.isFinite(log.gradNorm())) {
                    skipped++;
                }
                long done = log.step();
                history.add(log);
                if (metrics != null) {
                    metrics.row(done, log.loss(), log.accuracy(), log.lr(), log.gradNorm());
                }
                if (bar != null) {
                    bar.stepTo(done);
                    bar.setExtraMessage(String.format(java.util.Locale.ROOT, " loss %.4f acc %.3f", log.loss(), log.accuracy()));
                }
                stopped = monitor != null && options.monitorEvery > 0 && done % options.monitorEvery == 0
                        && done < options.steps && monitor.stop(done);
                if (stopped) {
                    end = done;
                }
                boolean due = options.checkpointEvery > 0 && done % options.checkpointEvery == 0;
                if (store != null && (due || stopped || done == options.steps)) {
                    metrics.flush();
                    store.save(done, model, named, optimizer, options.identity(), options.seed, stopped);
                }
            }
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        return new Result(start, Math.max(start, end), skipped, stopped, history);
    }

    /** One optimisation step t (0-based): batch, loss, backward, clip, AdamW (skipped on a non-finite norm). */
    private StepLog step(long t) {
        SplittableRandom rng = Seeds.derive(options.seed, t);
        Batch batch = data.next(rng);
        double lr = schedule.at(t);
        optimizer.setLearningRate(lr);
        optimizer.zeroGrad();
        StepResult r = objective.compute(batch, rng);
        double loss = r.loss().item();
        r.loss().backward();
        double norm = GradClip.clipGlobalNorm(optimizer.params(), options.clipNorm > 0 ? options.clipNorm : Double.MAX_VALUE);
        if (Double.isFinite(norm)) {
            optimizer.step();
        }
        optimizer.zeroGrad();
        return new StepLog(t + 1, loss, r.accuracy(), lr, norm);
    }

    private ProgressBar progressBar(long start) {
        var console = System.console();
        if (!options.progress || console == null || !console.isTerminal()) {
            return null;
        }
        PrintStream err = System.err;
        return new ProgressBarBuilder().setTaskName(options.name).setInitialMax(options.steps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .startsFrom(start, Duration.ZERO).build();
    }

    /** Keeps the header and the rows of steps &lt;= {@code step} of metrics.csv. */
    private void truncateMetrics(long step) throws IOException {
        Path file = runDir.resolve(METRICS);
        if (!Files.exists(file)) {
            return;
        }
        List<List<String>> rows = CsvWriter.read(file);
        List<List<String>> keep = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            // A row cut short by a crash has fewer fields; drop it with the rows after the checkpoint.
            if (r.size() == rows.get(0).size() && Long.parseLong(r.get(0)) <= step) {
                keep.add(r);
            }
        }
        CsvWriter.write(file, rows.get(0), keep);
    }

}
