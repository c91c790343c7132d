package org.ssmlab.simd;

import org.ssmlab.simd.Scans.Selective;

/**
 * Mamba's selective scan (Eq. 3) of {@link ScalarScans}: forward, backward and the recurrent step, one
 * (sequence, channel) pair at a time. The backward does not read the checkpoints: it recomputes the
 * whole state trajectory of the pair from zero. {@link #forwardChannel} and {@link #backwardChannel}
 * also serve the SIMD twin, {@link SimdSelectiveScan}, for the channels after its last full vector.
 * Arguments are checked by the caller.
 */
final class ScalarSelectiveScan {

    private ScalarSelectiveScan() {
    }

    /** ā of state channel {@code n} of model channel {@code d} at step size {@code dt}. */
    private static float abar(Selective s, float[] A, int d, int n, float dt) {
        if (s.polarizeOne() && n == 0) {
            return 1f;
        }
        if (s.polarizeZero() && n == s.nTotal() - 1) {
            return 0f;
        }
        return (float) Math.exp((double) (dt * A[d * s.n() + n - s.learnableOffset()]));
    }

    /** Whether state channel n is a learnable one (has an entry in A). */
    private static boolean learnable(Selective s, int n) {
        return !(s.polarizeOne() && n == 0) && !(s.polarizeZero() && n == s.nTotal() - 1);
    }

    /** One recurrence step of one state channel: exact for the polarized ones. */
    private static float update(Selective s, int n, float abar, float prev, float x) {
        if (s.polarizeOne() && n == 0) {
            return prev + x;                 // ā ≡ 1
        }
        if (s.polarizeZero() && n == s.nTotal() - 1) {
            return x;                        // ā ≡ 0
        }
        return abar * prev + x;
    }

