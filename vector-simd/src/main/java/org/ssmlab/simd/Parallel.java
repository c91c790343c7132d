package org.ssmlab.simd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread pool of the engine, and a deterministic parallel-for on it.
 *
 * <p>The thread count is {@code -Dssmlab.threads=N} (default: the number of cores); {@link #withThreads}
 * sets another one for the work of one calling thread (a run on a cluster member uses the count its
 * submitter fixed). Work is split into contiguous ranges in a fixed way that depends only on the range
 * and the thread count, so the same seed and thread count give the same bits. A parallel-for called
 * from inside a pool thread runs inline, so nested kernels never deadlock.
 */
public final class Parallel {

    private static final int THREADS = Math.max(1,
            Integer.getInteger("ssmlab.threads", Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
    /** The thread count {@link #withThreads} set for the calling thread; null: {@link #THREADS}. */
    private static final ThreadLocal<Integer> WIDTH = new ThreadLocal<>();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
        Thread t = new Thread(() -> {
            IN_POOL.set(true);
            r.run();
        }, "ssmlab-worker");
        t.setDaemon(true);
        return t;
    });

    /** A loop body over the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {
    }

    /** The number of threads kernels split their work over (on this thread: see {@link #withThreads}). */
    public static int threads() {
        Integer w = WIDTH.get();
        return w == null ? THREADS : w;
    }

    /**
     * Runs {@code body} on the calling thread with every parallel-for inside it run inline, as if
     * {@code -Dssmlab.threads=1}: several such calls on their own threads are independent runs side by
     * side, one core each, with the bits of a one-thread run.
     */
    public static <T> T serially(java.util.concurrent.Callable<T> body) throws Exception {
        return withThreads(1, body);
    }

    /**
     * Runs {@code body} on the calling thread as if {@code -Dssmlab.threads=n}: its parallel-fors split
     * into at most {@code n} ranges (run on the pool, so more ranges than cores simply queue), and
     * {@code n = 1} runs them inline. The ranges, hence the bits, are those of a process started with
     * {@code n} threads, whatever this machine's core count.
     */
    public static <T> T withThreads(int n, java.util.concurrent.Callable<T> body) throws Exception {
        if (n < 1) {
            throw new IllegalArgumentException("Parallel.withThreads: thread count " + n + " must be at least 1");
        }
        Integer widthWas = WIDTH.get();
        boolean inPoolWas = IN_POOL.get();
        WIDTH.set(n);
        if (n == 1) {
            IN_POOL.set(true);
        }
        try {
            return body.call();
        } finally {
            WIDTH.set(widthWas);
            IN_POOL.set(inPoolWas);
        }
    }

    /**
     * Runs {@code body} over [0, n), split into at most {@link #threads()} contiguous ranges, each at
     * least {@code minChunk} long; the caller's thread takes the first range. Returns when all are done;
     * an exception in any range is rethrown here.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        int parts = Math.min(threads(), Math.max(1, n / Math.max(1, minChunk)));
        if (parts <= 1 || IN_POOL.get()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            futures.add(POOL.submit(() -> body.run(from, to)));
        }
        RuntimeException first = null;
        IN_POOL.set(true); // nested parallel-fors inside the caller's range run inline, as in the workers
        try {
            body.run(0, (int) ((long) n / parts));
        } catch (RuntimeException e) {
            first = e;
        } finally {
            IN_POOL.set(false);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Parallel.forRange interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
