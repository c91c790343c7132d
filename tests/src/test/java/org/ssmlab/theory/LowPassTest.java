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
        Props.qt(16).forAll(Gens.seeds(), integers().between(1, 4), Generate.booleans(), doubles().between(0.02, 0.5))
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
                    cov.record(aMin, aMax, len).add("omega_c", omegaC);
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
}
