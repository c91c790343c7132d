package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;

/**
 * Builds a Mamba language model from a safetensors checkpoint in the reference layout, inferring its
 * sizes from the tensor shapes: vocabulary and d_model from {@code backbone.embedding.weight}, the
 * number of layers from the {@code backbone.layers.{i}} names, d_state from {@code A_log}. Which
 * constant channels a polarized checkpoint has cannot be read off the shapes, so the caller says.
 */
public final class Checkpoints {

    private Checkpoints() {
    }

    /**
     * A Mamba or transformer language model from a checkpoint, told apart by their tensor names
     * ({@code mixer.A_log} or {@code mixer.qkv_proj.weight}). A transformer's head count comes from the
     * metadata entry {@code n_head} (default 4), since shapes cannot tell it.
     */
    public static LanguageModel load(Path file, Polarization polarization) throws IOException {
        Map<String, Tensor> state = SafeTensors.read(file);
        if (!state.containsKey("backbone.layers.0.mixer.qkv_proj.weight")) {
            return mamba(file, state, polarization);
        }
        Tensor emb = embedding(file, state, "");
        int heads = Integer.parseInt(SafeTensors.metadata(file).getOrDefault("n_head", "4"));
        LanguageModel lm = Family.TRANSFORMER.languageModel(emb.dim(0), layers(state, "mixer.qkv_proj.weight"),
                new Family.Spec(emb.dim(1), 1, heads, Polarization.NONE), 0);
        return loaded(file, state, lm);
    }

    /** The model with the checkpoint's weights loaded (every tensor checked before any is copied). */
    public static LanguageModel loadMamba(Path file, Polarization polarization) throws IOException {
        return mamba(file, SafeTensors.read(file), polarization);
    }

    private static LanguageModel mamba(Path file, Map<String, Tensor> state, Polarization polarization) {
        Tensor emb = embedding(file, state, "; not a Mamba LM checkpoint");
        int layers = layers(state, "mixer.A_log");
        if (layers == 0) {
            throw new IllegalArgumentException(file + ": no backbone.layers.0.mixer.A_log; not a Mamba LM checkpoint");
        }
        Tensor dtProj = state.get("backbone.layers.0.mixer.dt_proj.weight");
        if (dtProj == null || dtProj.rank() != 2) {
            throw new IllegalArgumentException(file + ": no 2-D backbone.layers.0.mixer.dt_proj.weight; not a Mamba LM checkpoint");
        }
        int dState = state.get("backbone.layers.0.mixer.A_log").dim(1);
        Tensor xProj = state.get("backbone.layers.0.mixer.x_proj.weight");
        int expected = dtProj.dim(1) + 2 * (dState + polarization.extraChannels());
        if (xProj != null && xProj.dim(0) != expected) {
            throw new IllegalArgumentException(file + ": x_proj.weight has " + xProj.dim(0) + " rows but polarization "
                    + polarization + " with d_state " + dState + " needs " + expected + " (try --polarize none|one|zero|both)");
        }
        return loaded(file, state, Family.MAMBA.languageModel(emb.dim(0), layers,
                new Family.Spec(emb.dim(1), dState, 1, polarization), 0));
    }

    private static Tensor embedding(Path file, Map<String, Tensor> state, String hint) {
        Tensor emb = state.get("backbone.embedding.weight");
        if (emb == null || emb.rank() != 2) {
            throw new IllegalArgumentException(file + ": no 2-D backbone.embedding.weight" + hint);
        }
        return emb;
    }

    /** How many consecutive layers {@code backbone.layers.{i}.<suffix>} the checkpoint holds. */
    private static int layers(Map<String, Tensor> state, String suffix) {
        int layers = 0;
        while (state.containsKey("backbone.layers." + layers + "." + suffix)) {
            layers++;
        }
        return layers;
    }

    private static LanguageModel loaded(Path file, Map<String, Tensor> state, LanguageModel lm) {
        try {
            lm.loadCheckpoint(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return lm;
    }
}
