package org.ssmlab.opencl;

import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Gemm;
import org.ssmlab.simd.Scans;
import org.ssmlab.simd.Scans.Selective;

/**
 * A quick benchmark of the OpenCL backend against the SIMD backend, printing {@code name=value} lines:
 * <ul>
 *   <li>GEMM: for n = 256, 512, 1024 it times {@code C = A · B} on n x n matrices after a warm-up,
 *       {@code opencl_gemm{n}_gflops} and {@code simd_gemm{n}_gflops} (2n³ flops per product);</li>
 *   <li>the fused selective scan of Mamba at batch 4, L 1024, D 128, N 16 (no polarization, with skip
 *       and gate): the forward alone ({@code *_selscan_fwd_ms}, with checkpoints) and forward plus
 *       backward ({@code *_selscan_fwdbwd_ms}), best wall time in milliseconds.</li>
 * </ul>
 * The OpenCL figures include the host-device copies, as the backend does them on every call.
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
            Selective s = new Selective(4, 1024, 128, 16, false, false, Scans.DEFAULT_CHUNK);
            for (boolean backward : new boolean[] {false, true}) {
                String what = backward ? "_selscan_fwdbwd_ms" : "_selscan_fwd_ms";
                if (cl != null) {
                    try {
                        print("opencl" + what, scanMillis(cl.backend().scans(), s, backward));
                    } catch (RuntimeException e) {
                        System.out.println("# opencl" + what + " failed: " + e);
                    }
                }
                print("simd" + what, scanMillis(Backend.simd().scans(), s, backward));
            }
        }
    }

    /**
     * The best wall time in milliseconds of one selective scan forward (with checkpoints), plus its
     * backward when {@code backward}, after a warm-up; Δ in [0.01, 0.5] and A in [-3, -0.5] as in training.
     */
    static double scanMillis(Scans k, Selective s, boolean backward) {
        SplittableRandom r = new SplittableRandom(7);
        int bld = s.batch() * s.len() * s.d();
        int bln = s.batch() * s.len() * s.nTotal();
        float[] u = random(r, bld, -1, 1);
        float[] delta = random(r, bld, 0.01, 0.5);
        float[] a = random(r, s.d() * s.n(), -3, -0.5);
        float[] b = random(r, bln, -1, 1);
        float[] c = random(r, bln, -1, 1);
        float[] dskip = random(r, s.d(), -1, 1);
        float[] z = random(r, bld, -2, 2);
        float[] gOut = random(r, bld, -1, 1);
        float[] out = new float[bld];
        float[] cp = new float[s.checkpointSize()];
        float[] gu = new float[bld];
        float[] gd = new float[bld];
        float[] gA = new float[s.d() * s.n()];
        float[] gB = new float[bln];
        float[] gC = new float[bln];
        float[] gD = new float[s.d()];
        float[] gz = new float[bld];
        Runnable once = () -> {
            k.selectiveForward(s, u, delta, a, b, c, dskip, z, null, out, cp, null);
            if (backward) {
                k.selectiveBackward(s, u, delta, a, b, c, dskip, z, null, cp, gOut, null, gu, gd, gA, gB, gC, gD, gz,
                        null);
            }
        };
        long warmEnd = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < 2 || System.nanoTime() < warmEnd; i++) {
            once.run();
        }
        double best = Double.MAX_VALUE;
        long measureEnd = System.nanoTime() + 1_500_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < measureEnd; i++) {
            long t0 = System.nanoTime();
            once.run();
            best = Math.min(best, (System.nanoTime() - t0) * 1e-6);
        }
        return best;
    }

    private static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return x;
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
