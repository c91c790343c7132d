package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.ScanCases.close;
import static org.ssmlab.simd.ScanCases.fill;
import static org.ssmlab.simd.ScanCases.forSeeds;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.ScanCases.ComplexCase;
import org.ssmlab.simd.ScanCases.Forward;
import org.ssmlab.simd.ScanCases.Grads;
import org.ssmlab.simd.ScanCases.Problem;
import org.ssmlab.simd.Scans.Selective;
import org.ssmlab.testing.Props;

/**
 * The scan kernels: SIMD against the scalar twin on random shapes (L = 1, channel counts that are not
 * multiples of the vector width, more than one channel block, with and without polarization, gate,
 * skip, initial state and final-state gradient), the backwards against finite differences in double,
 * a sequence in pieces against one piece, polarization read off the state, long sequences that stay
 * finite, and argument checks.
 *
 * <p>Tolerance: as described on {@link ScanCases}.
 */
class ScansKernelsTest {

    private static final Scans SIMD = Backend.simd().scans();
    private static final Scans SCALAR = Backend.scalar().scans();

    // ------------------------------------------------------------------ diagonal

    @Test
    void diagonalSimdEqualsScalarForwardAndBackward() {
        forSeeds(60, r -> ScanCases.diagonalAgrees(SCALAR, SIMD, r, 45));
    }

    /** The scalar backward against the definition: ∂/∂x of Σ w ⊙ h by central differences in double. */
    @Test
    void diagonalBackwardMatchesFiniteDifferences() {
        forSeeds(20, r -> {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(6), ch = 1 + r.nextInt(3);
            int n = batch * len * ch;
            double[] a = new double[n], b = new double[n], w = new double[n], h0 = new double[batch * ch];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextDouble() * 2 - 1;
                b[i] = r.nextDouble() * 2 - 1;
                w[i] = r.nextDouble() * 2 - 1;
            }
            for (int i = 0; i < h0.length; i++) {
                h0[i] = r.nextDouble() * 2 - 1;
            }
            float[] af = toFloat(a), h0f = toFloat(h0), h = new float[n];
            SCALAR.diagonal(batch, len, ch, af, toFloat(b), h0f, h, null);
            float[] ga = new float[n], gb = new float[n], gh0 = new float[batch * ch];
            SCALAR.diagonalBackward(batch, len, ch, af, h0f, h, toFloat(w), null, ga, gb, gh0);
            double eps = 1e-6;
            for (int i = 0; i < n; i++) {
                double sa = a[i];
                a[i] = sa + eps;
                double plus = loss(batch, len, ch, a, b, h0, w);
                a[i] = sa - eps;
                double minus = loss(batch, len, ch, a, b, h0, w);
                a[i] = sa;
                assertEquals((plus - minus) / (2 * eps), ga[i], 1e-4, "ga " + i);
                double sb = b[i];
                b[i] = sb + eps;
                plus = loss(batch, len, ch, a, b, h0, w);
                b[i] = sb - eps;
                minus = loss(batch, len, ch, a, b, h0, w);
                b[i] = sb;
                assertEquals((plus - minus) / (2 * eps), gb[i], 1e-4, "gb " + i);
            }
            for (int i = 0; i < h0.length; i++) {
                double s0 = h0[i];
                h0[i] = s0 + eps;
                double plus = loss(batch, len, ch, a, b, h0, w);
                h0[i] = s0 - eps;
                double minus = loss(batch, len, ch, a, b, h0, w);
                h0[i] = s0;
                assertEquals((plus - minus) / (2 * eps), gh0[i], 1e-4, "gh0 " + i);
            }
        });
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /** Σ w ⊙ h of the diagonal scan in double. */
    private static double loss(int batch, int len, int ch, double[] a, double[] b, double[] h0, double[] w) {
        double s = 0;
        for (int bi = 0; bi < batch; bi++) {
            for (int c = 0; c < ch; c++) {
                double h = h0[bi * ch + c];
                for (int t = 0; t < len; t++) {
                    int i = (bi * len + t) * ch + c;
                    h = a[i] * h + b[i];
                    s += w[i] * h;
                }
            }
        }
        return s;
    }

