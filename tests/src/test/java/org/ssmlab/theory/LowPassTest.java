package org.ssmlab.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.mixers.S4DComplexMixer;
import org.ssmlab.ssm.mixers.S4DMixer;
import org.ssmlab.testing.Props;
import org.ssmlab.testing.Violation;

/**
 * Proposition 4.1 (continuous S4 is a low-pass filter). The kernel K(τ) = Σ_i C_i B_i e^{Λ_i τ} is
 * sampled by the engine as the impulse response of the diagonal recurrence h_k = e^{Λ δ} h_{k-1}
 * (complex scan, h_0 = C B) and transformed by a plain DFT (the trapezoid rule
 * δ (Σ_k K(kδ) e^{-iωkδ} - K(0)/2) at DFT bins ω_j = 2πj/(Nδ)), then compared with the closed form.
 */
class LowPassTest {

    /** A sampled diagonal S4: Λ = -α + iβ and CB, in double. */
    record S4(double[] alpha, double[] beta, double[] cbRe, double[] cbIm) {

        int n() {
            return alpha.length;
        }

        double sumCB() {
            double s = 0;
            for (int i = 0; i < n(); i++) {
                s += Math.hypot(cbRe[i], cbIm[i]);
            }
            return s;
        }

        double maxImag() {
            double m = 0;
            for (double b : beta) {
                m = Math.max(m, Math.abs(b));
            }
            return m;
        }

        double minAlpha() {
            double m = Double.POSITIVE_INFINITY;
            for (double a : alpha) {
                m = Math.min(m, a);
            }
            return m;
        }

        /** K̂(ω) = Σ_i C_i B_i / (iω - Λ_i) as {re, im}. */
        double[] closed(double omega) {
            double re = 0;
            double im = 0;
            for (int i = 0; i < n(); i++) {
                double dr = alpha[i];                  // iω - Λ = α + i(ω - β)
                double di = omega - beta[i];
                double den = dr * dr + di * di;
                re += (cbRe[i] * dr + cbIm[i] * di) / den;
                im += (cbIm[i] * dr - cbRe[i] * di) / den;
            }
            return new double[] {re, im};
        }

        /** Σ_i |C_i B_i| / |iω - Λ_i|, the scale of K̂(ω) the comparison tolerance is relative to. */
        double scale(double omega) {
            double s = 0;
            for (int i = 0; i < n(); i++) {
                s += Math.hypot(cbRe[i], cbIm[i]) / Math.hypot(alpha[i], omega - beta[i]);
            }
            return s;
        }

        static S4 sample(long seed, int n, boolean complex, double alphaLo, double betaMax) {
            SplittableRandom rng = new SplittableRandom(seed);
            double[] alpha = new double[n];
            double[] beta = new double[n];
            double[] cr = new double[n];
            double[] ci = new double[n];
            for (int i = 0; i < n; i++) {
                alpha[i] = alphaLo * Math.exp(rng.nextDouble() * Math.log(3 / alphaLo));   // log-uniform [lo, 3]
                beta[i] = complex ? betaMax * (2 * rng.nextDouble() - 1) : 0;
                cr[i] = Tensor.gaussian(rng);
                ci[i] = complex ? Tensor.gaussian(rng) : 0;
            }
            return new S4(alpha, beta, cr, ci);
        }
    }

