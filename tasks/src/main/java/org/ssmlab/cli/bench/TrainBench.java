package org.ssmlab.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.autograd.optim.AdamW;
import org.ssmlab.simd.Parallel;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.experiments.Recall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab bench train}: seconds per training step (forward, cross-entropy, backward, AdamW) of a
 * Mamba LM, by default d_model 128, 2 layers, length 256, batch 16, vocabulary 512, d_state 16. With
 * {@code --peer} the same model and step run in PyTorch on CPU (bench/train_peer.py) in the same run,
 * {@code --rounds} times, and both sides also train at the MQAR default preset's shape (tokens per second).
 * {@code --isa avx2|avx512} runs both sides with that instruction set ({@link Isa}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Mamba LM training step time; --peer adds PyTorch in the same run.")
public final class TrainBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--d-model", defaultValue = "128") int dModel;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--length", defaultValue = "256") int len;
    @Option(names = "--batch", defaultValue = "16") int batch;
    @Option(names = "--vocab", defaultValue = "512") int vocab;
    @Option(names = "--state", defaultValue = "16") int n;
    @Option(names = "--steps", defaultValue = "10", description = "Measured steps, after the warm-up (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--peer", description = "Also time the PyTorch step (bench/train_peer.py), and both at the MQAR preset.") boolean peer;

    @Mixin
    BenchOptions options;

    /** The shape of one training step's model and batch. */
    record Shape(int dModel, int layers, int len, int batch, int vocab, int state) {

        /** The step of the MQAR default preset ({@code ./ssmlab recall}, {@link Recall.Preset#real()}), 2 layers. */
        static Shape mqar() {
            Recall.Preset p = Recall.Preset.real();
            return new Shape(p.dModel(), 2, p.length(), p.batch(), p.vocab(), p.dState());
        }

        long tokens() {
            return (long) batch * len;
        }

        List<String> peerArgs(int steps, List<String> threadArgs) {
            return GemmBench.concat(threadArgs, List.of("--d-model", String.valueOf(dModel),
                    "--layers", String.valueOf(layers), "--length", String.valueOf(len), "--batch", String.valueOf(batch),
                    "--vocab", String.valueOf(vocab), "--state", String.valueOf(state), "--steps", String.valueOf(steps)));
        }
    }

    @Override
    public Integer call() {
        if (dModel < 1 || layers < 1 || len < 1 || batch < 1 || vocab < 2 || n < 1 || steps < 1) {
            throw new IllegalArgumentException("sizes and --steps must be positive (vocab at least 2)");
        }
        Integer elsewhere = options.runElsewhereIfNeeded(spec);
        if (elsewhere != null) {
            return elsewhere;
        }
        PrintWriter out = spec.commandLine().getOut();
        BenchOptions.printMachine(out, options.isa);
        out.println("timing=" + options.timingName());
        Shape main = new Shape(dModel, layers, len, batch, vocab, n);
        Shape mqar = Shape.mqar();
        out.printf("train_model=mamba d_model=%d layers=%d length=%d batch=%d vocab=%d d_state=%d%n",
                dModel, layers, len, batch, vocab, n);
        out.flush();
        int rounds = peer ? options.rounds : 1;
        double[] ours = new double[rounds];
        double[] speedup = new double[rounds];
        double[] oursMqar = new double[rounds];
        double[] tokenRatio = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            ours[round] = options.measure(clock -> secondsPerStep(main, steps, clock));
            out.printf("train_step_seconds=%.4f%n", ours[round]);
            out.flush();
            if (!peer) {
                return 0;
            }
            oursMqar[round] = mqar.tokens() / options.measure(clock -> secondsPerStep(mqar, steps, clock));
            out.printf("mqar_tokens_per_second=%.0f%n", oursMqar[round]);
            out.flush();
            Map<String, Double> p = PeerScript.run("train_peer.py", "torch", main.peerArgs(steps, options.peerThreadArgs()),
                    options.peerEnvironment(), echo(out));
            Map<String, Double> pm = PeerScript.run("train_peer.py", "torch", mqar.peerArgs(steps, options.peerThreadArgs()),
                    options.peerEnvironment(), line -> { });
            Double torch = p.get("torch_train_step_seconds");
            Double torchMqar = pm.get("torch_train_step_seconds");
            if (torch == null || torchMqar == null) {
                throw new IllegalStateException("bench/train_peer.py printed no torch_train_step_seconds");
            }
            speedup[round] = torch / ours[round];
            double torchTokens = mqar.tokens() / torchMqar;
            tokenRatio[round] = oursMqar[round] / torchTokens;
            out.printf("torch_mqar_tokens_per_second=%.0f%n", torchTokens);
            out.printf("round%d_train_step_speedup_vs_torch=%.2f%n", round + 1, speedup[round]);
            out.printf("round%d_mqar_tokens_per_second_ratio_vs_torch=%.2f%n", round + 1, tokenRatio[round]);
            out.flush();
        }
        out.printf("mqar_preset=d_model %d, layers %d, length %d, batch %d, vocab %d%n",
                mqar.dModel(), mqar.layers(), mqar.len(), mqar.batch(), mqar.vocab());
        BenchOptions.printSummary(out, "mqar_tokens_per_second", oursMqar, "%.0f");
        BenchOptions.printSummary(out, "mqar_tokens_per_second_ratio_vs_torch", tokenRatio, "%.2f");
        BenchOptions.printSummary(out, "train_step_speedup_vs_torch", speedup, "%.2f");
        out.printf("load_average_end=%.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        out.flush();
        return 0;
    }

    private static java.util.function.Consumer<String> echo(PrintWriter out) {
        return line -> {
            out.println(line);
            out.flush();
        };
    }

    /** Median seconds per training step of a fresh model of this shape, after a warm-up ({@link Timing#warmUp}). */
    static double secondsPerStep(Shape s, int steps) {
        return secondsPerStep(s, steps, System::nanoTime);
    }

    /** As {@link #secondsPerStep(Shape, int)}, timed with {@code clock} (nanoseconds). */
    static double secondsPerStep(Shape s, int steps, java.util.function.LongSupplier clock) {
        LanguageModel lm = Family.MAMBA.languageModel(s.vocab(), s.layers(),
                new Family.Spec(s.dModel(), s.state(), 1, Polarization.NONE), 0);
        AdamW opt = new AdamW(lm.parameters(), 1e-3);
        SplittableRandom r = new SplittableRandom(0);
        int[] input = new int[s.batch() * s.len()];
        int[] target = new int[s.batch() * s.len()];
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextInt(s.vocab());
            target[i] = r.nextInt(s.vocab());
        }
        Runnable step = () -> {
            Tensor logits = lm.forward(input, s.batch(), s.len());
            Tensor loss = Softmax.crossEntropy(Shapes.reshape(logits, s.batch() * s.len(), s.vocab()), target);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        };
        Timing.warmUp(step, 1.0);                // until C2 has compiled the step's kernels
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = clock.getAsLong();
            step.run();
            t[i] = (clock.getAsLong() - start) / 1e9;
        }
        java.util.Arrays.sort(t);
        return t[steps / 2];
    }
}
