package org.ssmlab.opencl;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.ssmlab.simd.Scans;
import org.ssmlab.simd.SimdScans;

/**
 * {@link Scans} on an OpenCL device ({@code scans.cl}): every recurrence is parallel across
 * batch × channels (one work-item per (sequence, channel), or per (sequence, model channel) for the
 * selective scan, whose N_total state channels the item keeps in private memory) and sequential
 * across time. Formulas are those of the scalar twin ({@link org.ssmlab.simd.ScalarScans}), operation
 * by operation (exp of the step in float, the gate's sigmoid in double when the device has it); so
 * the results differ from the SIMD kernels only in the ulps of exp and in the order of the d-sums of
 * gB and gC.
 *
 * <ul>
 *   <li>The selective forward writes the checkpoints in the layout of {@link Scans.Selective}
 *       ((batch, chunks, N_total, D)), and the backward reads them from there: a forward on any backend
 *       serves a backward on any other.</li>
 *   <li>The selective backward recomputes each chunk from its checkpoint into device scratch of
 *       (min(chunk, L) + 1) · N_total floats per item; gB and gC sum over d in work-groups of a fixed
 *       {@value #SEL_GROUP} items (barriers in uniform control flow), and the host adds the groups'
 *       partials, and gA, gD over the batch, in a fixed order.</li>
 * </ul>
 *
 * <p>Arguments are checked before, by {@link org.ssmlab.simd.CheckedScans} (the
 * {@link org.ssmlab.simd.Backend} wraps these kernels in it). Falls back to the SIMD kernels (given as
 * {@code fallback}, unchecked) when a call moves fewer than {@code threshold} floats, when it is
 * empty, when N_total exceeds {@value #MAX_NT} (the private state of an item) or when the backward's
 * scratch would exceed {@value #MAX_SCRATCH} floats.
 */
final class OpenClScans implements Scans {

    private static final String PROGRAM = "scans";
    /** scans.cl's MAX_NT: the most state channels an item holds. */
    static final int MAX_NT = 64;
    /** scans.cl's SEL_GROUP: work-group size of the selective backward. */
    static final int SEL_GROUP = 64;
    /** The most floats of recomputation scratch the selective backward allocates on the device. */
    static final long MAX_SCRATCH = 1L << 27;

    private final OpenClContext ctx;
    private final Scans fallback;
    private final int threshold;

    OpenClScans(OpenClContext ctx, Scans fallback, int threshold) {
        this.ctx = ctx;
        this.fallback = fallback;
        this.threshold = threshold;
    }

    /** Device buffers of one call, released together (last allocated first). */
    private final class Buffers implements AutoCloseable {
        private final Deque<ClBuffer> all = new ArrayDeque<>();

        /** A copy of {@code src[0 .. n)} on the device; a one-float placeholder when src is null. */
        ClBuffer in(float[] src, long n) {
            ClBuffer b = src == null ? ClBuffer.allocate(ctx, 1, Sizeof.cl_float)
                    : ClBuffer.upload(ctx, src, 0, Math.toIntExact(n));
            all.push(b);
            return b;
        }

        /** An uninitialised buffer of {@code n} floats. */
        ClBuffer out(long n) {
            ClBuffer b = ClBuffer.allocate(ctx, Math.toIntExact(n), Sizeof.cl_float);
            all.push(b);
            return b;
        }

        @Override
        public void close() {
            while (!all.isEmpty()) {
                all.pop().close();
            }
        }
    }

    private static int flag(Object o) {
        return o == null ? 0 : 1;
    }

    private static long size(float[] a, long n) {
        return a == null ? 0 : n;
    }

    // ------------------------------------------------------------------ diagonal, real

