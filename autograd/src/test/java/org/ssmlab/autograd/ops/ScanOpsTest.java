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
 * The scan ops: gradients against finite differences ({@link GradCheck}), h0's included; the fused
 * selective scan against the same computation composed from elementary ops (exp, mul, add, sum, slice,
 * concat, stack), outputs and every gradient, with and without polarization, gate and skip; and every
 * scan run in pieces, each from the final state of the one before, against one run.
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
            assertGradient("diagonal states", in -> Scan.diagonal(in.get(0), in.get(1), in.get(2)).out(), a, b, h0);
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

        /** The op from initial state {@code h0}, on a list laid out as {@link #inputs()}. */
        Scan.Result applyFrom(List<Tensor> in, Tensor h0) {
            int i = 5;
            Tensor dd = D == null ? null : in.get(i++);
            Tensor zz = z == null ? null : in.get(i);
            return Scan.selective(in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), dd, zz, h0, one, zero);
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

    /**
     * The selective scan from an initial state: output and final state against finite differences,
     * h0 included ({@link GradCheck}: the loss accumulated in double, the model in float).
     */
    @Test
    void selectiveFromInitialStateGradients() {
        forSeeds(20, r -> {
            Problem p = Problem.random(r, 5);
            int nt = p.B.dim(2);
            Tensor h0 = leaf(r, -1, 1, p.u.dim(0), p.u.dim(2), nt);
            List<Tensor> in = p.inputs();
            in.add(h0);
            assertGradient("selective from h0 " + p.describe(), x -> {
                Scan.Result res = p.applyFrom(x.subList(0, x.size() - 1), x.getLast());
                return Shapes.concat(List.of(Shapes.reshape(res.out(), res.out().size()),
                        Shapes.reshape(res.last(), res.last().size())), 0);
            }, in.toArray(new Tensor[0]));
        });
    }

    /**
     * A long sequence in pieces, each piece's h0 the final state of the one before, gives the outputs,
     * final state and every gradient (h0's included) of one run: the selective scan on both backends.
     */
    @Test
    void selectiveInPiecesEqualsOnePiece() {
        Backend saved = Backend.current();
        try {
            forSeeds(20, r -> {
                Problem p = Problem.random(r, 12);
                while (p.u.dim(1) < 2) {
                    p = Problem.random(r, 12);
                }
                Problem q = p;
                Backend.setCurrent(r.nextBoolean() ? Backend.simd() : Backend.scalar());
                Tensor h0 = leaf(r, -1, 1, p.u.dim(0), p.u.dim(2), p.B.dim(2));
                List<Tensor> leaves = new ArrayList<>(p.inputs());
                leaves.add(h0);
                int[] cuts = org.ssmlab.simd.ScanCases.cuts(r, p.u.dim(1));
                assertPiecesAgree("selective " + Backend.current().name() + " " + p.describe(), r, leaves, cuts,
                        (x, h) -> q.applyFrom(x, h), ScanOpsTest::sliceSelective);
            });
        } finally {
            Backend.setCurrent(saved);
        }
    }

    /** The same for the real diagonal scan. */
    @Test
    void diagonalInPiecesEqualsOnePiece() {
        forSeeds(20, r -> {
            int batch = 1 + r.nextInt(2), len = 2 + r.nextInt(12), ch = 1 + r.nextInt(5);
            List<Tensor> leaves = new ArrayList<>(List.of(leaf(r, -1.1, 1.1, batch, len, ch),
                    leaf(r, -1, 1, batch, len, ch), leaf(r, -1, 1, batch, ch)));
            int[] cuts = org.ssmlab.simd.ScanCases.cuts(r, len);
            assertPiecesAgree("diagonal batch=" + batch + " L=" + len + " C=" + ch, r, leaves, cuts,
                    (x, h) -> Scan.diagonal(x.get(0), x.get(1), h),
                    (x, t0, t1) -> List.of(Shapes.slice(x.get(0), 1, t0, t1), Shapes.slice(x.get(1), 1, t0, t1)));
        });
    }

    /** The same for the complex diagonal scan, its final state read off the states with {@link Scan#last}. */
    @Test
    void complexDiagonalInPiecesEqualsOnePiece() {
        forSeeds(20, r -> {
            int batch = 1 + r.nextInt(2), len = 2 + r.nextInt(12), ch = 1 + r.nextInt(4);
            List<Tensor> leaves = new ArrayList<>(List.of(leaf(r, -0.8, 0.8, batch, len, ch),
                    leaf(r, -0.6, 0.6, batch, len, ch), leaf(r, -1, 1, batch, len, ch), leaf(r, -1, 1, batch, len, ch),
                    leaf(r, -1, 1, 2, batch, ch)));
            int[] cuts = org.ssmlab.simd.ScanCases.cuts(r, len);
            // The complex state travels as one (2, batch, C) tensor [re; im] between the pieces.
            assertPiecesAgree("complex diagonal batch=" + batch + " L=" + len + " C=" + ch, r, leaves, cuts, (x, h) -> {
                Scan.ComplexTensor h0 = new Scan.ComplexTensor(Shapes.reshape(Shapes.slice(h, 0, 0, 1), batch, ch),
                        Shapes.reshape(Shapes.slice(h, 0, 1, 2), batch, ch));
                Scan.ComplexTensor states = Scan.complexDiagonal(new Scan.ComplexTensor(x.get(0), x.get(1)),
                        new Scan.ComplexTensor(x.get(2), x.get(3)), h0);
                return new Scan.Result(Shapes.concat(List.of(states.re(), states.im()), 2),
                        Shapes.stack(List.of(Scan.last(states.re()), Scan.last(states.im())), 0));
            }, (x, t0, t1) -> x.stream().map(t -> Shapes.slice(t, 1, t0, t1)).toList());
        });
    }

    /** A scan as a function of its inputs (without h0) and h0. */
    interface Piecewise {
        Scan.Result apply(List<Tensor> inputs, Tensor h0);
    }

    /** The inputs (without h0) restricted to steps [t0, t1), as differentiable slices. */
    interface TimeSlice {
        List<Tensor> apply(List<Tensor> inputs, int t0, int t1);
    }

    /** Selective-scan inputs laid out as {@link Problem#inputs()}: u, Δ, B, C, z sliced in time, A and D whole. */
    static List<Tensor> sliceSelective(List<Tensor> x, int t0, int t1) {
        List<Tensor> y = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            Tensor t = x.get(i);
            boolean timed = t.rank() == 3;                    // A is (D, N), D is (D); the rest (batch, L, ·)
            y.add(timed ? Shapes.slice(t, 1, t0, t1) : t);
        }
        return y;
    }

    /**
     * Runs {@code scan} over the whole sequence and in the pieces [cuts[i], cuts[i+1]), each from the
     * final state of the one before (the first from the last leaf, h0), with the pieces' outputs
     * concatenated along time; backpropagates the same random weights of (output, final state) through
     * both, and asserts the outputs, final states and every leaf's gradient agree.
     */
    static void assertPiecesAgree(String what, SplittableRandom r, List<Tensor> leaves, int[] cuts, Piecewise scan,
                                  TimeSlice slice) {
        List<Tensor> inputs = leaves.subList(0, leaves.size() - 1);
        Tensor h0 = leaves.getLast();
        Scan.Result whole = scan.apply(inputs, h0);
        List<Tensor> outs = new ArrayList<>();
        Tensor state = h0;
        for (int i = 0; i + 1 < cuts.length; i++) {
            Scan.Result piece = scan.apply(slice.apply(inputs, cuts[i], cuts[i + 1]), state);
            outs.add(piece.out());
            state = piece.last();
        }
        Tensor pieces = Shapes.concat(outs, 1);
        String w = what + " cuts " + java.util.Arrays.toString(cuts);
        close("out " + w, whole.out().data(), pieces.data());
        close("last " + w, whole.last().data(), state.data());
        float[] weights = new float[whole.out().size() + whole.last().size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (r.nextDouble() * 2 - 1);
        }
        List<float[]> expected = gradients(leaves, whole.out(), whole.last(), weights);
        List<float[]> actual = gradients(leaves, pieces, state, weights);
        for (int i = 0; i < leaves.size(); i++) {
            close("grad of leaf " + i + (i == leaves.size() - 1 ? " (h0) " : " ") + w, expected.get(i), actual.get(i));
        }
    }

    /** The leaves' gradients of Σ weights ⊙ [out | last], cleared afterwards (zeros where none arrived). */
    private static List<float[]> gradients(List<Tensor> leaves, Tensor out, Tensor last, float[] weights) {
        Tensor joint = Shapes.concat(List.of(Shapes.reshape(out, out.size()), Shapes.reshape(last, last.size())), 0);
        joint.backward(weights);
        List<float[]> g = new ArrayList<>();
        for (Tensor t : leaves) {
            g.add(t.gradData() == null ? new float[t.size()] : t.gradData().clone());
            t.zeroGrad();
        }
        return g;
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
