/*
 * Scan kernels of the OpenCL backend: the same formulas, operation by operation, as the scalar twin
 * (org.ssmlab.simd.ScalarScans), with one work-item per independent recurrence and time sequential
 * inside the item:
 *   - diagonal and complex diagonal scans: one item per (sequence b, channel c);
 *   - selective scan forward: one item per (sequence b, model channel d), the N_total state channels
 *     of that pair in private memory;
 *   - selective scan backward: one item per (b, d) as well, in work-groups of SEL_GROUP consecutive d
 *     of one sequence, because gB and gC sum over d: every step each group sums its items'
 *     contributions in local memory (a fixed order, so the result does not depend on scheduling).
 *
 * Float arithmetic has one rounding per operation (FP_CONTRACT OFF, no fused multiply-add), as in
 * Java. The step's exp(dt A), evaluated once per (t, d, n), is OpenCL's float exp (a few ulp, as the
 * SIMD kernels' vector EXP; in double it made the scan twice as slow on a CPU device); the gate's
 * sigmoid, once per (t, d), is evaluated in double when the device has cl_khr_fp64 (SSM_FP64) and
 * rounded once, as the scalar twin does.
 *
 * Only the selective backward has barriers. Its items never leave early: items past the last channel
 * (the last group of a sequence may be partial) compute on a clamped channel, contribute zeros and
 * write nothing, so every item of a group reaches every barrier the same number of times.
 *
 * Layouts (row-major, as in org.ssmlab.simd.Scans):
 *   diagonal:   a, b, h, gH, ga, gb (batch, L, C);  h0, hLast, gLast, gh0 (batch, C)
 *   selective:  u, delta, z, out, gOut, gu, gDelta, gz (batch, L, D);  A (D, N);  B, C, gB, gC
 *               (batch, L, N_total);  checkpoints (batch, chunks, N_total, D);  h0, hLast, gLast, gh0
 *               (batch, D, N_total)
 *   state channel order: [one-channel (a == 1) | N learnable | zero-channel (a == 0)].
 */
#pragma OPENCL FP_CONTRACT OFF

#ifdef SSM_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real_t;
#else
typedef float real_t;
#endif

/* The most state channels (N_total) a selective kernel keeps in private memory; the host checks it. */
#define MAX_NT 64
/* Work-group size of selective_backward (fixed: reqd_work_group_size below). */
#define SEL_GROUP 64

/* exp in float (a few ulp, like the SIMD kernels' vector EXP): the inner loop's one transcendental. */
inline float exp_f(float x) {
    return exp(x);
}

/* sigma(x) = 1 / (1 + e^-x), as the scalar twin: (float) (1.0 / (1.0 + Math.exp(-(double) x))). */
inline float sigmoid_f(float x) {
    return (float) ((real_t) 1 / ((real_t) 1 + exp(-(real_t) x)));
}

/* ================================================================== diagonal, real */

/*
 * h_t = a_t h_{t-1} + b_t, h_{-1} = h0 (or 0); item (b, c). hLast always receives the final state
 * (the host reads it back only when asked).
 */
__kernel void diagonal_forward(int batch, int len, int channels,
                               __global const float* a, __global const float* b,
                               int hasH0, __global const float* h0,
                               __global float* h, __global float* hLast) {
    int gid = get_global_id(0);
    if (gid >= batch * channels) {
        return;
    }
    int bi = gid / channels;
    int c = gid % channels;
    float state = hasH0 ? h0[gid] : 0.0f;
    for (int t = 0; t < len; t++) {
        long i = ((long) bi * len + t) * channels + c;
        state = a[i] * state + b[i];
        h[i] = state;
    }
    hLast[gid] = state;
}

/*
 * Backward of diagonal_forward, t = L-1 .. 0 with gamma = gLast (or 0):
 *   gamma += gH_t;  gb_t = gamma;  ga_t = gamma h_{t-1};  gamma = a_t gamma;   gh0 = gamma.
 */
__kernel void diagonal_backward(int batch, int len, int channels,
                                __global const float* a, int hasH0, __global const float* h0,
                                __global const float* h, __global const float* gH,
                                int hasGLast, __global const float* gLast,
                                __global float* ga, __global float* gb, __global float* gh0) {
    int gid = get_global_id(0);
    if (gid >= batch * channels) {
        return;
    }
    int bi = gid / channels;
    int c = gid % channels;
    float gamma = hasGLast ? gLast[gid] : 0.0f;
    for (int t = len - 1; t >= 0; t--) {
        long i = ((long) bi * len + t) * channels + c;
        gamma = gamma + gH[i];
        float prev = t > 0 ? h[i - channels] : (hasH0 ? h0[gid] : 0.0f);
        gb[i] = gamma;
        ga[i] = gamma * prev;
        gamma = a[i] * gamma;
    }
    gh0[gid] = gamma;
}