    @Test
    void diagonalInPiecesEqualsOnePiece() {
        forSeeds(40, r -> {
            ScanCases.diagonalInPiecesAgrees(SCALAR, r, 40);
            ScanCases.diagonalInPiecesAgrees(SIMD, r, 40);
        });
    }

    @Test
    void complexSimdEqualsScalarAndRealCase() {
        forSeeds(50, r -> {
            ComplexCase c = ScanCases.complexAgrees(SCALAR, SIMD, r, 40);
            int batch = c.batch(), len = c.len(), ch = c.ch();
            int n = batch * len * ch;
            // With zero imaginary parts everywhere the complex scan is the real one, forward and backward.
            Complex ar = new Complex(c.a().re(), new float[n]);
            Complex br = new Complex(c.b().re(), new float[n]);
            Complex hc = Complex.zeros(n);
            SIMD.complexDiagonal(batch, len, ch, ar, br, null, hc, null);
            float[] hr = new float[n];
            SIMD.diagonal(batch, len, ch, c.a().re(), c.b().re(), null, hr, null);
            close("complex with real inputs", hr, hc.re());
            close("complex with real inputs, imaginary part", new float[n], hc.im());
        });
    }

    // ------------------------------------------------------------------ selective

    @Test
    void selectiveSimdEqualsScalarForwardAndBackward() {
        forSeeds(60, r -> ScanCases.selectiveAgrees(SCALAR, "scalar", SIMD, "SIMD", r, 80));
    }

    /**
     * The backward's channel groups in full: D from two whole groups of {@code BWD_BLOCK_VECS} d-vectors
     * (whose gB, gC lane products are added across the group before one reduction per (t, n)) to two
     * groups, one more vector and a scalar tail; the tests above, with D ≤ 80, reach a whole group only
     * with 8-lane vectors.
     */
    @Test
    void selectiveSimdEqualsScalarOnWholeBackwardGroups() {
        int group = SimdSelectiveScan.BWD_BLOCK_VECS * SimdScans.V;
        forSeeds(6, r -> ScanCases.selectiveAgrees(SCALAR, "scalar", SIMD, "SIMD", r, 2 * group,
                2 * group + SimdScans.V + 3));
    }

    /**
     * A long sequence in pieces, each from the final state of the one before, gives the outputs, final
     * state and gradients of one run (the backward chained through gLast and gh0).
     */
    @Test
    void selectiveInPiecesEqualsOnePiece() {
        forSeeds(40, r -> {
            ScanCases.selectiveInPiecesAgrees(SCALAR, r, 40);
            ScanCases.selectiveInPiecesAgrees(SIMD, r, 80);
        });
    }

    /**
     * The scalar selective backward against the definition: ∂/∂x of L = Σ gOut ⊙ out + Σ gLast ⊙ hLast by
     * central differences of a double-precision forward, for every element of every input, h0 included,
     * with and without polarization, skip and gate.
     */
    @Test
    void selectiveBackwardMatchesFiniteDifferences() {
        forSeeds(20, r -> {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(6), d = 1 + r.nextInt(3), n = 1 + r.nextInt(3);
            Selective s = new Selective(batch, len, d, n, r.nextBoolean(), r.nextBoolean(), 1 + r.nextInt(4));
            Problem p = Problem.random(r, s, r.nextBoolean(), r.nextBoolean())
                    .withStates(fill(r, s.stateSize(), -1, 1), r.nextBoolean() ? fill(r, s.stateSize(), -1, 1) : null);
            Grads g = p.backward(SCALAR, p.forward(SCALAR).checkpoints());
            double[][] x = {toDouble(p.u()), toDouble(p.delta()), toDouble(p.A()), toDouble(p.B()), toDouble(p.C()),
                    toDouble(p.Dskip()), toDouble(p.z()), toDouble(p.h0())};
            float[][] analytic = {g.u(), g.delta(), g.A(), g.B(), g.C(), g.D(), g.z(), g.h0()};
            String[] names = {"gu", "gDelta", "gA", "gB", "gC", "gD", "gz", "gh0"};
            double eps = 1e-6;
            for (int a = 0; a < x.length; a++) {
                if (x[a] == null) {
                    continue;
                }
                for (int i = 0; i < x[a].length; i++) {
                    double saved = x[a][i];
                    x[a][i] = saved + eps;
                    double plus = selectiveLoss(p, x);
                    x[a][i] = saved - eps;
                    double minus = selectiveLoss(p, x);
                    x[a][i] = saved;
                    double fd = (plus - minus) / (2 * eps);
                    assertEquals(fd, analytic[a][i], 1e-4 * (1 + Math.abs(fd)), names[a] + " " + i + " " + p.describe());
                }
            }
        });
    }

