package org.ssmlab.ssm.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Embedding;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.nn.Module;
import org.ssmlab.autograd.nn.ModuleList;
import org.ssmlab.autograd.nn.RMSNorm;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Index;
import org.ssmlab.autograd.ops.MatMul;
import org.ssmlab.autograd.ops.Shapes;

/**
 * A language model around any family of blocks, in the reference Mamba LM layout:
 * token embedding → N pre-norm residual blocks → final RMSNorm → linear head (tied to the embedding
 * or not). Parameter names: {@code backbone.embedding.weight}, {@code backbone.layers.{i}.mixer.*},
 * {@code backbone.layers.{i}.norm.weight}, {@code backbone.norm_f.weight}, {@code lm_head.weight}
 * (untied only), and {@code backbone.pos_embedding.weight} when learned positions are on.
 */
public final class LanguageModel extends Module {

    /** Makes block {@code index} of the stack. */
    @FunctionalInterface
    public interface BlockFactory {
        Block make(int index, SplittableRandom rng);
    }

    /** The backbone: embedding, layers and final norm (its own module, for the reference names). */
    public static final class Backbone extends Module {
        final Embedding embedding;
        final Embedding positions;
        final ModuleList<Block> layers;
        final RMSNorm normF;

        Backbone(int vocab, int d, int layerCount, int learnedPositions, BlockFactory blocks, SplittableRandom rng) {
            // The reference initialisation (mamba_ssm's _init_weights): embeddings N(0, 0.02²), and each
            // residual branch's output projection scaled by 1/√layers so the residual stream starts small.
            embedding = child("embedding", new Embedding(vocab, d, 0.02f, rng));
            positions = learnedPositions > 0 ? child("pos_embedding", new Embedding(learnedPositions, d, 0.02f, rng)) : null;
            layers = child("layers", new ModuleList<>());
            for (int i = 0; i < layerCount; i++) {
                Block block = layers.add(blocks.make(i, rng));
                Tensor outProj = block.namedParameters().get("mixer.out_proj.weight");
                if (outProj != null) {
                    float scale = (float) (1 / Math.sqrt(layerCount));
                    float[] w = outProj.data();
                    for (int j = 0; j < w.length; j++) {
                        w[j] *= scale;
                    }
                }
            }
            normF = child("norm_f", new RMSNorm(d));
        }
    }

    private final int vocab;
    private final int d;
    private final Backbone backbone;
    private final Linear head;

    /**
     * @param learnedPositions the number of learned position embeddings (0 for none, e.g. for SSMs or RoPE)
     * @param tied whether the head reuses the embedding matrix (the reference default)
     */
    public LanguageModel(int vocab, int d, int layers, BlockFactory blocks, boolean tied, int learnedPositions,
                         SplittableRandom rng) {
        if (vocab < 1 || d < 1 || layers < 0) {
            throw new IllegalArgumentException("LanguageModel: vocab = " + vocab + ", d = " + d + ", layers = " + layers
                    + " must be positive");
        }
        this.vocab = vocab;
        this.d = d;
        this.backbone = child("backbone", new Backbone(vocab, d, layers, learnedPositions, blocks, rng));
        this.head = tied ? null : child("lm_head", new Linear(d, vocab, false, rng));
    }

    public int vocab() {
        return vocab;
    }

    public int width() {
        return d;
    }

    public List<Block> layers() {
        return backbone.layers.items();
    }

    /** The input embeddings of {@code tokens} (batch·len ids, row-major), (batch, len, d), with positions added. */
    public Tensor embed(int[] tokens, int batch, int len) {
        checkTokens(tokens, batch, len);
        Tensor e = backbone.embedding.forward(tokens, batch, len);
        if (backbone.positions != null) {
            int[] pos = new int[len];
            for (int t = 0; t < len; t++) {
                pos[t] = t;
            }
            e = Arith.add(e, backbone.positions.forward(pos, len));
        }
        return e;
    }

    /** The final normalised hidden states (batch, len, d) from input embeddings. */
    public Tensor hiddenFromEmbeddings(Tensor embeddings) {
        Tensor h = embeddings;
        for (Block b : backbone.layers.items()) {
            h = b.forward(h);
        }
        return backbone.normF.forward(h);
    }

    /** The hidden state after every block (index 0 is the input), for probes such as over-smoothing. */
    public List<Tensor> layerOutputs(Tensor embeddings) {
        List<Tensor> out = new ArrayList<>();
        Tensor h = embeddings;
        out.add(h);
        for (Block b : backbone.layers.items()) {
            h = b.forward(h);
            out.add(h);
        }
        return out;
    }

    /** Logits (batch, len, vocab) from final hidden states. */
    public Tensor logitsFromHidden(Tensor hidden) {
        return head == null ? MatMul.linear(hidden, backbone.embedding.weight(), null) : head.forward(hidden);
    }

    /** Logits (batch, len, vocab) for token ids (batch·len, row-major). */
    public Tensor forward(int[] tokens, int batch, int len) {
        return logitsFromHidden(hiddenFromEmbeddings(embed(tokens, batch, len)));
    }

    /** The recurrent state of every layer and the position. */
    public static final class State {
        final List<RecurrentState> layers = new ArrayList<>();
        int position;
    }

    /** A fresh recurrent state for {@code batch} sequences. */
    public State newState(int batch) {
        State s = new State();
        for (Block b : backbone.layers.items()) {
            s.layers.add(b.newState(batch));
        }
        return s;
    }

    /** Recurrent mode: one token per sequence → logits (batch, vocab). */
    public Tensor step(int[] tokens, State state) {
        int batch = tokens.length;
        try (var scope = GradMode.noGrad()) {
            Tensor x = Shapes.reshape(Index.rows(backbone.embedding.weight(), tokens, batch), batch, d);
            if (backbone.positions != null) {
                x = Arith.add(x, Shapes.reshape(backbone.positions.forward(new int[] {state.position}, 1), d));
            }
            List<Block> blocks = backbone.layers.items();
            for (int i = 0; i < blocks.size(); i++) {
                x = blocks.get(i).step(x, state.layers.get(i));
            }
            state.position++;
            return logitsFromHidden(backbone.normF.forward(x));
        }
    }

    /**
     * Loads a checkpoint's tensors; with a tied head, an {@code lm_head.weight} entry (PyTorch writes it
     * as a second name of the embedding) is accepted when it equals the embedding's shape.
     */
    public void loadCheckpoint(Map<String, Tensor> state) {
        Map<String, Tensor> s = new LinkedHashMap<>(state);
        if (head == null) {
            s.remove("lm_head.weight");
        }
        loadStateDict(s, true);
    }

    private void checkTokens(int[] tokens, int batch, int len) {
        if (tokens.length != batch * len) {
            throw new IllegalArgumentException("LanguageModel: " + tokens.length + " tokens for batch " + batch
                    + " x length " + len);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("LanguageModel: token " + tokens[i] + " at " + i
                        + " is outside the vocabulary 0.." + (vocab - 1));
            }
        }
    }
}