/* ================================================================== diagonal, complex */

/* h_t = a_t h_{t-1} + b_t in complex arithmetic: (ar + i ai)(re + i im) + (br + i bi). */
__kernel void complex_forward(int batch, int len, int channels,
                              __global const float* aRe, __global const float* aIm,
                              __global const float* bRe, __global const float* bIm,
                              int hasH0, __global const float* h0Re, __global const float* h0Im,
                              __global float* hRe, __global float* hIm,
                              __global float* lastRe, __global float* lastIm) {
    int gid = get_global_id(0);
    if (gid >= batch * channels) {
        return;
    }
    int bi = gid / channels;
    int c = gid % channels;
    float re = hasH0 ? h0Re[gid] : 0.0f;
    float im = hasH0 ? h0Im[gid] : 0.0f;
    for (int t = 0; t < len; t++) {
        long i = ((long) bi * len + t) * channels + c;
        float ar = aRe[i];
        float ai = aIm[i];
        float nr = ar * re - ai * im + bRe[i];
        float ni = ar * im + ai * re + bIm[i];
        re = nr;
        im = ni;
        hRe[i] = re;
        hIm[i] = im;
    }
    lastRe[gid] = re;
    lastIm[gid] = im;
}

/*
 * Backward of complex_forward on (d/dRe, d/dIm) pairs g = gr + i gi:
 *   g += gH_t;  gb_t = g;  ga_t = g conj(h_{t-1});  g = conj(a_t) g;   gh0 = g.
 */
__kernel void complex_backward(int batch, int len, int channels,
                               __global const float* aRe, __global const float* aIm,
                               int hasH0, __global const float* h0Re, __global const float* h0Im,
                               __global const float* hRe, __global const float* hIm,
                               __global const float* gHRe, __global const float* gHIm,
                               int hasGLast, __global const float* gLastRe, __global const float* gLastIm,
                               __global float* gaRe, __global float* gaIm,
                               __global float* gbRe, __global float* gbIm,
                               __global float* gh0Re, __global float* gh0Im) {
    int gid = get_global_id(0);
    if (gid >= batch * channels) {
        return;
    }
    int bi = gid / channels;
    int c = gid % channels;
    float gr = hasGLast ? gLastRe[gid] : 0.0f;
    float gi = hasGLast ? gLastIm[gid] : 0.0f;
    for (int t = len - 1; t >= 0; t--) {
        long i = ((long) bi * len + t) * channels + c;
        gr = gr + gHRe[i];
        gi = gi + gHIm[i];
        float pr = t > 0 ? hRe[i - channels] : (hasH0 ? h0Re[gid] : 0.0f);
        float pi = t > 0 ? hIm[i - channels] : (hasH0 ? h0Im[gid] : 0.0f);
        gbRe[i] = gr;
        gbIm[i] = gi;
        gaRe[i] = gr * pr + gi * pi;
        gaIm[i] = gi * pr - gr * pi;
        float ar = aRe[i];
        float ai = aIm[i];
        float nr = ar * gr + ai * gi;
        float ni = ar * gi - ai * gr;
        gr = nr;
        gi = ni;
    }
    gh0Re[gid] = gr;
    gh0Im[gid] = gi;
}

/* ================================================================== selective (Mamba) */

/*
 * One step of state channel n of model channel d:
 *   h = a h_prev + x  with a = exp(dt A[d, n - one]) on the learnable channels,
 *   h = h_prev + x on the one-channel (a == 1), h = x on the zero-channel (a == 0), both exact.
 */
inline float sel_update(int one, int zero, int nt, int nn, int n, int d, float dt,
                        __global const float* A, float prev, float x) {
    if (one && n == 0) {
        return prev + x;
    }
    if (zero && n == nt - 1) {
        return x;
    }
    return exp_f(dt * A[d * nn + n - one]) * prev + x;
}

/*
 * Forward, item (b, d), from h_{-1} = h0[b, d] (or 0):
 *   h_t[n] = a_t[n] h_{t-1}[n] + (dt_t u_t) B_t[n];   y_t = sum_n C_t[n] h_t[n] + D[d] u_t
 *   out_t = y_t silu(z_t)  (or y_t);   checkpoint k = the state before step k chunk;   hLast = h_{L-1}.
 */
