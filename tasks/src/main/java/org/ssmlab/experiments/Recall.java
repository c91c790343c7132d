package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ssmlab.data.Batch;
import org.ssmlab.data.FileTrees;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.data.Seeds;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunTask;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;

/**
 * Associative recall with polarization (Table 2): an N-layer Mamba LM trained on MQAR (Zoology's
 * multi-query associative recall) over a mix of lengths and key-value counts, then evaluated per KV
 * count on held-out sequences. Shared by {@code ssmlab recall} and {@code ssmlab table2}.
 *
 * <p>Training follows Zoology's recipe where the budget allows: fresh sequences every step (power-law
 * gaps, a = 0.01), AdamW with a warmup, and an early stop once the validation accuracy (a fixed set per KV
 * count, disjoint in seed from the test set) reaches 99 % at every KV count. The validation curve goes to
 * {@code validation.csv} in the run directory. Zoology's weight decay (0.1) and cosine decay are settings
 * of the preset; the default preset has neither (the README's second pilot: both kept runs on the 1/K
 * plateau that left it without them).
 */
public final class Recall {

    /** The validation accuracy at every KV count that ends training early (Zoology's rule). */
    public static final double EARLY_STOP_ACCURACY = 0.99;

    /**
     * The sizes of a run. The paper's grid is length 1024, 64/128/256 KV pairs, d_model 128 with a budget
     * of GPU hours; {@link #real()} is the CPU-scale setting found by the pilot in the README,
     * {@link #quick()} a setting that trains in seconds.
     *
     * @param weightDecay  AdamW's decoupled weight decay (each step multiplies a decayed weight by 1 − lr·wd)
     * @param constantLr   whether the learning rate stays at its peak after the warmup (else: cosine decay
     *                     to 1e-5, Zoology's schedule)
     * @param monitorEvery steps between validation passes (0: none, so no early stop)
     * @param valSequences validation sequences per KV count
     */
    public record Preset(String name, int vocab, int length, List<Integer> kvCounts, int dModel, int dState,
                         int steps, int batch, double lr, double weightDecay, boolean constantLr, int evalSequences,
                         int monitorEvery, int valSequences) {

        /**
         * The weight decay of every run stored before it was a setting of its own (Zoology's 0.1); a spec
         * without a {@code weight_decay} setting means it, so those runs keep their keys.
         */
        public static final double STORED_DEFAULT_WEIGHT_DECAY = 0.1;

        public Preset {
            kvCounts = List.copyOf(kvCounts);
            for (int i = 1; i < kvCounts.size(); i++) {
                if (kvCounts.get(i) <= kvCounts.get(i - 1)) {
                    throw new IllegalArgumentException("recall: KV counts must increase, not " + kvCounts);
                }
            }
            if (kvCounts.isEmpty() || steps < 1 || batch < 1 || evalSequences < 1 || monitorEvery < 0 || valSequences < 1
                    || dModel < 1 || dState < 1 || !(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("recall: impossible preset " + this);
            }
        }

        public static Preset quick() {
            return new Preset("quick", 16, 16, List.of(2, 4), 32, 16, 1000, 32, 1e-2, 0.1, false, 256, 100, 64);
        }

        public static Preset real() {
            return new Preset("default", 40, 64, List.of(4, 8, 16), 16, 4, 16000, 32, 1e-2, 0.0, true, 512, 100, 128);
        }

        /** Every field as a setting of a {@link RunSpec}. */
        public Map<String, String> settings() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("preset", name);
            m.put("vocab", Integer.toString(vocab));
            m.put("length", Integer.toString(length));
            m.put("kv", String.join(",", kvCounts.stream().map(String::valueOf).toList()));
            m.put("d_model", Integer.toString(dModel));
            m.put("d_state", Integer.toString(dState));
            m.put("steps", Integer.toString(steps));
            m.put("batch", Integer.toString(batch));
            m.put("lr", Double.toString(lr));
            if (weightDecay != STORED_DEFAULT_WEIGHT_DECAY) {
                m.put("weight_decay", Double.toString(weightDecay));
            }
            if (constantLr) {                   // absent: the cosine schedule of every run stored before
                m.put("lr_schedule", "constant");
            }
            m.put("eval_sequences", Integer.toString(evalSequences));
            m.put("monitor_every", Integer.toString(monitorEvery));
            m.put("val_sequences", Integer.toString(valSequences));
            return m;
        }

        /** The preset a spec's settings describe (the inverse of {@link #settings()}). */
        public static Preset of(RunSpec s) {
            return new Preset(s.get("preset"), Integer.parseInt(s.get("vocab")), Integer.parseInt(s.get("length")),
                    java.util.Arrays.stream(s.get("kv").split(",")).map(Integer::valueOf).toList(),
                    Integer.parseInt(s.get("d_model")), Integer.parseInt(s.get("d_state")), Integer.parseInt(s.get("steps")),
                    Integer.parseInt(s.get("batch")), Double.parseDouble(s.get("lr")),
                    s.settings().containsKey("weight_decay") ? Double.parseDouble(s.get("weight_decay")) : STORED_DEFAULT_WEIGHT_DECAY,
                    "constant".equals(s.settings().get("lr_schedule")),
                    Integer.parseInt(s.get("eval_sequences")),
                    Integer.parseInt(s.get("monitor_every")), Integer.parseInt(s.get("val_sequences")));
        }

        /** The same preset with another peak learning rate. */
        public Preset withLr(double v) {
            return new Preset(name, vocab, length, kvCounts, dModel, dState, steps, batch, v, weightDecay, constantLr, evalSequences,
                    monitorEvery, valSequences);
        }

        /** The same preset with another weight decay. */
        public Preset withWeightDecay(double v) {
            return new Preset(name, vocab, length, kvCounts, dModel, dState, steps, batch, lr, v, constantLr, evalSequences,
                    monitorEvery, valSequences);
        }

        /** The same preset with another step budget. */
        public Preset withSteps(int v) {
            return new Preset(name, vocab, length, kvCounts, dModel, dState, v, batch, lr, weightDecay, constantLr,
                    evalSequences, monitorEvery, valSequences);
        }

        /** The same preset with a constant learning rate after the warmup (true) or the cosine decay. */
        public Preset withConstantLr(boolean v) {
            return new Preset(name, vocab, length, kvCounts, dModel, dState, steps, batch, lr, weightDecay, v,
                    evalSequences, monitorEvery, valSequences);
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s preset: vocabulary %d, length %d (and %d), KV pairs %s, d_model %d, "
                    + "d_state %d, up to %d AdamW steps of batch %d at %s learning rate %s and weight decay %s, early stop at "
                    + "%.0f %% validation accuracy (paper: length 1024, KV 64/128/256, d_model 128)",
                    name, vocab, length, length / 2, kvCounts, dModel, dState, steps, batch,
                    constantLr ? "constant (after warmup)" : "peak (cosine decay)", lr, weightDecay,
                    100 * EARLY_STOP_ACCURACY);
        }
    }

    /**
     * Accuracy at query positions for each KV count, in the preset's order, on the test sequences and (null
     * without validation passes) in the last validation pass.
     */
    public record Outcome(double[] accuracy, double[] validation, double finalLoss, long finalStep, boolean stoppedEarly) {
    }

    private Recall() {
    }

    /** One run of the spec {@code recall}: a preset's settings plus {@code polarization} and {@code layers}. */
    public static RunSpec spec(Preset p, Polarization pol, int layers, long seed) {
        Map<String, Object> s = new LinkedHashMap<>(p.settings());
        s.put("polarization", pol.name().toLowerCase(Locale.ROOT));
        s.put("layers", layers);
        return RunSpec.of("recall", s, seed, pol.name().toLowerCase(Locale.ROOT) + " L" + layers + " s" + seed);
    }

    /** The figure name of the accuracy at {@code kv} pairs in a {@link RunResult}. */
    public static String accuracyFigure(int kv) {
        return "accuracy_kv" + kv;
    }

    /**
     * The figure name of the last validation pass's accuracy at {@code kv} pairs in a {@link RunResult}
     * (runs stored before it existed have only their {@code validation.csv}; see {@link #lastValidation}).
     */
    public static String validationFigure(int kv) {
        return "validation_accuracy_kv" + kv;
    }

    /** Executes {@code recall} specs (see {@link #spec}). */
    public static RunTask task(boolean progress) {
        return (spec, runDir) -> {
            Preset p = Preset.of(spec);
            Outcome o = run(p, Polarization.parse(spec.get("polarization")), Integer.parseInt(spec.get("layers")),
                    spec.seed(), runDir, progress);
            Map<String, Double> figures = new TreeMap<>();
            for (int i = 0; i < o.accuracy().length; i++) {
                figures.put(accuracyFigure(p.kvCounts().get(i)), o.accuracy()[i]);
                if (o.validation() != null) {
                    figures.put(validationFigure(p.kvCounts().get(i)), o.validation()[i]);
                }
            }
            figures.put("final_loss", o.finalLoss());
            return new RunResult.Outcome(figures, o.finalStep(), o.stoppedEarly());
        };
    }

    /** Trains one model (resuming from {@code runDir} if it holds checkpoints) and evaluates it. */
    public static Outcome run(Preset p, Polarization pol, int layers, long seed, Path runDir, boolean progress) {
        for (int k : p.kvCounts()) {
            new MqarGenerator(p.vocab(), p.length(), k);       // impossible sizes fail here, before training
        }
        LanguageModel lm = Family.MAMBA.languageModel(p.vocab(), layers, new Family.Spec(p.dModel(), p.dState(), 1, pol), seed);
        List<MqarGenerator> mix = new ArrayList<>();
        for (int k : p.kvCounts()) {
            mix.add(new MqarGenerator(p.vocab(), p.length(), k));
            if (p.length() / 2 >= 4 * k) {
                mix.add(new MqarGenerator(p.vocab(), p.length() / 2, k));
            }
        }
        TrainOptions o = new TrainOptions().steps(p.steps()).peakLr(p.lr()).weightDecay(p.weightDecay()).seed(seed).progress(progress)
                .checkpointEvery(Math.max(50, p.steps() / 8)).monitorEvery(p.monitorEvery())
                .name("recall " + pol.name().toLowerCase(Locale.ROOT) + " L" + layers + " s" + seed);
        if (p.constantLr()) {
            o.minLr(p.lr());                    // the cosine from the peak to the peak: constant after the warmup
        }
        p.settings().forEach(o::setting);
        o.setting("polarization", pol.name().toLowerCase(Locale.ROOT)).setting("layers", layers);
        Validation val = new Validation(lm, p, seed, runDir);
        Trainer.Result r = new Trainer(lm, Trainer.languageModel(lm), rng -> mix.get(rng.nextInt(mix.size())).batch(p.batch(), rng),
                o, runDir, p.monitorEvery() > 0 ? val::stop : null).run();
        double[] acc = new double[p.kvCounts().size()];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = accuracy(lm, p, i, p.evalSequences(), testSeed(seed, i));
        }
        return new Outcome(acc, val.last, r.lastLoss(), r.finalStep(), r.stoppedEarly());
    }

    /** The seed of the test sequences of KV count number {@code i}. */
    static long testSeed(long seed, int i) {
        return Seeds.deriveSeed(Seeds.deriveSeed(seed, 0x7E57L), i);
    }

    /** The seed of the validation sequences of KV count number {@code i} (another stream than the test's). */
    static long validationSeed(long seed, int i) {
        return Seeds.deriveSeed(Seeds.deriveSeed(seed, 0x7A11DL), i);
    }

    /** Accuracy at the query positions of {@code count} sequences of the preset's i-th KV count. */
    static double accuracy(LanguageModel lm, Preset p, int i, int count, long streamSeed) {
        MqarGenerator g = new MqarGenerator(p.vocab(), p.length(), p.kvCounts().get(i));
        long correct = 0;
        long total = 0;
        for (int done = 0; done < count; done += 64) {
            Batch b = g.batch(Math.min(64, count - done), Seeds.deriveSeed(streamSeed, done));
            Evaluator.Result e = Evaluator.evaluate(lm, b);
            correct += Math.round(e.accuracy() * e.supervised());
            total += e.supervised();
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /**
     * The accuracy per KV count of the last validation pass of a finished run (the last row of its
     * {@code validation.csv}, taken every {@code monitor_every} steps), in {@code kvCounts} order; empty when
     * the run kept no curve. Choices between runs (a learning rate per seed or per cell) are made on it,
     * never on the test accuracy they then report.
     */
    public static Optional<double[]> lastValidation(Path runDir, List<Integer> kvCounts) throws IOException {
        Path file = runDir.resolve("validation.csv");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.size() < 2) {
            return Optional.empty();
        }
        List<String> header = List.of(lines.get(0).split(","));
        String[] last = lines.get(lines.size() - 1).split(",");
        double[] acc = new double[kvCounts.size()];
        for (int i = 0; i < acc.length; i++) {
            int col = header.indexOf(accuracyFigure(kvCounts.get(i)));
            if (col < 0 || col >= last.length) {
                throw new IOException("recall: " + file + " has no column " + accuracyFigure(kvCounts.get(i)));
            }
            acc[i] = Double.parseDouble(last[col]);
        }
        return Optional.of(acc);
    }

    /** The validation pass of the early stop; keeps the curve in {@code validation.csv}. */
    private static final class Validation {
        private final LanguageModel lm;
        private final Preset p;
        private final long seed;
        private final Path file;
        /** The accuracies of the last pass of this process (null before the first). */
        double[] last;

        Validation(LanguageModel lm, Preset p, long seed, Path runDir) {
            this.lm = lm;
            this.p = p;
            this.seed = seed;
            this.file = runDir == null ? null : runDir.resolve("validation.csv");
        }

        boolean stop(long step) {
            double[] acc = new double[p.kvCounts().size()];
            boolean all = true;
            for (int i = 0; i < acc.length; i++) {
                acc[i] = accuracy(lm, p, i, p.valSequences(), validationSeed(seed, i));
                all &= acc[i] >= EARLY_STOP_ACCURACY;
            }
            if (file != null) {
                record(step, acc);
            }
            last = acc;
            return all;
        }

        /** Rewrites validation.csv with this step's row replacing any row of this or a later step. */
        private void record(long step, double[] acc) {
            try {
                List<String> lines = new ArrayList<>();
                if (Files.exists(file)) {
                    for (String line : Files.readAllLines(file)) {
                        String first = line.split(",", 2)[0];
                        if (lines.isEmpty() || (first.matches("\\d+") && Long.parseLong(first) < step)) {
                            lines.add(line);
                        }
                    }
                }
                if (lines.isEmpty()) {
                    lines.add("step," + String.join(",", p.kvCounts().stream().map(k -> "accuracy_kv" + k).toList()));
                }
                StringBuilder row = new StringBuilder(Long.toString(step));
                for (double a : acc) {
                    row.append(String.format(Locale.ROOT, ",%.4f", a));
                }
                lines.add(row.toString());
                FileTrees.writeAtomically(file, String.join("\n", lines) + "\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("recall: cannot write " + file, e);
            }
        }
    }
}
