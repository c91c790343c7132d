package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.autograd.ops.Softmax;
import org.ssmlab.simd.Backend;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.testing.Props;

/**
 * A whole Mamba language model, forward (logits) and backward (the gradient of the cross-entropy with
 * respect to every parameter), on the OpenCL backend against the SIMD backend. At threshold 0 every
 * kernel call of the model runs on the device: GEMMs, elementwise ops, reductions, softmax and the
 * fused selective scan. The inner width (2 · d = 80) fills one work-group of the scan backward and
 * part of a second; L = 70 spans two checkpoint chunks of 64. Skipped without an OpenCL platform.
 *
 * <p>Tolerance per tensor: {@code 2e-3 · |simd| + 2e-4 · max|simd|}. The two backends differ only by
 * rounding (exp and sums in another order), which grows through two layers and the backward to some
 * 1e-5 relative; a wrong kernel changes values by O(1) of the tensor's scale.
 */
class OpenClMambaTest {

    private static final int VOCAB = 24;
    private static final int LAYERS = 2;
    private static final int BATCH = 2;
    private static final int LEN = 70;

    /** Logits and every parameter's gradient of one forward and backward on the current backend. */
    private static Map<String, float[]> run(LanguageModel lm, int[] input, int[] target) {
        lm.zeroGrad();
        Tensor logits = lm.forward(input, BATCH, LEN);
        Tensor loss = Softmax.crossEntropy(Shapes.reshape(logits, BATCH * LEN, VOCAB), target);
        loss.backward();
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("logits", logits.toArray());
        out.put("loss", new float[] {loss.item()});
        for (var e : lm.namedParameters().entrySet()) {
            float[] g = e.getValue().gradData();
            assertNotNull(g, "no gradient for " + e.getKey());
            out.put("grad " + e.getKey(), g.clone());
        }
        return out;
    }

    private static void assertCloseScaled(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = 2e-3 * Math.abs(expected[i]) + 2e-4 * scale;
            if (!(Math.abs((double) expected[i] - actual[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " SIMD " + expected[i] + " but OpenCL "
                        + actual[i] + " (tolerance " + tol + ", scale " + scale + ")");
            }
        }
    }

    @Test
    void mambaForwardAndBackwardOnOpenClEqualSimd() {
        Backend cl = Device.backend();
        for (Polarization p : new Polarization[] {Polarization.NONE, Polarization.BOTH}) {
            LanguageModel lm = Family.MAMBA.languageModel(VOCAB, LAYERS, new Family.Spec(40, 8, 1, p), Props.SEED);
            SplittableRandom r = new SplittableRandom(Props.SEED + 3);
            int[] input = new int[BATCH * LEN];
            int[] target = new int[BATCH * LEN];
            for (int i = 0; i < input.length; i++) {
                input[i] = r.nextInt(VOCAB);
                target[i] = r.nextInt(VOCAB);
            }
            Backend saved = Backend.current();
            Map<String, float[]> simd;
            Map<String, float[]> opencl;
            try {
                Backend.setCurrent(Backend.simd());
                simd = run(lm, input, target);
                Backend.setCurrent(cl);
                opencl = run(lm, input, target);
            } finally {
                Backend.setCurrent(saved);
            }
            assertEquals(simd.keySet(), opencl.keySet());
            assertTrue(simd.size() > 10, "too few tensors compared: " + simd.keySet());
            for (String k : simd.keySet()) {
                assertCloseScaled(p + " " + k, simd.get(k), opencl.get(k));
            }
        }
    }
}
