package org.ssmlab.simd;

/**
 * Scan kernels: the diagonal recurrence of Eq. 1 ({@code h_t = a_t ⊙ h_{t-1} + b_t}, docs/theory.md §1),
 * its complex twin, and Mamba's fused selective scan (Eq. 3) with optional polarization (docs/theory.md
 * §6), each with its backward. All arrays are row-major {@code float[]} starting at index 0; outputs
 * are overwritten, never accumulated into. Every scan starts from an optional initial state h0 (null:
 * zero) and can return its final state, so a long sequence can be run in pieces, each starting from
 * the state the previous one ended in; the backward takes the gradient of that final state (gLast,
 * null: zero) and returns the gradient of h0 (gh0), so gradients cross the pieces too.
 *
 * <p><b>Implementations and checks.</b> The version to read is the scalar twin ({@link ScalarScans}:
 * {@link ScalarDiagonalScan}, {@link ScalarComplexScan}, {@link ScalarSelectiveScan}), plain loops with
 * the formulas below at their lines; {@link SimdScans} and the OpenCL backend compute the same
 * operation by operation. Implementations do not check their arguments: {@link CheckedScans} does,
 * once, for every backend ({@link Backend} wraps each backend's scans in it), so a bad call fails
 * with a message naming the kernel, the argument and the shapes.
 *
 * <p><b>Diagonal scan</b> over (batch, L, C):
 * <pre>
 *   h_t = a_t ⊙ h_{t-1} + b_t,    h_{-1} = h0 (zero when h0 is null),   hLast = h_{L-1}
 * backward, t = L-1 .. 0, with γ = gLast (or 0) carried down the time axis:
 *   γ  += gH_t                       (total gradient of h_t)
 *   gb_t = γ,  ga_t = γ ⊙ h_{t-1},  γ = a_t ⊙ γ   (the gradient of h_{t-1} through the recurrence)
 *   gh0 = γ after step 0
 * </pre>
 *
 * <p><b>Selective scan</b> (Mamba, Eq. 3): see {@link #selectiveForward} and {@link #selectiveBackward}.
 */
public interface Scans {

    /** The checkpoint interval of the selective scan when the caller has no reason to pick another. */
    int DEFAULT_CHUNK = 64;

    /** A complex array as two real arrays of the same shape: real and imaginary parts. */
    record Complex(float[] re, float[] im) {

        /** Zeros of {@code size} elements. */
        public static Complex zeros(int size) {
            return new Complex(new float[size], new float[size]);
        }
    }

    /**
     * The sizes of a selective scan problem.
     *
     * @param batch        number of sequences
     * @param len          sequence length L
     * @param d            channels D
     * @param n            learnable state channels N (A has shape (D, N))
     * @param polarizeOne  an extra leading state channel with ā ≡ 1
     * @param polarizeZero an extra trailing state channel with ā ≡ 0
     * @param chunk        checkpoint interval K of the forward (≥ 1)
     */
    record Selective(int batch, int len, int d, int n, boolean polarizeOne, boolean polarizeZero, int chunk) {

        /** Checks the sizes. */
        public Selective {
            String k = "Scans.Selective";
            Checks.size(k, "batch", batch);
            Checks.size(k, "len", len);
            Checks.size(k, "d", d);
            Checks.size(k, "n", n);
            if (chunk < 1) {
                throw new IllegalArgumentException(k + ": chunk = " + chunk + " must be at least 1");
            }
        }

        /** {@link Selective} with the default checkpoint interval. */
        public static Selective of(int batch, int len, int d, int n, boolean polarizeOne, boolean polarizeZero) {
            return new Selective(batch, len, d, n, polarizeOne, polarizeZero, DEFAULT_CHUNK);
        }

        /** State channels per model channel: N plus the polarized ones. */
        public int nTotal() {
            return n + (polarizeOne ? 1 : 0) + (polarizeZero ? 1 : 0);
        }

        /** Index of the first learnable state channel within the N_total (1 when the one-channel is there). */
        public int learnableOffset() {
            return polarizeOne ? 1 : 0;
        }

        /** Number of checkpoints per sequence: ⌈L / chunk⌉. */
        public int chunks() {
            return (len + chunk - 1) / chunk;
        }

        /**
         * Floats of the checkpoint array, laid out (batch, chunks, N_total, D): checkpoint k holds the state
         * before step k·chunk (checkpoint 0 is the initial state h0, zero when there is none).
         */
        public int checkpointSize() {
            return Math.multiplyExact(Math.multiplyExact(batch, chunks()), Math.multiplyExact(nTotal(), d));
        }

        /** Floats of a state (the initial state h0, the final state), laid out (batch, D, N_total). */
        public int stateSize() {
            return Math.multiplyExact(batch, Math.multiplyExact(d, nTotal()));
        }

        @Override
        public String toString() {
            return "batch=" + batch + " L=" + len + " D=" + d + " N=" + n + " one=" + polarizeOne
                    + " zero=" + polarizeZero + " chunk=" + chunk;
        }
    }

    // ------------------------------------------------------------------ diagonal, real

