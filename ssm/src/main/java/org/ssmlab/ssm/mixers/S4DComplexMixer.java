package org.ssmlab.ssm.mixers;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;

/**
 * S4D with a complex diagonal Λ (docs/theory.md §1, Eq. 2), the S4D-Lin initialisation Λ_n = -1/2 + iπn:
 *
 * <pre>
 *   Λ = -exp(log_re) + i·im  (Re Λ < 0),   Δ = exp(log_dt)
 *   a = exp(Δ Λ) = e^{Δ Re Λ} (cos(Δ Im Λ) + i sin(Δ Im Λ)),   B̄ = (exp(Δ Λ) - 1)/Λ · B
 *   h_t = a ⊙ h_{t-1} + B̄ x_t  (complex),   y_t = 2 Re(Σ_n C_n h_{t,n}) + D x_t,   out = out_proj(GELU(y))
 * </pre>
 *
 * The factor 2 Re counts each state once for itself and once for its conjugate, as S4D does. With
 * polarization the state gains real constant channels a ≡ 1 (first, B̄ = Δ B) and a ≡ 0 (last, B̄ = B).
 * Parameters: {@code log_dt}, {@code log_A_real}, {@code A_imag}, {@code B_re}, {@code B_im},
 * {@code C_re}, {@code C_im}, {@code D}, {@code out_proj}.
 */
public final class S4DComplexMixer extends Mixer implements ComplexEq1Terms {

    private final int d;
    private final int n;
    private final Polarization pol;
    private final Tensor logDt;
    private final Tensor logAReal;
    private final Tensor aImag;
    private final Tensor bRe;
    private final Tensor bIm;
    private final Tensor cRe;
    private final Tensor cIm;
    private final Tensor dSkip;
    private final Linear outProj;

    public S4DComplexMixer(int d, int n, Polarization pol, SplittableRandom rng) {
        this.d = d;
        this.n = n;
        this.pol = pol;
        int nt = n + pol.extraChannels();
        float[] re = new float[d * n];
        float[] im = new float[d * n];
        for (int i = 0; i < d * n; i++) {
            re[i] = (float) Math.log(0.5);                   // Re Λ = -1/2
            im[i] = (float) (Math.PI * (i % n));             // Im Λ = π n
        }
        this.logDt = param("log_dt", S4DMixer.logDtInit(d, rng));
        this.logAReal = param("log_A_real", Tensor.of(re, d, n));
        this.aImag = param("A_imag", Tensor.of(im, d, n));
        this.bRe = param("B_re", Tensor.ones(d, nt));
        this.bIm = param("B_im", Tensor.zeros(d, nt));
        this.cRe = param("C_re", Tensor.randn(rng, (float) Math.sqrt(0.5), d, nt));
        this.cIm = param("C_im", Tensor.randn(rng, (float) Math.sqrt(0.5), d, nt));
        this.dSkip = param("D", Tensor.randn(rng, 1f, d));
        this.outProj = child("out_proj", new Linear(d, d, true, rng));
    }

    @Override
    public int width() {
        return d;
    }

