package org.ssmlab.autograd.ops;

import java.util.Arrays;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Scans;
import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.Scans.Selective;

/**
 * Scans as autograd ops, forward beside backward, on the kernels of {@code Backend.current().scans()}.
 *
 * <ul>
 *   <li>{@link #diagonal}: the diagonal recurrence of Eq. 1, h_t = a_t ⊙ h_{t-1} + b_t over (batch, L, C),
 *   with the gradient rule γ_t = gH_t + a_{t+1} ⊙ γ_{t+1}, ∂L/∂b_t = γ_t, ∂L/∂a_t = γ_t ⊙ h_{t-1},
 *   ∂L/∂h0 = a_0 ⊙ γ_0.</li>
 *   <li>{@link #complexDiagonal}: the same in complex arithmetic (S4D with complex Λ); gradients are
 *   (∂L/∂Re, ∂L/∂Im), i.e. ∂L/∂b_t = γ_t, ∂L/∂a_t = γ_t · conj(h_{t-1}), γ_t = gH_t + conj(a_{t+1}) γ_{t+1}.</li>
 *   <li>{@link #selective}: Mamba's fused selective scan (Eq. 3) with optional polarization (docs/theory.md §6),
 *   forward and backward written out at the method; the (batch, L, D, N) state is never stored: the
 *   forward keeps checkpoints every {@link Scans#DEFAULT_CHUNK} steps and the backward recomputes
 *   between them.</li>
 * </ul>
 *
 * <p>Every scan takes an optional initial state h0 (null: zero), with its gradient, and gives its final
 * state ({@link Result#last()}, {@link #last}), so a long sequence can be run in pieces.
 *
 * <p><b>Checks.</b> The ops check the tensors' shapes, which only they see (the kernels get flat
 * arrays), and derive the kernel sizes from them; the kernel layer ({@code org.ssmlab.simd.CheckedScans})
 * checks sizes and array bounds, for every backend, in one place.
 */
public final class Scan {

    private Scan() {
    }

    private static Scans kernels() {
        return Backend.current().scans();
    }