    /** K(kδ), k = 0..N-1, as {re[], im[]}: the engine's complex scan with a = e^{Λδ}, g_0 = CB, g_k = 0. */
    static double[][] kernel(S4 m, double delta, int len) {
        int n = m.n();
        float[] aRe = new float[len * n];
        float[] aIm = new float[len * n];
        float[] gRe = new float[len * n];
        float[] gIm = new float[len * n];
        for (int i = 0; i < n; i++) {
            double mod = Math.exp(-m.alpha()[i] * delta);
            for (int k = 0; k < len; k++) {
                aRe[k * n + i] = (float) (mod * Math.cos(m.beta()[i] * delta));
                aIm[k * n + i] = (float) (mod * Math.sin(m.beta()[i] * delta));
            }
            gRe[i] = (float) m.cbRe()[i];
            gIm[i] = (float) m.cbIm()[i];
        }
        Scan.ComplexTensor h;
        try (var s = GradMode.noGrad()) {
            h = Scan.complexDiagonal(new Scan.ComplexTensor(Tensor.of(aRe, 1, len, n), Tensor.of(aIm, 1, len, n)),
                    new Scan.ComplexTensor(Tensor.of(gRe, 1, len, n), Tensor.of(gIm, 1, len, n)), null);
        }
        double[] re = new double[len];
        double[] im = new double[len];
        for (int k = 0; k < len; k++) {
            for (int i = 0; i < n; i++) {
                re[k] += h.re().data()[k * n + i];
                im[k] += h.im().data()[k * n + i];
            }
        }
        return new double[][] {re, im};
    }

    /** DFT bin j of the sampled kernel with the trapezoid end correction, as {re, im}. */
    static double[] dft(double[][] k, double delta, double omega) {
        double cr = 1;                         // e^{-iωkδ} by rotation
        double ci = 0;
        double rr = Math.cos(omega * delta);
        double ri = -Math.sin(omega * delta);
        double re = 0;
        double im = 0;
        for (int j = 0; j < k[0].length; j++) {
            re += k[0][j] * cr - k[1][j] * ci;
            im += k[0][j] * ci + k[1][j] * cr;
            double nr = cr * rr - ci * ri;
            ci = cr * ri + ci * rr;
            cr = nr;
        }
        return new double[] {delta * (re - k[0][0] / 2), delta * (im - k[1][0] / 2)};
    }

    /** Frequencies ω ≥ ω_c (both signs) where the ε-bound is checked on the closed form, plus each |Im Λ_i|. */
    static List<Double> beyondCutoff(S4 m, double omegaC) {
        List<Double> w = new ArrayList<>();
        for (int j = 0; j <= 200; j++) {
            double o = omegaC * (1 + 0.02 * j);
            w.add(o);
            w.add(-o);
        }
        for (double f = 10; f <= 1e5; f *= 10) {
            w.add(omegaC * f);
            w.add(-omegaC * f);
        }
        for (double b : m.beta()) {
            w.add(b);
            w.add(-b);
        }
        w.removeIf(o -> Math.abs(o) < omegaC);
        return w;
    }

    /** The ε-bound of Proposition 4.1, as its negative control names it. */
    static final String EPSILON = "Proposition 4.1 eps-bound";

    /** The ε-bound checked on an engine layer's own frequency response. */
    static final String EPSILON_LAYER = "Proposition 4.1 eps-bound on the layer's response";

    /** |K̂(ω)| ≤ ε on the closed form at every frequency of {@link #beyondCutoff}. */
    static void checkEpsilonBeyond(S4 m, double eps, double omegaC) {
        for (double omega : beyondCutoff(m, omegaC)) {
            double[] cf = m.closed(omega);
            double mag = Math.hypot(cf[0], cf[1]);
            Violation.check(mag <= eps * (1 + 1e-12), EPSILON, () -> String.format(Locale.ROOT,
                    "|K̂(%.5g)| = %.6g above ε = %.6g beyond ω_c = %.5g", omega, mag, eps, omegaC));
        }
    }

