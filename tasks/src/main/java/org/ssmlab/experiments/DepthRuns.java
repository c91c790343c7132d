package org.ssmlab.experiments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.ssmlab.data.Batch;
import org.ssmlab.data.BrownCorpus;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.data.Seeds;
import org.ssmlab.data.TextWindows;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunTask;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;

/**
 * One run of the depth grid (Fig. 4) as data: a language model of a given depth and width trained on one
 * corpus at one context length, and its loss on a held-out batch. The spec {@code depth} holds every
 * setting; the seed chooses the weights, the training batches and, for the corpora made in code, the corpus
 * itself (an order-2 Markov chain or MQAR sequences), so seeds are independent samples of the whole run.
 */
public final class DepthRuns {

    /** Next-token contexts per Markov state. */
    static final int BRANCHING = 3;

    /** Figure names of a depth run's result. */
    static final String LOSS = "val_loss";
    static final String ACCURACY = "val_accuracy";
    static final String PARAMETERS = "parameters";

    private DepthRuns() {
    }

    /** The settings of a grid, one run of which a {@link #spec} picks. */
    record Grid(String model, String corpus, int vocab, int dState, int batch, int steps, double lr, int val) {
    }

    /** The spec of the run at context {@code length}, {@code layers} blocks of width {@code width}. */
    static RunSpec spec(Grid g, int length, int layers, int width, long seed) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", g.model());
        s.put("corpus", g.corpus());
        s.put("vocab", g.vocab());
        s.put("length", length);
        s.put("layers", layers);
        s.put("d_model", width);
        s.put("d_state", g.dState());
        s.put("batch", g.batch());
        s.put("steps", g.steps());
        s.put("lr", g.lr());
        s.put("val", g.val());
        return RunSpec.of("depth", s, seed, String.format(Locale.ROOT, "L=%d %dx%d s%d", length, layers, width, seed));
    }

    /**
     * Executes {@code depth} specs: trains (resuming from the run directory's checkpoints) and evaluates.
     *
     * @param brownDir where the Brown corpus is, for {@code corpus=brown} (not part of a spec: any copy of
     *                 the corpus gives the same run)
     */
    static RunTask task(Path brownDir, boolean progress) {
        return (spec, runDir) -> {
            ModelVariant variant = ModelVariant.parse(spec.get("model"));
            int vocab = Integer.parseInt(spec.get("vocab"));
            int len = Integer.parseInt(spec.get("length"));
            int layers = Integer.parseInt(spec.get("layers"));
            int width = Integer.parseInt(spec.get("d_model"));
            int dState = Integer.parseInt(spec.get("d_state"));
            int batch = Integer.parseInt(spec.get("batch"));
            int steps = Integer.parseInt(spec.get("steps"));
            double lr = Double.parseDouble(spec.get("lr"));
            int val = Integer.parseInt(spec.get("val"));
            long seed = spec.seed();
            Corpus corpus = corpus(spec.get("corpus"), vocab, len, seed, val, brownDir);

            LanguageModel lm = variant.languageModel(vocab, layers, width, dState, 2, Seeds.deriveSeed(seed, 1));
            TrainOptions opts = new TrainOptions().steps(steps).peakLr(lr).weightDecay(0.01).seed(seed)
                    .checkpointEvery(Math.max(1, steps / 4)).progress(progress)
                    .name(String.format(Locale.ROOT, "depth L=%d %dx%d s%d", len, layers, width, seed));
            spec.settings().forEach(opts::setting);
            Trainer.Result r = new Trainer(lm, Trainer.languageModel(lm), rng -> corpus.batch(batch, rng), opts, runDir).run();
            Evaluator.Result e = BrownLm.evaluate(lm, corpus.validation());
            Map<String, Double> figures = new TreeMap<>();
            figures.put(LOSS, e.loss());
            figures.put(ACCURACY, e.accuracy());
            figures.put(PARAMETERS, (double) lm.parameterCount());
            return new RunResult.Outcome(figures, r.finalStep(), r.stoppedEarly());
        };
    }

    /** Training batches and the held-out batch of one corpus at one context length. */
    record Corpus(BatchMaker batches, Batch validation) {

        Batch batch(int size, SplittableRandom rng) {
            return batches.batch(size, rng);
        }
    }

    /** Draws a training batch of {@code size} sequences. */
    interface BatchMaker {
        Batch batch(int size, SplittableRandom rng);
    }

    /** The corpus {@code kind} (markov, mqar or brown) at context {@code len}, drawn from {@code seed}. */
    static Corpus corpus(String kind, int vocab, int len, long seed, int val, Path brownDir) {
        switch (kind) {
            case "brown" -> {
                BrownCorpus text;
                try {
                    text = BrownCorpus.load(brownDir);
                } catch (IOException e) {
                    throw new UncheckedIOException("depth: cannot read the Brown corpus in " + brownDir, e);
                }
                TextWindows train = new TextWindows(text.train(), len);
                Batch held = new TextWindows(text.validation(), len).fixedWindows(val);
                return new Corpus(train::batch, held);
            }
            case "markov" -> {
                MarkovCorpus mc = new MarkovCorpus(vocab, len, BRANCHING, Seeds.deriveSeed(seed, 7));
                return new Corpus(mc::batch, mc.batch(val, Seeds.derive(seed, 1_000_000L + len)));
            }
            case "mqar" -> {
                MqarGenerator mq = new MqarGenerator(vocab, len, kvPairs(len)); // checks vocab >= 2K + 2, L >= 4K
                return new Corpus(mq::batch, mq.batch(val, Seeds.derive(seed, 1_000_000L + len)));
            }
            default -> throw new IllegalArgumentException("depth: corpus must be markov, mqar or brown, not '" + kind + "'");
        }
    }

    /** K = max(1, L / 8) key-value pairs for context length L. */
    static int kvPairs(int len) {
        return Math.max(1, len / 8);
    }
}
