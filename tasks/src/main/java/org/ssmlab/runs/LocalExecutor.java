package org.ssmlab.runs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs a list of specs in this process, each through its {@link RunTask}: a spec whose result is stored
 * already is not run again, every other result is stored as soon as its run ends, so a stopped grid
 * continues where it stopped. The runs go one at a time with all threads, or side by side on one thread
 * each, as {@link RunConcurrency} decides ({@code -Dssmlab.runs.parallel=N}); either way a run's result
 * depends only on its spec.
 */
public final class LocalExecutor {

    private final RunStore store;
    private final RunTask task;
    private final Consumer<String> log;

    public LocalExecutor(RunStore store, RunTask task, Consumer<String> log) {
        this.store = store;
        this.task = task;
        this.log = log;
    }

    /** The results of {@code specs}, in their order. */
    public List<RunResult> runAll(List<RunSpec> specs) throws IOException {
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
                long t0 = System.nanoTime();
                RunResult.Outcome o = task.execute(spec, store.runDir(spec));
                RunResult r = new RunResult(spec, new TreeMap<>(o.figures()), o.finalStep(), o.stoppedEarly(),
                        (System.nanoTime() - t0) / 1e9);
                store.save(r);
                return r;
            });
        }
        try {
            return RunConcurrency.runAll(runs);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;                                   // a failed run or store keeps its own exception type
            }
            throw e;
        }
    }
}
