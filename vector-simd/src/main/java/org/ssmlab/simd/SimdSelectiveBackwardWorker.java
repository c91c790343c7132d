package org.ssmlab.simd;

import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.VectorMath.sigmoid;

import jdk.incubator.vector.FloatVector;
import org.ssmlab.simd.Scans.Selective;

/**
 * The selective scan's backward ({@link SimdSelectiveScan#backward}) of a group of up to {@code maxVecs}
 * adjacent d-vectors at a time, for one thread: holds the problem's arrays and its own scratch. Chunk
 * by chunk from the last, {@link #recompute} rebuilds each d-vector's states in the chunk (hbuf, j = 0
 * is the checkpoint), ā (abuf) and y (ybuf) from its checkpoint; {@link #gateChunk} takes the gradient
 * through the gate, gy (gybuf) and gz, for the chunk's steps; then, step by step backwards,
 * {@link #reverseStep} carries gh = ∂L/∂h of each d-vector through the recurrence, from gLast to gh0.
 * The recomputation ({@link #recomputeStep}) takes ā = exp(Δ A) and the state update in one step.
 * Its scalar twin, the version to read, is {@link ScalarSelectiveScan#backwardChannel}; the formulas are
 * on {@link Scans#selectiveBackward}.
 *
 * <p>Why a group: gB_t[n] = Σ_d γ_t[d, n] Δ_t[d] u_t[d] and gC_t[n] = Σ_d h_t[d, n] gy_t[d] sum over
 * the channels, across the lanes. The group's d-vectors add their lane-wise products into one vector
 * per (t, n) (accB, accC: vertical adds), and only that vector is reduced across its lanes, once per
 * (t, n) and group instead of once per (t, n) and d-vector: a horizontal reduction costs several
 * shuffles and adds, the vertical add one instruction. The order of the additions depends on the group
 * (fixed by the channel block), not on the thread count.
 *
 * <p>Layout of the scratch, d-vector k of the group: hbuf[(j·G + k)·N_total·V + n·V + lane],
 * abuf[((j-1)·G + k)·N·V + m·V + lane], ybuf and gybuf[((j-1)·G + k)·V + lane], gh[(k·N_total + n)·V + lane],
 * gav[(k·N + m)·V + lane], gdv[k·V + lane], with G = maxVecs.
 *
 * <p>The work is split into small methods on purpose: C2 inlines the Vector API calls (and so turns
 * them into registers and instructions) only within its inlining budget; one large method would fall
 * back to the API's Java implementation, allocating a box per operation. For the same reason the
 * methods pass indices and arrays, never vectors: a helper taking a vector that C2 does not inline
 * boxes it on every call (a helper that added the ∂B, ∂C products made the polarized case, with three
 * call sites, twice as slow; written out in place, it was not).
 */
final class SimdSelectiveBackwardWorker {

    final Selective s;
    final float[] u, delta, at, B, C, Dskip, z, checkpoints, gOut, gLast, gu, gDelta, gz, gh0, pA, pB, pC, pD;
    final int nt, nn, dd, len, off, hStride, maxVecs;
    final float[] hbuf, abuf, ybuf, gybuf, gh, gav, gdv, accB, accC;
    int b, d0, vecs, pBase;

    SimdSelectiveBackwardWorker(Selective s, int maxVecs, float[] u, float[] delta, float[] at, float[] B,
                                float[] C, float[] Dskip, float[] z, float[] checkpoints, float[] gOut,
                                float[] gLast, float[] gu, float[] gDelta, float[] gz, float[] gh0, float[] pA,
                                float[] pB, float[] pC, float[] pD) {
        this.s = s;
        this.maxVecs = maxVecs;
        this.u = u;
        this.delta = delta;
        this.at = at;
        this.B = B;
        this.C = C;
        this.Dskip = Dskip;
        this.z = z;
        this.checkpoints = checkpoints;
        this.gOut = gOut;
        this.gLast = gLast;
        this.gu = gu;
        this.gDelta = gDelta;
        this.gz = gz;
        this.gh0 = gh0;
        this.pA = pA;
        this.pB = pB;
        this.pC = pC;
        this.pD = pD;
        nt = s.nTotal();
        nn = s.n();
        dd = s.d();
        len = s.len();
        off = s.learnableOffset();
        hStride = nt * V;
        int chunk = Math.min(s.chunk(), Math.max(1, len));
        hbuf = new float[(chunk + 1) * maxVecs * hStride];
        abuf = new float[chunk * maxVecs * nn * V];
        ybuf = new float[chunk * maxVecs * V];
        gybuf = new float[chunk * maxVecs * V];
        gh = new float[maxVecs * hStride];
        gav = new float[maxVecs * nn * V];
        gdv = new float[maxVecs * V];
        accB = new float[hStride];
        accC = new float[hStride];
    }

