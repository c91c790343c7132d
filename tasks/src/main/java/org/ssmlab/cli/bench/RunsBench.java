package org.ssmlab.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ssmlab.experiments.Recall;
import org.ssmlab.simd.Parallel;
import org.ssmlab.runs.RunConcurrency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab bench runs}: training throughput of the machine (tokens per second, summed over runs)
 * for one run on all threads against as many runs side by side, one thread each
 * ({@link RunConcurrency}), at the MQAR default preset and the depth command's Markov-corpus preset.
 * Ends with {@code <preset>_side_by_side_over_one_run=<ratio>}: above 1, side by side is faster.
 */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "Tokens/s for the machine: one run on all threads vs runs side by side on one thread each.")
public final class RunsBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per run, after the warm-up (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--rounds", defaultValue = "2", description = "Rounds of (one run, runs side by side) (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() {
        if (steps < 1 || rounds < 1) {
            throw new IllegalArgumentException("--steps and --rounds must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        BenchOptions.printMachine(out, Isa.NATIVE);
        int width = Parallel.threads();
        Recall.Preset mq = Recall.Preset.real();
        List<Object[]> presets = List.of(
                new Object[] {"mqar", new TrainBench.Shape(mq.dModel(), 2, mq.length(), mq.batch(), mq.vocab(), mq.dState())},
                // The depth command's default Markov corpus, its widest two-layer model at the longer context.
                new Object[] {"corpus", new TrainBench.Shape(64, 2, 256, 32, 64, 16)});
        for (Object[] preset : presets) {
            String name = (String) preset[0];
            TrainBench.Shape shape = (TrainBench.Shape) preset[1];
            out.printf("%s_shape=d_model %d, layers %d, length %d, batch %d, vocab %d%n", name, shape.dModel(),
                    shape.layers(), shape.len(), shape.batch(), shape.vocab());
            double[] ratio = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                double one = tokensPerSecond(shape, 1);
                double side = tokensPerSecond(shape, width);
                ratio[round] = side / one;
                out.printf("%s_one_run_%d_threads_tokens_per_second=%.0f%n", name, width, one);
                out.printf("%s_%d_runs_1_thread_tokens_per_second=%.0f%n", name, width, side);
                out.flush();
            }
            BenchOptions.printSummary(out, name + "_side_by_side_over_one_run", ratio, "%.2f");
        }
        return 0;
    }

    /** Tokens per second summed over {@code width} runs at once (width 1: one run on all threads). */
    private double tokensPerSecond(TrainBench.Shape shape, int width) {
        List<Callable<Double>> runs = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            runs.add(() -> shape.tokens() / TrainBench.secondsPerStep(shape, steps));
        }
        double total = 0;
        for (double t : RunConcurrency.runAll(runs, width)) {
            total += t;
        }
        return total;
    }
}