    private static double[] toDouble(float[] x) {
        if (x == null) {
            return null;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    /**
     * Σ gOut ⊙ out + Σ gLast ⊙ hLast of the selective scan in double, from x = {u, Δ, A, B, C, D, z, h0}
     * (D, z may be null), the formulas of {@link Scans#selectiveForward} written out once more.
     */
    private static double selectiveLoss(Problem p, double[][] x) {
        Selective s = p.s();
        double[] u = x[0], delta = x[1], A = x[2], B = x[3], C = x[4], D = x[5], z = x[6], h0 = x[7];
        int nt = s.nTotal(), len = s.len(), dd = s.d();
        double loss = 0;
        double[] h = new double[nt];
        for (int b = 0; b < s.batch(); b++) {
            for (int d = 0; d < dd; d++) {
                System.arraycopy(h0, (b * dd + d) * nt, h, 0, nt);
                for (int t = 0; t < len; t++) {
                    int i = (b * len + t) * dd + d;
                    int bn = (b * len + t) * nt;
                    double y = 0;
                    for (int k = 0; k < nt; k++) {
                        double abar;
                        if (s.polarizeOne() && k == 0) {
                            abar = 1;
                        } else if (s.polarizeZero() && k == nt - 1) {
                            abar = 0;
                        } else {
                            abar = Math.exp(delta[i] * A[d * s.n() + k - s.learnableOffset()]);
                        }
                        h[k] = abar * h[k] + delta[i] * u[i] * B[bn + k];
                        y += C[bn + k] * h[k];
                    }
                    if (D != null) {
                        y += D[d] * u[i];
                    }
                    double out = z == null ? y : y * z[i] / (1 + Math.exp(-z[i]));
                    loss += p.gOut()[i] * out;
                }
                if (p.gLast() != null) {
                    for (int k = 0; k < nt; k++) {
                        loss += p.gLast()[(b * dd + d) * nt + k] * h[k];
                    }
                }
            }
        }
        return loss;
    }

    /**
     * Polarization read off the state: the one-channel is exactly the running sum of Δ u B (ā ≡ 1), the
     * zero-channel exactly the last step's Δ u B (ā ≡ 0); and the learnable channels, A's gradient and
     * gB, gC on them do not change when the polarized channels are added (z absent, so the output
     * gradient does not depend on y).
     */
    @Test
    void polarizedChannelsAreExactAndLeaveLearnableGradientsAlone() {
        forSeeds(40, r -> {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(30), d = 1 + r.nextInt(40), n = 1 + r.nextInt(6);
            int chunk = 1 + r.nextInt(8);
            Selective both = new Selective(batch, len, d, n, true, true, chunk);
            Problem p = Problem.random(r, both, r.nextBoolean(), false);
            for (Scans k : new Scans[] {SCALAR, SIMD}) {
                Forward f = p.forward(k);
                ScanCases.assertPolarizedChannelsExact(ScanCases.who(k), p, f);
                int nt = both.nTotal();
                // The same problem without the polarized channels: drop B, C columns 0 and nt-1.
                Selective none = new Selective(batch, len, d, n, false, false, chunk);
                int rows = batch * len;
                float[] b2 = new float[rows * n], c2 = new float[rows * n];
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(p.B(), i * nt + 1, b2, i * n, n);
                    System.arraycopy(p.C(), i * nt + 1, c2, i * n, n);
                }
                Problem q = new Problem(none, p.u(), p.delta(), p.A(), b2, c2, p.Dskip(), null, p.gOut(), null, null);
                Forward fq = q.forward(k);
                for (int i = 0; i < batch * d; i++) {
                    for (int m = 0; m < n; m++) {
                        assertEquals(fq.last()[i * n + m], f.last()[i * nt + 1 + m], 0f, "learnable state unchanged");
                    }
                }
                Grads gp = p.backward(k, f.checkpoints());
                Grads gq = q.backward(k, fq.checkpoints());
                String w = ScanCases.who(k) + p.describe();
                close("gA with vs without polarization " + w, gq.A(), gp.A());
                float[] gbLearn = new float[rows * n], gcLearn = new float[rows * n];
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(gp.B(), i * nt + 1, gbLearn, i * n, n);
                    System.arraycopy(gp.C(), i * nt + 1, gcLearn, i * n, n);
                }
                close("gB learnable columns " + w, gq.B(), gbLearn);
                close("gC learnable columns " + w, gq.C(), gcLearn);
            }
        });
    }