    /**
     * Proposition 4.1: "K̂(ω) = Σ_i C_i B_i / (iω - Λ_i), so |K̂(ω)| ≤ Σ_i |C_i B_i| / (|ω| - |Im Λ_i|) for
     * |ω| > max |Im Λ_i|. Hence K is an ε-low-pass filter (|K̂(ω)| ≤ ε for all |ω| ≥ ω_c) with cut-off
     * ω_c = max_i |Im Λ_i| + Σ_i |C_i B_i| / ε." Checked: the closed form against the DFT of the sampled
     * kernel at ~30 bins in [-1.5 ω_c, 1.5 ω_c] to 1% of Σ|C_iB_i|/|iω - Λ_i| plus the truncation tail
     * Σ|C_iB_i| e^{-α_i τ_max}/α_i; the stated magnitude bound; and |K̂(ω)| ≤ ε for |ω| ≥ ω_c on the closed
     * form (a grid out to 10^5 ω_c and the resonances ±Im Λ_i) and on the DFT bins beyond ω_c.
     * Samples n in [1, 4], real or complex Λ (Re Λ in [-3, -0.3], |Im Λ| ≤ 8), ε = (0.02..0.5)·Σ|C_iB_i|.
     */
    @Test
    void closedFormMatchesTheDftAndIsBelowEpsilonBeyondTheCutoff() {
        Coverage cov = new Coverage("Proposition 4.1");
        Props.qt(24).forAll(Gens.seeds(), integers().between(1, 4), Generate.booleans(), doubles().between(0.02, 0.5))
                .checkAssert((seed, n, complex, frac) -> {
                    S4 m = S4.sample(seed, n, complex, 0.3, 8);
                    double eps = frac * m.sumCB();
                    double omegaC = m.maxImag() + m.sumCB() / eps;
                    double omegaMax = 1.5 * omegaC;
                    double maxMod = 0;
                    for (int i = 0; i < n; i++) {
                        maxMod = Math.max(maxMod, Math.hypot(m.alpha()[i], m.beta()[i]));
                    }
                    double delta = 0.2 / (omegaMax + maxMod);
                    double tauMax = 14 / m.minAlpha();
                    int len = (int) Math.ceil(tauMax / delta);
                    double[][] k = kernel(m, delta, len);
                    double tail = 0;
                    for (int i = 0; i < n; i++) {
                        tail += Math.hypot(m.cbRe()[i], m.cbIm()[i]) * Math.exp(-m.alpha()[i] * len * delta) / m.alpha()[i];
                    }
                    double aMin = 1;
                    double aMax = 0;
                    for (int i = 0; i < n; i++) {
                        aMin = Math.min(aMin, Math.exp(-m.alpha()[i] * delta));
                        aMax = Math.max(aMax, Math.exp(-m.alpha()[i] * delta));
                    }
                    cov.record(aMin, aMax, len).add("omega_c", omegaC).add("complex", complex ? 1 : 0);
                    double binWidth = 2 * Math.PI / (len * delta);
                    int jMax = (int) Math.floor(omegaMax / binWidth);
                    int step = Math.max(1, jMax / 15);
                    for (int j = -jMax; j <= jMax; j += step) {
                        double omega = j * binWidth;
                        double[] num = dft(k, delta, omega);
                        double[] cf = m.closed(omega);
                        double err = Math.hypot(num[0] - cf[0], num[1] - cf[1]);
                        double tol = 0.01 * m.scale(omega) + tail;
                        assertTrue(err <= tol, String.format(Locale.ROOT,
                                "ω = %.5g: DFT %.6g%+.6gi vs closed form %.6g%+.6gi (|diff| %.3g > %.3g)",
                                omega, num[0], num[1], cf[0], cf[1], err, tol));
                        double mag = Math.hypot(cf[0], cf[1]);
                        if (Math.abs(omega) > m.maxImag()) {
                            double bound = 0;
                            for (int i = 0; i < n; i++) {
                                bound += Math.hypot(m.cbRe()[i], m.cbIm()[i]) / (Math.abs(omega) - Math.abs(m.beta()[i]));
                            }
                            assertTrue(mag <= bound * (1 + 1e-12), "magnitude bound at ω = " + omega);
                        }
                        if (Math.abs(omega) >= omegaC) {
                            assertTrue(Math.hypot(num[0], num[1]) <= eps + tol, String.format(Locale.ROOT,
                                    "DFT |K̂(%.5g)| = %.6g above ε = %.6g beyond ω_c = %.5g", omega,
                                    Math.hypot(num[0], num[1]), eps, omegaC));
                        }
                    }
                    checkEpsilonBeyond(m, eps, omegaC);
                });
        cov.print();
        List<Double> kinds = cov.values("complex");
        assertTrue(kinds.contains(0.0) && kinds.contains(1.0), "coverage: both real and complex Λ");
        double lo = cov.values("omega_c").stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double hi = cov.values("omega_c").stream().mapToDouble(Double::doubleValue).max().orElse(0);
        assertTrue(hi / lo > 5, "coverage: cut-offs over more than a factor 5 (" + lo + " .. " + hi + ")");
    }

