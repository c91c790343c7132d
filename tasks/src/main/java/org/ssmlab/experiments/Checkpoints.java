package org.ssmlab.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
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
 *
 * <p>A directory is read as a Hugging Face Mamba model ({@link #loadHuggingFace}): {@code config.json}
 * beside {@code model.safetensors} (F32, F16 or BF16), with either the mamba_ssm names
 * ({@code backbone.embedding.weight}) or the transformers ones ({@code backbone.embeddings.weight}), and
 * a vocabulary padded beyond the config's {@code vocab_size}. Pickle files ({@code pytorch_model.bin},
 * {@code .pt}, {@code .ckpt}) are never read: unpickling can run arbitrary code.
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
        return load(file, polarization, 4);
    }

    /**
     * As {@link #load(Path, Polarization)}, with the transformer's head count when the file's metadata has no
     * {@code n_head} (the trainer's own checkpoints carry none).
     */
    public static LanguageModel load(Path file, Polarization polarization, int defaultHeads) throws IOException {
        if (Files.isDirectory(file)) {
            return loadHuggingFace(file, polarization);
        }
        refusePickle(file);
        Map<String, Tensor> state = SafeTensors.read(file);
        if (!state.containsKey("backbone.layers.0.mixer.qkv_proj.weight")) {
            return mamba(file, state, polarization);
        }
        Tensor emb = embedding(file, state, "");
        int heads = Integer.parseInt(SafeTensors.metadata(file).getOrDefault("n_head", Integer.toString(defaultHeads)));
        LanguageModel lm = Family.TRANSFORMER.languageModel(emb.dim(0), layers(state, "mixer.qkv_proj.weight"),
                new Family.Spec(emb.dim(1), 1, heads, Polarization.NONE), 0);
        return loaded(file, state, lm);
    }

    /** The model with the checkpoint's weights loaded (every tensor checked before any is copied). */
    public static LanguageModel loadMamba(Path file, Polarization polarization) throws IOException {
        if (Files.isDirectory(file)) {
            return loadHuggingFace(file, polarization);
        }
        refusePickle(file);
        return mamba(file, SafeTensors.read(file), polarization);
    }

    /** The file names of PyTorch's pickle checkpoints, which this project refuses to read. */
    private static boolean isPickle(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".ckpt") || n.endsWith(".pkl");
    }

    private static void refusePickle(Path file) {
        if (isPickle(file.getFileName().toString())) {
            throw new IllegalArgumentException(file + " is a PyTorch pickle file, which can run arbitrary code when loaded;"
                    + " ssmlab reads only safetensors (convert it, e.g. save_pretrained(..., safe_serialization=True))");
        }
    }

    /**
     * A Mamba language model from a Hugging Face model directory: {@code config.json} (mamba_ssm's
     * {@code d_model}, {@code n_layer}, {@code ssm_cfg.d_state}, or transformers' {@code hidden_size},
     * {@code num_hidden_layers}, {@code state_size}, {@code expand}, {@code conv_kernel},
     * {@code time_step_rank}) and {@code model.safetensors}. The sizes this implementation fixes
     * (expand 2, kernel 4, dt_rank = ⌈d/16⌉) are checked against the config; the vocabulary is the
     * embedding's row count (the padded one), which may exceed the config's {@code vocab_size}.
     */
    public static LanguageModel loadHuggingFace(Path dir, Polarization polarization) throws IOException {
        Path config = dir.resolve("config.json");
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            try (var files = Files.list(dir)) {
                String pickle = files.map(f -> f.getFileName().toString()).filter(Checkpoints::isPickle).findFirst().orElse(null);
                if (pickle != null) {
                    throw new IllegalArgumentException(dir + " holds " + pickle + " but no model.safetensors: pickle files can run"
                            + " arbitrary code when loaded and ssmlab does not read them (download model.safetensors, or convert"
                            + " with save_pretrained(..., safe_serialization=True))");
                }
            }
            throw new IllegalArgumentException(dir + ": no model.safetensors (a Hugging Face model directory needs config.json"
                    + " and model.safetensors)");
        }
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(dir + ": no config.json beside model.safetensors");
        }
        JsonObject cfg;
        try {
            cfg = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(config + " is not a JSON object: " + e.getMessage());
        }
        JsonObject ssmCfg = cfg.has("ssm_cfg") && cfg.get("ssm_cfg").isJsonObject() ? cfg.getAsJsonObject("ssm_cfg") : new JsonObject();
        int d = intOf(config, cfg, ssmCfg, -1, "hidden_size", "d_model");
        int layers = intOf(config, cfg, ssmCfg, -1, "num_hidden_layers", "n_layer");
        int dState = intOf(config, cfg, ssmCfg, 16, "state_size", "d_state");
        int expand = intOf(config, cfg, ssmCfg, 2, "expand");
        int kernel = intOf(config, cfg, ssmCfg, 4, "conv_kernel", "d_conv");
        JsonElement rank = cfg.has("time_step_rank") ? cfg.get("time_step_rank") : ssmCfg.get("dt_rank");
        int dtRank = rank == null || (rank.isJsonPrimitive() && rank.getAsJsonPrimitive().isString()
                && rank.getAsString().equals("auto")) ? (d + 15) / 16 : rank.getAsInt();
        if (expand != 2 || kernel != 4 || dtRank != (d + 15) / 16) {
            throw new IllegalArgumentException(config + ": expand = " + expand + ", conv kernel = " + kernel + ", dt_rank = " + dtRank
                    + "; this implementation builds Mamba with expand 2, kernel 4 and dt_rank ceil(d/16) = " + (d + 15) / 16);
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : SafeTensors.read(weights).entrySet()) {
            String name = e.getKey().equals("backbone.embeddings.weight") ? "backbone.embedding.weight" : e.getKey();
            state.put(name, e.getValue());
        }
        Tensor emb = embedding(weights, state, "; not a Mamba model");
        if (emb.dim(1) != d) {
            throw new IllegalArgumentException(weights + ": the embedding is " + emb.dim(0) + " x " + emb.dim(1)
                    + " but config.json says d_model " + d);
        }
        int found = layers(state, "mixer.A_log");
        if (found != layers) {
            throw new IllegalArgumentException(weights + " holds " + found + " Mamba layers but config.json says " + layers);
        }
        Tensor aLog = state.get("backbone.layers.0.mixer.A_log");
        if (aLog.dim(1) != dState) {
            throw new IllegalArgumentException(weights + ": A_log has d_state " + aLog.dim(1) + " but config.json says " + dState);
        }
        return mamba(weights, state, polarization);
    }

    /** The first of {@code keys} present in the config (then in ssm_cfg); {@code fallback} when none is (-1: required). */
    private static int intOf(Path file, JsonObject cfg, JsonObject ssmCfg, int fallback, String... keys) {
        for (JsonObject o : new JsonObject[] {cfg, ssmCfg}) {
            for (String k : keys) {
                if (o.has(k) && !o.get(k).isJsonNull()) {
                    try {
                        return o.get(k).getAsInt();
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException(file + ": " + k + " = " + o.get(k) + " is not a whole number");
                    }
                }
            }
        }
        if (fallback < 0) {
            throw new IllegalArgumentException(file + " has none of " + String.join(", ", keys));
        }
        return fallback;
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