    /**
     * Negative control: the paper's code writes the zero-channel as a learnable one with A = -100. At
     * small Δ that channel still remembers (e^{-100·0.01} ≈ 0.37), so the outputs differ from the exact
     * ā ≡ 0 — the comparison the polarization test relies on can tell the two apart.
     */
    @Test
    void negativeControlZeroChannelAsLargeNegativeAIsNotExact() {
        String report = Props.expectFalsified(() -> forSeeds(30, r -> {
            int batch = 1, len = 2 + r.nextInt(10), d = 1 + r.nextInt(20), n = 1 + r.nextInt(4);
            Selective exact = new Selective(batch, len, d, n, false, true, 4);
            Problem p = Problem.random(r, exact, false, false);
            Selective approx = new Selective(batch, len, d, n + 1, false, false, 4);
            float[] a2 = new float[d * (n + 1)];
            for (int c = 0; c < d; c++) {
                System.arraycopy(p.A(), c * n, a2, c * (n + 1), n);
                a2[c * (n + 1) + n] = -100f;
            }
            Problem q = new Problem(approx, p.u(), p.delta(), a2, p.B(), p.C(), null, null, p.gOut(), null, null);
            close("exact zero-channel vs A = -100", p.forward(SIMD).out(), q.forward(SIMD).out());
        }));
        assertTrue(report.contains("exact zero-channel vs A = -100"), report);
    }

