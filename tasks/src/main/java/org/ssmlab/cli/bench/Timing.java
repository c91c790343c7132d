package org.ssmlab.cli.bench;

import java.util.Arrays;

/**
 * Wall-clock timing for the quick benchmarks: a warm-up long enough for C2 to compile the vector
 * code, then batches of calls, reporting the median batch (robust to a stray pause on a shared machine).
 */
public final class Timing {

    private Timing() {
    }

    /**
     * Median seconds per call of {@code body}, after {@code warmupSeconds} of warm-up, measured over
     * batches for about {@code measureSeconds} (at least three batches).
     */
    public static double secondsPerCall(Runnable body, double warmupSeconds, double measureSeconds) {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long calls = 0;
        long start = System.nanoTime();
        do {
            body.run();
            calls++;
        } while (System.nanoTime() < warmEnd || calls < 2);
        double perCall = (System.nanoTime() - start) / 1e9 / calls;
        int batch = (int) Math.max(1, Math.min(1_000_000, 0.05 / Math.max(perCall, 1e-9)));
        double[] samples = new double[1024];
        int count = 0;
        long end = System.nanoTime() + (long) (measureSeconds * 1e9);
        while ((System.nanoTime() < end || count < 3) && count < samples.length) {
            long t = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                body.run();
            }
            samples[count++] = (System.nanoTime() - t) / 1e9 / batch;
        }
        double[] s = Arrays.copyOf(samples, count);
        Arrays.sort(s);
        return s[count / 2];
    }
}
