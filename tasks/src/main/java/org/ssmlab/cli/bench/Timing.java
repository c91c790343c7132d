package org.ssmlab.cli.bench;

import java.util.Arrays;

/**
 * Timing for the quick benchmarks: a warm-up until C2 has compiled the vector code ({@link #warmUp}),
 * then batches of calls, reporting the median batch (robust to a stray pause on a shared machine).
 */
public final class Timing {

    private Timing() {
    }

    /**
     * Median seconds per call of {@code body}, after {@code warmupSeconds} of warm-up, measured over
     * batches for about {@code measureSeconds} (at least three batches).
     */
    public static double secondsPerCall(Runnable body, double warmupSeconds, double measureSeconds) {
        return secondsPerCall(body, warmupSeconds, measureSeconds, System::nanoTime);
    }

    /**
     * As {@link #secondsPerCall(Runnable, double, double)}, timing the batches with {@code clock} (in
     * nanoseconds): {@link #threadCpuClock()} measures the CPU time of a one-thread body, which other
     * work on a shared machine changes much less than the wall clock.
     */
    public static double secondsPerCall(Runnable body, double warmupSeconds, double measureSeconds,
                                        java.util.function.LongSupplier clock) {
        double perCall = warmUp(body, warmupSeconds);
        int batch = (int) Math.max(1, Math.min(1_000_000, 0.05 / Math.max(perCall, 1e-9)));
        double[] samples = new double[1024];
        int count = 0;
        long end = System.nanoTime() + (long) (measureSeconds * 1e9);
        while ((System.nanoTime() < end || count < 3) && count < samples.length) {
            long t = clock.getAsLong();
            for (int i = 0; i < batch; i++) {
                body.run();
            }
            samples[count++] = (clock.getAsLong() - t) / 1e9 / batch;
        }
        double[] s = Arrays.copyOf(samples, count);
        Arrays.sort(s);
        return s[count / 2];
    }

    /**
     * Runs {@code body} for at least {@code seconds} and until it has been compiled: until no batch
     * (of about 50 ms) has been 10% faster than the best before it for half of the time spent so far
     * (and at least a second), at most 60 s. On a busy machine C2's compiler threads get little CPU,
     * and Vector API code that still runs in the interpreter is a hundred times slower, so a fixed
     * warm-up time is not enough. Returns the fastest batch's seconds per call.
     */
    static double warmUp(Runnable body, double seconds) {
        long start = System.nanoTime();
        long minEnd = start + (long) (seconds * 1e9);
        long maxEnd = start + 60_000_000_000L;
        double best = Double.MAX_VALUE;
        long lastGain = start;
        long batch = 1;
        while (true) {
            long t = System.nanoTime();
            for (long i = 0; i < batch; i++) {
                body.run();
            }
            long now = System.nanoTime();
            double perCall = (now - t) / 1e9 / batch;
            if (perCall < 0.9 * best) {
                lastGain = now;
            }
            best = Math.min(best, perCall);
            batch = Math.max(1, Math.min(1_000_000, (long) (0.05 / Math.max(perCall, 1e-9))));
            boolean settled = now - lastGain >= Math.max(1_000_000_000L, (now - start) / 2);
            if (now >= maxEnd || (now >= minEnd && settled)) {
                return best;
            }
        }
    }

    /** The calling thread's CPU time in nanoseconds (HotSpot's per-thread counter). */
    public static java.util.function.LongSupplier threadCpuClock() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx::getCurrentThreadCpuTime;
    }
}