    /**
     * Negative control: the cut-off without its max |Im Λ_i| term, ω_c' = Σ|C_iB_i|/ε. With an
     * oscillating mode (|Im Λ| in [20, 60]) that decays slowly (Re Λ from -0.05), |K̂| peaks near
     * ω = Im Λ_i beyond ω_c' and the ε-bound fails.
     */
    @Test
    void negativeControlCutoffWithoutTheImaginaryShift() {
        String report = Props.expectViolation(EPSILON, () -> Props.qt(30)
                .forAll(Gens.seeds(), integers().between(1, 3), doubles().between(0.2, 0.5))
                .checkAssert((seed, n, frac) -> {
                    S4 m = S4.sample(seed, n, true, 0.05, 60);
                    double eps = frac * m.sumCB();
                    double omegaC = m.sumCB() / eps;
                    checkEpsilonBeyond(m, eps, omegaC);
                }));
        Coverage.reportFalsified("Proposition 4.1 without the max |Im Λ| term in ω_c", report);
    }

    // ---------------------------------------------------------------- the engine's S4D layers

    /**
     * One channel of an S4D layer of the engine (real: {@link S4DMixer}, complex: {@link S4DComplexMixer})
     * with Λ, B, C set from a sample and step Δ; {@code modes} is the continuous kernel the layer
     * discretises, K(τ) = Σ_i C_i B_i e^{Λ_i τ} (for the complex layer, whose output is 2 Re Σ C h, each mode
     * and its conjugate).
     */
    record Layer(float[] kernel, S4 modes, double delta) {

        static Layer sample(long seed, int n, boolean complex, double alphaLo, double betaMax, double delta, int len) {
            S4 m = S4.sample(seed, n, complex, alphaLo, betaMax);
            SplittableRandom rng = new SplittableRandom(seed + 1);
            if (!complex) {
                S4DMixer layer = new S4DMixer(1, n, Polarization.NONE, rng);
                var p = layer.namedParameters();
                for (int i = 0; i < n; i++) {
                    p.get("A_log").data()[i] = (float) Math.log(m.alpha()[i]);
                    p.get("B").data()[i] = 1f;
                    p.get("C").data()[i] = (float) m.cbRe()[i];
                }
                p.get("log_dt").data()[0] = (float) Math.log(delta);
                return new Layer(layer.kernel(len).toArray(), roundedReal(m), delta);
            }
            S4DComplexMixer layer = new S4DComplexMixer(1, n, Polarization.NONE, rng);
            var p = layer.namedParameters();
            for (int i = 0; i < n; i++) {
                p.get("log_A_real").data()[i] = (float) Math.log(m.alpha()[i]);
                p.get("A_imag").data()[i] = (float) m.beta()[i];
                p.get("B_re").data()[i] = 1f;
                p.get("B_im").data()[i] = 0f;
                p.get("C_re").data()[i] = (float) m.cbRe()[i];
                p.get("C_im").data()[i] = (float) m.cbIm()[i];
            }
            p.get("log_dt").data()[0] = (float) Math.log(delta);
            return new Layer(layer.kernel(len).toArray(), withConjugates(m), delta);
        }

        /** The real sample as the layer holds it (float32 parameters). */
        static S4 roundedReal(S4 m) {
            int n = m.n();
            double[] a = new double[n];
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = Math.exp((float) Math.log(m.alpha()[i]));
                c[i] = (float) m.cbRe()[i];
            }
            return new S4(a, new double[n], c, new double[n]);
        }