__kernel void selective_forward(int batch, int len, int dd, int nn, int one, int zero, int chunk,
                                __global const float* u, __global const float* delta,
                                __global const float* A, __global const float* B, __global const float* C,
                                int hasD, __global const float* Dskip, int hasZ, __global const float* z,
                                int hasH0, __global const float* h0,
                                __global float* out, int hasCp, __global float* cp, __global float* hLast) {
    int gid = get_global_id(0);
    if (gid >= batch * dd) {
        return;
    }
    int b = gid / dd;
    int d = gid % dd;
    int nt = nn + one + zero;
    int chunks = (len + chunk - 1) / chunk;
    float h[MAX_NT];
    for (int n = 0; n < nt; n++) {
        h[n] = hasH0 ? h0[(long) gid * nt + n] : 0.0f;
    }
    for (int t = 0; t < len; t++) {
        if (hasCp && t % chunk == 0) {
            long base = ((long) b * chunks + t / chunk) * nt;
            for (int n = 0; n < nt; n++) {
                cp[(base + n) * dd + d] = h[n];
            }
        }
        long x = ((long) b * len + t) * dd + d;
        long bn = ((long) b * len + t) * nt;
        float dt = delta[x];
        float uu = u[x];
        float du = dt * uu;
        float y = 0.0f;
        if (one) {                                  /* a == 1: h += dt u B */
            h[0] = h[0] + du * B[bn];
            y = y + C[bn] * h[0];
        }
        __global const float* Ad = A + d * nn;
        for (int m = 0; m < nn; m++) {              /* h = exp(dt A) h + dt u B */
            int n = m + one;
            float hn = exp_f(dt * Ad[m]) * h[n] + du * B[bn + n];
            h[n] = hn;
            y = y + C[bn + n] * hn;
        }
        if (zero) {                                 /* a == 0: h = dt u B */
            h[nt - 1] = du * B[bn + nt - 1];
            y = y + C[bn + nt - 1] * h[nt - 1];
        }
        if (hasD) {
            y = y + Dskip[d] * uu;
        }
        out[x] = hasZ ? y * (z[x] * sigmoid_f(z[x])) : y;
    }
    for (int n = 0; n < nt; n++) {
        hLast[(long) gid * nt + n] = h[n];
    }
}

/*
 * Backward of selective_forward. Group g holds items (b, d) for one sequence b and SEL_GROUP
 * consecutive channels d. Chunk by chunk from the last, each item
 *   1. recomputes the chunk's states from its checkpoint into its column of hbuf
 *      (hbuf[(j nt + n) W + w] = h_{t0+j-1}[n], j = 0 the checkpoint; W = global size, w = item),
 *      and y_t (with the skip term) into ybuf for the gate;
 *   2. runs the chunk backwards, gh[n] carrying dL/dh_t[n] (from gLast[b, d, n], or 0, down to gh0):
 *        gy = g silu(z)                  gz = g y sigma(z)(1 + z(1 - sigma(z)))
 *        ghn = gh[n] + C_t[n] gy        (total dL/dh_t[n])
 *        gC_t[n] += h_t[n] gy            gB_t[n] += ghn dt u
 *        q = ghn h_{t-1}[n] a            (dL/da times a; learnable channels only)
 *        gDelta += q A[d, m];  gA[d, m] += q dt;  gh[n] = a ghn  (1: ghn, 0: 0 on the polarized ones)
 *        gu = gy D[d] + dt sum_n ghn B_t[n];   gDelta += u sum_n ghn B_t[n];   gD[d] += gy u.
 * gB, gC sum over the group's d in local memory (lB, lC: N_total x SEL_GROUP floats each) into the
 * group's partials pB, pC (dGroups, batch, L, N_total); gA and gD are written per sequence into
 * pA (batch, N, D) and pD (batch, D). The host adds the partials in a fixed order.
 */
