package org.ssmlab.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ssmlab.simd.Parallel;

/**
 * How a command with several independent runs (seeds, grid cells) uses the cores: several runs side by
 * side with one thread each, or one run at a time with all of {@link Parallel#threads()} threads.
 *
 * <p>Which is faster was measured with {@code ./ssmlab bench runs} (README) on two cores with nothing
 * else running: two runs side by side gave 1.61 (rounds 1.24, 1.88, 1.61) times the tokens per second
 * of one run on two threads at the MQAR default preset (d_model 32, length 64), and 1.37 (1.26–1.51) at
 * the depth command's Markov-corpus preset (d_model 64, length 256): these models are too small for
 * their products to gain from a second thread as much as a second run does. So the default puts as many
 * runs side by side as there are threads ({@link #sideBySide(int)}), each on one thread;
 * {@code -Dssmlab.runs.parallel=N} sets N instead (1: one run at a time, with all threads).
 *
 * <p>Each side-by-side run is {@link Parallel#serially serial}, so it gives the bits of a one-thread
 * run whatever else runs beside it; results come back in the order of the runs.
 */
public final class RunConcurrency {

    /** The system property that sets how many runs go side by side. */
    public static final String PROPERTY = "ssmlab.runs.parallel";

    private RunConcurrency() {
    }

    /**
     * Runs side by side for {@code runs} independent runs: min(runs, N) with N from the property, or
     * this machine's thread count when it is not set.
     */
    public static int sideBySide(int runs) {
        int wanted = Integer.getInteger(PROPERTY, Parallel.threads());
        if (wanted < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted + ": must be at least 1");
        }
        return sideBySide(runs, wanted);
    }

    /** Runs side by side for {@code runs} independent runs when at most {@code width} may go at once: min(runs, width), at least 1. */
    public static int sideBySide(int runs, int width) {
        return Math.max(1, Math.min(runs, width));
    }

    /** The threads each run gets when {@code width} runs go side by side: all of them for one run at a time, else 1. */
    public static int threadsPerRun(int width) {
        return width == 1 ? Parallel.threads() : 1;
    }

    /**
     * Runs every task and returns their results in order: one at a time (with all threads) when
     * {@code width} is 1, else {@code width} at once (as many as {@link #sideBySide} says), each on its own
     * thread and serial inside. The first failure is rethrown (unchecked) after the others have finished.
     */
    public static <T> List<T> runAll(List<? extends Callable<T>> tasks, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("RunConcurrency.runAll: width " + width + " must be at least 1");
        }
        List<T> results = new ArrayList<>(tasks.size());
        if (width == 1) {
            for (Callable<T> task : tasks) {
                results.add(call(task));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(width, r -> {
            Thread t = new Thread(r, "ssmlab-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> Parallel.serially(task)));
            }
            RuntimeException first = null;
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    results.add(null);
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException re ? re
                                : new IllegalStateException(e.getCause().getMessage(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("RunConcurrency.runAll interrupted", e);
                }
            }
            if (first != null) {
                throw first;
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }

    private static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
