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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab bench train}: seconds per training step (forward, cross-entropy, backward, AdamW) of a
 * Mamba LM, by default d_model 128, 2 layers, length 256, batch 16, vocabulary 512, d_state 16. With
 * {@code --peer} the same model and step run in PyTorch on CPU (bench/train_peer.py) in the same run.
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
    @Option(names = "--steps", defaultValue = "10", description = "Measured steps, after 2 warm-up steps (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--peer", description = "Also time the PyTorch step (bench/train_peer.py).") boolean peer;

    @Override
    public Integer call() {
        if (dModel < 1 || layers < 1 || len < 1 || batch < 1 || vocab < 2 || n < 1 || steps < 1) {
            throw new IllegalArgumentException("sizes and --steps must be positive (vocab at least 2)");
        }
        PrintWriter out = spec.commandLine().getOut();
        LanguageModel lm = Family.MAMBA.languageModel(vocab, layers, new Family.Spec(dModel, n, 1, Polarization.NONE), 0);
        AdamW opt = new AdamW(lm.parameters(), 1e-3);
        SplittableRandom r = new SplittableRandom(0);
        int[] input = new int[batch * len];
        int[] target = new int[batch * len];
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextInt(vocab);
            target[i] = r.nextInt(vocab);
        }
        Runnable step = () -> {
            Tensor logits = lm.forward(input, batch, len);
            Tensor loss = Softmax.crossEntropy(Shapes.reshape(logits, batch * len, vocab), target);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        };
        out.printf("threads=%d%ntrain_model=mamba d_model=%d layers=%d length=%d batch=%d vocab=%d d_state=%d params=%d%n",
                Parallel.threads(), dModel, layers, len, batch, vocab, n, lm.parameterCount());
        out.flush();
        step.run();
        step.run();
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime();
            step.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        java.util.Arrays.sort(t);
        double ours = t[steps / 2];
        out.printf("train_step_seconds=%.4f%n", ours);
        out.flush();
        if (!peer) {
            return 0;
        }
        Map<String, Double> p = PeerScript.run("train_peer.py", "torch",
                List.of("--threads", String.valueOf(Parallel.threads()), "--d-model", String.valueOf(dModel),
                        "--layers", String.valueOf(layers), "--length", String.valueOf(len), "--batch", String.valueOf(batch),
                        "--vocab", String.valueOf(vocab), "--state", String.valueOf(n), "--steps", String.valueOf(steps)),
                line -> {
                    out.println(line);
                    out.flush();
                });
        Double torch = p.get("torch_train_step_seconds");
        if (torch != null) {
            out.printf("train_step_speedup_vs_torch=%.2f%n", torch / ours);
        }
        return 0;
    }
}
