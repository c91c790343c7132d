package org.ssmlab.numerics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.train.TrainOptions;
import org.ssmlab.train.Trainer;

/**
 * A child-process probe for {@link DeterminismTest}: trains Mamba and transformer LMs (d_model 64, 2
 * layers, batch 8 × 64 tokens) 3 AdamW steps on MQAR with the default (SIMD) backend, {@code args[0]} times in a row in this JVM, and prints
 * one line per run: the SHA-256 of every parameter's bits after training. The first run meets cold code
 * (interpreter, C1); later ones meet C2's.
 */
public final class TrainingHash {

    private TrainingHash() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        for (int r = 0; r < runs; r++) {
            System.out.println(hash(Family.MAMBA) + " " + hash(Family.TRANSFORMER));
        }
    }

    static String hash(Family family) throws Exception {
        LanguageModel lm = family.languageModel(64, 2, new Family.Spec(64, 16, 2, Polarization.BOTH), 7);
        MqarGenerator g = new MqarGenerator(64, 64, 8);
        Path dir = Files.createTempDirectory("ssmlab-determinism");
        try {
            new Trainer(lm, Trainer.languageModel(lm), rng -> g.batch(8, rng),
                    new TrainOptions().steps(3).peakLr(1e-2).seed(7).checkpointEvery(1_000).progress(false), dir).run();
        } finally {
            org.ssmlab.data.FileTrees.delete(dir);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, Tensor> e : new TreeMap<>(lm.stateDict()).entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            float[] v = e.getValue().data();
            ByteBuffer buf = ByteBuffer.allocate(4 * v.length);
            for (float x : v) {
                buf.putInt(Float.floatToRawIntBits(x));
            }
            sha.update(buf.array());
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }
}