        /** Modes i and their conjugates: 2 Re Σ C_i e^{Λ_i τ} = Σ (C_i e^{Λ_i τ} + conj(C_i) e^{conj(Λ_i) τ}). */
        static S4 withConjugates(S4 m) {
            int n = m.n();
            double[] a = new double[2 * n];
            double[] b = new double[2 * n];
            double[] cr = new double[2 * n];
            double[] ci = new double[2 * n];
            for (int i = 0; i < n; i++) {
                a[i] = a[n + i] = Math.exp((float) Math.log(m.alpha()[i]));
                b[i] = (float) m.beta()[i];
                b[n + i] = -b[i];
                cr[i] = cr[n + i] = (float) m.cbRe()[i];
                ci[i] = (float) m.cbIm()[i];
                ci[n + i] = -ci[i];
            }
            return new S4(a, b, cr, ci);
        }

        /** Σ_k K_k e^{-iωkΔ}: the layer's own frequency response, from its kernel, as {re, im}. */
        double[] response(double omega) {
            double cr = 1;
            double ci = 0;
            double rr = Math.cos(omega * delta);
            double ri = -Math.sin(omega * delta);
            double re = 0;
            double im = 0;
            for (float k : kernel) {
                re += k * cr;
                im += k * ci;
                double nr = cr * rr - ci * ri;
                ci = cr * ri + ci * rr;
                cr = nr;
            }
            return new double[] {re, im};
        }

        /**
         * The exact response of the zero-order-hold discretisation: K_k = ∫_{kΔ}^{(k+1)Δ} K(τ) dτ, so
         * Σ_k K_k e^{-iωkΔ} = Σ_i C_iB_i (e^{ΔΛ_i} - 1)/Λ_i / (1 - e^{(Λ_i - iω)Δ}) (infinite sum), as {re, im}.
         */
        double[] discreteClosed(double omega) {
            double re = 0;
            double im = 0;
            for (int i = 0; i < modes.n(); i++) {
                Complex lam = new Complex(-modes.alpha()[i], modes.beta()[i]);
                Complex num = lam.times(delta).exp().minus(1).over(lam);
                Complex den = new Complex(1, 0).minus(new Complex(-modes.alpha()[i] * delta, (modes.beta()[i] - omega) * delta).exp());
                Complex v = new Complex(modes.cbRe()[i], modes.cbIm()[i]).times(num).over(den);
                re += v.re();
                im += v.im();
            }
            return new double[] {re, im};
        }

