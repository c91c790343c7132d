package org.ssmlab.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssmlab.simd.ScanCases.close;
import static org.ssmlab.simd.ScanCases.forSeeds;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.ssmlab.autograd.GradCheck;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;
import org.ssmlab.testing.Props;

/**
 * The scan ops: gradients against finite differences ({@link GradCheck}), and the fused selective
 * scan against the same computation composed from elementary ops (exp, mul, add, sum, slice, concat,
 * stack), outputs and every gradient, with and without polarization, gate and skip.
 */
class ScanOpsTest {

    static Tensor leaf(SplittableRandom r, double lo, double hi, int... shape) {
        return OpsGradientTest.leaf(r, lo, hi, false, shape);
    }

    static void assertGradient(String what, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        GradCheck.Result res = GradCheck.check(f, List.of(inputs));
        if (!res.ok()) {
            throw new AssertionError(what + ": " + res.worst());
        }
    }

    @Test
    void diagonalGradients() {
        forSeeds(20, r -> {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(5), ch = 1 + r.nextInt(4);
            Tensor a = leaf(r, -0.9, 0.9, batch, len, ch);
            Tensor b = leaf(r, -1, 1, batch, len, ch);
            Tensor h0 = leaf(r, -1, 1, batch, ch);
            assertGradient("diagonal states", in -> Scan.diagonal(in.get(0), in.get(1), in.get(2)).states(), a, b, h0);
            assertGradient("diagonal last", in -> Scan.diagonal(in.get(0), in.get(1), in.get(2)).last(), a, b, h0);
            assertGradient("diagonal without h0", in -> Scan.diagonalStates(in.get(0), in.get(1), null), a, b);
        });
    }

    @Test
    void complexDiagonalGradients() {
        forSeeds(15, r -> {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(5), ch = 1 + r.nextInt(3);
            Tensor ar = leaf(r, -0.7, 0.7, batch, len, ch), ai = leaf(r, -0.6, 0.6, batch, len, ch);
            Tensor br = leaf(r, -1, 1, batch, len, ch), bi = leaf(r, -1, 1, batch, len, ch);
            Tensor hr = leaf(r, -1, 1, batch, ch), hi = leaf(r, -1, 1, batch, ch);
            assertGradient("complex diagonal", in -> {
                Scan.ComplexTensor h = Scan.complexDiagonal(new Scan.ComplexTensor(in.get(0), in.get(1)),
                        new Scan.ComplexTensor(in.get(2), in.get(3)), new Scan.ComplexTensor(in.get(4), in.get(5)));
                return Shapes.concat(List.of(h.re(), h.im()), 2);
            }, ar, ai, br, bi, hr, hi);
        });
    }

