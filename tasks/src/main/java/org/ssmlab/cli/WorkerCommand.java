package org.ssmlab.cli;

import com.hazelcast.core.HazelcastInstance;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.ssmlab.experiments.KnownRuns;
import org.ssmlab.runs.RunStore;
import org.ssmlab.runs.cluster.ClusterConfig;
import org.ssmlab.runs.cluster.ClusterSecret;
import org.ssmlab.runs.cluster.Worker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab worker}: starts a cluster member that runs the runs submitted with {@code --cluster}
 * (e.g. {@code ssmlab table2 --cluster HOST:PORT}) until it is stopped. It binds to {@code --bind} only,
 * joins through the {@code --join} list only, and belongs to the cluster of the shared secret
 * ({@link ClusterSecret}); it runs nothing but signed specs of the kinds in {@link KnownRuns}.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Start a cluster member that runs the runs of grids submitted with --cluster (stop it with Ctrl-C).")
public final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--join", paramLabel = "HOST:PORT,...",
            description = "Members to join (none: start a new cluster).")
    String join;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to bind to and announce (default: ${DEFAULT-VALUE}: this machine only).")
    String bind;

    @Option(names = "--port", paramLabel = "P", defaultValue = "5701", description = "The port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs/worker",
            description = "Where runs keep checkpoints and results; share it between members to resume a taken-over run"
                    + " (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ClusterConfig config = new ClusterConfig(ClusterConfig.splitMembers(join), bind, port,
                ClusterSecret.fromEnvironment(), java.util.Map.of());
        Worker worker = new Worker(config.secret(), KnownRuns.tasks(false), new RunStore(runs), line -> {
            out.println(line);
            out.flush();
        });
        HazelcastInstance member = worker.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "ssmlab-worker-stop"));
        out.println("worker " + worker.name() + ": in cluster " + config.secret().clusterName() + " with "
                + member.getCluster().getMembers().size() + " member(s); runs in " + runs.toAbsolutePath().normalize());
        out.flush();
        stopped.await();
        return 0;
    }
}