    /** σ(x) = 1 / (1 + exp(-x)), in double and rounded once; the SIMD step's gate uses it too. */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
    }

    /** {@link Scans#selectiveForward}: one (sequence, channel) pair at a time. */
    static void forward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                        float[] Dskip, float[] z, float[] out, float[] checkpoints, float[] hLast) {
        float[] h = new float[s.nTotal()];
        for (int b = 0; b < s.batch(); b++) {
            for (int d = 0; d < s.d(); d++) {
                forwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, out, checkpoints, hLast, h);
            }
        }
    }

    /** The selective forward of one (sequence b, channel d); {@code h} is scratch of N_total floats. */
    static void forwardChannel(Selective s, int b, int d, float[] u, float[] delta, float[] A, float[] B,
                               float[] C, float[] Dskip, float[] z, float[] out, float[] checkpoints,
                               float[] hLast, float[] h) {
        int nt = s.nTotal();
        int dd = s.d();
        java.util.Arrays.fill(h, 0, nt, 0f);
        for (int t = 0; t < s.len(); t++) {
            if (checkpoints != null && t % s.chunk() == 0) {
                for (int n = 0; n < nt; n++) {
                    checkpoints[((b * s.chunks() + t / s.chunk()) * nt + n) * dd + d] = h[n];
                }
            }
            int x = (b * s.len() + t) * dd + d;     // (b, t, d)
            int bn = (b * s.len() + t) * nt;        // (b, t, 0)
            float dt = delta[x];
            float du = dt * u[x];
            float y = 0f;
            for (int n = 0; n < nt; n++) {
                // h_t[n] = ā h_{t-1}[n] + Δ_t u_t B_t[n];   y_t += C_t[n] h_t[n]
                h[n] = update(s, n, abar(s, A, d, n, dt), h[n], du * B[bn + n]);
                y = y + C[bn + n] * h[n];
            }
            if (Dskip != null) {
                y = y + Dskip[d] * u[x];
            }
            out[x] = z == null ? y : y * (z[x] * sigmoid(z[x]));
        }
        if (hLast != null) {
            System.arraycopy(h, 0, hLast, (b * dd + d) * nt, nt);
        }
    }

    /** {@link Scans#selectiveBackward}: one (sequence, channel) pair at a time, ignoring the checkpoints. */
    static void backward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                         float[] Dskip, float[] z, float[] checkpoints, float[] gOut, float[] gu,
                         float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz) {
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
                backwardChannel(s, b, d, u, delta, A, B, C, Dskip, z, gOut, gu, gDelta,
                        gA, 0, s.n(), 1, gB, gC, 0, gD, 0, gz, hs, ys, gh);
            }
        }
    }

    /**
     * The selective backward of one (sequence b, channel d), accumulating into gA[gABase + d·sd + m·sm],
     * gB/gC[gBCBase + (b, t, n)] and gD[gDBase + d]; writing gu, gDelta, gz at (b, t, d).
     * Scratch: hs ((L+1)·N_total), ys (L), gh (N_total).
     */
    static void backwardChannel(Selective s, int b, int d, float[] u, float[] delta, float[] A, float[] B,
                                float[] C, float[] Dskip, float[] z, float[] gOut, float[] gu, float[] gDelta,
                                float[] gA, int gABase, int sd, int sm, float[] gB, float[] gC, int gBCBase,
                                float[] gD, int gDBase, float[] gz, float[] hs, float[] ys, float[] gh) {
        int nt = s.nTotal();
        int dd = s.d();
        int len = s.len();
        // Recompute the trajectory of (b, d): hs[t+1] = h_t, hs[0] = h_{-1} = 0; and y_t for the gate.
        java.util.Arrays.fill(hs, 0, nt, 0f);
        for (int t = 0; t < len; t++) {
            int x = (b * len + t) * dd + d;
            int bn = (b * len + t) * nt;
            float dt = delta[x];
            float du = dt * u[x];
            float y = 0f;
            for (int n = 0; n < nt; n++) {
                float hn = update(s, n, abar(s, A, d, n, dt), hs[t * nt + n], du * B[bn + n]);
                hs[(t + 1) * nt + n] = hn;
                y = y + C[bn + n] * hn;
            }
            if (Dskip != null) {
                y = y + Dskip[d] * u[x];
            }
            ys[t] = y;
        }
        // Reverse time; gh[n] carries ∂L/∂h_t[n] through the recurrence.
        java.util.Arrays.fill(gh, 0, nt, 0f);
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
            float sumGB = 0f;                               // Σ_n ∂L/∂h_t[n] · B_t[n]
            float gdt = 0f;
            for (int n = 0; n < nt; n++) {
                float ghn = gh[n] + C[bn + n] * gy;                     // total ∂L/∂h_t[n]
                gC[gBCBase + bn + n] += hs[(t + 1) * nt + n] * gy;     // ∂y/∂C = h_t
                gB[gBCBase + bn + n] += ghn * du;                       // ∂h_t/∂B = Δ u
                sumGB = sumGB + ghn * B[bn + n];
                if (learnable(s, n)) {
                    float a = abar(s, A, d, n, dt);
                    float q = ghn * hs[t * nt + n] * a;                 // ∂L/∂ā · ā
                    int m = n - s.learnableOffset();
                    gdt = gdt + q * A[d * s.n() + m];                  // ∂ā/∂Δ = ā A
                    gA[gABase + d * sd + m * sm] += q * dt;             // ∂ā/∂A = ā Δ
                    gh[n] = a * ghn;
                } else if (s.polarizeOne() && n == 0) {
                    gh[n] = ghn;                                        // ā ≡ 1
                } else {
                    gh[n] = 0f;                                         // ā ≡ 0
                }
            }
            gu[x] = (Dskip == null ? 0f : gy * Dskip[d]) + sumGB * dt;   // ∂(Δ u B)/∂u = Δ B
            gDelta[x] = gdt + sumGB * u[x];                              // ∂(Δ u B)/∂Δ = u B
        }
    }

    /** {@link Scans#selectiveStep}: one (sequence, channel) pair at a time. */
    static void step(Selective s, float[] h, float[] u, float[] delta, float[] A, float[] B, float[] C,
                     float[] Dskip, float[] z, float[] out) {
        int nt = s.nTotal();
        int dd = s.d();
        for (int b = 0; b < s.batch(); b++) {
            for (int d = 0; d < dd; d++) {
                int x = b * dd + d;
                float dt = delta[x];
                float du = dt * u[x];
                float y = 0f;
                for (int n = 0; n < nt; n++) {
                    int hi = x * nt + n;
                    h[hi] = update(s, n, abar(s, A, d, n, dt), h[hi], du * B[b * nt + n]);
                    y = y + C[b * nt + n] * h[hi];
                }
                if (Dskip != null) {
                    y = y + Dskip[d] * u[x];
                }
                out[x] = z == null ? y : y * (z[x] * sigmoid(z[x]));
            }
        }
    }
}