    @Override
    public void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h,
                         float[] hLast) {
        long n = (long) batch * len * channels;
        long bc = (long) batch * channels;
        if (n == 0 || 3 * n + size(h0, bc) + size(hLast, bc) < threshold) {
            fallback.diagonal(batch, len, channels, a, b, h0, h, hLast);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "diagonal_forward");
            try (Buffers bufs = new Buffers()) {
                ClBuffer ba = bufs.in(a, n);
                ClBuffer bb = bufs.in(b, n);
                ClBuffer bh0 = bufs.in(h0, bc);
                ClBuffer bh = bufs.out(n);
                ClBuffer bl = bufs.out(bc);
                OpenClContext.setArgs(kernel, batch, len, channels, ba, bb, flag(h0), bh0, bh, bl);
                ctx.run1D(kernel, bc);
                bh.readInto(ctx, h, 0, (int) n);
                if (hLast != null) {
                    bl.readInto(ctx, hLast, 0, (int) bc);
                }
            }
        }
    }

    @Override
    public void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                                 float[] gLast, float[] ga, float[] gb, float[] gh0) {
        long n = (long) batch * len * channels;
        long bc = (long) batch * channels;
        if (n == 0 || 5 * n + size(h0, bc) + size(gLast, bc) + size(gh0, bc) < threshold) {
            fallback.diagonalBackward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "diagonal_backward");
            try (Buffers bufs = new Buffers()) {
                ClBuffer ba = bufs.in(a, n);
                ClBuffer bh0 = bufs.in(h0, bc);
                ClBuffer bh = bufs.in(h, n);
                ClBuffer bgH = bufs.in(gH, n);
                ClBuffer bgl = bufs.in(gLast, bc);
                ClBuffer bga = bufs.out(n);
                ClBuffer bgb = bufs.out(n);
                ClBuffer bg0 = bufs.out(bc);
                OpenClContext.setArgs(kernel, batch, len, channels, ba, flag(h0), bh0, bh, bgH, flag(gLast), bgl,
                        bga, bgb, bg0);
                ctx.run1D(kernel, bc);
                bga.readInto(ctx, ga, 0, (int) n);
                bgb.readInto(ctx, gb, 0, (int) n);
                if (gh0 != null) {
                    bg0.readInto(ctx, gh0, 0, (int) bc);
                }
            }
        }
    }

    // ------------------------------------------------------------------ diagonal, complex

    @Override
    public void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                                Complex hLast) {
        long n = (long) batch * len * channels;
        long bc = (long) batch * channels;
        if (n == 0 || 6 * n + 2 * (flag(h0) + flag(hLast)) * bc < threshold) {
            fallback.complexDiagonal(batch, len, channels, a, b, h0, h, hLast);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "complex_forward");
            try (Buffers bufs = new Buffers()) {
                ClBuffer aRe = bufs.in(a.re(), n);
                ClBuffer aIm = bufs.in(a.im(), n);
                ClBuffer bRe = bufs.in(b.re(), n);
                ClBuffer bIm = bufs.in(b.im(), n);
                ClBuffer h0Re = bufs.in(h0 == null ? null : h0.re(), bc);
                ClBuffer h0Im = bufs.in(h0 == null ? null : h0.im(), bc);
                ClBuffer hRe = bufs.out(n);
                ClBuffer hIm = bufs.out(n);
                ClBuffer lRe = bufs.out(bc);
                ClBuffer lIm = bufs.out(bc);
                OpenClContext.setArgs(kernel, batch, len, channels, aRe, aIm, bRe, bIm, flag(h0), h0Re, h0Im,
                        hRe, hIm, lRe, lIm);
                ctx.run1D(kernel, bc);
                hRe.readInto(ctx, h.re(), 0, (int) n);
                hIm.readInto(ctx, h.im(), 0, (int) n);
                if (hLast != null) {
                    lRe.readInto(ctx, hLast.re(), 0, (int) bc);
                    lIm.readInto(ctx, hLast.im(), 0, (int) bc);
                }
            }
        }
    }

    @Override
    public void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                                        Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        long n = (long) batch * len * channels;
        long bc = (long) batch * channels;
        if (n == 0 || 10 * n + 2 * (flag(h0) + flag(gLast) + flag(gh0)) * bc < threshold) {
            fallback.complexDiagonalBackward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
            return;
        }
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "complex_backward");
            try (Buffers bufs = new Buffers()) {
                ClBuffer aRe = bufs.in(a.re(), n);
                ClBuffer aIm = bufs.in(a.im(), n);
                ClBuffer h0Re = bufs.in(h0 == null ? null : h0.re(), bc);
                ClBuffer h0Im = bufs.in(h0 == null ? null : h0.im(), bc);
                ClBuffer hRe = bufs.in(h.re(), n);
                ClBuffer hIm = bufs.in(h.im(), n);
                ClBuffer gHRe = bufs.in(gH.re(), n);
                ClBuffer gHIm = bufs.in(gH.im(), n);
                ClBuffer glRe = bufs.in(gLast == null ? null : gLast.re(), bc);
                ClBuffer glIm = bufs.in(gLast == null ? null : gLast.im(), bc);
                ClBuffer gaRe = bufs.out(n);
                ClBuffer gaIm = bufs.out(n);
                ClBuffer gbRe = bufs.out(n);
                ClBuffer gbIm = bufs.out(n);
                ClBuffer g0Re = bufs.out(bc);
                ClBuffer g0Im = bufs.out(bc);
                OpenClContext.setArgs(kernel, batch, len, channels, aRe, aIm, flag(h0), h0Re, h0Im, hRe, hIm,
                        gHRe, gHIm, flag(gLast), glRe, glIm, gaRe, gaIm, gbRe, gbIm, g0Re, g0Im);
                ctx.run1D(kernel, bc);
                gaRe.readInto(ctx, ga.re(), 0, (int) n);
                gaIm.readInto(ctx, ga.im(), 0, (int) n);
                gbRe.readInto(ctx, gb.re(), 0, (int) n);
                gbIm.readInto(ctx, gb.im(), 0, (int) n);
                if (gh0 != null) {
                    g0Re.readInto(ctx, gh0.re(), 0, (int) bc);
                    g0Im.readInto(ctx, gh0.im(), 0, (int) bc);
                }
            }
        }
    }

    // ------------------------------------------------------------------ selective

    /** Floats of the inputs u, Δ, A, B, C, D, z of a selective call. */
    private static long selectiveInputs(Selective s, float[] Dskip, float[] z) {
        long bld = (long) s.batch() * s.len() * s.d();
        long bln = (long) s.batch() * s.len() * s.nTotal();
        return 2 * bld + (long) s.d() * s.n() + 2 * bln + size(Dskip, s.d()) + size(z, bld);
    }

    @Override
    public void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints,
                                 float[] hLast) {
        long bld = (long) s.batch() * s.len() * s.d();
        long bd = (long) s.batch() * s.d();
        long moved = selectiveInputs(s, Dskip, z) + size(h0, s.stateSize()) + bld
                + size(checkpoints, s.checkpointSize()) + size(hLast, s.stateSize());
        if (bld == 0 || s.nTotal() > MAX_NT || moved < threshold) {
            fallback.selectiveForward(s, u, delta, A, B, C, Dskip, z, h0, out, checkpoints, hLast);
            return;
        }
        long bln = (long) s.batch() * s.len() * s.nTotal();
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "selective_forward");
            try (Buffers bufs = new Buffers()) {
                ClBuffer bu = bufs.in(u, bld);
                ClBuffer bdt = bufs.in(delta, bld);
                ClBuffer bA = bufs.in(A, (long) s.d() * s.n());
                ClBuffer bB = bufs.in(B, bln);
                ClBuffer bC = bufs.in(C, bln);
                ClBuffer bD = bufs.in(Dskip, s.d());
                ClBuffer bz = bufs.in(z, bld);
                ClBuffer bh0 = bufs.in(h0, s.stateSize());
                ClBuffer bo = bufs.out(bld);
                ClBuffer bcp = checkpoints == null ? bufs.out(1) : bufs.out(s.checkpointSize());
                ClBuffer bl = bufs.out(s.stateSize());
                OpenClContext.setArgs(kernel, s.batch(), s.len(), s.d(), s.n(), s.polarizeOne() ? 1 : 0,
                        s.polarizeZero() ? 1 : 0, s.chunk(), bu, bdt, bA, bB, bC, flag(Dskip), bD, flag(z), bz,
                        flag(h0), bh0, bo, flag(checkpoints), bcp, bl);
                ctx.run1D(kernel, bd);
                bo.readInto(ctx, out, 0, (int) bld);
                if (checkpoints != null) {
                    bcp.readInto(ctx, checkpoints, 0, s.checkpointSize());
                }
                if (hLast != null) {
                    bl.readInto(ctx, hLast, 0, s.stateSize());
                }
            }
        }
    }

    @Override
    public void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] h0, float[] checkpoints, float[] gOut,
                                  float[] gLast, float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC,
                                  float[] gD, float[] gz, float[] gh0) {
        int batch = s.batch();
        int len = s.len();
        int dd = s.d();
        int nn = s.n();
        int nt = s.nTotal();
        long bld = (long) batch * len * dd;
        long bln = (long) batch * len * nt;
        int dGroups = (dd + SEL_GROUP - 1) / SEL_GROUP;
        long items = (long) batch * dGroups * SEL_GROUP;
        int span = Math.min(s.chunk(), len);       // steps recomputed at a time
        long scratch = items * ((span + 1L) * nt + span);
        long moved = selectiveInputs(s, Dskip, z) + s.checkpointSize() + 3 * bld + (long) dd * nn + 2 * bln
                + size(Dskip, dd) + size(z, bld) + size(gLast, s.stateSize()) + size(gh0, s.stateSize());
        if (bld == 0 || nt > MAX_NT || scratch > MAX_SCRATCH || moved < threshold) {
            fallback.selectiveBackward(s, u, delta, A, B, C, Dskip, z, h0, checkpoints, gOut, gLast, gu, gDelta, gA,
                    gB, gC, gD, gz, gh0);
            return;
        }
        float[] pA = new float[batch * nn * dd];
        float[] pD = new float[batch * dd];
        float[] pB = new float[Math.toIntExact(dGroups * bln)];
        float[] pC = new float[pB.length];
        synchronized (ctx.lock()) {
            cl_kernel kernel = ctx.kernel(PROGRAM, "selective_backward");
            if (ctx.reductionGroupSize(kernel, SEL_GROUP) != SEL_GROUP) {
                fallback.selectiveBackward(s, u, delta, A, B, C, Dskip, z, h0, checkpoints, gOut, gLast, gu, gDelta,
                        gA, gB, gC, gD, gz, gh0);
                return;
            }
            try (Buffers bufs = new Buffers()) {
                ClBuffer bu = bufs.in(u, bld);
                ClBuffer bdt = bufs.in(delta, bld);
                ClBuffer bA = bufs.in(A, (long) dd * nn);
                ClBuffer bB = bufs.in(B, bln);
                ClBuffer bC = bufs.in(C, bln);
                ClBuffer bD = bufs.in(Dskip, dd);
                ClBuffer bz = bufs.in(z, bld);
                ClBuffer bcp = bufs.in(checkpoints, s.checkpointSize());
                ClBuffer bg = bufs.in(gOut, bld);
                ClBuffer bgl = bufs.in(gLast, s.stateSize());
                ClBuffer bgu = bufs.out(bld);
                ClBuffer bgd = bufs.out(bld);
                ClBuffer bgz = bufs.out(z == null ? 1 : bld);
                ClBuffer bg0 = bufs.out(s.stateSize());
                ClBuffer bpA = bufs.out(pA.length);
                ClBuffer bpD = bufs.out(pD.length);
                ClBuffer bpB = bufs.out(pB.length);
                ClBuffer bpC = bufs.out(pC.length);
                ClBuffer hbuf = bufs.out(items * (span + 1L) * nt);
                ClBuffer ybuf = bufs.out(items * span);
                OpenClContext.setArgs(kernel, batch, len, dd, nn, s.polarizeOne() ? 1 : 0, s.polarizeZero() ? 1 : 0,
                        s.chunk(), bu, bdt, bA, bB, bC, flag(Dskip), bD, flag(z), bz, bcp, bg, flag(gLast), bgl,
                        bgu, bgd, bgz, bg0, bpA, bpD, bpB, bpC, hbuf, ybuf,
                        new OpenClContext.Local((long) nt * SEL_GROUP * Sizeof.cl_float),
                        new OpenClContext.Local((long) nt * SEL_GROUP * Sizeof.cl_float));
                ctx.run(kernel, new long[] {items}, new long[] {SEL_GROUP});
                bgu.readInto(ctx, gu, 0, (int) bld);
                bgd.readInto(ctx, gDelta, 0, (int) bld);
                if (z != null) {
                    bgz.readInto(ctx, gz, 0, (int) bld);
                }
                if (gh0 != null) {
                    bg0.readInto(ctx, gh0, 0, s.stateSize());
                }
                bpA.readInto(ctx, pA, 0, pA.length);
                bpD.readInto(ctx, pD, 0, pD.length);
                bpB.readInto(ctx, pB, 0, pB.length);
                bpC.readInto(ctx, pC, 0, pC.length);
            }
        }
        // Fixed-order sums: gB, gC over the channel groups; gA, gD over the batch.
        SimdScans.sumBackwardPartials(s, dGroups, pA, pB, pC, Dskip == null ? null : pD, gA, gB, gC, gD);
    }
}
