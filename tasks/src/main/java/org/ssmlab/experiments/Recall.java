package org.ssmlab.experiments;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.ssmlab.data.Batch;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;

/**
 * Associative recall with polarization (Table 2): an N-layer Mamba LM trained on MQAR (Zoology's
 * multi-query associative recall) over a mix of lengths and key-value counts, then evaluated per KV
 * count on held-out sequences. Shared by {@code ssmlab recall} and {@code ssmlab table2}.
 */
public final class Recall {

    /**
     * The sizes of a run. The paper's grid is length 1024, 64/128/256 KV pairs, d_model 128; {@link #real()}
     * scales it to what two cores train in about an hour for the whole table, {@link #quick()} to a minute.
     */
    public record Preset(String name, int vocab, int length, List<Integer> kvCounts, int dModel, int dState,
                         int steps, int batch, double lr, int evalSequences) {

        public static Preset quick() {
            return new Preset("quick", 32, 64, List.of(4, 8), 32, 16, 800, 32, 5e-3, 128);
        }

        public static Preset real() {
            return new Preset("default", 512, 256, List.of(16, 32, 64), 64, 16, 1500, 32, 1e-3, 512);
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s preset: vocabulary %d, length %d (and %d), KV pairs %s, d_model %d, "
                    + "d_state %d, %d AdamW steps of batch %d (paper: length 1024, KV 64/128/256, d_model 128)",
                    name, vocab, length, length / 2, kvCounts, dModel, dState, steps, batch);
        }
    }

    /** Accuracy at query positions for each KV count, in the preset's order. */
    public record Outcome(double[] accuracy, double finalLoss) {
    }

    private Recall() {
    }

    /** Trains one model (resuming from {@code runDir} if it holds checkpoints) and evaluates it. */
    public static Outcome run(Preset p, Polarization pol, int layers, long seed, Path runDir, boolean progress) {
        for (int k : p.kvCounts()) {
            new MqarGenerator(p.vocab(), p.length(), k);       // impossible sizes fail here, before training
        }
        LanguageModel lm = Family.MAMBA.languageModel(p.vocab(), layers, new Family.Spec(p.dModel(), p.dState(), 1, pol), seed);
        List<MqarGenerator> mix = new java.util.ArrayList<>();
        for (int k : p.kvCounts()) {
            mix.add(new MqarGenerator(p.vocab(), p.length(), k));
            if (p.length() / 2 >= 4 * k) {
                mix.add(new MqarGenerator(p.vocab(), p.length() / 2, k));
            }
        }
        TrainOptions o = new TrainOptions().steps(p.steps()).peakLr(p.lr()).seed(seed).progress(progress)
                .checkpointEvery(Math.max(50, p.steps() / 4))
                .name("recall " + pol.name().toLowerCase(Locale.ROOT) + " L" + layers + " s" + seed);
        Trainer.Result r = new Trainer(lm, Trainer.languageModel(lm), rng -> mix.get(rng.nextInt(mix.size())).batch(p.batch(), rng),
                o, runDir).run();
        double[] acc = new double[p.kvCounts().size()];
        for (int i = 0; i < acc.length; i++) {
            MqarGenerator g = new MqarGenerator(p.vocab(), p.length(), p.kvCounts().get(i));
            long correct = 0;
            long total = 0;
            for (int done = 0; done < p.evalSequences(); done += 64) {
                Batch b = g.batch(Math.min(64, p.evalSequences() - done), seed * 7919 + 1_000_003L * (i + 1) + done);
                Evaluator.Result e = Evaluator.evaluate(lm, b);
                correct += Math.round(e.accuracy() * e.supervised());
                total += e.supervised();
            }
            acc[i] = total == 0 ? Double.NaN : (double) correct / total;
        }
        return new Outcome(acc, r.lastLoss());
    }
}
