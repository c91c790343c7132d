package org.ssmlab.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;
import org.ssmlab.simd.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab bench gemm}: single-precision GEMM throughput (C = A·B, square n×n) for each size, in
 * GFLOP/s (2n³ flops per product), on the current backend (SIMD unless {@code --backend} says otherwise) with
 * all of {@link Parallel#threads()} threads.
 * With {@code --peer} it also times EJML's dense multiply and OpenBLAS (through NumPy, bench/gemm_peer.py)
 * with the same thread count in the same run, and ends with the ratio at 1024.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "GEMM GFLOP/s per size; --peer adds EJML and OpenBLAS in the same run.")
public final class GemmBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "64,128,256,512,1024",
            description = "Square sizes n (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--seconds", defaultValue = "1.0", description = "Measuring time per size (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--peer", description = "Also measure EJML and OpenBLAS (NumPy) and print the ratios.")
    boolean peer;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (int n : sizes) {
            if (n < 1 || n > 8192) {
                throw new IllegalArgumentException("--sizes: " + n + " is not in 1..8192");
            }
        }
        out.println("backend=" + Backend.current().name());
        out.println("threads=" + Parallel.threads());
        out.println("vector_bits=" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        out.flush();
        Gemm gemm = Backend.current().gemm();
        double ours1024 = Double.NaN;
        for (int n : sizes) {
            float[] a = random(n * n, 1);
            float[] b = random(n * n, 2);
            float[] c = new float[n * n];
            double s = Timing.secondsPerCall(() -> gemm.gemm(false, false, n, n, n, 1f, a, 0, b, 0, 0f, c, 0),
                    Math.min(1.0, seconds), seconds);
            double gf = 2.0 * n * n * n / s / 1e9;
            if (n == 1024) {
                ours1024 = gf;
            }
            out.printf("gemm%d_gflops=%.1f%n", n, gf);
            out.flush();
        }
        if (!peer) {
            return 0;
        }
        int n = 1024;
        FMatrixRMaj ea = new FMatrixRMaj(n, n, true, random(n * n, 1));
        FMatrixRMaj eb = new FMatrixRMaj(n, n, true, random(n * n, 2));
        FMatrixRMaj ec = new FMatrixRMaj(n, n);
        double ejml = 2.0 * n * n * n / Timing.secondsPerCall(() -> CommonOps_FDRM.mult(ea, eb, ec), 1.0, seconds) / 1e9;
        out.printf("ejml_gemm1024_gflops=%.1f%n", ejml);
        out.flush();
        String sizeList = String.join(",", sizes.stream().map(String::valueOf).toList());
        Map<String, Double> peerValues = PeerScript.run("gemm_peer.py", "numpy",
                List.of("--threads", String.valueOf(Parallel.threads()), "--sizes", sizeList,
                        "--seconds", String.valueOf(seconds)),
                line -> {
                    out.println(line);
                    out.flush();
                });
        Double blas = peerValues.get("openblas_gemm1024_gflops");
        if (!Double.isNaN(ours1024)) {
            out.printf("gemm1024_ratio_vs_ejml=%.2f%n", ours1024 / ejml);
            if (blas != null) {
                out.printf("gemm1024_ratio_vs_openblas=%.2f%n", ours1024 / blas);
            }
        }
        return 0;
    }

    private static float[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }
}
