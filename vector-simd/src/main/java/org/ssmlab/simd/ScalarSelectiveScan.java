package org.ssmlab.simd;

import org.ssmlab.simd.Scans.Selective;

/**
 * Mamba's selective scan (Eq. 3, docs/theory.md §1) with polarization (§6) of {@link ScalarScans}:
 * forward and backward, one (sequence b, channel d) pair at a time, as written on
 * {@link Scans#selectiveForward} and {@link Scans#selectiveBackward}. This is the version to read; the
 * SIMD twin ({@link SimdSelectiveScan}, {@link SimdSelectiveBackwardWorker}) and the OpenCL kernels
 * compute the same thing operation by operation. The backward does not read the checkpoints: it
 * recomputes the whole state trajectory of the pair from h0. {@link #forwardChannel} and
 * {@link #backwardChannel} also serve the SIMD twin for the channels after its last full vector.
 *
 * <p>Layouts (row-major): u, Δ, z, out (batch, L, D) at x = (b·L + t)·D + d; B, C (batch, L, N_total)
 * at bn + n with bn = (b·L + t)·N_total; A (D, N) at d·N + m, m = n - [one-channel]; states h0, hLast
 * (batch, D, N_total) at (b·D + d)·N_total + n. Arguments are checked by {@link CheckedScans}.
 */
final class ScalarSelectiveScan {

    private ScalarSelectiveScan() {
    }

    /** ā = exp(Δ A[d, n]) of learnable state channel {@code n} of model channel {@code d} at step size {@code dt}. */
    private static float abar(Selective s, float[] A, int d, int n, float dt) {
        return (float) Math.exp((double) (dt * A[d * s.n() + n - s.learnableOffset()]));
    }

    /** Whether state channel n is a learnable one (has an entry in A). */
    private static boolean learnable(Selective s, int n) {
        return !(s.polarizeOne() && n == 0) && !(s.polarizeZero() && n == s.nTotal() - 1);
    }

    /** One recurrence step h_t[n] = ā h_{t-1}[n] + x of state channel n: exact for the polarized ones. */
    private static float step(Selective s, float[] A, int d, int n, float dt, float prev, float x) {
        if (s.polarizeOne() && n == 0) {
            return prev + x;                 // ā ≡ 1
        }
        if (s.polarizeZero() && n == s.nTotal() - 1) {
            return x;                        // ā ≡ 0
        }
        return abar(s, A, d, n, dt) * prev + x;
    }

    /** σ(x) in double, rounded once (the elementwise twin's stable form). */
    static float sigmoid(float x) {
        return (float) ScalarElementwise.sigmoid(x);
    }

    /** Copies the state of (b, d) from h0 (batch, D, N_total) into {@code h} (N_total), or zeros it. */
    private static void initialState(Selective s, int b, int d, float[] h0, float[] h, int hOff) {
        int nt = s.nTotal();
        if (h0 == null) {
            java.util.Arrays.fill(h, hOff, hOff + nt, 0f);
        } else {
            System.arraycopy(h0, (b * s.d() + d) * nt, h, hOff, nt);
        }
    }

