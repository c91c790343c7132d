package org.ssmlab.theorems;

import java.util.Locale;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.Eq1Form;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;
import org.ssmlab.theorems.MixerTheorems.Falsified;

/**
 * {@value MixerTheorems#STEP} on one sample, for Eq. 1 (docs/theory.md §1): the recurrent mode
 * ({@link Mixer#step}, one token at a time from a fresh state) and the parallel mode
 * ({@link Mixer#forward}, the whole sequence at once) give the same outputs, and so does Eq. 1 written
 * out from its terms ({@link Eq1Form#explicitForward}) when the mixer has it. Lemma D.1 (§2) says the
 * recurrence and its unrolled sum are one function; this checks that the mixer's implementations of
 * its modes agree. Every mixer, with no hypothesis on its terms.
 */
final class StepEqualsParallel {

    private StepEqualsParallel() {
    }

    /** Checks one sample; throws {@link Falsified} naming the first flat index where the modes differ. */
    static void check(Mixer m, long ws, int len, double scale, Coverage cov) {
        int d = m.width();
        int batch = 2;
        Tensor x = Samples.input(ws, batch, len, d, scale);
        float[] par;
        float[] explicit = null;
        float[] rec = new float[batch * len * d];
        try (var s = GradMode.noGrad()) {
            par = m.forward(x).toArray();
            if (m instanceof Eq1Form e) {
                explicit = e.explicitForward(x).toArray();
            }
            RecurrentState st = m.newState(batch);
            for (int t = 0; t < len; t++) {
                Tensor xt = Shapes.reshape(Shapes.slice(x, 1, t, t + 1), batch, d);
                float[] y = m.step(xt, st).toArray();
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(y, b * d, rec, (b * len + t) * d, d);
                }
            }
        }
        double max = 0;
        for (float v : par) {
            if (!Float.isFinite(v)) {
                throw new Falsified(MixerTheorems.STEP, "forward gave a non-finite output " + v);
            }
            max = Math.max(max, Math.abs(v));
        }
        cov.add("max |y|", max);
        double tol = 2e-4 * Math.max(max, 1e-3);
        for (int k = 0; k < par.length; k++) {
            if (!(Math.abs(par[k] - rec[k]) <= tol)) {
                throw new Falsified(MixerTheorems.STEP, String.format(Locale.ROOT,
                        "forward %.7g but step %.7g at flat index %d (T = %d)", par[k], rec[k], k, len));
            }
            if (explicit != null && !(Math.abs(par[k] - explicit[k]) <= tol)) {
                throw new Falsified(MixerTheorems.STEP, String.format(Locale.ROOT,
                        "forward %.7g but explicit Eq. 1 %.7g at flat index %d (T = %d)", par[k], explicit[k], k, len));
            }
        }
    }
}
