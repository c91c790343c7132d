package org.ssmlab.ssm.core;

import java.util.List;
import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.nn.Module;
import org.ssmlab.autograd.nn.ModuleList;
import org.ssmlab.autograd.nn.RMSNorm;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Shapes;

/**
 * A sequence classifier for real-valued sequences (e.g. an image read pixel by pixel): a linear input
 * projection, a learnable class token appended at the END (so a causal model sees the whole sequence
 * when it reaches it), N blocks of any family, a final RMSNorm, and a linear head on the last position.
 * Parameters: {@code input_proj.*}, {@code cls_token} (d), {@code layers.{i}.*}, {@code norm_f.weight}, {@code head.*}.
 */
public final class SequenceClassifier extends Module {

    private final int inputDim;
    private final int d;
    private final Linear inputProj;
    private final Tensor clsToken;
    private final ModuleList<Block> layers;
    private final RMSNorm normF;
    private final Linear head;

    public SequenceClassifier(int inputDim, int d, int layerCount, int classes, LanguageModel.BlockFactory blocks,
                              SplittableRandom rng) {
        if (inputDim < 1 || d < 1 || layerCount < 0 || classes < 2) {
            throw new IllegalArgumentException("SequenceClassifier: input " + inputDim + ", d " + d + ", layers "
                    + layerCount + ", classes " + classes + " (need positive sizes and at least 2 classes)");
        }
        this.inputDim = inputDim;
        this.d = d;
        this.inputProj = child("input_proj", new Linear(inputDim, d, true, rng));
        this.clsToken = param("cls_token", Tensor.randn(rng, 0.02f, d));
        this.layers = child("layers", new ModuleList<>());
        for (int i = 0; i < layerCount; i++) {
            layers.add(blocks.make(i, rng));
        }
        this.normF = child("norm_f", new RMSNorm(d));
        this.head = child("head", new Linear(d, classes, true, rng));
    }

    /** The embedded sequence with the class token appended: (batch, L + 1, d). */
    public Tensor embed(Tensor x) {
        if (x.rank() != 3 || x.dim(2) != inputDim) {
            throw new IllegalArgumentException("SequenceClassifier: input must be (batch, L, " + inputDim + "), got "
                    + org.ssmlab.autograd.Shape.str(x.shape()));
        }
        int batch = x.dim(0);
        Tensor cls = Arith.mul(Tensor.ones(batch, 1, 1), clsToken);
        return Shapes.concat(List.of(inputProj.forward(x), cls), 1);
    }

    /** Class logits (batch, classes) from an embedded sequence (batch, L + 1, d). */
    public Tensor classifyEmbedded(Tensor embedded) {
        Tensor h = embedded;
        for (Block b : layers.items()) {
            h = b.forward(h);
        }
        int len = h.dim(1);
        Tensor last = Shapes.reshape(Shapes.slice(normF.forward(h), 1, len - 1, len), h.dim(0), d);
        return head.forward(last);
    }

    /** Class logits (batch, classes) for x (batch, L, inputDim). */
    public Tensor forward(Tensor x) {
        return classifyEmbedded(embed(x));
    }

    public List<Block> layers() {
        return layers.items();
    }
}