    /** A random selective-scan problem as leaves. */
    record Problem(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor D, Tensor z, boolean one,
                   boolean zero) {

        static Problem random(SplittableRandom r, int maxLen) {
            int batch = 1 + r.nextInt(2), len = 1 + r.nextInt(maxLen), d = 1 + r.nextInt(4), n = 1 + r.nextInt(3);
            boolean one = r.nextBoolean(), zero = r.nextBoolean();
            int nt = n + (one ? 1 : 0) + (zero ? 1 : 0);
            return new Problem(leaf(r, -1, 1, batch, len, d), leaf(r, 0.05, 0.5, batch, len, d),
                    leaf(r, -2, -0.3, d, n), leaf(r, -1, 1, batch, len, nt), leaf(r, -1, 1, batch, len, nt),
                    r.nextBoolean() ? leaf(r, -1, 1, d) : null, r.nextBoolean() ? leaf(r, -2, 2, batch, len, d) : null,
                    one, zero);
        }

        List<Tensor> inputs() {
            List<Tensor> in = new ArrayList<>(List.of(u, delta, A, B, C));
            if (D != null) {
                in.add(D);
            }
            if (z != null) {
                in.add(z);
            }
            return in;
        }

        /** The op applied to a list laid out as {@link #inputs()}. */
        Tensor apply(List<Tensor> in, boolean fused) {
            int i = 5;
            Tensor dd = D == null ? null : in.get(i++);
            Tensor zz = z == null ? null : in.get(i);
            return fused ? Scan.selective(in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), dd, zz, one, zero)
                    : composed(in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), dd, zz, one, zero);
        }

        String describe() {
            return "u " + org.ssmlab.autograd.Shape.str(u.shape()) + " N=" + A.dim(1) + " one=" + one + " zero=" + zero
                    + " D=" + (D != null) + " z=" + (z != null);
        }
    }

    /** The selective scan composed from elementary ops, one time step at a time. */
    static Tensor composed(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor D, Tensor z,
                           boolean one, boolean zero) {
        int batch = u.dim(0), len = u.dim(1), dd = u.dim(2), n = A.dim(1);
        int nt = B.dim(2);
        int off = one ? 1 : 0;
        Tensor hOne = null, hLearn = null;
        List<Tensor> ys = new ArrayList<>();
        for (int t = 0; t < len; t++) {
            Tensor ut = Shapes.reshape(Shapes.slice(u, 1, t, t + 1), batch, dd, 1);
            Tensor dt = Shapes.reshape(Shapes.slice(delta, 1, t, t + 1), batch, dd, 1);
            Tensor bt = Shapes.reshape(Shapes.slice(B, 1, t, t + 1), batch, 1, nt);
            Tensor ct = Shapes.reshape(Shapes.slice(C, 1, t, t + 1), batch, 1, nt);
            Tensor x = Arith.mul(Arith.mul(dt, ut), bt);                       // Δ u B: (batch, D, nt)
            Tensor xLearn = Shapes.slice(x, 2, off, off + n);
            Tensor aBar = Arith.exp(Arith.mul(dt, A));                         // exp(Δ A): (batch, D, N)
            hLearn = t == 0 ? xLearn : Arith.add(Arith.mul(aBar, hLearn), xLearn);
            List<Tensor> parts = new ArrayList<>();
            if (one) {
                Tensor x0 = Shapes.slice(x, 2, 0, 1);
                hOne = t == 0 ? x0 : Arith.add(hOne, x0);                       // ā ≡ 1
                parts.add(hOne);
            }
            parts.add(hLearn);
            if (zero) {
                parts.add(Shapes.slice(x, 2, nt - 1, nt));                      // ā ≡ 0
            }
            Tensor h = parts.size() == 1 ? hLearn : Shapes.concat(parts, 2);
            Tensor y = Reduce.sum(Arith.mul(h, ct), false, 2);                  // Σ_n C h: (batch, D)
            if (D != null) {
                y = Arith.add(y, Arith.mul(Shapes.reshape(ut, batch, dd), D));
            }
            ys.add(y);
        }
        Tensor y = Shapes.stack(ys, 1);
        return z == null ? y : Arith.mul(y, Arith.silu(z));
    }

    @Test
    void selectiveGradients() {
        forSeeds(20, r -> {
            Problem p = Problem.random(r, 5);
            assertGradient("selective " + p.describe(), in -> p.apply(in, true), p.inputs().toArray(new Tensor[0]));
        });
    }

    /** The fused op equals the composed one: outputs and all gradients, on both backends. */
    @Test
    void fusedSelectiveEqualsComposition() {
        Backend saved = Backend.current();
        try {
            forSeeds(25, r -> {
                Problem p = Problem.random(r, 9);
                Backend.setCurrent(r.nextBoolean() ? Backend.simd() : Backend.scalar());
                List<Tensor> in = p.inputs();
                Tensor fused = p.apply(in, true);
                float[] w = new float[fused.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (r.nextDouble() * 2 - 1);
                }
                fused.backward(w);
                List<float[]> gf = new ArrayList<>();
                for (Tensor t : in) {
                    gf.add(t.gradData() == null ? new float[t.size()] : t.gradData().clone());
                    t.zeroGrad();
                }
                Tensor comp = p.apply(in, false);
                comp.backward(w);
                String what = Backend.current().name() + " " + p.describe();
                close("output " + what, comp.data(), fused.data());
                String[] names = {"u", "delta", "A", "B", "C", p.D != null ? "D" : "z", "z"};
                for (int i = 0; i < in.size(); i++) {
                    // No gradient at all means zero (A at L = 1: ā multiplies the zero initial state only).
                    float[] expected = in.get(i).gradData() == null ? new float[in.get(i).size()] : in.get(i).gradData();
                    close("grad " + names[i] + " " + what, expected, gf.get(i));
                    in.get(i).zeroGrad();
                }
            });
        } finally {
            Backend.setCurrent(saved);
        }
    }

    /**
     * Negative control: the composition with the zero-channel as an ordinary learnable channel
     * (ā = exp(Δ · (-100)), the paper code's approximation) is not the fused exact one.
     */
    @Test
    void negativeControlApproximateZeroChannel() {
        String report = Props.expectFalsified(() -> forSeeds(20, r -> {
            int batch = 1, len = 2 + r.nextInt(5), d = 1 + r.nextInt(3), n = 1 + r.nextInt(3);
            Tensor u = leaf(r, -1, 1, batch, len, d), delta = leaf(r, 0.01, 0.05, batch, len, d);
            Tensor A = leaf(r, -2, -0.3, d, n);
            Tensor B = leaf(r, -1, 1, batch, len, n + 1), C = leaf(r, -1, 1, batch, len, n + 1);
            float[] a2 = new float[d * (n + 1)];
            for (int c = 0; c < d; c++) {
                System.arraycopy(A.data(), c * n, a2, c * (n + 1), n);
                a2[c * (n + 1) + n] = -100f;
            }
            Tensor exact = Scan.selective(u, delta, A, B, C, null, null, false, true);
            Tensor approx = composed(u, delta, Tensor.of(a2, d, n + 1), B, C, null, null, false, false);
            close("exact vs approximate zero-channel", approx.data(), exact.data());
        }));
        assertTrue(report.contains("exact vs approximate zero-channel"), report);
    }

    @Test
    void shapeChecks() {
        Tensor u = Tensor.zeros(1, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scan.selective(u, u,
                Tensor.zeros(2, 4), Tensor.zeros(1, 3, 4), Tensor.zeros(1, 3, 4), null, null, true, false));
        assertTrue(e.getMessage().contains("Scan.selective") && e.getMessage().contains("N_total = 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Scan.diagonal(u, Tensor.zeros(1, 3, 3), null));
        assertTrue(e.getMessage().contains("Scan.diagonal: b"), e.getMessage());
    }

    /**
     * The complex scan without h0, by value (a = i, b = 1: h = 1, 1 + i, i) and by gradient, and every
     * argument's shape check (PIT: with h0 always given and valid shapes only, mutants of the h0 == null
     * branches and of the checks survived).
     */
    @Test
    void complexDiagonalWithoutH0AndItsShapeChecks() {
        Tensor zeros = Tensor.zeros(1, 3, 1);
        Scan.ComplexTensor h = Scan.complexDiagonal(new Scan.ComplexTensor(zeros, Tensor.ones(1, 3, 1)),
                new Scan.ComplexTensor(Tensor.ones(1, 3, 1), zeros), null);
        assertArrayEquals(new float[] {1, 1, 0}, h.re().toArray(), 1e-7f);
        assertArrayEquals(new float[] {0, 1, 1}, h.im().toArray(), 1e-7f);
        forSeeds(5, r -> {
            Tensor ar = leaf(r, -0.7, 0.7, 1, 4, 2), ai = leaf(r, -0.6, 0.6, 1, 4, 2);
            Tensor br = leaf(r, -1, 1, 1, 4, 2), bi = leaf(r, -1, 1, 1, 4, 2);
            assertGradient("complex diagonal without h0", in -> {
                Scan.ComplexTensor hh = Scan.complexDiagonal(new Scan.ComplexTensor(in.get(0), in.get(1)),
                        new Scan.ComplexTensor(in.get(2), in.get(3)), null);
                return Shapes.concat(List.of(hh.re(), hh.im()), 2);
            }, ar, ai, br, bi);
        });
        Tensor ok = Tensor.zeros(1, 3, 2);
        Tensor bad = Tensor.zeros(1, 3, 3);
        Tensor okH = Tensor.zeros(1, 2);
        Tensor badH = Tensor.zeros(1, 3);
        String[] names = {"a.im", "b.re", "b.im", "h0.re", "h0.im"};
        for (int which = 0; which < names.length; which++) {
            Tensor aIm = which == 0 ? bad : ok;
            Tensor bRe = which == 1 ? bad : ok;
            Tensor bIm = which == 2 ? bad : ok;
            Scan.ComplexTensor h0 = new Scan.ComplexTensor(which == 3 ? badH : okH, which == 4 ? badH : okH);
            var e = assertThrows(IllegalArgumentException.class, () -> Scan.complexDiagonal(
                    new Scan.ComplexTensor(ok, aIm), new Scan.ComplexTensor(bRe, bIm), h0));
            assertTrue(e.getMessage().contains("Scan.complexDiagonal") && e.getMessage().contains(names[which]),
                    e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Scan.diagonalStates(ok, ok, badH));
        assertTrue(e.getMessage().contains("Scan.diagonal: h0"), e.getMessage());
    }
}
