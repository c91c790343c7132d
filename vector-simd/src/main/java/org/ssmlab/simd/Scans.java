package org.ssmlab.simd;

/**
 * Scan kernels: the diagonal recurrence of Eq. 1 ({@code h_t = a_t ⊙ h_{t-1} + b_t}), its complex
 * twin, and Mamba's fused selective scan (Eq. 3) with optional polarization (docs/theory.md §6), each with
 * its backward. All arrays are row-major {@code float[]} starting at index 0; outputs are overwritten,
 * never accumulated into.
 *
 * <p><b>Diagonal scan</b> over (batch, L, C):
 * <pre>
 *   h_t = a_t ⊙ h_{t-1} + b_t,    h_{-1} = h0 (zero when h0 is null)
 * backward, t = L-1 .. 0, with γ = gLast (or 0) carried down the time axis:
 *   γ  += gH_t                       (total gradient of h_t)
 *   gb_t = γ,  ga_t = γ ⊙ h_{t-1},  γ = a_t ⊙ γ   (the gradient of h_{t-1} through the recurrence)
 *   gh0 = γ after step 0
 * </pre>
 *
 * <p><b>Selective scan</b> (Mamba, Eq. 3) with u, Δ of shape (batch, L, D), A of shape (D, N) for the
 * learnable state channels, B, C of shape (batch, L, N_total), skip D of shape (D), gate z (batch, L, D):
 * <pre>
 *   h_t[d,n] = ā_t[d,n] h_{t-1}[d,n] + Δ_t[d] B_t[n] u_t[d],    h_{-1} = 0
 *   y_t[d]   = Σ_n C_t[n] h_t[d,n] + D[d] u_t[d],     out_t[d] = y_t[d] · silu(z_t[d])  (or y without z)
 * </pre>
 * where ā = exp(Δ_t[d] A[d,n]) on the learnable channels; with {@code polarizeOne} an extra channel with
 * ā ≡ 1 comes first, with {@code polarizeZero} an extra channel with ā ≡ 0 comes last (state order
 * [one | N learnable | zero]). The constant channels are exact (no exp) and have no entry in A.
 * The forward never stores the (batch, L, D, N_total) state: it keeps checkpoints of the state every
 * {@code chunk} steps, and the backward recomputes each chunk from its checkpoint.
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
         * before step k·chunk (checkpoint 0 is the zero initial state).
         */
        public int checkpointSize() {
            return Math.multiplyExact(Math.multiplyExact(batch, chunks()), Math.multiplyExact(nTotal(), d));
        }

        /** Floats of the final state, laid out (batch, D, N_total). */
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
     * The same scan by chunks of {@code chunk} time steps: every chunk is scanned from a zero state
     * (in parallel), the true state at each chunk end is carried forward, and each chunk adds
     * (Π_{s=t0..t} a_s) · carry to its steps. Equal to {@link #diagonal} up to rounding.
     */
    void diagonalChunked(int batch, int len, int channels, int chunk, float[] a, float[] b, float[] h0,
                         float[] h, float[] hLast);

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
     * Fused selective scan forward (see the class comment). Writes {@code out} (batch, L, D), the
     * checkpoints ({@link Selective#checkpointSize()} floats, may be null when no backward follows) and
     * the final state (batch, D, N_total; may be null). {@code Dskip} and {@code z} may be null.
     */
    void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                          float[] z, float[] out, float[] checkpoints, float[] hLast);

    /**
     * Backward of {@link #selectiveForward} from the forward's checkpoints and the gradient gOut of its
     * output. Writes gu, gDelta (batch, L, D), gA (D, N), gB, gC (batch, L, N_total), gD (D; null when
     * Dskip is null) and gz (batch, L, D; null when z is null). The state is recomputed chunk by chunk.
     */
    void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C, float[] Dskip,
                           float[] z, float[] checkpoints, float[] gOut,
                           float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz);

    /**
     * One step of the selective recurrence for inference. {@code h} (batch, D, N_total) is the carried
     * state, updated in place; u, delta, z, out are (batch, D); B, C are (batch, N_total); A is (D, N).
     * Applying it L times from a zero state gives the outputs and final state of {@link #selectiveForward}.
     * Only {@code s.batch, s.d, s.n} and the polarization of {@code s} are used.
     */
    void selectiveStep(Selective s, float[] h, float[] u, float[] delta, float[] A, float[] B, float[] C,
                       float[] Dskip, float[] z, float[] out);
}
