package org.ssmlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.experiments.Checkpoints;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab forward}: the logits of every position for a token sequence, from a Mamba LM checkpoint
 * in the reference layout, written as one tensor {@code logits} of shape [T, vocab] in safetensors, so
 * results can be compared with other implementations of the same weights.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Logits of a Mamba LM checkpoint for given tokens, written as safetensors.")
public final class ForwardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "A safetensors Mamba LM checkpoint.")
    Path checkpoint;

    @Option(names = "--tokens", required = true, split = ",", description = "Token ids, e.g. 3,17,5.")
    List<Integer> tokens;

    @Option(names = "--out", required = true, description = "Where to write the logits (safetensors).")
    Path out;

    @Option(names = "--polarize", defaultValue = "none",
            description = "Constant channels of a polarized checkpoint: none, one, zero, both (default: ${DEFAULT-VALUE}).")
    String polarize;

    @Override
    public Integer call() throws IOException {
        Polarization p = Polarization.parse(polarize);
        LanguageModel lm = Checkpoints.loadMamba(checkpoint, p);
        int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
        Tensor logits;
        try (var s = GradMode.noGrad()) {
            logits = lm.forward(ids, 1, ids.length);
        }
        SafeTensors.write(out, Map.of("logits", Tensor.of(logits.toArray(), ids.length, lm.vocab())),
                Map.of("checkpoint", checkpoint.getFileName().toString(), "polarize", p.name().toLowerCase()));
        spec.commandLine().getOut().printf("wrote %s: logits [%d, %d]%n", out, ids.length, lm.vocab());
        return 0;
    }
}
