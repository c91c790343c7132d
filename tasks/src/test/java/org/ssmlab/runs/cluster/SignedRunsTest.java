package org.ssmlab.runs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;
import org.ssmlab.runs.RunStore;
import org.ssmlab.runs.RunTasks;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Parallel;

/**
 * The secret, the signed messages and a worker's answer to them, without a network: what a member runs,
 * what it refuses (each in one line), and that a run it finished before is answered from its store.
 */
class SignedRunsTest {

    static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple");
    static final ClusterSecret OTHER = ClusterSecret.of("correct horse battery stapler");

    @TempDir
    Path tmp;

    static RunSpec spec(long seed) {
        return RunSpec.of("echo", Map.of("x", "0.25", "n", 3), seed, "echo s" + seed);
    }

    @Test
    void theClusterNameAndTheSignatureComeFromTheSecretAndHideIt() {
        String secret = "correct horse battery staple";
        assertTrue(SECRET.clusterName().matches("ssmlab-[0-9a-f]{16}"), SECRET.clusterName());
        assertFalse(SECRET.clusterName().contains(secret.substring(0, 6)));
        assertNotEquals(SECRET.clusterName(), OTHER.clusterName(), "one character more is another cluster");
        assertEquals(SECRET.clusterName(), ClusterSecret.of("  " + secret + "\n").clusterName(), "surrounding blanks do not count");
        assertTrue(SECRET.verifies("payload", SECRET.sign("payload")));
        assertFalse(SECRET.verifies("payload ", SECRET.sign("payload")), "a changed payload");
        assertFalse(SECRET.verifies("payload", OTHER.sign("payload")), "another secret");
        assertFalse(SECRET.verifies("payload", null));
        var e = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.of("short"));
        assertTrue(e.getMessage().contains(ClusterSecret.ENV), e.getMessage());
    }

    @Test
    void theSecretComesFromTheEnvironmentElseFromTheFileElseFailsNamingBoth() throws IOException {
        Path home = tmp.resolve("home");
        var none = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.find(Map.of(), home));
        assertTrue(none.getMessage().contains(ClusterSecret.ENV) && none.getMessage().contains(ClusterSecret.FILE), none.getMessage());
        Files.createDirectories(home.resolve(ClusterSecret.FILE).getParent());
        Files.writeString(home.resolve(ClusterSecret.FILE), "correct horse battery staple\nsecond line ignored\n");
        assertEquals(SECRET.clusterName(), ClusterSecret.find(Map.of(), home).clusterName());
        assertEquals(OTHER.clusterName(), ClusterSecret.find(Map.of(ClusterSecret.ENV, "correct horse battery stapler"), home).clusterName(),
                "the variable wins over the file");
    }

    @Test
    void aRequestRoundTripsAndAnyChangeOrOtherSecretIsRefused() {
        RunSpec s = spec(7);
        String m = RunMessages.request(SECRET, s, 3, "scalar");
        RunMessages.Request r = RunMessages.parseRequest(SECRET, m);
        assertEquals(s.canonical(), r.spec().canonical());
        assertEquals("echo s7", r.spec().label());
        assertEquals(3, r.threads());
        assertEquals("scalar", r.backend());
        String tampered = m.replace("\"seed\":7", "\"seed\":8");
        assertNotEquals(m, tampered);
        assertRefused("bad signature", () -> RunMessages.parseRequest(SECRET, tampered));
        assertRefused("bad signature", () -> RunMessages.parseRequest(OTHER, m));
        assertRefused("no signature", () -> RunMessages.parseRequest(SECRET, m.substring(65)));
        assertRefused("no signature", () -> RunMessages.parseRequest(SECRET, null));
    }

    @Test
    void aSignedButMalformedRequestIsRefusedInOneLine() {
        String spec = spec(1).canonical();
        assertRefused("not a JSON object", () -> RunMessages.parseRequest(SECRET, signed("[1,2]")));
        assertRefused("malformed run request", () -> RunMessages.parseRequest(SECRET, signed("{\"spec\":" + spec + ",\"label\":\"\",\"threads\":1}")));
        assertRefused("threads 0", () -> RunMessages.parseRequest(SECRET,
                signed("{\"spec\":" + spec + ",\"label\":\"\",\"threads\":0,\"backend\":\"simd\"}")));
        assertRefused("canonical", () -> RunMessages.parseRequest(SECRET, signed(        // settings out of order
                "{\"spec\":{\"command\":\"echo\",\"settings\":{\"x\":\"0.25\",\"n\":\"3\"},\"seed\":1},\"label\":\"\",\"threads\":1,\"backend\":\"simd\"}")));
        assertRefused("not a string", () -> RunMessages.parseRequest(SECRET, signed(
                "{\"spec\":{\"command\":\"echo\",\"settings\":{\"n\":3},\"seed\":1},\"label\":\"\",\"threads\":1,\"backend\":\"simd\"}")));
        assertRefused("backend", () -> RunMessages.parseRequest(SECRET, signed(
                "{\"spec\":" + spec + ",\"label\":\"\",\"threads\":1,\"backend\":\"../x\"}")));
        assertRefused("malformed run request", () -> RunMessages.parseRequest(SECRET, signed("{\"spec\":" + spec + ",\"label\":\"\",\"threads\":\"many\",\"backend\":\"simd\"}")));
    }

    @Test
    void aReplyRoundTripsBitForBitAndIsTiedToItsRun() {
        RunSpec s = spec(2);
        RunResult r = new RunResult(s, new TreeMap<>(Map.of("a", 0.1 + 0.2, "b", Double.NaN, "c", -0.0)), 120, true, 1.5, 4);
        RunMessages.Reply back = RunMessages.parseReply(SECRET, RunMessages.result(SECRET, r, "m1"), s);
        assertNull(back.error());
        assertTrue(r.sameOutcome(back.result()), back.result().toString());
        assertEquals(4, back.result().threads());
        assertEquals("m1", back.member());
        assertRefused("bad signature", () -> RunMessages.parseReply(OTHER, RunMessages.result(SECRET, r, "m1"), s));
        assertRefused("not " + spec(3).key(), () -> RunMessages.parseReply(SECRET, RunMessages.result(SECRET, r, "m1"), spec(3)));
        RunMessages.Reply failed = RunMessages.parseReply(SECRET, RunMessages.failure(SECRET, s.key(), "m2", "disk full"), s);
        assertEquals("disk full", failed.error());
        assertNull(failed.result());
    }

    @Test
    void sameOutcomeComparesEveryBitOfTheFiguresButNotTheTime() {
        RunSpec s = spec(2);
        RunResult r = new RunResult(s, new TreeMap<>(Map.of("a", 0.3)), 10, false, 1.0, 2);
        assertTrue(r.sameOutcome(new RunResult(s, new TreeMap<>(Map.of("a", 0.3)), 10, false, 9.0, 1)));
        assertFalse(r.sameOutcome(new RunResult(s, new TreeMap<>(Map.of("a", Math.nextUp(0.3))), 10, false, 1.0, 2)), "one ulp");
        assertFalse(r.sameOutcome(new RunResult(s, new TreeMap<>(Map.of("a", 0.3)), 11, false, 1.0, 2)), "final step");
        assertFalse(r.sameOutcome(new RunResult(spec(3), new TreeMap<>(Map.of("a", 0.3)), 10, false, 1.0, 2)), "another spec");
    }

    @Test
    void aWorkerRunsKnownSignedSpecsOnTheRequestedThreadsAndRefusesTheRest() throws IOException {
        List<String> log = new ArrayList<>();
        List<Integer> threadsSeen = new ArrayList<>();
        RunTasks tasks = RunTasks.of(Map.of("echo", (spec, dir) -> {
            threadsSeen.add(Parallel.threads());
            return new RunResult.Outcome(Map.of("x", Double.parseDouble(spec.get("x")) * spec.seed()), 5, false);
        }));
        RunStore store = new RunStore(tmp);
        Worker w = new Worker(SECRET, tasks, store, log::add);
        String backend = Backend.current().name();

        RunMessages.Reply ok = RunMessages.parseReply(SECRET, w.handle(RunMessages.request(SECRET, spec(4), 3, backend)), spec(4));
        assertEquals(1.0, ok.result().figure("x"));
        assertEquals(List.of(3), threadsSeen, "the run sees the thread count of the request");
        assertEquals(3, ok.result().threads());
        assertTrue(store.result(spec(4)).isPresent(), "the member keeps the result in its run directory");

        // Asked again (the submitter was restarted, or the run was taken over): answered from the store.
        RunMessages.Reply again = RunMessages.parseReply(SECRET, w.handle(RunMessages.request(SECRET, spec(4), 3, backend)), spec(4));
        assertEquals(List.of(3), threadsSeen, "not run a second time");
        assertTrue(ok.result().sameOutcome(again.result()));

        int before = log.size();
        assertWorkerRefuses(w, RunMessages.request(OTHER, spec(5), 1, backend), "bad signature");
        assertWorkerRefuses(w, RunMessages.request(SECRET, RunSpec.of("rm-rf", Map.of(), 1, ""), 1, backend), "unknown run command 'rm-rf'");
        String otherBackend = backend.equals("scalar") ? "simd" : "scalar";
        assertWorkerRefuses(w, RunMessages.request(SECRET, spec(5), 1, otherBackend), "backend " + otherBackend);
        assertWorkerRefuses(w, "garbage", "no signature");
        assertEquals(List.of(3), threadsSeen, "nothing refused was run");
        assertEquals(before + 4, log.size(), "one log line per refusal: " + log);
        log.subList(before, log.size()).forEach(l -> assertFalse(l.contains("\n"), l));
    }

    @Test
    void aRunThatFailsOnTheWorkerIsASignedOneLineFailure() {
        RunTasks tasks = RunTasks.of(Map.of("echo", (spec, dir) -> {
            throw new IOException("disk full\nat line two");
        }));
        Worker w = new Worker(SECRET, tasks, new RunStore(tmp), line -> { });
        RunMessages.Reply r = RunMessages.parseReply(SECRET, w.handle(RunMessages.request(SECRET, spec(6), 1, Backend.current().name())), spec(6));
        assertTrue(r.error().contains("disk full at line two"), r.error());
    }

    private static void assertWorkerRefuses(Worker w, String message, String why) {
        RunMessages.Reply r = RunMessages.parseReply(SECRET, w.handle(message), spec(1));
        assertNull(r.result());
        assertTrue(r.error().contains(why), r.error());
        assertFalse(r.error().contains("\n"), r.error());
    }

    private static String signed(String payload) {
        return SECRET.sign(payload) + " " + payload;
    }

    private static void assertRefused(String why, org.junit.jupiter.api.function.Executable e) {
        var ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(why), "expected '" + why + "' in: " + ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
    }
}
