package org.ssmlab.cli.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;
import org.ssmlab.simd.Parallel;
import org.ssmlab.simd.SimdGemm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab bench gemm}: single-precision GEMM throughput (C = A·B, square n×n) for each size, in
 * GFLOP/s (2n³ flops per product), on the current backend (SIMD unless {@code --backend} says otherwise) with
 * all of {@link Parallel#threads()} threads.
 * With {@code --peer} it also times OpenBLAS (through NumPy, bench/gemm_peer.py) with the same thread
 * count in the same run, {@code --rounds} times (ours, then OpenBLAS, each round), and EJML's dense multiply
 * once; it ends with the ratios per size (median and smallest over the rounds). {@code --isa avx2|avx512}
 * runs both sides with that instruction set ({@link Isa}).
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

    @Mixin
    BenchOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (int n : sizes) {
            if (n < 1 || n > 8192) {
                throw new IllegalArgumentException("--sizes: " + n + " is not in 1..8192");
            }
        }
        Integer elsewhere = options.runElsewhereIfNeeded(spec);
        if (elsewhere != null) {
            return elsewhere;
        }
        out.println("backend=" + Backend.current().name());
        BenchOptions.printMachine(out, options.isa);
        out.println("gemm_tile=" + SimdGemm.machineTileName());
        out.println("timing=" + options.timingName());
        out.flush();
        Gemm gemm = Backend.current().gemm();
        int rounds = peer ? options.rounds : 1;
        Map<Integer, double[]> ratios = new TreeMap<>();
        String sizeList = String.join(",", sizes.stream().map(String::valueOf).toList());
        for (int round = 0; round < rounds; round++) {
            Map<Integer, Double> ours = new TreeMap<>();
            for (int n : sizes) {
                float[] a = random(n * n, 1);
                float[] b = random(n * n, 2);
                float[] c = new float[n * n];
                Runnable product = () -> gemm.gemm(false, false, n, n, n, 1f, a, 0, b, 0, 0f, c, 0);
                double s = options.measure(clock -> Timing.secondsPerCall(product, Math.min(1.0, seconds), seconds, clock));
                double gf = 2.0 * n * n * n / s / 1e9;
                ours.put(n, gf);
                out.printf("gemm%d_gflops=%.1f%n", n, gf);
                out.flush();
            }
            if (!peer) {
                return 0;
            }
            Map<String, Double> peerValues = PeerScript.run("gemm_peer.py", "numpy",
                    concat(options.peerThreadArgs(), List.of("--sizes", sizeList, "--seconds", String.valueOf(seconds))),
                    options.peerEnvironment(),
                    line -> {
                        out.println(line);
                        out.flush();
                    });
            for (int n : sizes) {
                Double blas = peerValues.get("openblas_gemm" + n + "_gflops");
                if (blas != null) {
                    ratios.computeIfAbsent(n, key -> new double[rounds])[round] = ours.get(n) / blas;
                    out.printf("round%d_gemm%d_ratio_vs_openblas=%.2f%n", round + 1, n, ours.get(n) / blas);
                }
            }
            out.flush();
        }
        if (sizes.contains(1024) && !options.cpuTime) {
            int n = 1024;
            float[] a = random(n * n, 1);
            float[] b = random(n * n, 2);
            float[] c = new float[n * n];
            double ours = 2.0 * n * n * n / Timing.secondsPerCall(
                    () -> gemm.gemm(false, false, n, n, n, 1f, a, 0, b, 0, 0f, c, 0), 0.5, seconds) / 1e9;
            FMatrixRMaj ea = new FMatrixRMaj(n, n, true, a);
            FMatrixRMaj eb = new FMatrixRMaj(n, n, true, b);
            FMatrixRMaj ec = new FMatrixRMaj(n, n);
            double ejml = 2.0 * n * n * n / Timing.secondsPerCall(() -> CommonOps_FDRM.mult(ea, eb, ec), 1.0, seconds) / 1e9;
            out.printf("ejml_gemm1024_gflops=%.1f%n", ejml);
            out.printf("gemm1024_ratio_vs_ejml=%.2f%n", ours / ejml);
        }
        for (Map.Entry<Integer, double[]> e : ratios.entrySet()) {
            BenchOptions.printSummary(out, "gemm" + e.getKey() + "_ratio_vs_openblas", e.getValue(), "%.2f");
        }
        out.printf("load_average_end=%.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return 0;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
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