    /** {@link Scans#selectiveForward}: one (sequence, channel) pair at a time. */
    static void forward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                        float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints, float[] hLast) {
        float[] h = new float[s.nTotal()];
        for (int b = 0; b < s.batch(); b++) {
            for (int d = 0; d < s.d(); d++) {
                forwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, h0, out, checkpoints, hLast, h);
            }
        }
    }

    /** The selective forward of one (sequence b, channel d); {@code h} is scratch of N_total floats. */
    static void forwardChannel(Selective s, int b, int d, float[] u, float[] delta, float[] A, float[] B,
                               float[] C, float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints,
                               float[] hLast, float[] h) {
        int nt = s.nTotal();
        int dd = s.d();
        initialState(s, b, d, h0, h, 0);                          // h_{-1} = h0[b, d, :]      (N_total)
        for (int t = 0; t < s.len(); t++) {
            if (checkpoints != null && t % s.chunk() == 0) {      // checkpoint t/K = h_{t-1}  (batch, chunks, N_total, D)
                for (int n = 0; n < nt; n++) {
                    checkpoints[((b * s.chunks() + t / s.chunk()) * nt + n) * dd + d] = h[n];
                }
            }
            int x = (b * s.len() + t) * dd + d;                   // u, Δ, z, out at (b, t, d)
            int bn = (b * s.len() + t) * nt;                      // B, C at (b, t, 0)
            float dt = delta[x];
            float du = dt * u[x];
            float y = 0f;
            for (int n = 0; n < nt; n++) {
                // h_t[n] = ā_t[n] h_{t-1}[n] + Δ_t u_t B_t[n];   y_t += C_t[n] h_t[n]
                h[n] = step(s, A, d, n, dt, h[n], du * B[bn + n]);
                y = y + C[bn + n] * h[n];
            }
            if (Dskip != null) {
                y = y + Dskip[d] * u[x];                          // y_t += D[d] u_t
            }
            out[x] = z == null ? y : y * (z[x] * sigmoid(z[x]));  // out_t = y_t silu(z_t)
        }
        if (hLast != null) {
            System.arraycopy(h, 0, hLast, (b * dd + d) * nt, nt);  // hLast[b, d, :] = h_{L-1}
        }
    }

    /** {@link Scans#selectiveBackward}: one (sequence, channel) pair at a time, ignoring the checkpoints. */
    static void backward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                         float[] Dskip, float[] z, float[] h0, float[] gOut, float[] gLast, float[] gu,
                         float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz, float[] gh0) {
        int nt = s.nTotal();
        int len = s.len();
        java.util.Arrays.fill(gA, 0, s.d() * s.n(), 0f);
        java.util.Arrays.fill(gB, 0, s.batch() * len * nt, 0f);
        java.util.Arrays.fill(gC, 0, s.batch() * len * nt, 0f);
        if (Dskip != null) {
            java.util.Arrays.fill(gD, 0, s.d(), 0f);
        }
        float[] hs = new float[(len + 1) * nt];
        float[] ys = new float[len];
        float[] gh = new float[nt];
        for (int b = 0; b < s.batch(); b++) {
            for (int d = 0; d < s.d(); d++) {
                backwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, h0, gOut, gLast, gu, gDelta,
                        gA, 0, s.n(), 1, gB, gC, 0, gD, 0, gz, gh0, hs, ys, gh);
            }
        }
    }

    /**
     * The selective backward of one (sequence b, channel d), accumulating into gA[gABase + d·sd + m·sm],
     * gB/gC[gBCBase + (b, t, n)] and gD[gDBase + d]; writing gu, gDelta, gz at (b, t, d) and, when gh0 is
     * not null, gh0 at (b, d, ·). Scratch: hs ((L+1)·N_total), ys (L), gh (N_total).
     */
    static void backwardChannel(Selective s, int b, int d, float[] u, float[] delta, float[] A, float[] B,
                                float[] C, float[] Dskip, float[] z, float[] h0, float[] gOut, float[] gLast,
                                float[] gu, float[] gDelta, float[] gA, int gABase, int sd, int sm, float[] gB,
                                float[] gC, int gBCBase, float[] gD, int gDBase, float[] gz, float[] gh0,
                                float[] hs, float[] ys, float[] gh) {
        int nt = s.nTotal();
        int dd = s.d();
        int len = s.len();
        // Recompute the trajectory of (b, d): hs[t+1] = h_t, hs[0] = h_{-1} = h0; and y_t for the gate.
        initialState(s, b, d, h0, hs, 0);
        for (int t = 0; t < len; t++) {
            int x = (b * len + t) * dd + d;                        // (b, t, d)
            int bn = (b * len + t) * nt;                           // (b, t, 0)
            float dt = delta[x];
            float du = dt * u[x];
            float y = 0f;
            for (int n = 0; n < nt; n++) {
                float hn = step(s, A, d, n, dt, hs[t * nt + n], du * B[bn + n]);
                hs[(t + 1) * nt + n] = hn;
                y = y + C[bn + n] * hn;
            }
            if (Dskip != null) {
                y = y + Dskip[d] * u[x];
            }
            ys[t] = y;
        }
        // Reverse time; gh[n] carries ∂L/∂h_t[n] through the recurrence, from gLast[b, d, :] (or 0).
        initialState(s, b, d, gLast, gh, 0);
        for (int t = len - 1; t >= 0; t--) {
            int x = (b * len + t) * dd + d;
            int bn = (b * len + t) * nt;
            float g = gOut[x];
            float gy;
            if (z != null) {
                // out = y · silu(z):  ∂/∂y = silu(z),  ∂/∂z = y · σ(z)(1 + z(1 - σ(z)))
                float sg = sigmoid(z[x]);
                gy = g * (z[x] * sg);
                gz[x] = g * ys[t] * (sg * (1f + z[x] * (1f - sg)));
            } else {
                gy = g;
            }
            if (Dskip != null) {
                gD[gDBase + d] += gy * u[x];                // ∂y/∂D = u
            }
            float dt = delta[x];
            float du = dt * u[x];
            float sumGB = 0f;                               // Σ_n γ_t[n] B_t[n]
            float gdt = 0f;
            for (int n = 0; n < nt; n++) {
                float ghn = gh[n] + C[bn + n] * gy;                     // γ_t[n], the total ∂L/∂h_t[n]
                gC[gBCBase + bn + n] += hs[(t + 1) * nt + n] * gy;     // ∂y/∂C = h_t
                gB[gBCBase + bn + n] += ghn * du;                       // ∂h_t/∂B = Δ u
                sumGB = sumGB + ghn * B[bn + n];
                if (learnable(s, n)) {
                    float a = abar(s, A, d, n, dt);
                    float q = ghn * hs[t * nt + n] * a;                 // ∂L/∂ā · ā = γ h_{t-1} ā
                    int m = n - s.learnableOffset();
                    gdt = gdt + q * A[d * s.n() + m];                  // ∂ā/∂Δ = ā A
                    gA[gABase + d * sd + m * sm] += q * dt;             // ∂ā/∂A = ā Δ
                    gh[n] = a * ghn;                                    // ∂h_t/∂h_{t-1} = ā
                } else if (s.polarizeOne() && n == 0) {
                    gh[n] = ghn;                                        // ā ≡ 1
                } else {
                    gh[n] = 0f;                                         // ā ≡ 0
                }
            }
            gu[x] = (Dskip == null ? 0f : gy * Dskip[d]) + sumGB * dt;   // ∂(Δ u B)/∂u = Δ B
            gDelta[x] = gdt + sumGB * u[x];                              // ∂(Δ u B)/∂Δ = u B
        }
        if (gh0 != null) {
            System.arraycopy(gh, 0, gh0, (b * dd + d) * nt, nt);         // gh0[b, d, :] = ∂L/∂h_{-1}
        }
    }
}
