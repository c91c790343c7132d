package org.ssmlab.runs;

import java.io.IOException;
import java.util.List;

/**
 * Runs a list of specs and returns their results in order, storing each as it finishes and skipping
 * those stored already: {@link LocalExecutor} in this process, {@code ClusterExecutor} on the members of
 * a cluster. Either way a run's result depends only on its spec (and the recorded thread count, which
 * does not change the bits).
 */
public interface RunExecutor {

    /** The results of {@code specs}, in their order. */
    List<RunResult> runAll(List<RunSpec> specs) throws IOException;
}
