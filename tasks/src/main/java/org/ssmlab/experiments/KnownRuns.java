package org.ssmlab.experiments;

import java.util.Map;
import org.ssmlab.runs.RunTasks;

/**
 * The kinds of run ssmlab executes from a {@link org.ssmlab.runs.RunSpec}, by command: what a local grid
 * and a cluster worker run, and all that a worker runs.
 */
public final class KnownRuns {

    private KnownRuns() {
    }

    /** Every known run kind; {@code progress} draws progress bars on a terminal. */
    public static RunTasks tasks(boolean progress) {
        return RunTasks.of(Map.of("recall", Recall.task(progress)));
    }
}
