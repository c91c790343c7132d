package org.ssmlab.runs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.ssmlab.simd.Parallel;

/**
 * Runs a list of specs in this process, each through its {@link RunTask}: a spec whose result is stored
 * already is not run again, every other result is stored as soon as its run ends, so a stopped grid
 * continues where it stopped. The runs go side by side on one thread each, or one at a time with all
 * threads, as {@link RunConcurrency} decides (by default as many side by side as there are threads;
 * {@code -Dssmlab.runs.parallel=N}); a run's result depends only on its spec and its thread count, which
 * it records.
 */
public final class LocalExecutor implements RunExecutor {

    private final RunStore store;
    private final RunTask task;
    private final Consumer<String> log;
    /** Runs side by side, or null for {@link RunConcurrency#sideBySide}'s choice. */
    private final Integer width;

    /** Runs {@code task} for each spec, storing into {@code store}, side by side as {@link RunConcurrency} decides. */
    public LocalExecutor(RunStore store, RunTask task, Consumer<String> log) {
        this(store, task, log, null);
    }

    /** As above with {@code width} runs side by side (1: one at a time, with all threads). */
    public LocalExecutor(RunStore store, RunTask task, Consumer<String> log, Integer width) {
        if (width != null && width < 1) {
            throw new IllegalArgumentException("LocalExecutor: width " + width + " must be at least 1");
        }
        this.store = store;
        this.task = task;
        this.log = log;
        this.width = width;
    }

    /**
     * Executes one spec with its kernels split over {@code threads} threads ({@link Parallel#withThreads})
     * and returns its result, timed; the one way a run is executed, here and on a cluster member.
     */
    public static RunResult execute(RunTask task, RunSpec spec, Path runDir, int threads) throws IOException {
        long t0 = System.nanoTime();
        RunResult.Outcome o;
        try {
            o = Parallel.withThreads(threads, () -> task.execute(spec, runDir));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(spec.key() + ": " + e.getMessage(), e);
        }
        return new RunResult(spec, new TreeMap<>(o.figures()), o.finalStep(), o.stoppedEarly(),
                (System.nanoTime() - t0) / 1e9, threads);
    }

    /** The results of {@code specs}, in their order. */
    @Override
    public List<RunResult> runAll(List<RunSpec> specs) throws IOException {
        int side = width != null ? RunConcurrency.sideBySide(specs.size(), width) : RunConcurrency.sideBySide(specs.size());
        int threads = RunConcurrency.threadsPerRun(side);
        List<Callable<RunResult>> runs = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            RunSpec spec = specs.get(i);
            String position = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, specs.size(), spec.label());
            Optional<RunResult> done = store.result(spec);
            if (done.isPresent()) {
                log.accept(position + ": finished before (" + spec.key() + ")");
                runs.add(done::get);
                continue;
            }
            runs.add(() -> {
                log.accept(position + ": running (" + spec.key() + ")");
                RunResult r = execute(task, spec, store.runDir(spec), threads);
                store.save(r);
                return r;
            });
        }
        try {
            return RunConcurrency.runAll(runs, side);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;                                   // a failed run or store keeps its own exception type
            }
            throw e;
        }
    }
}
