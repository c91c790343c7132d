package org.ssmlab.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.testing.Props;

/** Global-norm gradient clipping. */
class GradClipTest {

    private static Tensor withGrad(float... g) {
        Tensor p = Tensor.zeros(g.length).requiresGrad(true);
        p.accumulateGrad(g);
        return p;
    }

    private static double norm(List<Tensor> ps) {
        double s = 0;
        for (Tensor p : ps) {
            if (p.gradData() != null) {
                for (float g : p.gradData()) {
                    s += (double) g * g;
                }
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void aThreeFourFiveExample() {
        Tensor a = withGrad(3f);
        Tensor b = withGrad(4f);
        Tensor none = Tensor.zeros(2).requiresGrad(true);
        assertEquals(5.0, GradClip.clipGlobalNorm(List.of(a, b, none), 1.0));
        assertEquals(0.6f, a.gradData()[0], 1e-7);
        assertEquals(0.8f, b.gradData()[0], 1e-7);
        assertEquals(null, none.gradData());
    }

    @Test
    void aboveTheLimitTheNormBecomesTheLimitAndTheDirectionStays() {
        Props.qt(100).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            List<Tensor> ps = new ArrayList<>();
            List<float[]> before = new ArrayList<>();
            int n = 1 + rng.nextInt(4);
            for (int k = 0; k < n; k++) {
                float[] g = new float[rng.nextInt(6)];
                double scale = Math.pow(10, rng.nextInt(-3, 4));
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (Tensor.gaussian(rng) * scale);
                }
                Tensor p = Tensor.zeros(g.length).requiresGrad(true);
                if (rng.nextInt(5) > 0) {
                    p.accumulateGrad(g);
                }
                ps.add(p);
                before.add(p.gradData() == null ? null : p.gradData().clone());
            }
            double pre = norm(ps);
            double maxNorm = Math.pow(10, rng.nextInt(-3, 4)) * (0.5 + rng.nextDouble());
            double returned = GradClip.clipGlobalNorm(ps, maxNorm);
            assertEquals(pre, returned, 1e-12 * pre, "returned norm");
            if (pre > maxNorm) {
                assertEquals(maxNorm, norm(ps), 1e-5 * maxNorm, "norm after clipping");
                double factor = maxNorm / pre;
                for (int k = 0; k < n; k++) {
                    if (before.get(k) == null) {
                        assertEquals(null, ps.get(k).gradData());
                        continue;
                    }
                    float[] g = ps.get(k).gradData();
                    for (int i = 0; i < g.length; i++) {
                        double want = before.get(k)[i] * factor;
                        assertEquals(want, g[i], 1e-6 * Math.abs(want) + 1e-30, "element scaled by the common factor");
                    }
                }
            } else {
                for (int k = 0; k < n; k++) {
                    assertArrayEquals(before.get(k), ps.get(k).gradData(), "unchanged below the limit");
                }
            }
        });
    }

    @Test
    void aNonFiniteNormLeavesTheGradientsAlone() {
        Tensor a = withGrad(Float.NaN, 1f);
        Tensor b = withGrad(Float.POSITIVE_INFINITY);
        assertTrue(Double.isNaN(GradClip.clipGlobalNorm(List.of(a), 1.0)));
        assertEquals(1f, a.gradData()[1]);
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGlobalNorm(List.of(b), 1.0));
        assertEquals(Float.POSITIVE_INFINITY, b.gradData()[0]);
    }

    @Test
    void theNormIsComputedInDoubleSoLargeGradientsDoNotOverflow() {
        Tensor a = withGrad(3e30f, 4e30f); // squares overflow float, not double
        assertEquals(5e30, GradClip.clipGlobalNorm(List.of(a), 1e40), 1e24);
    }

    @Test
    void aBadLimitIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradClip.clipGlobalNorm(List.of(), 0));
        assertTrue(e.getMessage().contains("maxNorm"), e.getMessage());
    }
}