    /**
     * Sequential diagonal scan: {@code h[b,t,c] = a[b,t,c]·h[b,t-1,c] + b[b,t,c]}; writes every h and, if
     * {@code hLast} is not null, the final state (batch, C). {@code h0} (batch, C) may be null (zero).
     */
    void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast);

    /**
     * Backward of {@link #diagonal}: given gH = ∂L/∂h (batch, L, C) and optionally gLast = ∂L/∂h_final
     * (batch, C, may be null), writes ga, gb (batch, L, C) and, if not null, gh0 (batch, C).
     * {@code h0} is the forward's initial state (null = 0) and {@code h} its output.
     */
    void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                          float[] gLast, float[] ga, float[] gb, float[] gh0);

    // ------------------------------------------------------------------ diagonal, complex

    /**
     * Complex diagonal scan (S4D with complex Λ): h_t = a_t h_{t-1} + b_t in complex arithmetic,
     * element by element, with every argument split into real and imaginary arrays of shape
     * (batch, L, C) (h0, hLast: (batch, C); either may be null).
     */
    void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                         Complex hLast);

    /**
     * Backward of {@link #complexDiagonal}, treating every complex number as a pair of reals: gradients
     * are (∂L/∂Re, ∂L/∂Im). With g = ∂L/∂Re h + i ∂L/∂Im h this is the real-pair chain rule
     * <pre>
     *   γ += gH_t;  gb_t = γ;  ga_t = γ · conj(h_{t-1});  γ = conj(a_t) · γ;   gh0 = γ
     * </pre>
     * gLast and gh0 may be null.
     */
    void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h, Complex gH,
                                 Complex gLast, Complex ga, Complex gb, Complex gh0);

    // ------------------------------------------------------------------ selective (Mamba)

    /**
     * Mamba's fused selective scan forward (Eq. 3, docs/theory.md §1) with polarization (§6). Shapes:
     * u, Δ, z (batch, L, D); A (D, N) for the N learnable state channels; B, C (batch, L, N_total);
     * skip D (D); h0, hLast (batch, D, N_total). For every sequence b and channel d, with the state
     * h[n] over the N_total state channels:
     * <pre>
     *   ā_t[n] = exp(Δ_t A[d,n])  on the learnable channels;   ā ≡ 1 on the one-channel, ā ≡ 0 on the zero-channel
     *   h_t[n] = ā_t[n] h_{t-1}[n] + Δ_t u_t B_t[n],           h_{-1} = h0[b,d] (zero when h0 is null)
     *   y_t    = Σ_n C_t[n] h_t[n] + D[d] u_t
     *   out_t  = y_t · silu(z_t)   (y_t when z is null),        hLast[b,d] = h_{L-1}
     * </pre>
     * (Δ_t, u_t, z_t at (b, t, d); B_t, C_t at (b, t); A[d,n] is A's column for learnable channel n, n - 1
     * when the one-channel comes first.) With {@code polarizeOne} the ā ≡ 1 channel comes
     * first, with {@code polarizeZero} the ā ≡ 0 channel comes last (state order [one | N learnable |
     * zero]); both are exact (no exp) and have no entry in A.
     *
     * <p>The (batch, L, D, N_total) state is never stored: the forward writes a checkpoint of the state
     * every {@code chunk} steps ({@link Selective#checkpointSize()} floats; null when no backward
     * follows), and the backward recomputes each chunk from its checkpoint. {@code Dskip}, {@code z},
     * {@code h0} and {@code hLast} may be null. The scalar twin, {@link ScalarSelectiveScan}, is the
     * version to read.
     */
    void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                          float[] z, float[] h0, float[] out, float[] checkpoints, float[] hLast);

    /**
     * Backward of {@link #selectiveForward}, from the forward's inputs and checkpoints, the gradient gOut
     * (batch, L, D) of its output and, optionally, gLast (batch, D, N_total) of its final state. For every
     * (b, d), t = L-1 .. 0, with g[n] = gLast[b,d,n] (or 0) carrying ∂L/∂h_t[n] down the time axis:
     * <pre>
     *   gy_t    = gOut_t · silu(z_t)             gz_t = gOut_t · y_t · σ(z_t) (1 + z_t (1 - σ(z_t)))
     *   γ_t[n]  = g[n] + C_t[n] gy_t             (the total ∂L/∂h_t[n])
     *   gC_t[n] += h_t[n] gy_t                   gB_t[n] += γ_t[n] Δ_t u_t           (summed over b's d)
     *   gA[d,n] += γ_t[n] h_{t-1}[n] ā_t[n] Δ_t                                      (learnable n; over b, t)
     *   gΔ_t    = Σ_n γ_t[n] h_{t-1}[n] ā_t[n] A[d,n]  +  u_t Σ_n γ_t[n] B_t[n]      (first sum: learnable n)
     *   gu_t    = D[d] gy_t + Δ_t Σ_n γ_t[n] B_t[n]          gD[d] += gy_t u_t       (over b, t)
     *   g[n]    = ā_t[n] γ_t[n]                  (γ_t on the one-channel, 0 on the zero-channel)
     *   gh0[b,d] = g after step 0
     * </pre>
     * (without z: gy_t = gOut_t). Writes gu, gDelta (batch, L, D), gA (D, N), gB, gC (batch, L, N_total),
     * gD (D; only when Dskip is not null), gz (batch, L, D; only when z is not null) and gh0 (batch, D,
     * N_total; may be null). {@code h0} is the forward's initial state (null = 0): the checkpoints
     * already hold it, and the scalar twin, which recomputes the states from the start instead of
     * reading the checkpoints, reads it. The scalar twin, {@link ScalarSelectiveScan#backwardChannel},
     * is the version to read.
     */
    void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                           float[] z, float[] h0, float[] checkpoints, float[] gOut, float[] gLast,
                           float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz,
                           float[] gh0);
}
