package org.ssmlab.experiments;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ssmlab.autograd.Tensor;

/**
 * Writes a Hugging Face Mamba model directory (config.json + model.safetensors) from a state dict, in the
 * layout the hub's checkpoints use: the transformers names ({@code backbone.embeddings.weight},
 * config keys {@code hidden_size}, {@code num_hidden_layers}, ...) or mamba_ssm's
 * ({@code backbone.embedding.weight}, {@code d_model}, {@code n_layer}, {@code ssm_cfg}), in F32, F16 or
 * BF16 (round to nearest even), with the config's {@code vocab_size} below the padded embedding.
 */
final class HfMambaFixture {

    private HfMambaFixture() {
    }

    /** float → bf16 bits, rounding to nearest even (as torch does). */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float a dtype stores for f: what a reader widens back. */
    static float roundTrip(float f, String dtype) {
        return switch (dtype) {
            case "F32" -> f;
            case "F16" -> Float.float16ToFloat(Float.floatToFloat16(f));
            case "BF16" -> Float.intBitsToFloat(bf16(f) << 16);
            default -> throw new IllegalArgumentException(dtype);
        };
    }

    static void write(Path dir, Map<String, Tensor> state, int dModel, int layers, int dState, int configVocab, String dtype,
                      boolean transformersNames) throws IOException {
        Files.createDirectories(dir);
        String config = transformersNames
                ? String.format("{\"architectures\": [\"MambaForCausalLM\"], \"model_type\": \"mamba\", \"hidden_size\": %d, "
                        + "\"num_hidden_layers\": %d, \"state_size\": %d, \"expand\": 2, \"conv_kernel\": 4, \"time_step_rank\": %d, "
                        + "\"vocab_size\": %d, \"layer_norm_epsilon\": 1e-05, \"use_bias\": false, \"use_conv_bias\": true, "
                        + "\"tie_word_embeddings\": true}", dModel, layers, dState, (dModel + 15) / 16, configVocab)
                : String.format("{\"d_model\": %d, \"n_layer\": %d, \"vocab_size\": %d, \"ssm_cfg\": {\"d_state\": %d}, "
                        + "\"rms_norm\": true, \"residual_in_fp32\": true, \"fused_add_norm\": true, \"pad_vocab_size_multiple\": 8}",
                        dModel, layers, configVocab, dState);
        Files.writeString(dir.resolve("config.json"), config);
        Map<String, Tensor> named = new TreeMap<>();
        state.forEach((k, v) -> named.put(transformersNames && k.equals("backbone.embedding.weight")
                ? "backbone.embeddings.weight" : k, v));
        int width = dtype.equals("F32") ? 4 : 2;
        StringBuilder header = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\"}");
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
        for (var e : named.entrySet()) {
            long bytes = (long) e.getValue().size() * width;
            StringBuilder shape = new StringBuilder();
            for (int s : e.getValue().shape()) {
                shape.append(shape.isEmpty() ? "" : ", ").append(s);
            }
            header.append(String.format(", \"%s\": {\"dtype\": \"%s\", \"shape\": [%s], \"data_offsets\": [%d, %d]}", e.getKey(),
                    dtype, shape, offset, offset + bytes));
            offset += bytes;
            order.add(e.getValue());
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).flip();
            ch.write(len);
            ch.write(ByteBuffer.wrap(h));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : order) {
                for (float f : t.data()) {
                    if (buf.remaining() < 4) {
                        ch.write(buf.flip());
                        buf.clear();
                    }
                    switch (dtype) {
                        case "F32" -> buf.putFloat(f);
                        case "F16" -> buf.putShort(Float.floatToFloat16(f));
                        default -> buf.putShort(bf16(f));
                    }
                }
            }
            ch.write(buf.flip());
        }
    }
}