        /** Σ_i |C_iB_i| / α_i: the L1 norm bound of K, the scale of the tolerances. */
        double l1() {
            double s = 0;
            for (int i = 0; i < modes.n(); i++) {
                s += Math.hypot(modes.cbRe()[i], modes.cbIm()[i]) / modes.alpha()[i];
            }
            return s;
        }
    }

    /** Just enough complex arithmetic for the discrete closed form. */
    record Complex(double re, double im) {
        Complex times(double s) {
            return new Complex(re * s, im * s);
        }

        Complex times(Complex o) {
            return new Complex(re * o.re - im * o.im, re * o.im + im * o.re);
        }

        Complex over(Complex o) {
            double d = o.re * o.re + o.im * o.im;
            return new Complex((re * o.re + im * o.im) / d, (im * o.re - re * o.im) / d);
        }

        Complex minus(double s) {
            return new Complex(re - s, im);
        }

        Complex minus(Complex o) {
            return new Complex(re - o.re, im - o.im);
        }

        Complex exp() {
            double m = Math.exp(re);
            return new Complex(m * Math.cos(im), m * Math.sin(im));
        }
    }

    /**
     * Checks one S4D layer: (1) the frequency response of the layer's own kernel (engine scan, float32)
     * equals the exact response of the zero-order-hold discretisation of K(τ) = Σ C_i B_i e^{Λ_i τ} to
     * (4·2^-24/(α_min Δ) + 1e-4)·Σ|C_iB_i|/α_i plus the truncation tail (the first term: one float32 ulp of
     * a compounds over the ~1/(α_min Δ) steps of the kernel), at bins |ω| ≤ π/Δ; (2) where the box sampling is
     * resolvable (|ω|Δ ≤ 0.2) it is within |ω|Δ Σ|C_iB_i|/α_i of the continuous K̂(ω), so Proposition 4.1's
     * ε-bound carries to the layer: |response(ω)| ≤ ε + |ω|Δ Σ|C_iB_i|/α_i + tail for |ω| ≥ ω_c; (3) the
     * ε-bound on the closed form of the layer's K̂ beyond ω_c.
     */
    static void checkLayer(Layer layer, double eps, double omegaC, Coverage cov) {
        int len = layer.kernel().length;
        double delta = layer.delta();
        S4 m = layer.modes();
        double tail = 0;
        for (int i = 0; i < m.n(); i++) {
            tail += Math.hypot(m.cbRe()[i], m.cbIm()[i]) * Math.exp(-m.alpha()[i] * len * delta) / m.alpha()[i];
        }
        double l1 = layer.l1();
        double omegaNyquist = Math.PI / delta;
        double omegaRes = 0.2 / delta;
        List<Double> omegas = new ArrayList<>();
        for (int j = -40; j <= 40; j++) {
            omegas.add(omegaNyquist * j / 40.0);
            omegas.add(Math.min(omegaRes, 3 * omegaC) * j / 40.0);
        }
        for (double b : m.beta()) {
            omegas.add(b);
        }
        int beyond = 0;
        for (double omega : omegas) {
            double[] got = layer.response(omega);
            double[] exact = layer.discreteClosed(omega);
            double err = Math.hypot(got[0] - exact[0], got[1] - exact[1]);
            // float32: one ulp of a near 1 compounds over the ~1/(α_min Δ) steps the kernel lasts.
            double tol = (4 * Math.pow(2, -24) / (m.minAlpha() * delta) + 1e-4) * l1 + tail;
            assertTrue(err <= tol, String.format(Locale.ROOT,
                    "layer response at ω = %.5g: %.6g%+.6gi, ZOH closed form %.6g%+.6gi (|diff| %.3g > %.3g)",
                    omega, got[0], got[1], exact[0], exact[1], err, tol));
            if (Math.abs(omega) * delta <= 0.2) {
                double[] cont = m.closed(omega);
                // Per mode the ZOH response is K̂_i(ω)·f(ΔΛ_i)/f(Δ(Λ_i - iω)), f(z) = (e^z - 1)/z = 1 + z/2 + O(z²):
                // within about |ω|Δ/2 of K̂_i(ω) relative; |ω|Δ·Σ_i |C_iB_i|/|iω - Λ_i| leaves a factor 2.
                double sampling = Math.abs(omega) * delta * m.scale(omega);
                double d = Math.hypot(got[0] - cont[0], got[1] - cont[1]);
                assertTrue(d <= sampling + tol, String.format(Locale.ROOT,
                        "layer response at ω = %.5g differs from K̂(ω) by %.3g > |ω|Δ·Σ|CB|/|iω-Λ| = %.3g", omega, d,
                        sampling));
                if (Math.abs(omega) >= omegaC) {
                    beyond++;
                    double mag = Math.hypot(got[0], got[1]);
                    double allowed = eps + sampling + tol;
                    Violation.check(mag <= allowed, EPSILON_LAYER, () -> String.format(Locale.ROOT,
                            "layer |response(%.5g)| = %.6g above ε + sampling = %.6g beyond ω_c = %.5g", omega, mag,
                            allowed, omegaC));
                }
            }
        }
        cov.add("bins beyond ω_c", beyond);
        checkEpsilonBeyond(m, eps, omegaC);
    }

    /**
     * Proposition 4.1 on the engine's S4D layers, real and complex: the layer's own kernel (its impulse
     * response through the engine's scans) against the closed form and the ε-bound, see {@link #checkLayer}.
     * Samples n in [1, 4], Re Λ in [-3, -0.3], |Im Λ| ≤ 8 (complex), ε = (0.02..0.5)·Σ|C_iB_i| and the
     * step Δ log-uniform over a decade below 0.2/(1.5 ω_c + max|Λ|), 24 examples; coverage: both kinds of
     * layer, Δ over a decade, and bins beyond ω_c in every example.
     */
    @Test
    void s4dLayersAreEpsilonLowPassFilters() {
        Coverage cov = new Coverage("Proposition 4.1, S4D layers");
        Props.qt(24).forAll(Gens.seeds(), integers().between(1, 4), Generate.booleans(), doubles().between(0.02, 0.5))
                .checkAssert((seed, n, complex, frac) -> {
                    double u = new SplittableRandom(seed + 9).nextDouble();
                    S4 m0 = S4.sample(seed, n, complex, 0.3, 8);
                    S4 m = complex ? Layer.withConjugates(m0) : Layer.roundedReal(m0);
                    double eps = frac * m.sumCB();
                    double omegaC = m.maxImag() + m.sumCB() / eps;
                    double maxMod = 0;
                    for (int i = 0; i < m.n(); i++) {
                        maxMod = Math.max(maxMod, Math.hypot(m.alpha()[i], m.beta()[i]));
                    }
                    double delta = 0.2 / (1.5 * omegaC + maxMod) * Math.pow(10, -u);
                    int len = (int) Math.ceil(14 / m.minAlpha() / delta);
                    Layer layer = Layer.sample(seed, n, complex, 0.3, 8, delta, len);
                    cov.add("complex", complex ? 1 : 0).add("Δ·ω_c", delta * omegaC).add("L", len).add("omega_c", omegaC);
                    checkLayer(layer, eps, omegaC, cov);
                });
        cov.print();
        List<Double> kinds = cov.values("complex");
        assertTrue(kinds.contains(0.0) && kinds.contains(1.0), "coverage: both real and complex layers");
        assertTrue(cov.values("bins beyond ω_c").stream().allMatch(b -> b > 0), "coverage: bins beyond ω_c in every example");
        double lo = cov.values("Δ·ω_c").stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double hi = cov.values("Δ·ω_c").stream().mapToDouble(Double::doubleValue).max().orElse(0);
        assertTrue(hi / lo > 5, "coverage: Δ over most of a decade (" + lo + " .. " + hi + ")");
    }

    /**
     * Negative control on the layers: the cut-off without its max |Im Λ_i| term, ω_c' = Σ|C_iB_i|/ε, for
     * complex S4D layers with a slowly decaying oscillating mode (Re Λ from -0.05, |Im Λ| in [20, 60]):
     * the layer's own response peaks near ω = Im Λ_i beyond ω_c' and the ε-bound on the engine's response is
     * violated (the named inequality, not another check).
     */
    @Test
    void negativeControlLayerCutoffWithoutTheImaginaryShift() {
        String report = Props.expectViolation(EPSILON_LAYER, () -> Props.qt(10)
                .forAll(Gens.seeds(), integers().between(1, 3), doubles().between(0.2, 0.5))
                .checkAssert((seed, n, frac) -> {
                    S4 m = Layer.withConjugates(S4.sample(seed, n, true, 0.05, 60));
                    double eps = frac * m.sumCB();
                    double omegaC = m.sumCB() / eps;
                    double maxMod = 0;
                    for (int i = 0; i < m.n(); i++) {
                        maxMod = Math.max(maxMod, Math.hypot(m.alpha()[i], m.beta()[i]));
                    }
                    double delta = 0.2 / (1.5 * omegaC + maxMod);
                    int len = (int) Math.ceil(14 / m.minAlpha() / delta);
                    Layer layer = Layer.sample(seed, n, true, 0.05, 60, delta, len);
                    checkLayer(layer, eps, omegaC, new Coverage("control"));
                }));
        Coverage.reportFalsified("Proposition 4.1 on S4D layers without the max |Im Λ| term in ω_c", report);
    }
}
