package org.ssmlab.experiments;

import java.io.IOException;
import java.util.function.Consumer;
import org.ssmlab.runs.LocalExecutor;
import org.ssmlab.runs.RunExecutor;
import org.ssmlab.runs.RunStore;
import org.ssmlab.runs.cluster.ClusterConfig;
import org.ssmlab.runs.cluster.ClusterExecutor;
import org.ssmlab.runs.cluster.ClusterSecret;
import picocli.CommandLine.Option;

/**
 * The options of a multi-run command that say where its runs execute: here ({@link LocalExecutor}, the
 * default) or, with {@code --cluster HOST:PORT,...}, on the workers of that cluster ({@link ClusterExecutor}).
 * Either way every run goes through {@link KnownRuns} and its result is stored under the command's run
 * directory as it finishes.
 */
public final class ClusterOptions {

    @Option(names = "--cluster", paramLabel = "HOST:PORT,...",
            description = "Run on the workers of this cluster (started with ./ssmlab worker); the secret comes from "
                    + ClusterSecret.ENV + " or ~/" + ClusterSecret.FILE + ".")
    String cluster;

    @Option(names = "--run-threads", paramLabel = "N",
            description = "Threads per run on the cluster (default: 1, as a local grid runs them side by side, so "
                    + "results equal a local run's).")
    Integer runThreads;

    /** The executor the options ask for, storing into {@code store}. */
    public RunExecutor executor(RunStore store, boolean progress, Consumer<String> log) throws IOException {
        return executor(store, KnownRuns.tasks(progress), log);
    }

    /** As above, with the local runs executed by {@code local} (a worker always uses its own {@link KnownRuns}). */
    public RunExecutor executor(RunStore store, org.ssmlab.runs.RunTasks local, Consumer<String> log) throws IOException {
        if (cluster == null) {
            if (runThreads != null) {
                throw new IllegalArgumentException("--run-threads " + runThreads + " applies to --cluster runs only");
            }
            return new LocalExecutor(store, local, log);
        }
        ClusterConfig c = ClusterConfig.submitter(cluster, ClusterSecret.fromEnvironment());
        return new ClusterExecutor(c, store, runThreads != null ? runThreads : 1, log);
    }
}