    /**
     * The backward of sequence b, channels [d0, d0 + vecs·V) as {@code vecs} ≤ maxVecs d-vectors; the
     * group's gB, gC partial sums are added to pB, pC at pBase. gh starts at gLast (or 0) and ends as
     * gh0 = ∂L/∂h0.
     */
    void run(int b, int d0, int vecs, int pBase) {
        this.b = b;
        this.d0 = d0;
        this.vecs = vecs;
        this.pBase = pBase;
        for (int k = 0; k < vecs; k++) {
            SimdSelectiveScan.gatherState(s, gLast, b, d0 + k * V, gh, k * hStride);
        }
        java.util.Arrays.fill(gav, 0f);
        java.util.Arrays.fill(gdv, 0f);
        java.util.Arrays.fill(accB, 0f);
        java.util.Arrays.fill(accC, 0f);
        for (int ck = s.chunks() - 1; ck >= 0; ck--) {
            int t0 = ck * s.chunk();
            int t1 = Math.min(len, t0 + s.chunk());
            for (int k = 0; k < vecs; k++) {
                recompute(ck, t0, t1, k);
                if (z != null) {
                    gateChunk(t0, t1, k);
                }
            }
            for (int t = t1 - 1; t >= t0; t--) {
                int j = t - t0 + 1;
                for (int k = 0; k < vecs; k++) {
                    reverseStep(t, j, k);
                }
                reduceGroup((b * len + t) * nt);
            }
        }
        for (int k = 0; k < vecs; k++) {
            int dk = d0 + k * V;
            for (int m = 0; m < nn; m++) {
                System.arraycopy(gav, (k * nn + m) * V, pA, (b * nn + m) * dd + dk, V);
            }
            if (pD != null) {
                System.arraycopy(gdv, k * V, pD, b * dd + dk, V);
            }
            if (gh0 != null) {
                SimdSelectiveScan.scatterState(s, gh, k * hStride, b, dk, gh0);
            }
        }
    }

    /**
     * gB_t[n] += Σ_lanes accB[n], gC_t[n] += Σ_lanes accC[n] (bn = (b·L + t)·N_total): the one lane
     * reduction per (t, n) of the group; clears the accumulators for the step before.
     */
    private void reduceGroup(int bn) {
        FloatVector zero = FloatVector.zero(S);
        for (int n = 0; n < nt; n++) {
            pB[pBase + bn + n] += VectorMath.sum(accB, n * V);
            pC[pBase + bn + n] += VectorMath.sum(accC, n * V);
            zero.intoArray(accB, n * V);
            zero.intoArray(accC, n * V);
        }
    }

    /** hbuf[j] = h_{t0+j-1} (hbuf[0] = checkpoint ck), abuf[j-1] = ā_{t0+j-1}, ybuf[j-1] = y; of d-vector k. */
    private void recompute(int ck, int t0, int t1, int k) {
        int dk = d0 + k * V;
        int cp = ((b * s.chunks() + ck) * nt) * dd + dk;
        int h = k * hStride;
        for (int n = 0; n < nt; n++) {
            FloatVector.fromArray(S, checkpoints, cp + n * dd).intoArray(hbuf, h + n * V);
        }
        for (int t = t0; t < t1; t++) {
            int j = t - t0 + 1;
            recomputeStep(t, j, k);
        }
    }

