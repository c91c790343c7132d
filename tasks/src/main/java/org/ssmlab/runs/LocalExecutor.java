package org.ssmlab.runs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs a list of specs one after the other in this process, each through its {@link RunTask}: a spec
 * whose result is stored already is not run again, every other result is stored as soon as its run
 * ends, so a stopped grid continues where it stopped.
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
        List<RunResult> out = new ArrayList<>();
        int i = 0;
        for (RunSpec spec : specs) {
            i++;
            Optional<RunResult> done = store.result(spec);
            if (done.isPresent()) {
                log.accept(String.format(Locale.ROOT, "[%d/%d] %s: finished before (%s)", i, specs.size(), spec.label(), spec.key()));
                out.add(done.get());
                continue;
            }
            log.accept(String.format(Locale.ROOT, "[%d/%d] %s: running (%s)", i, specs.size(), spec.label(), spec.key()));
            long t0 = System.nanoTime();
            RunResult.Outcome o = task.execute(spec, store.runDir(spec));
            RunResult r = new RunResult(spec, new java.util.TreeMap<>(o.figures()), o.finalStep(), o.stoppedEarly(),
                    (System.nanoTime() - t0) / 1e9);
            store.save(r);
            out.add(r);
        }
        return out;
    }
}
