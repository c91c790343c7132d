package org.ssmlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ssmlab.data.FileTrees;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
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
 * With a run directory, every {@code checkpointEvery} steps (and after the last) the trainer writes
 * {@code checkpoints/step-NNNNNNNN/} holding {@code model.safetensors} (the state dict),
 * {@code optimizer.safetensors} (AdamW's moments as {@code m.<param>} and {@code v.<param>}) and
 * {@code state.json} (step, seed, per-parameter AdamW step counts, the configuration). The directory is
 * filled under a temporary name and renamed into place, so a checkpoint directory is complete or absent.
 * At start the trainer loads the newest complete checkpoint, if any, and continues from its step; the
 * older checkpoints beyond {@code keepCheckpoints} are deleted. Each step appends a row to
 * {@code metrics.csv} (step, loss, accuracy, lr, grad_norm); on resume the rows after the checkpoint are
 * dropped, so the file always describes one uninterrupted run.
 *
 * <h2>Progress</h2>
 * A progress bar with loss, accuracy and ETA goes to stderr when stderr is a terminal and
 * {@link Options#progress} is on.
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

    /** The outcome of {@link #run()}. */
    public record Result(long resumedFrom, long finalStep, long skippedSteps, List<StepLog> history) {

        /** The last step's loss (NaN when no step ran in this session). */
        public double lastLoss() {
            return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).loss();
        }
    }

    /** Hyper-parameters and run settings, with defaults for a small synthetic task. */
    public static final class Options {
        long steps = 1000;
        double peakLr = 1e-3;
        long warmupSteps = -1; // -1: 10% of steps
        double minLr = 1e-5;
        double weightDecay = 0.1;
        double beta1 = 0.9;
        double beta2 = 0.98;
        double eps = 1e-8;
        double clipNorm = 1.0;
        long seed = 0;
        long checkpointEvery = 500;
        int keepCheckpoints = 2;
        boolean progress = true;
        String name = "train";

        public Options steps(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("Trainer: steps = " + v + " must be >= 1");
            }
            steps = v;
            return this;
        }

        public Options peakLr(double v) {
            peakLr = v;
            return this;
        }

        /** Warmup steps; the default is 10% of the steps. */
        public Options warmupSteps(long v) {
            warmupSteps = v;
            return this;
        }

        public Options minLr(double v) {
            minLr = v;
            return this;
        }

        /** Decoupled weight decay; vectors (biases, norm gains, D) and A_log are exempt (see {@code noDecay}). */
        public Options weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Options betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Options eps(double v) {
            eps = v;
            return this;
        }

        /** The global gradient-norm bound (0 or less: no clipping). */
        public Options clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public Options seed(long v) {
            seed = v;
            return this;
        }

        /** Steps between checkpoints (0: only after the last step). */
        public Options checkpointEvery(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("Trainer: checkpointEvery = " + v + " must be >= 0");
            }
            checkpointEvery = v;
            return this;
        }

        /** How many checkpoints to keep (the newest); at least 1. */
        public Options keepCheckpoints(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("Trainer: keepCheckpoints = " + v + " must be >= 1");
            }
            keepCheckpoints = v;
            return this;
        }

        /** Whether to draw a progress bar (only ever on a terminal). */
        public Options progress(boolean v) {
            progress = v;
            return this;
        }

        /** The label of the progress bar. */
        public Options name(String v) {
            name = v;
            return this;
        }

        public long steps() {
            return steps;
        }

        public long seed() {
            return seed;
        }

        long warmup() {
            return warmupSteps >= 0 ? Math.min(warmupSteps, steps) : steps / 10;
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("peakLr", peakLr);
            m.put("warmupSteps", warmup());
            m.put("minLr", minLr);
            m.put("weightDecay", weightDecay);
            m.put("beta1", beta1);
            m.put("beta2", beta2);
            m.put("eps", eps);
            m.put("clipNorm", clipNorm);
            m.put("seed", seed);
            return m;
        }
    }

    static final String CHECKPOINTS = "checkpoints";
    static final String METRICS = "metrics.csv";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("step-(\\d{8,})");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Module model;
    private final Objective objective;
    private final BatchSource data;
    private final Options options;
    private final Path runDir;
    private final Map<String, Tensor> named;
    private final AdamW optimizer;
    private final LrSchedule schedule;

    /**
     * @param runDir where checkpoints and metrics go; null for an in-memory run without checkpoints
     */
    public Trainer(Module model, Objective objective, BatchSource data, Options options, Path runDir) {
        this.model = Objects.requireNonNull(model, "Trainer: model is null");
        this.objective = Objects.requireNonNull(objective, "Trainer: objective is null");
        this.data = Objects.requireNonNull(data, "Trainer: data is null");
        this.options = Objects.requireNonNull(options, "Trainer: options is null");
        this.runDir = runDir;
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
        long start = runDir == null ? 0 : resume();
        List<StepLog> history = new ArrayList<>();
        long skipped = 0;
        CsvWriter metrics = null;
        if (runDir != null) {
            Files.createDirectories(runDir);
            metrics = new CsvWriter(runDir.resolve(METRICS), true, "step", "loss", "accuracy", "lr", "grad_norm");
        }
        try (ProgressBar bar = progressBar(start)) {
            for (long t = start; t < options.steps; t++) {
                SplittableRandom rng = Seeds.derive(options.seed, t);
                Batch batch = data.next(rng);
                double lr = schedule.at(t);
                optimizer.setLearningRate(lr);
                optimizer.zeroGrad();
                StepResult r = objective.compute(batch, rng);
                double loss = r.loss().item();
                r.loss().backward();
                double norm = options.clipNorm > 0 ? GradClip.clipGlobalNorm(optimizer.params(), options.clipNorm)
                        : GradClip.clipGlobalNorm(optimizer.params(), Double.MAX_VALUE);
                if (Double.isFinite(norm)) {
                    optimizer.step();
                } else {
                    skipped++;
                }
                optimizer.zeroGrad();
                long done = t + 1;
                StepLog log = new StepLog(done, loss, r.accuracy(), lr, norm);
                history.add(log);
                if (metrics != null) {
                    metrics.row(done, loss, r.accuracy(), lr, norm);
                }
                if (bar != null) {
                    bar.stepTo(done);
                    bar.setExtraMessage(String.format(java.util.Locale.ROOT, " loss %.4f acc %.3f", loss, r.accuracy()));
                }
                boolean due = options.checkpointEvery > 0 && done % options.checkpointEvery == 0;
                if (runDir != null && (due || done == options.steps)) {
                    metrics.flush();
                    checkpoint(done);
                }
            }
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        return new Result(start, Math.max(start, options.steps), skipped, history);
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

    // ---------------------------------------------------------------- checkpoints

    /** The directory of the checkpoint after {@code step} completed steps. */
    public static Path checkpointDir(Path runDir, long step) {
        return runDir.resolve(CHECKPOINTS).resolve(String.format("step-%08d", step));
    }

    /** The newest complete checkpoint directory of {@code runDir}, or null. */
    public static Path latestCheckpoint(Path runDir) throws IOException {
        List<Path> all = checkpoints(runDir);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Complete checkpoint directories, oldest first. */
    static List<Path> checkpoints(Path runDir) throws IOException {
        Path dir = runDir.resolve(CHECKPOINTS);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (CHECKPOINT_NAME.matcher(p.getFileName().toString()).matches()
                        && Files.isRegularFile(p.resolve("state.json"))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Trainer::stepOf));
        return out;
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT_NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("Trainer: " + checkpoint + " is not a checkpoint directory");
        }
        return Long.parseLong(m.group(1));
    }

    private void checkpoint(long step) throws IOException {
        Path dir = runDir.resolve(CHECKPOINTS);
        Files.createDirectories(dir);
        Path target = checkpointDir(runDir, step);
        Path tmp = dir.resolve(".tmp-" + target.getFileName() + "-" + ProcessHandle.current().pid());
        FileTrees.delete(tmp);
        Files.createDirectories(tmp);
        Map<String, String> meta = Map.of("step", Long.toString(step), "format", "ssmlab-trainer-1");
        SafeTensors.write(tmp.resolve("model.safetensors"), model.stateDict(), meta);
        Map<String, Tensor> moments = new LinkedHashMap<>();
        Map<String, Long> adamSteps = new LinkedHashMap<>();
        List<AdamW.ParamState> states = optimizer.exportState();
        List<String> names = new ArrayList<>(named.keySet());
        for (int k = 0; k < names.size(); k++) {
            AdamW.ParamState s = states.get(k);
            adamSteps.put(names.get(k), s.steps());
            if (s.m() != null) {
                int[] shape = named.get(names.get(k)).shape();
                moments.put("m." + names.get(k), Tensor.of(s.m(), shape));
                moments.put("v." + names.get(k), Tensor.of(s.v(), shape));
            }
        }
        SafeTensors.write(tmp.resolve("optimizer.safetensors"), moments, meta);
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("seed", options.seed);
        state.addProperty("rng", "per-step streams Seeds.derive(seed, step); the next step is " + step);
        state.add("adamSteps", GSON.toJsonTree(adamSteps));
        state.add("options", GSON.toJsonTree(options.asMap()));
        Files.writeString(tmp.resolve("state.json"), GSON.toJson(state), StandardCharsets.UTF_8);
        if (Files.exists(target)) {
            FileTrees.delete(target); // a rerun of a step already saved (same seed, so the same content)
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        }
        List<Path> all = checkpoints(runDir);
        for (int i = 0; i < all.size() - options.keepCheckpoints; i++) {
            FileTrees.delete(all.get(i));
        }
    }

    /** Loads the newest checkpoint into the model and optimizer; returns its step (0 when none). */
    private long resume() throws IOException {
        Path latest = latestCheckpoint(runDir);
        if (latest == null) {
            Files.deleteIfExists(runDir.resolve(METRICS));
            return 0;
        }
        JsonObject state = GSON.fromJson(Files.readString(latest.resolve("state.json")), JsonObject.class);
        long step = state.get("step").getAsLong();
        long seed = state.get("seed").getAsLong();
        if (seed != options.seed) {
            throw new IllegalStateException("Trainer: " + runDir + " holds a run with seed " + seed
                    + ", not " + options.seed + "; use another run directory or the same seed");
        }
        model.loadStateDict(SafeTensors.read(latest.resolve("model.safetensors")), true);
        Map<String, Tensor> moments = SafeTensors.read(latest.resolve("optimizer.safetensors"));
        JsonObject adamSteps = state.getAsJsonObject("adamSteps");
        List<AdamW.ParamState> states = new ArrayList<>();
        for (var e : named.entrySet()) {
            String n = e.getKey();
            if (!adamSteps.has(n)) {
                throw new IllegalStateException("Trainer: checkpoint " + latest + " has no optimizer state for " + n);
            }
            Tensor m = moments.get("m." + n);
            Tensor v = moments.get("v." + n);
            states.add(new AdamW.ParamState(m == null ? null : m.data(), v == null ? null : v.data(),
                    adamSteps.get(n).getAsLong()));
        }
        optimizer.importState(states);
        truncateMetrics(step);
        return step;
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
