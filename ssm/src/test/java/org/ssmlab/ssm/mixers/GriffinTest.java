package org.ssmlab.ssm.mixers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Polarization;

/** Griffin's RG-LRU where a → 1, the regime of long memory. */
class GriffinTest {

    /**
     * The normaliser sqrt(1 - a_t²) keeps its relative accuracy as a_t = e^{z_t} → 1: written as
     * sqrt(1 - a·a) from the float32 a it loses about -log10(1 - a) digits (3 % at 1 - a = 1e-6), which made
     * the recurrent and parallel modes disagree by 5e-4 of max |y| (their float32 a_t differ in the last
     * bit). With x_proj = I, the input gate saturated at 1, and r_t = σ(b) constant, B x = sqrt(1 - a²) x,
     * compared with sqrt(-expm1(2z)) in double, z = -8 σ(b) softplus(-Λ), for 1 - a from 1e-7 to 1e-1.
     */
    @Test
    void normaliserIsAccurateAsTheTransitionApproachesOne() {
        int d = 4;
        GriffinMixer m = new GriffinMixer(d, Polarization.NONE, new SplittableRandom(1));
        Map<String, Tensor> p = m.namedParameters();
        float[] w = p.get("x_proj.weight").data();
        Arrays.fill(w, 0f);
        for (int i = 0; i < d; i++) {
            w[i * d + i] = 1f;
        }
        Arrays.fill(p.get("input_gate.weight").data(), 0f);
        Arrays.fill(p.get("input_gate.bias").data(), 40f);                 // σ(40) = 1 in float32
        Arrays.fill(p.get("a_gate.weight").data(), 0f);
        float bR = 0.3f;
        Arrays.fill(p.get("a_gate.bias").data(), bR);
        double r = 1 / (1 + Math.exp(-bR));
        float[] lambda = p.get("a_param").data();
        double[] oneMinusA = {1e-7, 1e-5, 1e-3, 1e-1};
        for (int i = 0; i < d; i++) {
            double z = Math.log1p(-oneMinusA[i]);                            // the z giving a = 1 - oneMinusA
            double sp = -z / (8 * r);                                         // softplus(-Λ) = sp
            lambda[i] = (float) -Math.log(Math.expm1(sp));                    // -Λ = softplus⁻¹(sp)
        }
        Tensor x = Tensor.of(new float[] {1, -2, 3, -4, 0.5f, 0.25f, -1, 2}, 1, 2, d);
        float[] bx;
        try (var s = GradMode.noGrad()) {
            DiagonalMixer.Terms t = m.terms(x);
            bx = t.bx().toArray();
        }
        for (int i = 0; i < d; i++) {
            double sp = Math.log1p(Math.exp(-(double) lambda[i]));
            double z = -8 * r * sp;
            double want = Math.sqrt(-Math.expm1(2 * z));
            for (int t = 0; t < 2; t++) {
                double got = bx[t * d + i] / x.data()[t * d + i];
                double rel = Math.abs(got - want) / want;
                int ii = i;
                assertTrue(rel <= 1e-5, () -> String.format(Locale.ROOT,
                        "1 - a = %.0e: sqrt(1 - a^2) = %.8g, double %.8g (relative error %.2g)", oneMinusA[ii], got, want, rel));
            }
        }
    }
}