__kernel __attribute__((reqd_work_group_size(SEL_GROUP, 1, 1)))
void selective_backward(int batch, int len, int dd, int nn, int one, int zero, int chunk,
                        __global const float* u, __global const float* delta,
                        __global const float* A, __global const float* B, __global const float* C,
                        int hasD, __global const float* Dskip, int hasZ, __global const float* z,
                        __global const float* cp, __global const float* gOut,
                        int hasGLast, __global const float* gLast,
                        __global float* gu, __global float* gDelta, __global float* gz, __global float* gh0,
                        __global float* pA, __global float* pD, __global float* pB, __global float* pC,
                        __global float* hbuf, __global float* ybuf,
                        __local float* lB, __local float* lC) {
    int l = get_local_id(0);
    int dGroups = (dd + SEL_GROUP - 1) / SEL_GROUP;
    int b = get_group_id(0) / dGroups;
    int dg = get_group_id(0) % dGroups;
    int dRaw = dg * SEL_GROUP + l;
    int active = dRaw < dd;
    int d = active ? dRaw : dd - 1;       /* inactive items compute on a valid channel, write nothing */
    long W = get_global_size(0);
    long w = get_global_id(0);
    int nt = nn + one + zero;
    int chunks = (len + chunk - 1) / chunk;

    float gh[MAX_NT];
    float gav[MAX_NT];
    for (int n = 0; n < nt; n++) {
        gh[n] = hasGLast ? gLast[((long) b * dd + d) * nt + n] : 0.0f;
        gav[n] = 0.0f;
    }
    float gdv = 0.0f;

    for (int ck = chunks - 1; ck >= 0; ck--) {
        int t0 = ck * chunk;
        int t1 = min(len, t0 + chunk);
        /* 1. recompute the chunk from its checkpoint */
        long cbase = ((long) b * chunks + ck) * nt;
        for (int n = 0; n < nt; n++) {
            hbuf[n * W + w] = cp[(cbase + n) * dd + d];
        }
        for (int t = t0; t < t1; t++) {
            int j = t - t0 + 1;
            long x = ((long) b * len + t) * dd + d;
            long bn = ((long) b * len + t) * nt;
            float dt = delta[x];
            float uu = u[x];
            float du = dt * uu;
            float y = 0.0f;
            for (int n = 0; n < nt; n++) {
                float hn = sel_update(one, zero, nt, nn, n, d, dt, A, hbuf[((j - 1) * nt + n) * W + w],
                                      du * B[bn + n]);
                hbuf[(j * nt + n) * W + w] = hn;
                y = y + C[bn + n] * hn;
            }
            if (hasD) {
                y = y + Dskip[d] * uu;
            }
            ybuf[(j - 1) * W + w] = y;
        }
        /* 2. the chunk backwards */
        for (int t = t1 - 1; t >= t0; t--) {
            int j = t - t0 + 1;
            long x = ((long) b * len + t) * dd + d;
            long bn = ((long) b * len + t) * nt;
            float g = gOut[x];
            float gy = g;
            if (hasZ) {
                float zx = z[x];
                float sg = sigmoid_f(zx);
                gy = g * (zx * sg);
                float gzv = g * ybuf[(j - 1) * W + w] * (sg * (1.0f + zx * (1.0f - sg)));
                if (active) {
                    gz[x] = gzv;
                }
            }
            float dt = delta[x];
            float uu = u[x];
            float du = dt * uu;
            if (hasD) {
                gdv = gdv + gy * uu;
            }
            float sumGB = 0.0f;
            float gdt = 0.0f;
            for (int n = 0; n < nt; n++) {
                float ghn = gh[n] + C[bn + n] * gy;
                lC[n * SEL_GROUP + l] = active ? hbuf[(j * nt + n) * W + w] * gy : 0.0f;
                lB[n * SEL_GROUP + l] = active ? ghn * du : 0.0f;
                sumGB = sumGB + ghn * B[bn + n];
                if (one && n == 0) {
                    gh[n] = ghn;
                } else if (zero && n == nt - 1) {
                    gh[n] = 0.0f;
                } else {
                    int m = n - one;
                    float am = A[d * nn + m];
                    float a = exp_f(dt * am);
                    float q = ghn * hbuf[((j - 1) * nt + n) * W + w] * a;
                    gdt = gdt + q * am;
                    gav[m] = gav[m] + q * dt;
                    gh[n] = a * ghn;
                }
            }
            float guv = sumGB * dt;
            if (hasD) {
                guv = gy * Dskip[d] + guv;
            }
            if (active) {
                gu[x] = guv;
                gDelta[x] = gdt + sumGB * uu;
            }
            /* gB_t, gC_t of this group: item k sums row k of lB (k < nt) or of lC, in channel order */
            barrier(CLK_LOCAL_MEM_FENCE);
            long pbase = (((long) dg * batch + b) * len + t) * nt;
            for (int k = l; k < 2 * nt; k += SEL_GROUP) {
                __local const float* row = k < nt ? lB + k * SEL_GROUP : lC + (k - nt) * SEL_GROUP;
                float s = 0.0f;
                for (int i = 0; i < SEL_GROUP; i++) {
                    s = s + row[i];
                }
                if (k < nt) {
                    pB[pbase + k] = s;
                } else {
                    pC[pbase + k - nt] = s;
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);   /* every sum has read lB, lC before the next step writes them */
        }
    }
    if (active) {
        for (int m = 0; m < nn; m++) {
            pA[((long) b * nn + m) * dd + d] = gav[m];
        }
        pD[(long) b * dd + d] = gdv;
        for (int n = 0; n < nt; n++) {
            gh0[((long) b * dd + d) * nt + n] = gh[n];
        }
    }
}
