package org.ssmlab.experiments;

import java.nio.file.Path;
import java.util.Map;
import org.ssmlab.runs.RunTasks;

/**
 * The kinds of run ssmlab executes from a {@link org.ssmlab.runs.RunSpec}, by command: what a local grid
 * and a cluster worker run, and all that a worker runs.
 */
public final class KnownRuns {

    private KnownRuns() {
    }

    /**
     * Every known run kind; {@code progress} draws progress bars on a terminal. Depth runs on the Brown
     * corpus and corruption runs on MNIST read their data from this machine's cache.
     */
    public static RunTasks tasks(boolean progress) {
        return tasks(progress, DataCache.brownDir(), null);
    }

    /**
     * As {@link #tasks(boolean)}, with the Brown corpus of depth runs read from {@code brownDir} and MNIST
     * from {@code mnistDir} (null: the cache).
     */
    public static RunTasks tasks(boolean progress, Path brownDir, Path mnistDir) {
        return RunTasks.of(Map.of("recall", Recall.task(progress), "depth", DepthRuns.task(brownDir, progress),
                "needle", NeedleRuns.task(progress), "corruption", CorruptionRuns.task(progress, mnistDir)));
    }
}
