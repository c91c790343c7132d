package org.ssmlab.experiments;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunTask;
import org.ssmlab.ssm.core.LanguageModel;

/**
 * One run of the needle experiment (Fig. 2) as data: a model of one family trained on the needle task at
 * one haystack length (a mix of shorter ones up to it), then evaluated with the needle at every depth of
 * the grid at each of its evaluation lengths. The spec {@code needle} holds every setting; its seed is
 * the seed's index (1, 2, ...), from which, with the base seed, the weights and batches are drawn.
 */
final class NeedleRuns {

    private NeedleRuns() {
    }

    /** The figure name of the accuracy at length {@code len}, depth number {@code depth} of the grid. */
    static String figure(int len, int depth) {
        return "accuracy_L" + len + "_d" + depth;
    }

    /** The accuracies a finished run stored at length {@code len}, one per depth of a grid of {@code depths}. */
    static double[] accuracies(RunResult r, int len, int depths) {
        double[] acc = new double[depths];
        for (int i = 0; i < depths; i++) {
            acc[i] = r.figure(figure(len, i));
        }
        return acc;
    }

    /** The spec of model {@code v}, trained at {@code trainLen}, evaluated at {@code evalLens}, seed number {@code seedIndex} + 1. */
    static RunSpec spec(ModelVariant v, int trainLen, int[] evalLens, int minLength, int seedIndex, double lr, double warmup,
                        NeedleCommand.Setup su, long baseSeed) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", v.name());
        s.put("vocab", su.vocab());
        s.put("train_length", trainLen);
        s.put("min_length", minLength);
        s.put("eval_lengths", Arrays.stream(evalLens).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        s.put("batch", su.batch());
        s.put("d_model", su.dModel());
        s.put("layers", su.layers());
        s.put("d_state", su.dState());
        s.put("steps", (long) su.steps().of(v));
        s.put("lr", lr);
        s.put("warmup", warmup);
        s.put("eval_count", su.evalCount());
        s.put("depths", su.depthGrid().length);
        s.put("base_seed", baseSeed);
        return RunSpec.of("needle", s, seedIndex + 1, v.label() + " L=" + trainLen + " seed " + (seedIndex + 1));
    }

    /** Executes {@code needle} specs: trains (resuming from the run directory) and evaluates. */
    static RunTask task(boolean progress) {
        return (spec, runDir) -> {
            ModelVariant v = ModelVariant.parse(spec.get("model"));
            int trainLen = Integer.parseInt(spec.get("train_length"));
            NeedleCommand.Setup su = new NeedleCommand.Setup(Integer.parseInt(spec.get("vocab")),
                    PerModel.parse("--steps", spec.get("steps"), null), Integer.parseInt(spec.get("batch")),
                    Integer.parseInt(spec.get("d_model")), Integer.parseInt(spec.get("layers")),
                    Integer.parseInt(spec.get("d_state")), 1, Integer.parseInt(spec.get("eval_count")),
                    NeedleCommand.grid(Integer.parseInt(spec.get("depths"))));
            long baseSeed = Long.parseLong(spec.get("base_seed"));
            int seedIndex = (int) spec.seed() - 1;
            LanguageModel lm = NeedleCommand.train(v, trainLen, Integer.parseInt(spec.get("min_length")), baseSeed, seedIndex,
                    Double.parseDouble(spec.get("lr")), Double.parseDouble(spec.get("warmup")), su, runDir, progress);
            Map<String, Double> figures = new TreeMap<>();
            for (String l : spec.get("eval_lengths").split(",")) {
                int len = Integer.parseInt(l);
                double[] acc = NeedleCommand.evaluate(lm, len, su, baseSeed);
                for (int i = 0; i < acc.length; i++) {
                    figures.put(figure(len, i), acc[i]);
                }
            }
            return new RunResult.Outcome(figures, (long) su.steps().of(v), false);
        };
    }
}
