package org.ssmlab.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;

/**
 * JMH, one thread: products with a thin operand or result. First the six products of one attention
 * head of width h over L positions, as causal self-attention's forward and backward call them. Forward: scores S = Q·Kᵀ (L×h·h×L) and
 * Y = P·V (L×L·L×h). Backward: dP = G·Vᵀ, dV = Pᵀ·G, dQ = dS·K, dKᵀ = Qᵀ·dS. One side of every
 * product is thin (h = 8 is narrower than one AVX-512 register), which is where packing, not
 * arithmetic, sets the time. Then Mamba's x_proj at the training benchmark's size: (B·L, d_inner) times
 * Wᵀ with W (dt_rank + 2·d_state, d_inner) = (40, 256), a result 40 columns wide.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dssmlab.threads=1"})
public class ThinGemmBenchmark {

    /** Sequence length: 784 is sequential MNIST. */
    @Param({"784"})
    public int len;

    /** Head width. */
    @Param({"8"})
    public int h;

    private static final int XPROJ_ROWS = 16 * 256;
    private static final int XPROJ_IN = 256;
    private static final int XPROJ_OUT = 40;

    float[] thinA;
    float[] thinB;
    float[] square;
    float[] outSquare;
    float[] outThin;
    float[] tokens;
    float[] projection;
    float[] projected;
    final Gemm gemm = Backend.simd().gemm();

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        thinA = fill(new float[len * h], r);
        thinB = fill(new float[len * h], r);
        square = fill(new float[len * len], r);
        outSquare = new float[len * len];
        outThin = new float[len * h];
        tokens = fill(new float[XPROJ_ROWS * XPROJ_IN], r);
        projection = fill(new float[XPROJ_OUT * XPROJ_IN], r);
        projected = new float[XPROJ_ROWS * XPROJ_OUT];
    }

    private static float[] fill(float[] x, SplittableRandom r) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    /** S = Q·Kᵀ with Kᵀ stored (h, L): (L, h)·(h, L). */
    @Benchmark
    public float[] scores() {
        gemm.gemm(false, false, len, len, h, 1f, thinA, 0, thinB, 0, 0f, outSquare, 0);
        return outSquare;
    }

    /** Y = P·V: (L, L)·(L, h). */
    @Benchmark
    public float[] probsTimesValues() {
        gemm.gemm(false, false, len, h, len, 1f, square, 0, thinB, 0, 0f, outThin, 0);
        return outThin;
    }

    /** dP = G·Vᵀ: (L, h)·(h, L) with V stored (L, h). */
    @Benchmark
    public float[] gradProbs() {
        gemm.gemm(false, true, len, len, h, 1f, thinA, 0, thinB, 0, 0f, outSquare, 0);
        return outSquare;
    }

    /** dV = Pᵀ·G: (L, L)ᵀ·(L, h). */
    @Benchmark
    public float[] gradValues() {
        gemm.gemm(true, false, len, h, len, 1f, square, 0, thinB, 0, 0f, outThin, 0);
        return outThin;
    }

    /** dQ = dS·K with K as Kᵀ stored (h, L): (L, L)·(h, L)ᵀ. */
    @Benchmark
    public float[] gradQueries() {
        gemm.gemm(false, true, len, h, len, 1f, square, 0, thinA, 0, 0f, outThin, 0);
        return outThin;
    }

    /** dKᵀ = Qᵀ·dS: (L, h)ᵀ·(L, L). */
    @Benchmark
    public float[] gradKeys() {
        gemm.gemm(true, false, h, len, len, 1f, thinA, 0, square, 0, 0f, outThin, 0);
        return outThin;
    }

    /** x_proj: (4096, 256)·(40, 256)ᵀ. */
    @Benchmark
    public float[] xProj() {
        gemm.gemm(false, true, XPROJ_ROWS, XPROJ_OUT, XPROJ_IN, 1f, tokens, 0, projection, 0, 0f, projected, 0);
        return projected;
    }
}
