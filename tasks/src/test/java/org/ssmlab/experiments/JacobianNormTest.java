package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;

/**
 * The Jacobian-norm influence probe against the Jacobian built column by column with central finite
 * differences (outputs accumulated in double precision; the model runs in float32), and its random-probe
 * estimate against the exact value.
 */
class JacobianNormTest {

    static final int LEN = 6;
    static final int[] TOKENS = {3, 1, 4, 1, 5, 9};

    /** A tiny LM whose embeddings are of order one (scaled up from N(0, 0.02²)), so a step of 2e-3 is small. */
    static LanguageModel tiny(Family f, long seed) {
        LanguageModel lm = f.languageModel(10, 2, new Family.Spec(8, 4, 2, Polarization.NONE), seed);
        float[] w = lm.namedParameters().get("backbone.embedding.weight").data();
        for (int i = 0; i < w.length; i++) {
            w[i] *= 50;
        }
        return lm;
    }

    /** ‖∂y_T/∂e_s‖_F for every s from central differences, column j of J_s = (y_T(e + h u_sj) - y_T(e - h u_sj)) / 2h. */
    static double[] finiteDifferenceNorms(LanguageModel lm, int[] tokens, double h) {
        int len = tokens.length;
        int d = lm.width();
        float[] e;
        try (var g = GradMode.noGrad()) {
            e = lm.embed(tokens, 1, len).toArray();
        }
        double[] out = new double[len];
        for (int s = 0; s < len; s++) {
            double sq = 0;
            for (int j = 0; j < d; j++) {
                double[] plus = lastOutput(lm, e, len, s * d + j, h);
                double[] minus = lastOutput(lm, e, len, s * d + j, -h);
                for (int k = 0; k < d; k++) {
                    double col = (plus[k] - minus[k]) / (2 * h);
                    sq += col * col;
                }
            }
            out[s] = Math.sqrt(sq);
        }
        return out;
    }

    private static double[] lastOutput(LanguageModel lm, float[] e, int len, int index, double h) {
        float[] x = e.clone();
        x[index] = (float) (x[index] + h);
        double actualStep = x[index] - e[index];        // the float32 step actually taken
        float[] y;
        try (var g = GradMode.noGrad()) {
            y = lm.hiddenFromEmbeddings(Tensor.of(x, 1, len, lm.width())).data();
        }
        double[] last = new double[lm.width()];
        for (int k = 0; k < last.length; k++) {
            last[k] = y[(len - 1) * lm.width() + k] * (h / actualStep);
        }
        return last;
    }

    @Test
    void theExactProbeEqualsTheFiniteDifferenceJacobianForMambaAndTheTransformer() {
        for (Family f : new Family[] {Family.MAMBA, Family.TRANSFORMER}) {
            LanguageModel lm = tiny(f, 11);
            double[] exact = JacobianNorm.exact(lm, TOKENS, false).norms();
            double[] fd = finiteDifferenceNorms(lm, TOKENS, 2e-3);
            double scale = java.util.Arrays.stream(fd).max().orElseThrow();
            assertTrue(scale > 0.1, f + ": the last output depends on the inputs (max norm " + scale + ")");
            for (int s = 0; s < LEN; s++) {
                assertEquals(fd[s], exact[s], 1e-2 * Math.max(fd[s], 0) + 1e-3 * scale,
                        f + " position " + s + ": exact " + exact[s] + " vs finite differences " + fd[s]);
            }
        }
    }

    @Test
    void negativeControlTheAllOnesProductIsNotTheJacobianNorm() {
        // The former probe, one reverse pass of Σ_k y_{T,k}: ‖1ᵀ J_s‖ differs from ‖J_s‖_F, which the check above
        // would catch.
        LanguageModel lm = tiny(Family.MAMBA, 11);
        double[] fd = finiteDifferenceNorms(lm, TOKENS, 2e-3);
        double[] ones = InfluenceCommand.influence(lm, TOKENS, false);
        boolean differs = false;
        for (int s = 0; s < LEN; s++) {
            differs |= Math.abs(ones[s] - fd[s]) > 0.1 * fd[s];
        }
        assertTrue(differs, "the all-ones product should differ from the Frobenius norm somewhere");
    }

    /** Whether the mean of {@code estimates} (repetitions × positions) is within 4 standard errors of {@code truth} everywhere. */
    static boolean unbiasedWithin4Se(double[][] estimates, double[] truth) {
        int reps = estimates.length;
        for (int s = 0; s < truth.length; s++) {
            double mean = 0;
            for (double[] e : estimates) {
                mean += e[s] / reps;
            }
            double ss = 0;
            for (double[] e : estimates) {
                ss += (e[s] - mean) * (e[s] - mean);
            }
            double se = Math.sqrt(ss / (reps - 1) / reps);
            if (Math.abs(mean - truth[s]) > 4 * se + 1e-9 * truth[s]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theEstimateIsUnbiasedWithinItsStandardErrorAndItsErrorBarIsHonest() {
        LanguageModel lm = tiny(Family.MAMBA, 5);
        double[] truth = JacobianNorm.exact(lm, TOKENS, false).squared();
        int reps = 150;
        int probes = 4;
        double[][] est = new double[reps][];
        double[] meanSe2 = new double[LEN];
        for (int r = 0; r < reps; r++) {
            JacobianNorm.Result res = JacobianNorm.estimate(lm, TOKENS, false, probes, 1000 + r);
            est[r] = res.squared();
            for (int s = 0; s < LEN; s++) {
                meanSe2[s] += res.se()[s] * res.se()[s] / reps;
            }
        }
        assertTrue(unbiasedWithin4Se(est, truth), "the mean of " + reps + " estimates is the exact squared norm");
        // The reported standard error matches the spread of the estimates (its square is unbiased for the variance).
        for (int s = 0; s < LEN; s++) {
            double mean = 0;
            for (double[] e : est) {
                mean += e[s] / reps;
            }
            double var = 0;
            for (double[] e : est) {
                var += (e[s] - mean) * (e[s] - mean) / (reps - 1);
            }
            assertEquals(var, meanSe2[s], 0.5 * var + 1e-12, "position " + s + ": variance " + var + " vs mean se² " + meanSe2[s]);
        }
        // Negative control: an estimator off by 10 % is caught by the same criterion.
        double[][] biased = new double[reps][];
        for (int r = 0; r < reps; r++) {
            biased[r] = est[r].clone();
            for (int s = 0; s < LEN; s++) {
                biased[r][s] *= 1.1;
            }
        }
        assertFalse(unbiasedWithin4Se(biased, truth), "a 10 % bias must fail the check");
    }

    @Test
    void theExactMethodAtTheLogitsSumsOverTheVocabulary() {
        LanguageModel lm = tiny(Family.MAMBA, 2);
        JacobianNorm.Result r = JacobianNorm.exact(lm, TOKENS, true);
        assertEquals(10, r.probes());
        double[] est = JacobianNorm.estimate(lm, TOKENS, true, 400, 9).squared();
        for (int s = 0; s < LEN; s++) {
            assertEquals(r.squared()[s], est[s], 0.35 * r.squared()[s], "position " + s);
        }
    }
}
