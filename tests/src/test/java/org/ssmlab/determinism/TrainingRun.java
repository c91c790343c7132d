package org.ssmlab.determinism;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.autograd.optim.AdamW;
import org.ssmlab.simd.Parallel;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;

/**
 * A short, seeded training run (Mamba LM, sizes large enough that the GEMMs and scans split over the
 * threads) that prints the thread count and the SHA-256 of every parameter's float bits after the
 * run: {@code threads=N} and {@code params_sha256=...}. Run in a child JVM by {@link DeterminismTest}.
 */
public final class TrainingRun {

    private TrainingRun() {
    }

    /** SHA-256 of the float bits, hex (the first 16 digits). */
    static String hash(float[] v) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (float f : v) {
            int bits = Float.floatToRawIntBits(f);
            md.update(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    public static void main(String[] args) throws Exception {
        String family = args.length > 0 ? args[0] : "mamba";
        int vocab = 64;
        int batch = 8;
        int len = 64;
        Family f = Family.parse(family);
        LanguageModel lm = f.languageModel(vocab, 2,
                new Family.Spec(128, 8, 2, f.polarizable() ? Polarization.BOTH : Polarization.NONE), 7);
        AdamW opt = new AdamW(lm.parameters(), 1e-3);
        SplittableRandom r = new SplittableRandom(11);
        for (int step = 0; step < 3; step++) {
            int[] input = new int[batch * len];
            int[] target = new int[batch * len];
            for (int i = 0; i < input.length; i++) {
                input[i] = r.nextInt(vocab);
                target[i] = r.nextInt(vocab);
            }
            Tensor logits = lm.forward(input, batch, len);
            Tensor loss = Softmax.crossEntropy(Shapes.reshape(logits, batch * len, vocab), target);
            opt.zeroGrad();
            loss.backward();
            if (step == 0 && args.length > 1 && args[1].equals("--grads")) {
                System.out.println("logits " + hash(logits.data()));
                for (var e : lm.namedParameters().entrySet()) {
                    System.out.println("grad " + e.getKey() + " " + hash(e.getValue().gradData()));
                }
            }
            opt.step();
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (var e : lm.namedParameters().entrySet()) {
            md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (float v : e.getValue().data()) {
                int bits = Float.floatToRawIntBits(v);
                md.update(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
            }
        }
        System.out.println("threads=" + Parallel.threads());
        System.out.println("params_sha256=" + HexFormat.of().formatHex(md.digest()));
    }
}
