package org.ssmlab.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
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
 * JMH: square single-precision GEMM C = A·B on the SIMD backend with two threads (the machine's
 * cores), against EJML's dense multiply. GFLOP/s = 2n³ / (time per op). {@link GemmBenchmarkOneThread}
 * runs the same with one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dssmlab.threads=2"})
public class GemmBenchmark {

    @Param({"64", "128", "256", "512", "1024"})
    public int n;

    float[] a;
    float[] b;
    float[] c;
    FMatrixRMaj ea;
    FMatrixRMaj eb;
    FMatrixRMaj ec;
    final Gemm gemm = Backend.simd().gemm();

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
        ea = new FMatrixRMaj(n, n, true, a);
        eb = new FMatrixRMaj(n, n, true, b);
        ec = new FMatrixRMaj(n, n);
    }

    @Benchmark
    public float[] simd() {
        gemm.gemm(false, false, n, n, n, 1f, a, 0, b, 0, 0f, c, 0);
        return c;
    }

    @Benchmark
    public float[] simdTransposedB() {
        gemm.gemm(false, true, n, n, n, 1f, a, 0, b, 0, 0f, c, 0);
        return c;
    }

    @Benchmark
    public FMatrixRMaj ejml() {
        CommonOps_FDRM.mult(ea, eb, ec);
        return ec;
    }
}
