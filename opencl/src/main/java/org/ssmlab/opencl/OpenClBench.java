package org.ssmlab.opencl;

import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;

/**
 * A quick GEMM benchmark of the OpenCL backend against the SIMD backend: for n = 256, 512, 1024 it
 * times {@code C = A · B} on n x n matrices after a warm-up and prints {@code name=value} lines,
 * {@code opencl_gemm{n}_gflops} and {@code simd_gemm{n}_gflops} (2n³ flops per product; the OpenCL
 * figure includes the host-device copies, as the backend does them on every call).
 *
 * <p>Run it with the project's JVM flags ({@code --add-modules jdk.incubator.vector
 * --enable-native-access=ALL-UNNAMED}); arguments: an optional device spec (as
 * {@link OpenClBackend#tryCreate(String)}). Without OpenCL it prints the reason and the SIMD
 * figures only.
 */
public final class OpenClBench {

    private OpenClBench() {
    }

    /** Prints the figures; see the class comment. */
    public static void main(String[] args) {
        String spec = args.length > 0 ? args[0] : null;
        int[] sizes = {256, 512, 1024};
        try (OpenClBackend cl = OpenClBackend.tryCreate(spec, 0).orElse(null)) {
            if (cl == null) {
                System.out.println("# OpenCL unavailable: " + OpenClBackend.lastFailure());
            } else {
                System.out.println("# device=" + cl.deviceDescription());
            }
            for (int n : sizes) {
                if (cl != null) {
                    try {
                        print("opencl_gemm" + n + "_gflops", gflops(cl.backend().gemm(), n));
                    } catch (RuntimeException e) {
                        System.out.println("# opencl_gemm" + n + " failed: " + e);
                    }
                }
                print("simd_gemm" + n + "_gflops", gflops(Backend.simd().gemm(), n));
            }
        }
    }

    private static void print(String name, double value) {
        System.out.println(name + "=" + String.format(Locale.ROOT, "%.2f", value));
    }

    /** The best of several timed products after warm-up, in GFLOP/s. */
    static double gflops(Gemm gemm, int n) {
        SplittableRandom r = new SplittableRandom(42);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
            b[i] = (float) (r.nextDouble() - 0.5);
        }
        double flops = 2.0 * n * n * n;
        // Warm up (JIT, kernel compilation) for about half a second, at least 3 products.
        long warmEnd = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) {
            gemm.gemm(false, false, n, n, n, 1f, a, 0, b, 0, 0f, c, 0);
        }
        double best = Double.MAX_VALUE;
        long measureEnd = System.nanoTime() + 1_500_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < measureEnd; i++) {
            long t0 = System.nanoTime();
            gemm.gemm(false, false, n, n, n, 1f, a, 0, b, 0, 0f, c, 0);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return flops / best * 1e-9;
    }
}
