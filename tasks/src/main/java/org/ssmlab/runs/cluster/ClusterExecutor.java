package org.ssmlab.runs.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.durableexecutor.DurableExecutorService;
import com.hazelcast.durableexecutor.DurableExecutorServiceFuture;
import com.hazelcast.partition.Partition;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.ssmlab.runs.RunExecutor;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.simd.Backend;

/**
 * Runs a list of specs on the workers of a cluster and stores their results here, in the submitter's
 * {@link RunStore}, each as soon as it comes back (atomically, one file per run), so this command can be
 * stopped and rerun without redoing finished runs.
 *
 * <p>The submitter is a Hazelcast client: it runs nothing itself and needs no open port. It fixes the
 * thread count and the compute backend of every run (this process's backend; a worker on another
 * refuses the run). It keeps one run in flight per worker (a worker runs one run at a time), sent
 * to the durable executor on a key that worker owns, and hands the next run to whichever worker is free,
 * so faster machines take more runs. When a worker dies, the durable executor runs its queued run again
 * on the member that takes over its partition; if the run is lost anyway (its future fails), it goes back
 * to the queue. A run may thus execute twice, but its result is stored once per key: runs are
 * deterministic, so both executions give the same result, and the first one stored is kept.
 *
 * <p>Every request is signed and every reply verified with the {@link ClusterSecret}; a reply that does
 * not verify is refused, a run that failed or was refused stops the grid (after the runs in flight end)
 * with the member's one-line reason.
 */
public final class ClusterExecutor implements RunExecutor {

    /** How often a run whose future failed is sent again before the grid gives up. */
    static final int MAX_ATTEMPTS = 5;

    private final ClusterConfig config;
    private final RunStore store;
    private final int threads;
    private final Consumer<String> log;

    /** Runs on the cluster of {@code config}, each on {@code threads} threads, storing results in {@code store}. */
    public ClusterExecutor(ClusterConfig config, RunStore store, int threads, Consumer<String> log) {
        if (config.members().isEmpty()) {
            throw new IllegalArgumentException("--cluster: no member address given");
        }
        if (threads < 1 || threads > RunMessages.MAX_THREADS) {
            throw new IllegalArgumentException("--run-threads " + threads + ": must be in 1.." + RunMessages.MAX_THREADS);
        }
        this.config = config;
        this.store = store;
        this.threads = threads;
        this.log = log;
    }

    private record Done(String key, String reply, Throwable failure) {
    }

    private record InFlight(RunSpec spec, UUID member, int attempt) {
    }

