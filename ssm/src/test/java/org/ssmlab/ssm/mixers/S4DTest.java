package org.ssmlab.ssm.mixers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.core.Polarization;

/** S4D: the complex layer with a real spectrum is the real layer; |a| < 1 whenever Re Λ < 0. */
class S4DTest {

    @ParameterizedTest
    @EnumSource(Polarization.class)
    void complexS4DWithRealSpectrumEqualsRealS4D(Polarization pol) {
        int d = 4, n = 3;
        S4DMixer real = new S4DMixer(d, n, pol, new SplittableRandom(1));
        S4DComplexMixer complex = new S4DComplexMixer(d, n, pol, new SplittableRandom(2));
        Map<String, Tensor> r = real.namedParameters();
        Map<String, Tensor> c = complex.namedParameters();
        copy(r.get("log_dt"), c.get("log_dt"));
        copy(r.get("A_log"), c.get("log_A_real"));
        java.util.Arrays.fill(c.get("A_imag").data(), 0f);
        copy(r.get("B"), c.get("B_re"));
        java.util.Arrays.fill(c.get("B_im").data(), 0f);
        float[] half = r.get("C").toArray();
        for (int i = 0; i < half.length; i++) {
            half[i] /= 2;                                   // y = 2 Re(Σ C h): half of C gives the real layer's y
        }
        System.arraycopy(half, 0, c.get("C_re").data(), 0, half.length);
        java.util.Arrays.fill(c.get("C_im").data(), 3f);   // multiplies Im h = 0: must not matter
        copy(r.get("D"), c.get("D"));
        copy(r.get("out_proj.weight"), c.get("out_proj.weight"));
        copy(r.get("out_proj.bias"), c.get("out_proj.bias"));
        Tensor x = Tensor.randn(new SplittableRandom(3), 1f, 2, 9, d);
        try (var s = GradMode.noGrad()) {
            float[] a = real.forward(x).toArray();
            float[] b = complex.forward(x).toArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5f * (1 + Math.abs(a[i])), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Polarization.class, names = {"NONE"})
    void transitionsOfAStableSpectrumAreInsideTheUnitDisc(Polarization pol) {
        S4DComplexMixer m = new S4DComplexMixer(8, 6, pol, new SplittableRandom(4));
        try (var s = GradMode.noGrad()) {
            for (float v : m.transitionMagnitudes().toArray()) {
                assertTrue(v > 0f && v < 1f, "|a| = " + v);
            }
        }
    }

    private static void copy(Tensor from, Tensor to) {
        System.arraycopy(from.data(), 0, to.data(), 0, from.size());
    }
}
