package org.ssmlab.simd;

import java.lang.invoke.VarHandle;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernels of {@link SimdGemm}, one per {@link GemmTile}: each computes
 * {@code acc[r, 0..vectors·L] = Σ_p Apanel[p, r] · Bpanel[p, 0..vectors·L]} for r below {@code rows},
 * from packed panels (A: {@code rows} values per step p, B: {@code vectors·L} values per step), and
 * stores the tile row by row into {@code acc} (row stride vectors·L). The caller adds alpha · acc into C.
 *
 * <p>Every accumulator is a local variable written out by name, so that C2 keeps all of them in vector
 * registers for the whole inner loop: each step loads the B vectors once, broadcasts one A value per
 * row and does one fused multiply-add per accumulator. The loop runs two steps per iteration (C2 does
 * not unroll a body this large), which halves the index arithmetic per fused multiply-add.
 *
 * <p>A tile needs rows·vectors accumulators + vectors B vectors + one broadcast. C2's scheduler,
 * though, may issue all of a step's broadcast loads before the first multiply-add, which needs rows
 * broadcast registers at once: with AVX2's 16 registers the 6 × 2 tile then spills an accumulator to
 * the stack (a load and a store on every step, in the loop-carried chain) and runs at half speed. In
 * the two 16-register tiles (4 × 2, 6 × 2), a {@link VarHandle#loadLoadFence()} before each broadcast
 * (no instruction on x86; it only keeps a later load from being hoisted above it) makes each broadcast
 * load issue next to its multiply-adds, so one or two broadcast registers suffice and nothing spills.
 * The 32-register tiles (8 × 2, 12 × 2) do not spill without the fences and ran about 10% faster
 * without them (one thread, AVX-512: 90 against 81 GFLOP/s at n = 256). Nothing else in a kernel reads
 * memory that another thread writes, so the fences order nothing that matters for correctness.
 */
final class GemmMicroKernels {

    static final VectorSpecies<Float> S = SimdGemm.S;
    static final int L = S.length();

    private GemmMicroKernels() {
    }

    /** The 4 × 2-vector tile: 8 accumulators. */
    static void rows4x2(float[] ap, int aBase, float[] bp, int bBase, int kc, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        int ao = aBase;
        int bo = bBase;
        int pairs = kc & ~1;
        for (int p = 0; p < pairs; p += 2, ao += 8, bo += 4 * L) {
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
                FloatVector a = FloatVector.broadcast(S, ap[ao]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
            }
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo + 2 * L);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + 2 * L + L);
                VarHandle.loadLoadFence();
                FloatVector a = FloatVector.broadcast(S, ap[ao + 4]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 4 + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 4 + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 4 + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
            }
        }
        if (pairs < kc) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0);
            c0_1 = a.fma(b1, c0_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0);
            c1_1 = a.fma(b1, c1_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0);
            c2_1 = a.fma(b1, c2_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0);
            c3_1 = a.fma(b1, c3_1);
        }
        c0_0.intoArray(acc, 0);
        c0_1.intoArray(acc, L);
        c1_0.intoArray(acc, 2 * L);
        c1_1.intoArray(acc, 3 * L);
        c2_0.intoArray(acc, 4 * L);
        c2_1.intoArray(acc, 5 * L);
        c3_0.intoArray(acc, 6 * L);
        c3_1.intoArray(acc, 7 * L);
    }

    /** The 6 × 2-vector tile: 12 accumulators. */
    static void rows6x2(float[] ap, int aBase, float[] bp, int bBase, int kc, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z;
        int ao = aBase;
        int bo = bBase;
        int pairs = kc & ~1;
        for (int p = 0; p < pairs; p += 2, ao += 12, bo += 4 * L) {
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
                FloatVector a = FloatVector.broadcast(S, ap[ao]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 4]);
                c4_0 = a.fma(b0, c4_0);
                c4_1 = a.fma(b1, c4_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 5]);
                c5_0 = a.fma(b0, c5_0);
                c5_1 = a.fma(b1, c5_1);
            }
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo + 2 * L);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + 2 * L + L);
                VarHandle.loadLoadFence();
                FloatVector a = FloatVector.broadcast(S, ap[ao + 6]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 6 + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 6 + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 6 + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 6 + 4]);
                c4_0 = a.fma(b0, c4_0);
                c4_1 = a.fma(b1, c4_1);
                VarHandle.loadLoadFence();
                a = FloatVector.broadcast(S, ap[ao + 6 + 5]);
                c5_0 = a.fma(b0, c5_0);
                c5_1 = a.fma(b1, c5_1);
            }
        }
        if (pairs < kc) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0);
            c0_1 = a.fma(b1, c0_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0);
            c1_1 = a.fma(b1, c1_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0);
            c2_1 = a.fma(b1, c2_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0);
            c3_1 = a.fma(b1, c3_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c4_0 = a.fma(b0, c4_0);
            c4_1 = a.fma(b1, c4_1);
            VarHandle.loadLoadFence();
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c5_0 = a.fma(b0, c5_0);
            c5_1 = a.fma(b1, c5_1);
        }
        c0_0.intoArray(acc, 0);
        c0_1.intoArray(acc, L);
        c1_0.intoArray(acc, 2 * L);
        c1_1.intoArray(acc, 3 * L);
        c2_0.intoArray(acc, 4 * L);
        c2_1.intoArray(acc, 5 * L);
        c3_0.intoArray(acc, 6 * L);
        c3_1.intoArray(acc, 7 * L);
        c4_0.intoArray(acc, 8 * L);
        c4_1.intoArray(acc, 9 * L);
        c5_0.intoArray(acc, 10 * L);
        c5_1.intoArray(acc, 11 * L);
    }

    /** The 8 × 2-vector tile: 16 accumulators. */
    static void rows8x2(float[] ap, int aBase, float[] bp, int bBase, int kc, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z, c6_0 = z, c6_1 = z, c7_0 = z, c7_1 = z;
        int ao = aBase;
        int bo = bBase;
        int pairs = kc & ~1;
        for (int p = 0; p < pairs; p += 2, ao += 16, bo += 4 * L) {
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
                FloatVector a = FloatVector.broadcast(S, ap[ao]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                a = FloatVector.broadcast(S, ap[ao + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                a = FloatVector.broadcast(S, ap[ao + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                a = FloatVector.broadcast(S, ap[ao + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
                a = FloatVector.broadcast(S, ap[ao + 4]);
                c4_0 = a.fma(b0, c4_0);
                c4_1 = a.fma(b1, c4_1);
                a = FloatVector.broadcast(S, ap[ao + 5]);
                c5_0 = a.fma(b0, c5_0);
                c5_1 = a.fma(b1, c5_1);
                a = FloatVector.broadcast(S, ap[ao + 6]);
                c6_0 = a.fma(b0, c6_0);
                c6_1 = a.fma(b1, c6_1);
                a = FloatVector.broadcast(S, ap[ao + 7]);
                c7_0 = a.fma(b0, c7_0);
                c7_1 = a.fma(b1, c7_1);
            }
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo + 2 * L);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + 2 * L + L);
                FloatVector a = FloatVector.broadcast(S, ap[ao + 8]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 4]);
                c4_0 = a.fma(b0, c4_0);
                c4_1 = a.fma(b1, c4_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 5]);
                c5_0 = a.fma(b0, c5_0);
                c5_1 = a.fma(b1, c5_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 6]);
                c6_0 = a.fma(b0, c6_0);
                c6_1 = a.fma(b1, c6_1);
                a = FloatVector.broadcast(S, ap[ao + 8 + 7]);
                c7_0 = a.fma(b0, c7_0);
                c7_1 = a.fma(b1, c7_1);
            }
        }
        if (pairs < kc) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0);
            c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0);
            c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0);
            c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0);
            c3_1 = a.fma(b1, c3_1);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c4_0 = a.fma(b0, c4_0);
            c4_1 = a.fma(b1, c4_1);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c5_0 = a.fma(b0, c5_0);
            c5_1 = a.fma(b1, c5_1);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c6_0 = a.fma(b0, c6_0);
            c6_1 = a.fma(b1, c6_1);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c7_0 = a.fma(b0, c7_0);
            c7_1 = a.fma(b1, c7_1);
        }
        c0_0.intoArray(acc, 0);
        c0_1.intoArray(acc, L);
        c1_0.intoArray(acc, 2 * L);
        c1_1.intoArray(acc, 3 * L);
        c2_0.intoArray(acc, 4 * L);
        c2_1.intoArray(acc, 5 * L);
        c3_0.intoArray(acc, 6 * L);
        c3_1.intoArray(acc, 7 * L);
        c4_0.intoArray(acc, 8 * L);
        c4_1.intoArray(acc, 9 * L);
        c5_0.intoArray(acc, 10 * L);
        c5_1.intoArray(acc, 11 * L);
        c6_0.intoArray(acc, 12 * L);
        c6_1.intoArray(acc, 13 * L);
        c7_0.intoArray(acc, 14 * L);
        c7_1.intoArray(acc, 15 * L);
    }

    /** The 12 × 2-vector tile: 24 accumulators. */
    static void rows12x2(float[] ap, int aBase, float[] bp, int bBase, int kc, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z, c6_0 = z, c6_1 = z, c7_0 = z, c7_1 = z;
        FloatVector c8_0 = z, c8_1 = z, c9_0 = z, c9_1 = z, c10_0 = z, c10_1 = z, c11_0 = z, c11_1 = z;
        int ao = aBase;
        int bo = bBase;
        int pairs = kc & ~1;
        for (int p = 0; p < pairs; p += 2, ao += 24, bo += 4 * L) {
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
                FloatVector a = FloatVector.broadcast(S, ap[ao]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                a = FloatVector.broadcast(S, ap[ao + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                a = FloatVector.broadcast(S, ap[ao + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                a = FloatVector.broadcast(S, ap[ao + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
                a = FloatVector.broadcast(S, ap[ao + 4]);
                c4_0 = a.fma(b0, c4_0);
                c4_1 = a.fma(b1, c4_1);
                a = FloatVector.broadcast(S, ap[ao + 5]);
                c5_0 = a.fma(b0, c5_0);
                c5_1 = a.fma(b1, c5_1);
                a = FloatVector.broadcast(S, ap[ao + 6]);
                c6_0 = a.fma(b0, c6_0);
                c6_1 = a.fma(b1, c6_1);
                a = FloatVector.broadcast(S, ap[ao + 7]);
                c7_0 = a.fma(b0, c7_0);
                c7_1 = a.fma(b1, c7_1);
                a = FloatVector.broadcast(S, ap[ao + 8]);
                c8_0 = a.fma(b0, c8_0);
                c8_1 = a.fma(b1, c8_1);
                a = FloatVector.broadcast(S, ap[ao + 9]);
                c9_0 = a.fma(b0, c9_0);
                c9_1 = a.fma(b1, c9_1);
                a = FloatVector.broadcast(S, ap[ao + 10]);
                c10_0 = a.fma(b0, c10_0);
                c10_1 = a.fma(b1, c10_1);
                a = FloatVector.broadcast(S, ap[ao + 11]);
                c11_0 = a.fma(b0, c11_0);
                c11_1 = a.fma(b1, c11_1);
            }
            {
                FloatVector b0 = FloatVector.fromArray(S, bp, bo + 2 * L);
                FloatVector b1 = FloatVector.fromArray(S, bp, bo + 2 * L + L);
                FloatVector a = FloatVector.broadcast(S, ap[ao + 12]);
                c0_0 = a.fma(b0, c0_0);
                c0_1 = a.fma(b1, c0_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 1]);
                c1_0 = a.fma(b0, c1_0);
                c1_1 = a.fma(b1, c1_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 2]);
                c2_0 = a.fma(b0, c2_0);
                c2_1 = a.fma(b1, c2_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 3]);
                c3_0 = a.fma(b0, c3_0);
                c3_1 = a.fma(b1, c3_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 4]);
                c4_0 = a.fma(b0, c4_0);
                c4_1 = a.fma(b1, c4_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 5]);
                c5_0 = a.fma(b0, c5_0);
                c5_1 = a.fma(b1, c5_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 6]);
                c6_0 = a.fma(b0, c6_0);
                c6_1 = a.fma(b1, c6_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 7]);
                c7_0 = a.fma(b0, c7_0);
                c7_1 = a.fma(b1, c7_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 8]);
                c8_0 = a.fma(b0, c8_0);
                c8_1 = a.fma(b1, c8_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 9]);
                c9_0 = a.fma(b0, c9_0);
                c9_1 = a.fma(b1, c9_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 10]);
                c10_0 = a.fma(b0, c10_0);
                c10_1 = a.fma(b1, c10_1);
                a = FloatVector.broadcast(S, ap[ao + 12 + 11]);
                c11_0 = a.fma(b0, c11_0);
                c11_1 = a.fma(b1, c11_1);
            }
        }
        if (pairs < kc) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0);
            c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0);
            c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0);
            c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0);
            c3_1 = a.fma(b1, c3_1);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c4_0 = a.fma(b0, c4_0);
            c4_1 = a.fma(b1, c4_1);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c5_0 = a.fma(b0, c5_0);
            c5_1 = a.fma(b1, c5_1);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c6_0 = a.fma(b0, c6_0);
            c6_1 = a.fma(b1, c6_1);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c7_0 = a.fma(b0, c7_0);
            c7_1 = a.fma(b1, c7_1);
            a = FloatVector.broadcast(S, ap[ao + 8]);
            c8_0 = a.fma(b0, c8_0);
            c8_1 = a.fma(b1, c8_1);
            a = FloatVector.broadcast(S, ap[ao + 9]);
            c9_0 = a.fma(b0, c9_0);
            c9_1 = a.fma(b1, c9_1);
            a = FloatVector.broadcast(S, ap[ao + 10]);
            c10_0 = a.fma(b0, c10_0);
            c10_1 = a.fma(b1, c10_1);
            a = FloatVector.broadcast(S, ap[ao + 11]);
            c11_0 = a.fma(b0, c11_0);
            c11_1 = a.fma(b1, c11_1);
        }
        c0_0.intoArray(acc, 0);
        c0_1.intoArray(acc, L);
        c1_0.intoArray(acc, 2 * L);
        c1_1.intoArray(acc, 3 * L);
        c2_0.intoArray(acc, 4 * L);
        c2_1.intoArray(acc, 5 * L);
        c3_0.intoArray(acc, 6 * L);
        c3_1.intoArray(acc, 7 * L);
        c4_0.intoArray(acc, 8 * L);
        c4_1.intoArray(acc, 9 * L);
        c5_0.intoArray(acc, 10 * L);
        c5_1.intoArray(acc, 11 * L);
        c6_0.intoArray(acc, 12 * L);
        c6_1.intoArray(acc, 13 * L);
        c7_0.intoArray(acc, 14 * L);
        c7_1.intoArray(acc, 15 * L);
        c8_0.intoArray(acc, 16 * L);
        c8_1.intoArray(acc, 17 * L);
        c9_0.intoArray(acc, 18 * L);
        c9_1.intoArray(acc, 19 * L);
        c10_0.intoArray(acc, 20 * L);
        c10_1.intoArray(acc, 21 * L);
        c11_0.intoArray(acc, 22 * L);
        c11_1.intoArray(acc, 23 * L);
    }
}