    /** The discretised system: a (re, im) and B̄ (re, im), each (d, n_total). */
    private Tensor[] discretise() {
        Tensor dt = Shapes.reshape(Arith.exp(logDt), d, 1);
        Tensor lre = Arith.neg(Arith.exp(logAReal));                              // Re Λ
        Tensor lim = aImag;                                                      // Im Λ
        Tensor mag = Arith.exp(Arith.mul(dt, lre));
        Tensor are = Arith.mul(mag, Arith.cos(Arith.mul(dt, lim)));
        Tensor aim = Arith.mul(mag, Arith.sin(Arith.mul(dt, lim)));
        // (a - 1)/Λ = ((p r + q s) + i (q r - p s)) / (r² + s²) with p + iq = a - 1, r + is = Λ
        Tensor p = Arith.addScalar(are, -1f);
        Tensor den = Arith.add(Arith.mul(lre, lre), Arith.mul(lim, lim));
        Tensor fre = Arith.div(Arith.add(Arith.mul(p, lre), Arith.mul(aim, lim)), den);
        Tensor fim = Arith.div(Arith.sub(Arith.mul(aim, lre), Arith.mul(p, lim)), den);
        int f = pol.firstLearnable();
        Tensor br = Shapes.slice(bRe, 1, f, f + n);
        Tensor bi = Shapes.slice(bIm, 1, f, f + n);
        Tensor bbRe = Arith.sub(Arith.mul(fre, br), Arith.mul(fim, bi));
        Tensor bbIm = Arith.add(Arith.mul(fre, bi), Arith.mul(fim, br));
        if (pol == Polarization.NONE) {
            return new Tensor[] {are, aim, bbRe, bbIm};
        }
        int nt = n + pol.extraChannels();
        List<Tensor> ar = new ArrayList<>(), ai = new ArrayList<>(), bre = new ArrayList<>(), bim = new ArrayList<>();
        if (pol.hasOne()) {                                                      // a = 1: B̄ = Δ B
            ar.add(Tensor.ones(d, 1));
            ai.add(Tensor.zeros(d, 1));
            bre.add(Arith.mul(dt, Shapes.slice(bRe, 1, 0, 1)));
            bim.add(Arith.mul(dt, Shapes.slice(bIm, 1, 0, 1)));
        }
        ar.add(are);
        ai.add(aim);
        bre.add(bbRe);
        bim.add(bbIm);
        if (pol.hasZero()) {                                                     // a = 0: B̄ = B
            ar.add(Tensor.zeros(d, 1));
            ai.add(Tensor.zeros(d, 1));
            bre.add(Shapes.slice(bRe, 1, nt - 1, nt));
            bim.add(Shapes.slice(bIm, 1, nt - 1, nt));
        }
        return new Tensor[] {Shapes.concat(ar, 1), Shapes.concat(ai, 1), Shapes.concat(bre, 1), Shapes.concat(bim, 1)};
    }

    /** The transitions |a| per state channel (d, n_total): the quantity Theorem D.2 bounds. */
    public Tensor transitionMagnitudes() {
        Tensor[] s = discretise();
        return Arith.sqrt(Arith.add(Arith.mul(s[0], s[0]), Arith.mul(s[1], s[1])));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor[] t = complexTerms(x);
        Scan.ComplexTensor h = Scan.complexDiagonal(new Scan.ComplexTensor(t[0], t[1]), new Scan.ComplexTensor(t[2], t[3]), null);
        return complexReadout(x, h.re(), h.im());
    }

    /** {a_re, a_im, B̄x_re, B̄x_im}, each (batch, L, d·n_total): the discretised system applied to x. */
    @Override
    public Tensor[] complexTerms(Tensor x) {
        int batch = x.dim(0);
        int len = x.dim(1);
        int nt = n + pol.extraChannels();
        Tensor[] s = discretise();
        Tensor x4 = Shapes.reshape(x, batch, len, d, 1);
        return new Tensor[] {Shapes.reshape(Shapes.broadcastTo(s[0], batch, len, d, nt), batch, len, d * nt),
                Shapes.reshape(Shapes.broadcastTo(s[1], batch, len, d, nt), batch, len, d * nt),
                Shapes.reshape(Arith.mul(x4, s[2]), batch, len, d * nt), Shapes.reshape(Arith.mul(x4, s[3]), batch, len, d * nt)};
    }

    /** y = 2 Re(Σ_n C_n h_n) + D x, then out_proj(GELU(y)), from the states (batch, L, d·n_total). */
    @Override
    public Tensor complexReadout(Tensor x, Tensor hRe, Tensor hIm) {
        int batch = x.dim(0);
        int len = x.dim(1);
        int nt = n + pol.extraChannels();
        return readout(x, Shapes.reshape(hRe, batch, len, d, nt), Shapes.reshape(hIm, batch, len, d, nt));
    }

