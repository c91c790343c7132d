package org.ssmlab.simd;

import static org.ssmlab.simd.SimdScans.S;
import static org.ssmlab.simd.SimdScans.V;
import static org.ssmlab.simd.SimdScans.sigmoid;

import jdk.incubator.vector.FloatVector;
import org.ssmlab.simd.Scans.Selective;

/**
 * The selective scan's backward ({@link SimdSelectiveScan#backward}) of one d-vector at a time, for
 * one thread: holds the problem's arrays and its own scratch. Chunk by chunk from the last,
 * {@link #recompute} rebuilds the chunk's states (hbuf, j = 0 is the checkpoint), ā (abuf) and y (ybuf)
 * from its checkpoint, then {@link #reverseStep} runs the chunk backwards carrying gh = ∂L/∂h through
 * the recurrence, from gLast to gh0. Its scalar twin, the version to read, is
 * {@link ScalarSelectiveScan#backwardChannel}; the formulas are on {@link Scans#selectiveBackward}.
 *
 * <p>The work is split into small methods on purpose: C2 inlines the Vector API calls (and so turns
 * them into registers and instructions) only within its inlining budget; one large method would fall
 * back to the API's Java implementation, allocating a box per operation.
 */
final class SimdSelectiveBackwardWorker {

    final Selective s;
    final float[] u, delta, at, B, C, Dskip, z, checkpoints, gOut, gLast, gu, gDelta, gz, gh0, pA, pB, pC, pD;
    final int nt, nn, dd, len, off, hStride;
    final float[] hbuf, abuf, ybuf, gh, gav, gyv, gdv;
    int b, d0, pBase;

    SimdSelectiveBackwardWorker(Selective s, float[] u, float[] delta, float[] at, float[] B, float[] C,
                                float[] Dskip, float[] z, float[] checkpoints, float[] gOut, float[] gLast,
                                float[] gu, float[] gDelta, float[] gz, float[] gh0, float[] pA, float[] pB,
                                float[] pC, float[] pD) {
        this.s = s;
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
        hbuf = new float[(chunk + 1) * hStride];
        abuf = new float[chunk * nn * V];
        ybuf = new float[chunk * V];
        gh = new float[nt * V];
        gav = new float[nn * V];
        gyv = new float[V];
        gdv = new float[V];
    }

    /**
     * The backward of sequence b, channels [d0, d0+V); gB, gC partials go to pB, pC at pBase. gh starts
     * at gLast (or 0) and ends as gh0 = ∂L/∂h0.
     */
    void run(int b, int d0, int pBase) {
        this.b = b;
        this.d0 = d0;
        this.pBase = pBase;
        SimdSelectiveScan.gatherState(s, gLast, b, d0, gh);
        java.util.Arrays.fill(gav, 0f);
        java.util.Arrays.fill(gdv, 0f);
        for (int ck = s.chunks() - 1; ck >= 0; ck--) {
            int t0 = ck * s.chunk();
            int t1 = Math.min(len, t0 + s.chunk());
            recompute(ck, t0, t1);
            for (int t = t1 - 1; t >= t0; t--) {
                reverseStep(t, t - t0 + 1);
            }
        }
        for (int m = 0; m < nn; m++) {
            System.arraycopy(gav, m * V, pA, (b * nn + m) * dd + d0, V);
        }
        if (pD != null) {
            System.arraycopy(gdv, 0, pD, b * dd + d0, V);
        }
        if (gh0 != null) {
            SimdSelectiveScan.scatterState(s, gh, b, d0, gh0);
        }
    }

    /** hbuf[0] = checkpoint ck = h_{t0-1}; hbuf[j] = h_{t0+j-1}, abuf[j-1] = ā_{t0+j-1}, ybuf[j-1] = y. */
    private void recompute(int ck, int t0, int t1) {
        int cp = ((b * s.chunks() + ck) * nt) * dd + d0;
        for (int n = 0; n < nt; n++) {
            FloatVector.fromArray(S, checkpoints, cp + n * dd).intoArray(hbuf, n * V);
        }
        for (int t = t0; t < t1; t++) {
            recomputeStep(t, t - t0 + 1);
        }
    }

    private void recomputeStep(int t, int j) {
        int x = (b * len + t) * dd + d0;
        int bn = (b * len + t) * nt;
        FloatVector dt = FloatVector.fromArray(S, delta, x);
        FloatVector uu = FloatVector.fromArray(S, u, x);
        FloatVector du = dt.mul(uu);
        FloatVector y = FloatVector.zero(S);
        int hp = (j - 1) * hStride;
        int hc = j * hStride;
        if (s.polarizeOne()) {
            FloatVector h = FloatVector.fromArray(S, hbuf, hp).add(du.mul(B[bn]));
            h.intoArray(hbuf, hc);
            y = y.add(h.mul(C[bn]));
        }
        for (int m = 0; m < nn; m++) {
            int n = m + off;
            FloatVector a = VectorMath.exp(dt.mul(FloatVector.fromArray(S, at, m * dd + d0)));
            a.intoArray(abuf, ((j - 1) * nn + m) * V);
            FloatVector h = a.mul(FloatVector.fromArray(S, hbuf, hp + n * V)).add(du.mul(B[bn + n]));
            h.intoArray(hbuf, hc + n * V);
            y = y.add(h.mul(C[bn + n]));
        }
        if (s.polarizeZero()) {
            int n = nt - 1;
            FloatVector h = du.mul(B[bn + n]);
            h.intoArray(hbuf, hc + n * V);
            y = y.add(h.mul(C[bn + n]));
        }
        if (z != null) {
            if (Dskip != null) {
                y = y.add(FloatVector.fromArray(S, Dskip, d0).mul(uu));
            }
            y.intoArray(ybuf, (j - 1) * V);
        }
    }

