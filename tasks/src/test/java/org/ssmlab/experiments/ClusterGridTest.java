package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.runs.LocalExecutor;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.runs.cluster.ClusterConfig;
import org.ssmlab.runs.cluster.ClusterExecutor;
import org.ssmlab.runs.cluster.ClusterSecret;
import org.ssmlab.runs.cluster.Worker;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Parallel;
import org.ssmlab.ssm.core.Polarization;

/**
 * A grid on a cluster of two worker processes on 127.0.0.1 ({@code ssmlab worker}, separate JVMs sharing a
 * run directory): one worker is killed with SIGKILL in the middle of a run, after that run wrote a
 * checkpoint; the grid completes on the other, every run stored exactly once, and every result equals,
 * bit for bit, the result of the same spec run here by the {@link LocalExecutor}. A member or a
 * submitter with another secret cannot join, and a task that is not a signed run request is not run. The workers run one thread each while the runs ask for
 * two, so the thread count that counts is the one the submitter fixed.
 *
 * <p>Both sides use the default SIMD backend, whose runs are the same bits whatever the JVM ran before
 * (its transcendental lanes and lane sums are exactly rounded: {@code VectorMath}), so the order in which
 * the workers and this JVM meet the runs does not matter.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterGridTest {

    private static final String SECRET = "loopback test secret, not for use";
    private static final Map<String, String> FAST = Map.of(
            "hazelcast.max.no.heartbeat.seconds", "5",
            "hazelcast.heartbeat.interval.seconds", "1",
            "hazelcast.wait.seconds.before.join", "1",
            "hazelcast.max.wait.seconds.before.join", "2",
            "hazelcast.max.join.seconds", "8",
            "ssmlab.cluster.connect.timeout.millis", "4000");

    @TempDir
    Path tmp;

    private final List<Process> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws InterruptedException {
        for (Process p : workers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A run that takes a few seconds: MQAR with a vocabulary of 8, length 8, 2 KV pairs, d_model 8. */
    static Recall.Preset tiny() {
        return new Recall.Preset("tiny", 8, 8, List.of(2), 8, 4, 600, 8, 1e-2, 0.1, false, 64, 0, 16);
    }

    @Test
    void aGridSurvivesAKilledWorkerAndEqualsTheLocalRunBitForBit() throws Exception {
        Path shared = tmp.resolve("worker-runs");
        int portA = freePort();
        int portB = freePort();
        Worker0 a = startWorker(portA, null, shared);
        a.await(l -> l.contains("in cluster"), 60);
        Worker0 b = startWorker(portB, "127.0.0.1:" + portA, shared);
        b.await(l -> l.contains("with 2 member(s)"), 60);
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;

        // Another secret: a member that asks to join stays alone, a submitter cannot connect.
        ClusterSecret wrong = ClusterSecret.of(SECRET + "!");
        try (Worker intruder = new Worker(wrong, KnownRuns.tasks(false), new RunStore(tmp.resolve("intruder")), l -> { })) {
            HazelcastInstance m = intruder.start(new ClusterConfig(List.of("127.0.0.1:" + portA), "127.0.0.1", freePort(), wrong, FAST));
            assertEquals(1, m.getCluster().getMembers().size(), "a member with another secret joined");
        }
        var refused = assertThrows(IllegalStateException.class, () -> new ClusterExecutor(ClusterConfig.submitter(members, wrong)
                .with(FAST), new RunStore(tmp.resolve("intruder-grid")), 2, l -> { }).runAll(List.of(spec(Polarization.NONE, 1))));
        assertTrue(refused.getMessage().contains("no worker of this cluster reachable"), refused.getMessage());

        // The right secret but not a run request: a member deserializes nothing but SignedRun, so other code never runs.
        ClusterConfig right = ClusterConfig.submitter(members, ClusterSecret.of(SECRET)).with(FAST);
        HazelcastInstance client = com.hazelcast.client.HazelcastClient.newHazelcastClient(right.clientConfig());
        try {
            var future = client.getDurableExecutorService(ClusterConfig.EXECUTOR).submit(new NotARun());
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
            assertTrue(String.valueOf(e.getCause()).contains("Resolving class " + NotARun.class.getName() + " is not allowed"),
                    "refused by the serialization allow-list, not otherwise: " + e.getCause());
        } finally {
            client.shutdown();
        }

        List<RunSpec> grid = new ArrayList<>();
        for (Polarization pol : Polarization.values()) {
            for (long seed = 1; seed <= 2; seed++) {
                grid.add(spec(pol, seed));
            }
        }
        RunStore store = new RunStore(tmp.resolve("grid"));
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ClusterConfig config = right;
        Backend before = Backend.current();
        Backend.setCurrent(Backend.simd());
        try {
            CompletableFuture<List<RunResult>> submitted = CompletableFuture.supplyAsync(() -> {
                try {
                    return new ClusterExecutor(config, store, 2, log::add).runAll(grid);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // Kill worker A (SIGKILL) in the middle of its first run, once that run has written a checkpoint.
            String running = a.await(l -> l.contains(": running "), 90);
            String key = running.replaceAll(".*\\((recall-[^)]*)\\).*", "$1");
            Path checkpoints = shared.resolve(key).resolve("checkpoints");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!hasCheckpoint(checkpoints) && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            a.process.destroyForcibly();
            a.process.waitFor(10, TimeUnit.SECONDS);
            assertTrue(hasCheckpoint(checkpoints), "the run killed had written a checkpoint: " + checkpoints);
            assertFalse(a.lines().stream().anyMatch(l -> l.contains("finished") && l.contains(key)),
                    "worker A finished " + key + " before it was killed, so nothing was killed mid-run: " + a.lines());

            List<RunResult> results = submitted.get(150, TimeUnit.SECONDS);
            assertEquals(grid.size(), results.size());
            String doneOnB = "done on [127.0.0.1]:" + portB;
            assertTrue(log.stream().anyMatch(l -> l.contains(grid.stream().filter(s -> s.key().equals(key)).findFirst()
                    .orElseThrow().label() + ":") && l.contains(doneOnB)), "the killed run was finished by worker B: " + log);
            try (var dirs = Files.list(tmp.resolve("grid"))) {
                List<String> stored = dirs.filter(d -> Files.isRegularFile(d.resolve("result.json")))
                        .map(d -> d.getFileName().toString()).sorted().toList();
                assertEquals(grid.stream().map(RunSpec::key).sorted().toList(), stored, "every (cell, seed) stored exactly once");
            }

            // The same specs here, one at a time on this JVM's threads (the count the cluster runs were given).
            assertEquals(2, Parallel.threads());
            List<RunResult> local = new LocalExecutor(new RunStore(tmp.resolve("local")), KnownRuns.tasks(false), l -> { }, 1)
                    .runAll(grid);
            for (int i = 0; i < grid.size(); i++) {
                assertNotNull(results.get(i), grid.get(i).label());
                assertEquals(2, results.get(i).threads(), "recorded thread count");
                assertTrue(local.get(i).sameOutcome(results.get(i)), grid.get(i).label() + ": cluster " + results.get(i).figures()
                        + " step " + results.get(i).finalStep() + ", local " + local.get(i).figures() + " step " + local.get(i).finalStep());
            }

            // The submitter stopped and started again: nothing is sent, the stored results come back.
            List<String> again = new ArrayList<>();
            List<RunResult> rerun = new ClusterExecutor(config, store, 2, again::add).runAll(grid);
            assertTrue(again.stream().allMatch(l -> l.contains("finished before")) && again.size() == grid.size(), again.toString());
            for (int i = 0; i < grid.size(); i++) {
                assertTrue(results.get(i).sameOutcome(rerun.get(i)));
            }
        } finally {
            Backend.setCurrent(before);
        }
    }

    /** Code that is not a run request; the workers have this class on their class path, as this test does. */
    static final class NotARun implements java.util.concurrent.Callable<String>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return "ran";
        }
    }

    private static RunSpec spec(Polarization pol, long seed) {
        return Recall.spec(tiny(), pol, 2, seed);
    }

    private static boolean hasCheckpoint(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (var s = Files.list(checkpoints)) {
            return s.anyMatch(d -> Files.isRegularFile(d.resolve("state.json")));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A worker process and the lines it printed. */
    private record Worker0(Process process, List<String> out) {

        List<String> lines() {
            synchronized (out) {
                return List.copyOf(out);
            }
        }

        /** The first line that matches, waiting at most {@code seconds}; fails with the output so far. */
        String await(Predicate<String> match, int seconds) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < until) {
                for (String l : lines()) {
                    if (match.test(l)) {
                        return l;
                    }
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(5);
            }
            throw new AssertionError("worker: expected line not printed within " + seconds + " s; output: " + lines());
        }
    }

    private Worker0 startWorker(int port, String join, Path runs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m", "-Xmx512m",
                "-XX:+UseSerialGC", "-Dssmlab.threads=1", "-cp", System.getProperty("java.class.path")));
        FAST.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("org.ssmlab.cli.Main", "worker", "--backend", "simd", "--bind", "127.0.0.1",
                "--port", Integer.toString(port), "--runs", runs.toString()));
        if (join != null) {
            cmd.addAll(List.of("--join", join));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(ClusterSecret.ENV, SECRET);
        Process p = pb.start();
        workers.add(p);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    out.add(l);
                }
            } catch (IOException e) {
                out.add("(output lost: " + e.getMessage() + ")");
            }
        }, "worker-output");
        reader.setDaemon(true);
        reader.start();
        return new Worker0(p, out);
    }
}