    /** Whether an op over these inputs will record a backward. */
    private static boolean recording(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    private static void requireShape(String op, String arg, Tensor t, int... shape) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + arg + " is null");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + arg + " has shape " + Shape.str(t.shape()) + ", expected "
                    + Shape.str(shape));
        }
    }

    private static void requireRank3(String op, String arg, Tensor t) {
        if (t == null || t.rank() != 3) {
            throw new IllegalArgumentException(op + ": " + arg + " must be (batch, L, channels), got "
                    + (t == null ? "null" : Shape.str(t.shape())));
        }
    }

    /**
     * A scan's output and its final state, both differentiable: for the diagonal scan the states
     * (batch, L, C) and h_{L-1} (batch, C); for the selective scan y (batch, L, D) and h_{L-1}
     * (batch, D, N_total). The final state is what the next piece of a long sequence starts from.
     */
    public record Result(Tensor out, Tensor last) {
    }

    /** The final state h_{L-1} (batch, C) of states (batch, L, C), as a differentiable slice. */
    public static Tensor last(Tensor states) {
        int len = states.dim(1);
        if (len == 0) {
            throw new IllegalArgumentException("Scan.last: states " + Shape.str(states.shape()) + " have no time step");
        }
        return Shapes.reshape(Shapes.slice(states, 1, len - 1, len), states.dim(0), states.dim(2));
    }

    // ------------------------------------------------------------------ diagonal, real

    /**
     * h_t = a_t ⊙ h_{t-1} + b_t with a, b of shape (batch, L, C) and h0 (batch, C) or null (zero).
     * Returns the states (batch, L, C) and the final state.
     */
    public static Result diagonal(Tensor a, Tensor b, Tensor h0) {
        Tensor h = diagonalStates(a, b, h0);
        return new Result(h, h.dim(1) == 0 ? null : last(h));
    }

    /** The states (batch, L, C) of {@link #diagonal}. */
    public static Tensor diagonalStates(Tensor a, Tensor b, Tensor h0) {
        String op = "Scan.diagonal";
        requireRank3(op, "a", a);
        int batch = a.dim(0);
        int len = a.dim(1);
        int ch = a.dim(2);
        requireShape(op, "b", b, batch, len, ch);
        if (h0 != null) {
            requireShape(op, "h0", h0, batch, ch);
        }
        float[] h = new float[a.size()];
        float[] h0v = h0 == null ? null : h0.data();
        kernels().diagonal(batch, len, ch, a.data(), b.data(), h0v, h, null);
        return Tensor.fromOp(h, a.shape(), g -> {
            float[] ga = new float[h.length];
            float[] gb = new float[h.length];
            float[] gh0 = h0 != null && h0.requiresGrad() ? new float[batch * ch] : null;
            kernels().diagonalBackward(batch, len, ch, a.data(), h0v, h, g, null, ga, gb, gh0);
            a.accumulateFreshGrad(ga);
            b.accumulateFreshGrad(gb);
            if (gh0 != null) {
                h0.accumulateFreshGrad(gh0);
            }
        }, a, b, h0);
    }

    // ------------------------------------------------------------------ diagonal, complex

    /** A complex tensor as its real and imaginary parts (same shape). */
    public record ComplexTensor(Tensor re, Tensor im) {
    }

    /**
     * h_t = a_t h_{t-1} + b_t in complex arithmetic, every argument as (re, im) of shape (batch, L, C)
     * (h0: (batch, C), or null for zero). Returns the states as (re, im).
     */
    public static ComplexTensor complexDiagonal(ComplexTensor a, ComplexTensor b, ComplexTensor h0) {
        String op = "Scan.complexDiagonal";
        if (a == null || b == null) {
            throw new IllegalArgumentException(op + ": a and b must not be null");
        }
        requireRank3(op, "a.re", a.re());
        int batch = a.re().dim(0);
        int len = a.re().dim(1);
        int ch = a.re().dim(2);
        requireShape(op, "a.im", a.im(), batch, len, ch);
        requireShape(op, "b.re", b.re(), batch, len, ch);
        requireShape(op, "b.im", b.im(), batch, len, ch);
        if (h0 != null) {
            requireShape(op, "h0.re", h0.re(), batch, ch);
            requireShape(op, "h0.im", h0.im(), batch, ch);
        }
        int n = batch * len * ch;
        Complex av = new Complex(a.re().data(), a.im().data());
        Complex h0v = h0 == null ? null : new Complex(h0.re().data(), h0.im().data());
        Complex h = Complex.zeros(n);
        kernels().complexDiagonal(batch, len, ch, av, new Complex(b.re().data(), b.im().data()), h0v, h, null);
        // One node with the stacked output (2, batch, L, C) = [re; im]; re and im are slices of it.
        float[] stacked = new float[2 * n];
        System.arraycopy(h.re(), 0, stacked, 0, n);
        System.arraycopy(h.im(), 0, stacked, n, n);
        Tensor[] inputs = h0 == null ? new Tensor[] {a.re(), a.im(), b.re(), b.im()}
                : new Tensor[] {a.re(), a.im(), b.re(), b.im(), h0.re(), h0.im()};
        Tensor out = Tensor.fromOp(stacked, new int[] {2, batch, len, ch}, g -> {
            Complex gH = new Complex(Arrays.copyOfRange(g, 0, n), Arrays.copyOfRange(g, n, 2 * n));
            Complex ga = Complex.zeros(n);
            Complex gb = Complex.zeros(n);
            Complex gh0 = h0 == null ? null : Complex.zeros(batch * ch);
            kernels().complexDiagonalBackward(batch, len, ch, av, h0v, h, gH, null, ga, gb, gh0);
            a.re().accumulateFreshGrad(ga.re());
            a.im().accumulateFreshGrad(ga.im());
            b.re().accumulateFreshGrad(gb.re());
            b.im().accumulateFreshGrad(gb.im());
            if (gh0 != null) {
                h0.re().accumulateFreshGrad(gh0.re());
                h0.im().accumulateFreshGrad(gh0.im());
            }
        }, inputs);
        Tensor re = Shapes.reshape(Shapes.slice(out, 0, 0, 1), batch, len, ch);
        Tensor im = Shapes.reshape(Shapes.slice(out, 0, 1, 2), batch, len, ch);
        return new ComplexTensor(re, im);
    }

    // ------------------------------------------------------------------ selective (Mamba)

    /**
     * Mamba's fused selective scan (Eq. 3, docs/theory.md §1) with polarization (§6), from a zero state:
     * {@link #selective(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)}
     * without h0, returning the output only.
     */
    public static Tensor selective(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor D, Tensor z,
                                   boolean polarizeOne, boolean polarizeZero) {
        return selective(u, delta, A, B, C, D, z, null, polarizeOne, polarizeZero, false).out();
    }

    /**
     * Mamba's fused selective scan (Eq. 3, docs/theory.md §1) with polarization (§6), from the initial
     * state {@code h0}; returns the output and the final state, both differentiable. For every sequence
     * b and channel d, with the state h[n] over the N_total state channels:
     * <pre>
     * forward, t = 0 .. L-1, from h_{-1} = h0[b,d] (zero when h0 is null):
     *   ā_t[n] = exp(Δ_t A[d,n])  on the learnable channels;   ā ≡ 1 on the one-channel, ā ≡ 0 on the zero-channel
     *   h_t[n] = ā_t[n] h_{t-1}[n] + Δ_t u_t B_t[n]
     *   y_t    = Σ_n C_t[n] h_t[n] + D[d] u_t,       out_t = y_t · silu(z_t)  (y_t when z is null)
     *   last[b,d] = h_{L-1}
     * backward, t = L-1 .. 0, with g[n] = ∂L/∂last[b,d,n] carried down the time axis:
     *   gy_t    = ∂L/∂out_t · silu(z_t)          ∂L/∂z_t = ∂L/∂out_t · y_t · σ(z_t) (1 + z_t (1 - σ(z_t)))
     *   γ_t[n]  = g[n] + C_t[n] gy_t             (the total ∂L/∂h_t[n])
     *   ∂L/∂C_t[n] += h_t[n] gy_t                ∂L/∂B_t[n] += γ_t[n] Δ_t u_t          (over d)
     *   ∂L/∂A[d,n] += γ_t[n] h_{t-1}[n] ā_t[n] Δ_t                                     (learnable n; over b, t)
     *   ∂L/∂Δ_t    = Σ_n γ_t[n] h_{t-1}[n] ā_t[n] A[d,n]  +  u_t Σ_n γ_t[n] B_t[n]     (first sum: learnable n)
     *   ∂L/∂u_t    = D[d] gy_t + Δ_t Σ_n γ_t[n] B_t[n]       ∂L/∂D[d] += gy_t u_t      (over b, t)
     *   g[n]    = ā_t[n] γ_t[n]                  (γ_t on the one-channel, 0 on the zero-channel)
     *   ∂L/∂h0[b,d] = g after step 0
     * </pre>
     * (Δ_t, u_t, z_t at (b, t, d); B_t, C_t at (b, t); A[d,n] is A's column for learnable channel n, n - 1
     * when the one-channel comes first; without z, gy_t = ∂L/∂out_t.) The version of
     * this to read is the kernels' scalar twin, {@code org.ssmlab.simd.ScalarSelectiveScan}, one line
     * per formula; {@link Scans#selectiveForward} and {@link Scans#selectiveBackward} state the same.
     *
     * <p>Shapes: u, delta, z (batch, L, D); A (D, N); B, C (batch, L, N_total) with N_total = N +
     * [polarizeOne] + [polarizeZero]; D (D) or null; h0 and the final state (batch, D, N_total). The
     * polarized channels (ā ≡ 1 first, ā ≡ 0 last) have no entry in A and no parameter.
     *
     * <p><b>In pieces.</b> Running a sequence as pieces, each from the final state of the one before
     * ({@code h0} = the previous {@code last()}), gives the outputs and gradients of one run over the
     * whole sequence (up to float rounding). The (batch, L, D, N_total) state is never stored: the
     * forward keeps checkpoints every {@link Scans#DEFAULT_CHUNK} steps and the backward recomputes
     * between them.
     */
    public static Result selective(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor D, Tensor z,
                                   Tensor h0, boolean polarizeOne, boolean polarizeZero) {
        return selective(u, delta, A, B, C, D, z, h0, polarizeOne, polarizeZero, true);
    }

    /** The selective scan; with {@code withLast} the node's output is [out | last], sliced into two tensors. */
    private static Result selective(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor D, Tensor z,
                                    Tensor h0, boolean polarizeOne, boolean polarizeZero, boolean withLast) {
        String op = "Scan.selective";
        requireRank3(op, "u", u);
        int batch = u.dim(0);
        int len = u.dim(1);
        int dd = u.dim(2);
        requireShape(op, "delta", delta, batch, len, dd);
        if (A == null || A.rank() != 2 || A.dim(0) != dd) {
            throw new IllegalArgumentException(op + ": A must be (" + dd + ", N), got "
                    + (A == null ? "null" : Shape.str(A.shape())));
        }
        Selective s = Selective.of(batch, len, dd, A.dim(1), polarizeOne, polarizeZero);
        int nt = s.nTotal();
        requireShape(op, "B (N_total = " + nt + ")", B, batch, len, nt);
        requireShape(op, "C (N_total = " + nt + ")", C, batch, len, nt);
        if (D != null) {
            requireShape(op, "D", D, dd);
        }
        if (z != null) {
            requireShape(op, "z", z, batch, len, dd);
        }
        if (h0 != null) {
            requireShape(op, "h0 (N_total = " + nt + ")", h0, batch, dd, nt);
        }
        Tensor[] inputs = {u, delta, A, B, C, D, z, h0};
        int bld = u.size();
        int state = s.stateSize();
        // With the final state, one node holds [out (bld) | last (state)]: one backward serves both.
        float[] out = new float[withLast ? bld + state : bld];
        float[] last = withLast ? new float[state] : null;
        float[] checkpoints = recording(inputs) ? new float[s.checkpointSize()] : null;
        float[] dv = D == null ? null : D.data();
        float[] zv = z == null ? null : z.data();
        float[] h0v = h0 == null ? null : h0.data();
        kernels().selectiveForward(s, u.data(), delta.data(), A.data(), B.data(), C.data(), dv, zv, h0v, out,
                checkpoints, last);
        if (withLast) {
            System.arraycopy(last, 0, out, bld, state);
        }
        int[] shape = withLast ? new int[] {bld + state} : u.shape();
        Tensor node = Tensor.fromOp(out, shape, g -> {
            float[] gLast = withLast ? Arrays.copyOfRange(g, bld, bld + state) : null;
            float[] gu = new float[bld];
            float[] gDelta = new float[bld];
            float[] gA = new float[A.size()];
            float[] gB = new float[B.size()];
            float[] gC = new float[C.size()];
            float[] gD = D == null ? null : new float[dd];
            float[] gz = z == null ? null : new float[bld];
            float[] gh0 = h0 != null && h0.requiresGrad() ? new float[state] : null;
            kernels().selectiveBackward(s, u.data(), delta.data(), A.data(), B.data(), C.data(), dv, zv, h0v,
                    checkpoints, g, gLast, gu, gDelta, gA, gB, gC, gD, gz, gh0);
            u.accumulateFreshGrad(gu);
            delta.accumulateFreshGrad(gDelta);
            A.accumulateFreshGrad(gA);
            B.accumulateFreshGrad(gB);
            C.accumulateFreshGrad(gC);
            if (D != null) {
                D.accumulateFreshGrad(gD);
            }
            if (z != null) {
                z.accumulateFreshGrad(gz);
            }
            if (gh0 != null) {
                h0.accumulateFreshGrad(gh0);
            }
        }, inputs);
        if (!withLast) {
            return new Result(node, null);
        }
        return new Result(Shapes.reshape(Shapes.slice(node, 0, 0, bld), batch, len, dd),
                Shapes.reshape(Shapes.slice(node, 0, bld, bld + state), batch, dd, nt));
    }
}