    /**
     * The layer's convolution kernel, K_k[c] = 2 Re Σ_n C[c,n] B̄[c,n] a[c,n]^k for k = 0..length-1 (the SSM
     * part of y before the skip D x, GELU and out_proj), as (d, length): the impulse response of its
     * discretised system through the complex scan.
     */
    public Tensor kernel(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("S4DComplexMixer.kernel: length " + length + " must be positive");
        }
        try (var scope = GradMode.noGrad()) {
            int nt = n + pol.extraChannels();
            Tensor[] s = discretise();
            float[] impulse = new float[length * d];
            java.util.Arrays.fill(impulse, 0, d, 1f);
            Tensor x4 = Tensor.of(impulse, 1, length, d, 1);
            Scan.ComplexTensor a = new Scan.ComplexTensor(
                    Shapes.reshape(Shapes.broadcastTo(s[0], 1, length, d, nt), 1, length, d * nt),
                    Shapes.reshape(Shapes.broadcastTo(s[1], 1, length, d, nt), 1, length, d * nt));
            Scan.ComplexTensor b = new Scan.ComplexTensor(Shapes.reshape(Arith.mul(x4, s[2]), 1, length, d * nt),
                    Shapes.reshape(Arith.mul(x4, s[3]), 1, length, d * nt));
            Scan.ComplexTensor h = Scan.complexDiagonal(a, b, null);
            Tensor hRe = Shapes.reshape(h.re(), length, d, nt);
            Tensor hIm = Shapes.reshape(h.im(), length, d, nt);
            Tensor re = Arith.sub(Arith.mul(hRe, cRe), Arith.mul(hIm, cIm));
            return Shapes.transpose(Arith.mulScalar(Reduce.sum(re, false, -1), 2f), 0, 1);
        }
    }

    /** y = 2 Re(Σ_n C_n h_n) + D x, then out_proj(GELU(y)). */
    private Tensor readout(Tensor x, Tensor hRe, Tensor hIm) {
        Tensor re = Arith.sub(Arith.mul(hRe, cRe), Arith.mul(hIm, cIm));
        Tensor y = Arith.add(Arith.mulScalar(Reduce.sum(re, false, -1), 2f), Arith.mul(x, dSkip));
        return outProj.forward(Arith.gelu(y));
    }

    /** Recurrent state: h (batch, d, n_total) as real and imaginary parts. */
    private static final class State implements RecurrentState {
        float[] re;
        float[] im;
    }

    @Override
    public RecurrentState newState(int batch) {
        State s = new State();
        s.re = new float[batch * d * (n + pol.extraChannels())];
        s.im = new float[s.re.length];
        return s;
    }

    @Override
    public Tensor step(Tensor x, RecurrentState state) {
        State st = (State) state;
        int batch = x.dim(0);
        int nt = n + pol.extraChannels();
        try (var scope = GradMode.noGrad()) {
            Tensor[] s = discretise();
            float[] are = s[0].data(), aim = s[1].data(), bre = s[2].data(), bim = s[3].data();
            float[] xv = x.data();
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < d; c++) {
                    float xc = xv[b * d + c];
                    for (int j = 0; j < nt; j++) {
                        int k = c * nt + j;
                        int i = (b * d + c) * nt + j;
                        float hr = st.re[i];
                        float hi = st.im[i];
                        st.re[i] = are[k] * hr - aim[k] * hi + bre[k] * xc;
                        st.im[i] = are[k] * hi + aim[k] * hr + bim[k] * xc;
                    }
                }
            }
            Tensor hRe = Tensor.of(st.re.clone(), batch, 1, d, nt);
            Tensor hIm = Tensor.of(st.im.clone(), batch, 1, d, nt);
            Tensor y = readout(Shapes.reshape(x, batch, 1, d), hRe, hIm);
            return Shapes.reshape(y, batch, d);
        }
    }
}