    /**
     * hbuf[j] = h_t from hbuf[j-1], abuf[j-1] = ā_t = exp(Δ_t A) (the one exp per (t, n)), ybuf[j-1] = y_t + D u_t
     * for the gate. The exp was once a loop of its own, when it was the Vector API's EXP, a call into the
     * vector math library that made the loop around it save and reload every live register; as
     * {@link VectorMath#exp}'s inline arithmetic it is faster in place: forward + backward (JMH
     * SelectiveScanBenchmark, one thread) 17.2–17.4 against 18.7–19.7 ms with AVX-512 and 28.3–31.0 against
     * 29.2–32.0 ms with AVX2, without and with polarization.
     */
    private void recomputeStep(int t, int j, int k) {
        int dk = d0 + k * V;
        int x = (b * len + t) * dd + dk;
        int bn = (b * len + t) * nt;
        FloatVector dt = FloatVector.fromArray(S, delta, x);
        FloatVector uu = FloatVector.fromArray(S, u, x);
        FloatVector du = dt.mul(uu);
        FloatVector y = FloatVector.zero(S);
        int hp = ((j - 1) * maxVecs + k) * hStride;
        int hc = (j * maxVecs + k) * hStride;
        int ab = ((j - 1) * maxVecs + k) * nn * V;
        if (s.polarizeOne()) {
            FloatVector h = FloatVector.fromArray(S, hbuf, hp).add(du.mul(B[bn]));
            h.intoArray(hbuf, hc);
            y = y.add(h.mul(C[bn]));
        }
        for (int m = 0; m < nn; m++) {
            int n = m + off;
            FloatVector a = VectorMath.exp(dt.mul(FloatVector.fromArray(S, at, m * dd + dk)));   // ā_t[m]
            a.intoArray(abuf, ab + m * V);
            FloatVector h = a.fma(FloatVector.fromArray(S, hbuf, hp + n * V), du.mul(B[bn + n]));
            h.intoArray(hbuf, hc + n * V);
            y = h.fma(dt.broadcast(C[bn + n]), y);
        }
        if (s.polarizeZero()) {
            int n = nt - 1;
            FloatVector h = du.mul(B[bn + n]);
            h.intoArray(hbuf, hc + n * V);
            y = y.add(h.mul(C[bn + n]));
        }
        if (z != null) {
            if (Dskip != null) {
                y = y.add(FloatVector.fromArray(S, Dskip, dk).mul(uu));
            }
            y.intoArray(ybuf, ((j - 1) * maxVecs + k) * V);
        }
    }