    /** Step t (j = its index in hbuf) backwards: writes gu, gDelta, gz at t; updates gh, gav, gdv, pB, pC. */
    private void reverseStep(int t, int j) {
        int x = (b * len + t) * dd + d0;
        int bn = (b * len + t) * nt;
        int hp = (j - 1) * hStride;
        int hc = j * hStride;
        if (z != null) {
            gateBackward(x, j);
        } else {
            FloatVector.fromArray(S, gOut, x).intoArray(gyv, 0);
        }
        FloatVector gy = FloatVector.fromArray(S, gyv, 0);
        FloatVector dt = FloatVector.fromArray(S, delta, x);
        FloatVector uu = FloatVector.fromArray(S, u, x);
        FloatVector du = dt.mul(uu);
        if (Dskip != null) {
            FloatVector.fromArray(S, gdv, 0).add(gy.mul(uu)).intoArray(gdv, 0);   // ∂y/∂D = u
        }
        FloatVector sumGB = FloatVector.zero(S);                 // Σ_n ∂L/∂h_t[n] B_t[n]
        FloatVector gdt = FloatVector.zero(S);
        if (s.polarizeOne()) {
            FloatVector ghn = FloatVector.fromArray(S, gh, 0).add(gy.mul(C[bn]));
            pC[pBase + bn] += VectorMath.sum(FloatVector.fromArray(S, hbuf, hc).mul(gy));
            pB[pBase + bn] += VectorMath.sum(ghn.mul(du));
            sumGB = sumGB.add(ghn.mul(B[bn]));
            ghn.intoArray(gh, 0);                                // ā ≡ 1
        }
        for (int m = 0; m < nn; m++) {
            int n = m + off;
            // ghn = total ∂L/∂h_t[n];  gC += h_t gy;  gB += ghn Δ u
            FloatVector ghn = FloatVector.fromArray(S, gh, n * V).add(gy.mul(C[bn + n]));
            pC[pBase + bn + n] += VectorMath.sum(FloatVector.fromArray(S, hbuf, hc + n * V).mul(gy));
            pB[pBase + bn + n] += VectorMath.sum(ghn.mul(du));
            sumGB = sumGB.add(ghn.mul(B[bn + n]));
            FloatVector a = FloatVector.fromArray(S, abuf, ((j - 1) * nn + m) * V);
            FloatVector q = ghn.mul(FloatVector.fromArray(S, hbuf, hp + n * V)).mul(a);   // ∂L/∂ā · ā
            gdt = gdt.add(q.mul(FloatVector.fromArray(S, at, m * dd + d0)));           // ∂ā/∂Δ = ā A
            FloatVector.fromArray(S, gav, m * V).add(q.mul(dt)).intoArray(gav, m * V); // ∂ā/∂A = ā Δ
            a.mul(ghn).intoArray(gh, n * V);
        }
        if (s.polarizeZero()) {
            int n = nt - 1;
            FloatVector ghn = FloatVector.fromArray(S, gh, n * V).add(gy.mul(C[bn + n]));
            pC[pBase + bn + n] += VectorMath.sum(FloatVector.fromArray(S, hbuf, hc + n * V).mul(gy));
            pB[pBase + bn + n] += VectorMath.sum(ghn.mul(du));
            sumGB = sumGB.add(ghn.mul(B[bn + n]));
            FloatVector.zero(S).intoArray(gh, n * V);           // ā ≡ 0
        }
        FloatVector guv = sumGB.mul(dt);                         // ∂(Δ u B)/∂u = Δ B
        if (Dskip != null) {
            guv = gy.mul(FloatVector.fromArray(S, Dskip, d0)).add(guv);
        }
        guv.intoArray(gu, x);
        gdt.add(sumGB.mul(uu)).intoArray(gDelta, x);             // ∂(Δ u B)/∂Δ = u B
    }

    /** out = y · silu(z):  gy = g · silu(z) into gyv;  gz = g · y · σ(z)(1 + z(1 - σ(z))). */
    private void gateBackward(int x, int j) {
        FloatVector g = FloatVector.fromArray(S, gOut, x);
        FloatVector zv = FloatVector.fromArray(S, z, x);
        FloatVector sg = sigmoid(zv);
        g.mul(zv.mul(sg)).intoArray(gyv, 0);
        FloatVector dsilu = sg.mul(zv.mul(sg.neg().add(1f)).add(1f));
        g.mul(FloatVector.fromArray(S, ybuf, (j - 1) * V)).mul(dsilu).intoArray(gz, x);
    }
}
