package org.ssmlab.ssm.mixers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Eq1;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.testing.Props;

/**
 * H3 against a scalar reference written from its definition in double precision (q, k, v projections,
 * an m-tap shift SSM on k, the diagonal ZOH SSM on shift(k) ⊙ v, gating by q, output projection), and
 * polarization of its diagonal SSM. Step = parallel, the finite-difference gradient check and the
 * explicit Eq. 1 form are covered for every family by MixerContractTest and Eq1FormTest.
 */
class H3Test {

    @ParameterizedTest
    @EnumSource(Polarization.class)
    void matchesAScalarReferenceOfTheDefinition(Polarization pol) {
        int d = 3;
        int n = 2;
        int len = 7;
        int batch = 2;
        H3Mixer m = new H3Mixer(d, n, pol, new SplittableRandom(Props.SEED));
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 1), 1f, batch, len, d);
        float[] y;
        try (var s = GradMode.noGrad()) {
            y = m.forward(x).toArray();
        }
        double[] ref = reference(m.namedParameters(), pol, x.toArray(), batch, len, d, n);
        double scale = 0;
        for (double v : ref) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], y[i], 1e-5 * (1 + scale), pol + ": output " + i);
        }
    }

    @Test
    void theShiftSsmForgetsKeysOlderThanMSteps() {
        // Without the diagonal SSM's memory (C = 0, only the D u skip path), the output at t depends on
        // x_{t-m+1..t} only: the shift SSM's state is the window of the last m keys.
        int d = 4;
        int n = 3;
        H3Mixer m = new H3Mixer(d, n, Polarization.NONE, new SplittableRandom(Props.SEED + 2));
        java.util.Arrays.fill(m.namedParameters().get("C").data(), 0f);
        int len = 10;
        Tensor x = Tensor.randn(new SplittableRandom(Props.SEED + 3), 1f, 1, len, d);
        float[] moved = x.toArray();
        for (int c = 0; c < d; c++) {
            moved[2 * d + c] += 1f;                                    // perturb position 2
        }
        try (var s = GradMode.noGrad()) {
            float[] y0 = m.forward(x).toArray();
            float[] y1 = m.forward(Tensor.of(moved, 1, len, d)).toArray();
            for (int t = 0; t < len; t++) {
                double diff = 0;
                for (int c = 0; c < d; c++) {
                    diff = Math.max(diff, Math.abs(y0[t * d + c] - y1[t * d + c]));
                }
                if (t >= 2 && t < 2 + m.shiftLength()) {
                    assertTrue(diff > 1e-4, "position " + t + " is inside the window of x_2 and must move: " + diff);
                } else {
                    assertEquals(0, diff, 1e-6, "position " + t + " is outside the window of x_2");
                }
            }
            // Negative control: with the diagonal SSM's C on, x_2 reaches every later position.
            m.namedParameters().get("C").data()[0] = 1f;
            float[] z0 = m.forward(x).toArray();
            float[] z1 = m.forward(Tensor.of(moved, 1, len, d)).toArray();
            assertNotEquals(z0[(len - 1) * d], z1[(len - 1) * d], "the diagonal SSM carries x_2 past the window");
        }
    }

    @Test
    void polarizationWithSilentConstantChannelsIsThePlainLayer() {
        int d = 4;
        int n = 3;
        H3Mixer plain = new H3Mixer(d, n, Polarization.NONE, new SplittableRandom(5));
        H3Mixer both = new H3Mixer(d, n, Polarization.BOTH, new SplittableRandom(6));
        Map<String, Tensor> src = plain.namedParameters();
        Map<String, Tensor> dst = both.namedParameters();
        for (String name : src.keySet()) {
            float[] from = src.get(name).data();
            float[] to = dst.get(name).data();
            if (name.equals("B") || name.equals("C")) {                // (d, n) into the learnable columns of (d, n + 2)
                java.util.Arrays.fill(to, 0f);
                for (int c = 0; c < d; c++) {
                    System.arraycopy(from, c * n, to, c * (n + 2) + 1, n);
                }
            } else {
                System.arraycopy(from, 0, to, 0, from.length);
            }
        }
        Tensor x = Tensor.randn(new SplittableRandom(7), 1f, 2, 9, d);
        try (var s = GradMode.noGrad()) {
            float[] a = plain.forward(x).toArray();
            float[] b = both.forward(x).toArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-6f * (1 + Math.abs(a[i])), "output " + i);
            }
        }
    }

    @Test
    void theOneChannelKeepsItsInputWhileLearnableChannelsForget() {
        H3Mixer m = new H3Mixer(2, 2, Polarization.ONE, new SplittableRandom(8));
        Tensor x = Tensor.randn(new SplittableRandom(9), 1f, 1, 30, 2);
        try (var s = GradMode.noGrad()) {
            DiagonalMixer.Terms t = m.terms(x);
            float[] a = t.a().toArray();                               // (1, 30, 2, 3): [one | learnable x2]
            for (int i = 0; i < a.length; i += 3) {
                assertEquals(1f, a[i], "a of the one-channel");
                assertTrue(a[i + 1] < 1f && a[i + 2] < 1f, "learnable a < 1");
            }
            float[] h = Eq1.scan(t.a(), t.bx()).toArray();
            float[] bu = t.bx().toArray();
            double sum = 0;
            for (int step = 0; step < 30; step++) {
                sum += bu[step * 6];                                   // channel 0, state 0 = the one-channel
            }
            assertEquals(sum, h[29 * 6], 1e-5 * (1 + Math.abs(sum)), "the a ≡ 1 channel sums its inputs");
        }
    }

    /** H3 from its definition, in double, reading the layer's parameters by name. */
    static double[] reference(Map<String, Tensor> p, Polarization pol, float[] x, int batch, int len, int d, int n) {
        int nt = n + pol.extraChannels();
        float[] w = p.get("shift_conv.weight").data();                  // (d, 1, m), tap j reads lag m - 1 - j
        int m = w.length / d;
        float[] logDt = p.get("log_dt").data();
        float[] aLog = p.get("A_log").data();
        float[] bm = p.get("B").data();
        float[] cm = p.get("C").data();
        float[] dm = p.get("D").data();
        double[] out = new double[batch * len * d];
        for (int bi = 0; bi < batch; bi++) {
            double[][] q = new double[len][];
            double[][] k = new double[len][];
            double[][] v = new double[len][];
            for (int t = 0; t < len; t++) {
                float[] xt = java.util.Arrays.copyOfRange(x, (bi * len + t) * d, (bi * len + t + 1) * d);
                q[t] = linear(p, "q_proj", xt, d, d);
                k[t] = linear(p, "k_proj", xt, d, d);
                v[t] = linear(p, "v_proj", xt, d, d);
            }
            double[][] h = new double[d][nt];
            for (int t = 0; t < len; t++) {
                double[] gated = new double[d];
                for (int c = 0; c < d; c++) {
                    double kbar = 0;
                    for (int lag = 0; lag < m && lag <= t; lag++) {
                        kbar += w[c * m + m - 1 - lag] * k[t - lag][c];
                    }
                    double u = kbar * v[t][c];
                    double dt = Math.exp(logDt[c]);
                    double y = dm[c] * u;
                    for (int j = 0; j < nt; j++) {
                        int learn = j - pol.firstLearnable();
                        double a;
                        double bBar;
                        if (pol.hasOne() && j == 0) {
                            a = 1;
                            bBar = dt * bm[c * nt + j];
                        } else if (pol.hasZero() && j == nt - 1) {
                            a = 0;
                            bBar = bm[c * nt + j];
                        } else {
                            double lambda = -Math.exp(aLog[c * n + learn]);
                            a = Math.exp(dt * lambda);
                            bBar = (a - 1) / lambda * bm[c * nt + j];
                        }
                        h[c][j] = a * h[c][j] + bBar * u;
                        y += cm[c * nt + j] * h[c][j];
                    }
                    gated[c] = q[t][c] * y;
                }
                float[] g = new float[d];
                for (int c = 0; c < d; c++) {
                    g[c] = (float) gated[c];
                }
                double[] o = linear(p, "out_proj", g, d, d);
                System.arraycopy(o, 0, out, (bi * len + t) * d, d);
            }
        }
        return out;
    }

    private static double[] linear(Map<String, Tensor> p, String name, float[] x, int in, int outDim) {
        float[] wt = p.get(name + ".weight").data();                     // (out, in)
        float[] bias = p.get(name + ".bias").data();
        double[] y = new double[outDim];
        for (int o = 0; o < outDim; o++) {
            double s = bias[o];
            for (int i = 0; i < in; i++) {
                s += wt[o * in + i] * (double) x[i];
            }
            y[o] = s;
        }
        return y;
    }
}