    @Override
    public List<RunResult> runAll(List<RunSpec> specs) throws IOException {
        Map<String, RunResult> results = new HashMap<>();
        Map<String, Integer> position = new HashMap<>();
        Deque<RunSpec> pending = new ArrayDeque<>();
        Map<String, Integer> attempts = new HashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            RunSpec spec = specs.get(i);
            if (position.putIfAbsent(spec.key(), i + 1) != null) {
                continue;                          // the same run twice in the grid: stored, sent and reported once
            }
            Optional<RunResult> done = store.result(spec);
            if (done.isPresent()) {
                log.accept(where(spec, position, specs.size()) + ": finished before (" + spec.key() + ")");
                results.put(spec.key(), done.get());
            } else {
                pending.add(spec);
            }
        }
        if (!pending.isEmpty()) {
            HazelcastInstance client = connect();
            try {
                run(client, pending, results, position, attempts, specs.size());
            } catch (HazelcastException | HazelcastClientNotActiveException e) {
                throw new IllegalStateException("--cluster " + String.join(",", config.members()) + ": lost the cluster ("
                        + e.getMessage() + "); the finished runs are stored: start workers and run the command again", e);
            } finally {
                client.shutdown();
            }
        }
        List<RunResult> out = new ArrayList<>();
        for (RunSpec s : specs) {
            out.add(results.get(s.key()));
        }
        return out;
    }

    private HazelcastInstance connect() {
        try {
            return HazelcastClient.newHazelcastClient(config.clientConfig());
        } catch (RuntimeException e) {
            throw new IllegalStateException("--cluster " + String.join(",", config.members())
                    + ": no worker of this cluster reachable (same secret? workers started?): " + e.getMessage(), e);
        }
    }

    private void run(HazelcastInstance client, Deque<RunSpec> pending, Map<String, RunResult> results,
                     Map<String, Integer> position, Map<String, Integer> attempts, int total) throws IOException {
        DurableExecutorService executor = client.getDurableExecutorService(ClusterConfig.EXECUTOR);
        String backend = Backend.current().name();
        BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        Map<String, InFlight> inFlight = new LinkedHashMap<>();
        Map<String, Long> taskIds = new HashMap<>();
        String failure = null;
        long lastWaitingLine = 0;
        while (!inFlight.isEmpty() || (failure == null && !pending.isEmpty())) {
            if (failure == null) {
                for (Member m : client.getCluster().getMembers()) {
                    boolean busy = inFlight.values().stream().anyMatch(f -> f.member().equals(m.getUuid()));
                    if (busy || pending.isEmpty()) {
                        continue;
                    }
                    Object route = routeTo(client, m);
                    if (route == null) {
                        continue;                                   // owns no partition yet (just joined)
                    }
                    RunSpec spec = pending.poll();
                    int attempt = attempts.merge(spec.key(), 1, Integer::sum);
                    log.accept(where(spec, position, total) + ": sent to " + m.getAddress() + " (" + spec.key() + ")"
                            + (attempt > 1 ? ", attempt " + attempt : ""));
                    DurableExecutorServiceFuture<String> f = executor.submitToKeyOwner(
                            new SignedRun(RunMessages.request(config.secret(), spec, threads, backend)), route);
                    inFlight.put(spec.key(), new InFlight(spec, m.getUuid(), attempt));
                    taskIds.put(spec.key(), f.getTaskId());
                    f.whenComplete((reply, error) -> done.add(new Done(spec.key(), reply, error)));
                }
                if (inFlight.isEmpty() && System.nanoTime() - lastWaitingLine > 30_000_000_000L) {
                    log.accept("cluster: waiting for a worker (" + pending.size() + " runs to go)");
                    lastWaitingLine = System.nanoTime();
                }
            }
            Done d;
            try {
                d = done.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("cluster: interrupted with " + inFlight.size() + " runs in flight", e);
            }
            if (d == null) {
                continue;
            }
            InFlight f = inFlight.remove(d.key());
            if (f == null) {
                continue;
            }
            if (d.failure() != null) {
                if (f.attempt() >= MAX_ATTEMPTS) {
                    failure = "run " + d.key() + " was lost " + MAX_ATTEMPTS + " times, last: " + d.failure();
                } else {
                    log.accept(where(f.spec(), position, total) + ": lost (" + d.failure().getClass().getSimpleName()
                            + "); sent again");
                    pending.addFirst(f.spec());
                }
                continue;
            }
            Long taskId = taskIds.remove(d.key());
            if (taskId != null) {
                executor.disposeResult(taskId);
            }
            RunMessages.Reply reply = RunMessages.parseReply(config.secret(), d.reply(), f.spec());
            if (reply.error() != null) {
                failure = failure != null ? failure : reply.member() + ": " + reply.error();
                continue;
            }
            if (!results.containsKey(d.key())) {
                store.save(reply.result());
                results.put(d.key(), reply.result());
            }
            log.accept(where(f.spec(), position, total) + ": done on " + reply.member()
                    + String.format(Locale.ROOT, " in %.1f s (%d threads)", reply.result().seconds(), reply.result().threads()));
        }
        if (failure != null) {
            throw new IllegalStateException("cluster: " + failure);
        }
    }

    /** A key whose partition {@code m} owns, so that a run sent on it runs there; null when it owns none. */
    private static Object routeTo(HazelcastInstance client, Member m) {
        for (int i = 0; i < 4096; i++) {
            String key = "route-" + i;
            Partition p = client.getPartitionService().getPartition(key);
            if (p.getOwner() != null && p.getOwner().getUuid().equals(m.getUuid())) {
                return key;
            }
        }
        return null;
    }

    private static String where(RunSpec spec, Map<String, Integer> position, int total) {
        return String.format(Locale.ROOT, "[%d/%d] %s", position.get(spec.key()), total, spec.label());
    }
}
