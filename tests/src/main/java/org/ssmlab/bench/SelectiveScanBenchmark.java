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
import org.ssmlab.simd.Scans;
import org.ssmlab.simd.Scans.Selective;

/**
 * JMH: the fused selective scan (Mamba, Eq. 3) with skip D and gate z at batch 4, L 1024, D 128, N 16
 * on the SIMD backend with two threads, forward alone and forward + backward, without and with
 * polarization (N_total = 18). The PyTorch peer of the same computation is {@code bench/scan_peer.py}
 * (Python loop over time, and a log-depth parallel scan), which reports seconds per forward + backward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dssmlab.threads=2"})
public class SelectiveScanBenchmark {

    @Param({"false", "true"})
    public boolean polarized;

    final int batch = 4;
    final int len = 1024;
    final int d = 128;
    final int n = 16;

    Selective s;
    float[] u, delta, A, B, C, D, z, gOut;
    float[] out, checkpoints, last;
    float[] gu, gDelta, gA, gB, gC, gD, gz;
    final Scans scans = Backend.simd().scans();

    @Setup
    public void setup() {
        s = Selective.of(batch, len, d, n, polarized, polarized);
        SplittableRandom r = new SplittableRandom(1);
        int bld = batch * len * d;
        int bln = batch * len * s.nTotal();
        u = fill(r, bld, -1, 1);
        delta = fill(r, bld, 0.001, 0.1);      // softplus(Δ bias) range of the reference initialisation
        A = fill(r, d * n, -16, -1);           // -exp(A_log), A_log = log(1..16)
        B = fill(r, bln, -1, 1);
        C = fill(r, bln, -1, 1);
        D = fill(r, d, 0, 1);
        z = fill(r, bld, -1, 1);
        gOut = fill(r, bld, -1, 1);
        out = new float[bld];
        checkpoints = new float[s.checkpointSize()];
        last = new float[s.stateSize()];
        gu = new float[bld];
        gDelta = new float[bld];
        gA = new float[d * n];
        gB = new float[bln];
        gC = new float[bln];
        gD = new float[d];
        gz = new float[bld];
    }

    private static float[] fill(SplittableRandom r, int size, double lo, double hi) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return x;
    }

    @Benchmark
    public float[] forward() {
        scans.selectiveForward(s, u, delta, A, B, C, D, z, null, out, checkpoints, last);
        return out;
    }

    @Benchmark
    public float[] forwardBackward() {
        scans.selectiveForward(s, u, delta, A, B, C, D, z, null, out, checkpoints, last);
        scans.selectiveBackward(s, u, delta, A, B, C, D, z, null, checkpoints, gOut, null, gu, gDelta, gA, gB, gC, gD,
                gz, null);
        return gu;
    }
}
