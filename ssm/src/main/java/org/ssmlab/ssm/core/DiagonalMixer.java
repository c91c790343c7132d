package org.ssmlab.ssm.core;

import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;

/**
 * A mixer that is literally Eq. 1 with a diagonal transition: a family only says how it makes the
 * terms (a_t, B_t x_t) from the input, and how it reads the states h_t out (C_t, skip, gates):
 *
 * <pre>
 *   (a, bx) = terms(x)              both (batch, L, channels...)
 *   h       = scan(a, bx)           h_t = a_t ⊙ h_{t-1} + bx_t,  h_0 = 0
 *   y       = readout(x, terms, h)
 * </pre>
 *
 * {@link #forward} runs the fused diagonal-scan kernel; {@link #explicitForward} runs {@link Eq1#scan},
 * the step-by-step form — the tests check that they agree. Recurrent mode carries h and applies the
 * same terms to one position at a time, which is exact for every family whose terms at t depend on
 * x_t alone (Eq. 1's assumption); families with a history-dependent shift override {@link #step}.
 */
public abstract class DiagonalMixer extends Mixer implements Eq1Form {

    /** The terms of Eq. 1 for a sequence, plus whatever the readout needs (C_t, gates, ...). */
    public record Terms(Tensor a, Tensor bx, Tensor... extra) {
    }

    /** Eq. 1's a_t and B_t x_t for x (batch, L, d), shaped (batch, L, channels...). */
    public abstract Terms terms(Tensor x);

    /** y (batch, L, d) from the input, the terms and the states h (shaped like the terms). */
    public abstract Tensor readout(Tensor x, Terms terms, Tensor h);

    @Override
    public Tensor forward(Tensor x) {
        Terms t = terms(x);
        return readout(x, t, fusedScan(t.a(), t.bx()));
    }

    /** The same layer with the scan written out step by step ({@link Eq1#scan}). */
    @Override
    public Tensor explicitForward(Tensor x) {
        Terms t = terms(x);
        return readout(x, t, Eq1.scan(t.a(), t.bx()));
    }

    /** The fused diagonal scan on (batch, L, channels...) viewed as (batch, L, C). */
    public static Tensor fusedScan(Tensor a, Tensor bx) {
        int[] s = a.shape();
        int channels = Shape.size(java.util.Arrays.copyOfRange(s, 2, s.length));
        Tensor h = Scan.diagonalStates(Shapes.reshape(a, s[0], s[1], channels), Shapes.reshape(bx, s[0], s[1], channels), null);
        return Shapes.reshape(h, s);
    }

    /** The carried state h_t (batch, channels...) of recurrent mode. */
    public static final class State implements RecurrentState {
        float[] h;

        /** The current h_t, row-major (batch, channels...), or null before the first step. */
        public float[] h() {
            return h;
        }
    }

    @Override
    public RecurrentState newState(int batch) {
        return new State();
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        State s = (State) state;
        int batch = x.dim(0);
        try (var scope = GradMode.noGrad()) {
            Tensor x1 = Shapes.reshape(x, batch, 1, x.dim(1));
            Terms t = terms(x1);
            float[] a = t.a().data();
            float[] bx = t.bx().data();
            if (s.h == null) {
                s.h = new float[a.length];
            }
            for (int i = 0; i < a.length; i++) {
                s.h[i] = a[i] * s.h[i] + bx[i];
            }
            Tensor y = readout(x1, t, Tensor.of(s.h.clone(), t.a().shape()));
            return Shapes.reshape(y, batch, y.dim(2));
        }
    }
}