    /**
     * Step t (j = its index in hbuf) backwards for d-vector k: writes gu, gDelta at t; updates its
     * gh, gav, gdv; adds its lane-wise gB, gC products to accB, accC.
     */
    private void reverseStep(int t, int j, int k) {
        int dk = d0 + k * V;
        int x = (b * len + t) * dd + dk;
        int bn = (b * len + t) * nt;
        int hp = ((j - 1) * maxVecs + k) * hStride;
        int hc = (j * maxVecs + k) * hStride;
        int ab = ((j - 1) * maxVecs + k) * nn * V;
        int g = k * hStride;
        // ∂L/∂y_t: through the gate (gateChunk), or the output's own
        float[] gyFrom = z != null ? gybuf : gOut;
        FloatVector gy = FloatVector.fromArray(S, gyFrom, z != null ? ((j - 1) * maxVecs + k) * V : x);
        FloatVector dt = FloatVector.fromArray(S, delta, x);
        FloatVector uu = FloatVector.fromArray(S, u, x);
        FloatVector du = dt.mul(uu);
        if (Dskip != null) {
            FloatVector.fromArray(S, gdv, k * V).add(gy.mul(uu)).intoArray(gdv, k * V);   // ∂y/∂D = u
        }
        FloatVector sumGB = FloatVector.zero(S);                 // Σ_n ∂L/∂h_t[n] B_t[n]
        FloatVector gdt = FloatVector.zero(S);
        if (s.polarizeOne()) {
            FloatVector ghn = FloatVector.fromArray(S, gh, g).add(gy.mul(C[bn]));
            FloatVector.fromArray(S, accC, 0).add(FloatVector.fromArray(S, hbuf, hc).mul(gy)).intoArray(accC, 0);
            FloatVector.fromArray(S, accB, 0).add(ghn.mul(du)).intoArray(accB, 0);
            sumGB = sumGB.add(ghn.mul(B[bn]));
            ghn.intoArray(gh, g);                                // ā ≡ 1
        }
        for (int m = 0; m < nn; m++) {
            int n = m + off;
            // ghn = total ∂L/∂h_t[n];  accC[n] += h_t gy;  accB[n] += ghn Δ u  (lane-wise parts of gC, gB)
            FloatVector ghn = gy.fma(gy.broadcast(C[bn + n]), FloatVector.fromArray(S, gh, g + n * V));
            FloatVector.fromArray(S, hbuf, hc + n * V).fma(gy, FloatVector.fromArray(S, accC, n * V))
                    .intoArray(accC, n * V);
            ghn.fma(du, FloatVector.fromArray(S, accB, n * V)).intoArray(accB, n * V);
            sumGB = ghn.fma(gy.broadcast(B[bn + n]), sumGB);
            FloatVector a = FloatVector.fromArray(S, abuf, ab + m * V);
            FloatVector q = ghn.mul(FloatVector.fromArray(S, hbuf, hp + n * V)).mul(a);   // ∂L/∂ā · ā
            gdt = q.fma(FloatVector.fromArray(S, at, m * dd + dk), gdt);                // ∂ā/∂Δ = ā A
            int ga = (k * nn + m) * V;
            q.fma(dt, FloatVector.fromArray(S, gav, ga)).intoArray(gav, ga);             // ∂ā/∂A = ā Δ
            a.mul(ghn).intoArray(gh, g + n * V);
        }
        if (s.polarizeZero()) {
            int n = nt - 1;
            FloatVector ghn = FloatVector.fromArray(S, gh, g + n * V).add(gy.mul(C[bn + n]));
            FloatVector.fromArray(S, accC, n * V).add(FloatVector.fromArray(S, hbuf, hc + n * V).mul(gy))
                    .intoArray(accC, n * V);
            FloatVector.fromArray(S, accB, n * V).add(ghn.mul(du)).intoArray(accB, n * V);
            sumGB = sumGB.add(ghn.mul(B[bn + n]));
            FloatVector.zero(S).intoArray(gh, g + n * V);       // ā ≡ 0
        }
        FloatVector guv = sumGB.mul(dt);                         // ∂(Δ u B)/∂u = Δ B
        if (Dskip != null) {
            guv = gy.mul(FloatVector.fromArray(S, Dskip, dk)).add(guv);
        }
        guv.intoArray(gu, x);
        gdt.add(sumGB.mul(uu)).intoArray(gDelta, x);             // ∂(Δ u B)/∂Δ = u B
    }

    /**
     * The gate's backward for the steps [t0, t1) of d-vector k, out = y · silu(z) with silu(z) = z σ(z):
     * gy = g · silu(z) into gybuf and gz = g · y · σ(z)(1 + z(1 − σ(z))) into gz (y from ybuf). A pass of
     * its own before the chunk's reverse steps: inside {@link #reverseStep}, C2 ran out of inlining
     * budget and called σ with its vectors boxed, an allocation per step and d-vector.
     */
    private void gateChunk(int t0, int t1, int k) {
        int dk = d0 + k * V;
        for (int t = t0; t < t1; t++) {
            int x = (b * len + t) * dd + dk;
            int yb = ((t - t0) * maxVecs + k) * V;
            FloatVector g = FloatVector.fromArray(S, gOut, x);
            FloatVector zv = FloatVector.fromArray(S, z, x);
            FloatVector sg = sigmoid(zv);
            g.mul(zv.mul(sg)).intoArray(gybuf, yb);
            FloatVector dsilu = sg.mul(zv.mul(sg.neg().add(1f)).add(1f));
            g.mul(FloatVector.fromArray(S, ybuf, yb)).mul(dsilu).intoArray(gz, x);
        }
    }
}
