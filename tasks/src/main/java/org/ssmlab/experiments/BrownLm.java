package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.data.Batch;
import org.ssmlab.data.BrownCorpus;
import org.ssmlab.data.ByteTokenizer;
import org.ssmlab.data.TextWindows;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.train.Evaluator;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;

/**
 * A byte-level language model trained on the Brown corpus: the one recipe behind {@code ssmlab lm} and
 * the probes that train their own model. The Mamba LM has {@code dModel}; a transformer is given the width
 * (a multiple of its head count) whose parameter count is closest to that Mamba's, so the two families are
 * compared at equal size. Training is the resumable {@link Trainer} (AdamW, warmup-cosine, clipping 1)
 * on random windows of the training files; the validation loss is measured on fixed windows of the
 * validation files and reported in bits per byte (nats / ln 2, one token being one byte).
 */
public final class BrownLm {

    private BrownLm() {
    }

    /** Heads of the transformer (2, so that the widths of even head size come in steps of 4, for a close size match). */
    public static final int HEADS = 2;

    /** Everything that defines one trained model; {@link #key} names its run directory. */
    public record Config(ModelVariant variant, int dModel, int layers, int dState, int context, int batch, int steps,
                         double lr, long seed, int valWindows) {

        public Config {
            if (dModel < 4 || layers < 1 || dState < 1 || context < 2 || batch < 1 || steps < 1 || !(lr > 0) || valWindows < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "lm: need --d-model >= 4, --layers >= 1, --d-state >= 1,"
                        + " --context >= 2, --batch >= 1, --steps >= 1, --lr > 0 and --val >= 1 (got %d, %d, %d, %d, %d, %d, %s, %d)",
                        dModel, layers, dState, context, batch, steps, lr, valWindows));
            }
        }

        /** The preset of {@code ./ssmlab lm} (quick: d 64, 2 layers, context 128, 300 steps; else d 128, 4 layers, 256, 3000). */
        public static Config preset(boolean quick, ModelVariant variant, long seed) {
            return new Config(variant, quick ? 64 : 128, quick ? 2 : 4, 16, quick ? 128 : 256, 16, quick ? 300 : 3000, 3e-3, seed,
                    quick ? 32 : 256);
        }

        /** The run directory's name: every setting that changes the result. */
        public String key() {
            return String.format(Locale.ROOT, "%s-d%d-l%d-ds%d-L%d-b%d-st%d-lr%s-s%d", variant.label(), dModel, layers, dState,
                    context, batch, steps, lr, seed);
        }

        /** This configuration with another variant or seed. */
        public Config with(ModelVariant v, long s) {
            return new Config(v, dModel, layers, dState, context, batch, steps, lr, s, valWindows);
        }
    }

    /** A trained model, the file it was saved to, its validation bits per byte and its size. */
    public record Trained(Config config, LanguageModel lm, Path file, double valBpb, double valAccuracy, long parameters) {
    }

    /** The model of {@code c} before training: Mamba at d_model, any other family at the matched width. */
    public static LanguageModel build(Config c) {
        int width = c.variant().family() == Family.MAMBA ? c.dModel() : matchedWidth(c);
        return c.variant().languageModel(ByteTokenizer.VOCAB, c.layers(), width, c.dState(), HEADS, Seeds.modelSeed(c.seed()));
    }

    /** The parameter count of the Mamba LM (vocabulary 256) of these sizes: the target of every family. */
    public static long mambaParameters(Config c) {
        return Family.MAMBA.languageModel(ByteTokenizer.VOCAB, c.layers(),
                new Family.Spec(c.dModel(), c.dState(), 1, Polarization.NONE), 0).parameterCount();
    }

    /**
     * The width (a multiple of 2·{@link #HEADS}: heads of even size, for rotary positions) at which this
     * family's LM is closest in size to the Mamba LM.
     */
    static int matchedWidth(Config c) {
        long target = mambaParameters(c);
        int step = 2 * HEADS;
        int best = step;
        long bestGap = Long.MAX_VALUE;
        for (int w = step; w <= 4 * c.dModel(); w += step) {
            long p = c.variant().languageModel(ByteTokenizer.VOCAB, c.layers(), w, c.dState(), HEADS, 0).parameterCount();
            long gap = Math.abs(p - target);
            if (gap < bestGap) {
                bestGap = gap;
                best = w;
            }
            if (p > target) {
                break;
            }
        }
        return best;
    }

    /** The training and validation streams of the corpus at a context length. */
    public record Data(TextWindows train, TextWindows validation) {

        public static Data of(BrownCorpus corpus, int context) {
            return new Data(new TextWindows(corpus.train(), context), new TextWindows(corpus.validation(), context));
        }
    }

    /**
     * Trains (or resumes) the model of {@code c} in {@code dir/lm-train/<key>}, saves it as
     * {@code dir/lm-<label>-s<seed>.safetensors} (with its settings and validation figures as metadata,
     * {@code n_head} among them so {@link Checkpoints#load} rebuilds it) and returns it.
     */
    public static Trained train(Config c, Data data, Path dir, boolean progress, Consumer<String> say) throws IOException {
        LanguageModel lm = build(c);
        Path runDir = dir.resolve("lm-train").resolve(c.key());
        TextWindows tw = data.train();
        TrainOptions opts = new TrainOptions().steps(c.steps()).peakLr(c.lr()).weightDecay(0.1).seed(c.seed())
                .checkpointEvery(Math.max(1, c.steps() / 4)).keepCheckpoints(4).progress(progress)
                .name("lm " + c.variant().label() + " seed " + c.seed());
        Trainer.Result r = new Trainer(lm, Trainer.languageModel(lm), rng -> tw.batch(c.batch(), rng), opts, runDir).run();
        if (r.resumedFrom() > 0) {
            say.accept(c.key() + ": resumed from the checkpoint at step " + r.resumedFrom());
        }
        Batch val = data.validation().fixedWindows(c.valWindows());
        Evaluator.Result e = evaluate(lm, val);
        double bpb = e.loss() / Math.log(2);
        Path file = dir.resolve("lm-" + c.variant().label() + "-s" + c.seed() + ".safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("family", c.variant().family().name().toLowerCase(Locale.ROOT));
        meta.put("polarization", c.variant().polarization().name().toLowerCase(Locale.ROOT));
        meta.put("n_head", Integer.toString(HEADS));
        meta.put("corpus", "brown");
        meta.put("tokenizer", "bytes");
        meta.put("context", Integer.toString(c.context()));
        meta.put("steps", Integer.toString(c.steps()));
        meta.put("seed", Long.toString(c.seed()));
        meta.put("val_bpb", String.format(Locale.ROOT, "%.6f", bpb));
        Files.createDirectories(dir);
        SafeTensors.write(file, lm.stateDict(), meta);
        return new Trained(c, lm, file, bpb, e.accuracy(), lm.parameterCount());
    }

    /**
     * For the probes that train their own models: the {@code lm} preset's Mamba and transformer for seeds
     * {@code seed .. seed + seeds - 1}, trained (or resumed) into {@code dir} exactly as
     * {@code ./ssmlab lm [--quick] --seed S --out dir} would, so the two share their runs. Returned Mamba
     * first, each family in seed order.
     */
    public static List<Trained> trainPreset(boolean quick, long seed, int seeds, Path corpusDir, Path dir, boolean progress,
                                            Consumer<String> say) throws IOException {
        BrownCorpus corpus = BrownCorpus.load(corpusDir != null ? corpusDir : DataCache.brownDir());
        List<Trained> out = new java.util.ArrayList<>();
        Data data = null;
        for (Family f : new Family[] {Family.MAMBA, Family.TRANSFORMER}) {
            for (int k = 0; k < seeds; k++) {
                Config c = Config.preset(quick, new ModelVariant(f, Polarization.NONE), seed + k);
                if (data == null) {
                    data = Data.of(corpus, c.context());
                }
                Trained t = train(c, data, dir, progress, say);
                say.accept(String.format(Locale.ROOT, "trained %s seed %d: %.3f bits per byte on the validation windows",
                        c.variant().label(), seed + k, t.valBpb()));
                out.add(t);
            }
        }
        return out;
    }

    /** Loss and accuracy on a validation batch, in slices of 16 windows (bounded memory), averaged by positions. */
    public static Evaluator.Result evaluate(LanguageModel lm, Batch val) {
        int per = 16;
        double loss = 0;
        double correct = 0;
        long total = 0;
        for (int b0 = 0; b0 < val.batch(); b0 += per) {
            int n = Math.min(per, val.batch() - b0);
            int from = b0 * val.len();
            int to = (b0 + n) * val.len();
            Batch part = new Batch(java.util.Arrays.copyOfRange(val.tokens(), from, to),
                    java.util.Arrays.copyOfRange(val.targets(), from, to), n, val.len());
            Evaluator.Result r = Evaluator.evaluate(lm, part);
            loss += r.loss() * r.supervised();
            correct += r.accuracy() * r.supervised();
            total += r.supervised();
        }
        return new Evaluator.Result(loss / total, correct / total, total);
    }

    /** Derived seeds of the models (apart from the trainer's batch streams). */
    private static final class Seeds {
        static long modelSeed(long seed) {
            return org.ssmlab.data.Seeds.deriveSeed(seed, 1);
        }
    }
}
