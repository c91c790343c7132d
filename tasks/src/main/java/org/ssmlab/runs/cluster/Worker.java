package org.ssmlab.runs.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.config.Config;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.ssmlab.runs.LocalExecutor;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunStore;
import org.ssmlab.runs.RunTasks;
import org.ssmlab.simd.Backend;

/**
 * A cluster member that executes run requests ({@code ssmlab worker}). For each request it checks the
 * signature, parses the spec strictly, refuses a command it does not know or a backend other than its own
 * (each with one line in its log and in the reply), and otherwise executes the spec with {@link LocalExecutor#execute} on the requested
 * thread count, in its own run directory {@code <runs>/<key>/}: with a directory shared by the members, a
 * run taken over from a member that died resumes from its last checkpoint; otherwise it starts again.
 * A run whose result is in that directory already is answered from it without running again.
 */
public final class Worker implements AutoCloseable {

    /** Where a member keeps its {@code Worker} in Hazelcast's user context. */
    static final String CONTEXT_KEY = "ssmlab.worker";

    private final ClusterSecret secret;
    private final RunTasks tasks;
    private final RunStore store;
    private final Consumer<String> log;
    private final ConcurrentHashMap<String, Object> runLocks = new ConcurrentHashMap<>();
    private HazelcastInstance member;
    private String name = "member";

    /** A worker with no member yet: {@link #handle} runs requests, {@link #start} joins a cluster. */
    public Worker(ClusterSecret secret, RunTasks tasks, RunStore store, Consumer<String> log) {
        this.secret = secret;
        this.tasks = tasks;
        this.store = store;
        this.log = log;
    }

    /** Starts the Hazelcast member of {@code config} with this worker in it; returns the member. */
    public HazelcastInstance start(ClusterConfig config) {
        Config c = config.memberConfig();
        c.getUserContext().put(CONTEXT_KEY, this);
        try {
            member = Hazelcast.newHazelcastInstance(c);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start a member on " + config.bind() + ":" + config.port() + ": "
                    + oneLine(String.valueOf(e.getMessage()).lines().findFirst().orElse("")), e);
        }
        name = member.getCluster().getLocalMember().getAddress().toString();
        return member;
    }

    /** This member's address, for logs and replies. */
    public String name() {
        return name;
    }

    /** Verifies, runs and answers one signed request; never throws (a refusal or failure is a signed reply). */
    public String handle(String message) {
        RunMessages.Request req;
        try {
            req = RunMessages.parseRequest(secret, message);
            if (!tasks.knows(req.spec().command())) {
                throw new IllegalArgumentException("refused run request: unknown run command '" + req.spec().command()
                        + "' (this worker runs: " + String.join(", ", tasks.commands()) + ")");
            }
            String backend = Backend.current().name();
            if (!req.backend().equals(backend)) {
                throw new IllegalArgumentException("refused run request: it asks for backend " + req.backend()
                        + ", this worker runs " + backend + " (start workers with --backend " + req.backend() + ")");
            }
        } catch (IllegalArgumentException e) {
            String line = oneLine(e.getMessage());
            log.accept("worker " + name + ": " + line);
            return RunMessages.failure(secret, "?", name, line);
        }
        String key = req.spec().key();
        synchronized (runLocks.computeIfAbsent(key, k -> new Object())) {   // one execution of a run at a time here
            try {
                Optional<RunResult> done = store.result(req.spec());
                if (done.isPresent()) {
                    log.accept("worker " + name + ": " + req.spec().label() + " finished before (" + key + ")");
                    return RunMessages.result(secret, done.get(), name);
                }
                log.accept("worker " + name + ": running " + req.spec().label() + " (" + key + ") on " + req.threads() + " threads, " + req.backend());
                RunResult r = LocalExecutor.execute(tasks, req.spec(), store.runDir(req.spec()), req.threads());
                store.save(r);
                log.accept("worker " + name + ": finished " + req.spec().label() + " (" + key + ") in "
                        + String.format(java.util.Locale.ROOT, "%.1f s", r.seconds()));
                return RunMessages.result(secret, r, name);
            } catch (IOException | RuntimeException e) {
                String line = oneLine("run " + key + " failed: " + e);
                log.accept("worker " + name + ": " + line);
                return RunMessages.failure(secret, key, name, line);
            }
        }
    }

    private static String oneLine(String s) {
        return String.valueOf(s).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /**
     * Leaves the cluster at once, as a member that dies: the other members run its queued runs again from
     * their backups (the path a killed member takes, and the one the tests check).
     */
    @Override
    public void close() {
        if (member != null && member.getLifecycleService().isRunning()) {
            member.getLifecycleService().terminate();
        }
    }
}