    @Test
    void longSequencesStayFinite() {
        int len = 100_000;
        for (double aValue : new double[] {1 - 1e-6, 1e-6}) {
            // Diagonal: a close to 1 accumulates (bounded by L·max|b|), a close to 0 forgets.
            int ch = 3;
            int n = len * ch;
            SplittableRandom r = new SplittableRandom(7);
            float[] a = new float[n];
            java.util.Arrays.fill(a, (float) aValue);
            float[] b = fill(r, n, -1, 1);
            float[] h = new float[n];
            float[] last = new float[ch];
            SIMD.diagonal(1, len, ch, a, b, null, h, last);
            float[] gH = fill(r, n, -1, 1);
            float[] ga = new float[n], gb = new float[n], gh0 = new float[ch];
            SIMD.diagonalBackward(1, len, ch, a, null, h, gH, null, ga, gb, gh0);
            for (float[] x : new float[][] {h, ga, gb, gh0}) {
                for (float v : x) {
                    assertTrue(Float.isFinite(v) && Math.abs(v) <= (double) len * len, "diagonal a=" + aValue + " value " + v);
                }
            }
        }
        // Selective: A·Δ tiny (ā ≈ 1 - 1e-6) on some channels and large (ā ≈ e^-50) on others, polarized.
        for (boolean one : new boolean[] {false, true}) {
            Selective s = new Selective(1, len, 3, 2, one, true, Scans.DEFAULT_CHUNK);
            SplittableRandom r = new SplittableRandom(11);
            int bld = len * s.d();
            int bln = len * s.nTotal();
            float[] u = fill(r, bld, -1, 1);
            float[] delta = fill(r, bld, 0.5, 1);
            float[] A = {-1e-6f, -50f, -2e-6f, -60f, -1e-6f, -100f};
            float[] B = fill(r, bln, -1, 1), C = fill(r, bln, -1, 1), z = fill(r, bld, -2, 2), gOut = fill(r, bld, -1, 1);
            float[] Dskip = {1f, 0.5f, -1f};
            for (Scans k : new Scans[] {SIMD, SCALAR}) {
                float[] out = new float[bld], cp = new float[s.checkpointSize()], last = new float[s.stateSize()];
                k.selectiveForward(s, u, delta, A, B, C, Dskip, z, null, out, cp, last);
                float[] gu = new float[bld], gd = new float[bld], gA = new float[6], gB = new float[bln];
                float[] gC = new float[bln], gD = new float[3], gz = new float[bld];
                float[] gh0 = new float[s.stateSize()];
                k.selectiveBackward(s, u, delta, A, B, C, Dskip, z, null, cp, gOut, null, gu, gd, gA, gB, gC, gD, gz,
                        gh0);
                for (float[] x : new float[][] {out, last, gu, gd, gA, gB, gC, gD, gz, gh0}) {
                    for (float v : x) {
                        assertTrue(Float.isFinite(v), ScanCases.who(k) + "one=" + one + ": " + v);
                    }
                }
            }
        }
    }

    @Test
    void argumentChecksNameKernelArgumentAndSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SIMD.diagonal(2, 3, 4, new float[24], new float[23], null, new float[24], null));
        assertTrue(e.getMessage().contains("SimdScans.diagonal") && e.getMessage().contains("b (2, 3, 4)"),
                e.getMessage());
        Selective s = new Selective(1, 4, 3, 2, true, true, 2);
        e = assertThrows(IllegalArgumentException.class, () -> SCALAR.selectiveForward(s, new float[12],
                new float[12], new float[6], new float[4 * 3], new float[16], null, null, null, new float[12], null,
                null));
        assertTrue(e.getMessage().contains("ScalarScans.selectiveForward") && e.getMessage().contains("B (1, 4, 4)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SIMD.selectiveForward(s, new float[12],
                new float[12], new float[6], new float[16], new float[16], null, null, new float[11], new float[12],
                null, null));
        assertTrue(e.getMessage().contains("SimdScans.selectiveForward") && e.getMessage().contains("h0 (1, 3, 4)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SIMD.selectiveBackward(s, new float[12],
                new float[12], new float[6], new float[16], new float[16], null, null, null, new float[24],
                new float[12], new float[11], new float[12], new float[12], new float[6], new float[16], new float[16],
                null, null, null));
        assertTrue(e.getMessage().contains("SimdScans.selectiveBackward") && e.getMessage().contains("gLast (1, 3, 4)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Selective(1, 4, 3, 2, false, false, 0));
        assertTrue(e.getMessage().contains("chunk = 0"), e.getMessage());
    }

    /** Every backend's scans are the checked ones: the raw kernels check nothing themselves. */
    @Test
    void backendsApplyTheChecksOnce() {
        assertTrue(SIMD instanceof CheckedScans c && c.kernels() instanceof SimdScans, SIMD.toString());
        assertTrue(SCALAR instanceof CheckedScans c && c.kernels() instanceof ScalarScans, SCALAR.toString());
        Backend b = new Backend("test", Backend.simd().elementwise(), Backend.simd().reductions(),
                Backend.simd().gemm(), new SimdScans());
        assertTrue(b.scans() instanceof CheckedScans);
        assertTrue(CheckedScans.of(b.scans()) == b.scans(), "no second layer of checks");
    }
}
