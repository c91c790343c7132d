package org.ssmlab.simd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread pool of the engine, and a deterministic parallel-for on it.
 *
 * <p>The thread count is {@code -Dssmlab.threads=N} (default: the number of cores); {@link #withThreads}
 * sets another one for the work of one calling thread (a run on a cluster member uses the count its
 * submitter fixed). Work is split into contiguous ranges in a fixed way that depends only on the range
 * and the thread count, so the same seed and thread count give the same bits. A parallel-for called
 * from inside a pool thread runs inline, so nested kernels never deadlock.
 *
 * <p>A training step is hundreds of parallel-fors of a few hundred microseconds each. A worker that
 * slept between them would take tens of microseconds to wake, as would the caller waiting for it, so
 * both spin for {@code -Dssmlab.spinMicros} (default {@value #DEFAULT_SPIN_MICROS}; 0: sleep at once)
 * before they sleep, as OpenMP runtimes and OpenBLAS do. The spin is a {@link Thread#onSpinWait} loop.
 */
public final class Parallel {

    private static final int THREADS = Math.max(1,
            Integer.getInteger("ssmlab.threads", Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
    /** The thread count {@link #withThreads} set for the calling thread; null: {@link #THREADS}. */
    private static final ThreadLocal<Integer> WIDTH = new ThreadLocal<>();
    static final int DEFAULT_SPIN_MICROS = 100;
    private static final long SPIN_NANOS = 1000L * Math.max(0, Integer.getInteger("ssmlab.spinMicros", DEFAULT_SPIN_MICROS));
    private static final ExecutorService POOL = new ThreadPoolExecutor(Math.max(1, THREADS - 1), Math.max(1, THREADS - 1),
            0L, TimeUnit.MILLISECONDS, new SpinningQueue(), r -> {
                Thread t = new Thread(() -> {
                    IN_POOL.set(true);
                    r.run();
                }, "ssmlab-worker");
                t.setDaemon(true);
                return t;
            });

    /** The pool's queue: an idle worker polls it for {@link #SPIN_NANOS} before it blocks. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        @Override
        public Runnable take() throws InterruptedException {
            long start = System.nanoTime();
            while (System.nanoTime() - start < SPIN_NANOS) {
                Runnable r = poll();
                if (r != null) {
                    return r;
                }
                Thread.onSpinWait();
            }
            return super.take();
        }
    }

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
        long start = System.nanoTime();
        for (Future<?> f : futures) {
            while (!f.isDone() && System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            }
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
