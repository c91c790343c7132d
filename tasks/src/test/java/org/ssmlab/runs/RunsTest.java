package org.ssmlab.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsTest {

    @TempDir
    Path tmp;

    static RunSpec spec(String lr, long seed) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("lr", lr);
        s.put("kv", "4,8");
        return RunSpec.of("recall", s, seed, "lr " + lr + " s" + seed);
    }

    @Test
    void theKeyDependsOnEverySettingAndTheSeedButNotOnOrderOrLabel() {
        RunSpec a = spec("0.003", 1);
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("kv", "4,8");
        reordered.put("lr", "0.003");
        assertEquals(a.key(), RunSpec.of("recall", reordered, 1, "another label").key());
        assertNotEquals(a.key(), spec("0.001", 1).key());
        assertNotEquals(a.key(), spec("0.003", 2).key());
        assertNotEquals(a.key(), RunSpec.of("needle", Map.of("lr", "0.003", "kv", "4,8"), 1, "").key());
        Map<String, Object> more = new LinkedHashMap<>(reordered);
        more.put("layers", 2);
        assertNotEquals(a.key(), RunSpec.of("recall", more, 1, "").key());
        assertTrue(a.key().matches("recall-s1-[0-9a-f]{12}"), a.key());
        // Stable across versions: the key is a function of the canonical text alone.
        assertEquals("{\"command\":\"recall\",\"settings\":{\"kv\":\"4,8\",\"lr\":\"0.003\"},\"seed\":1}", a.canonical());
    }

    @Test
    void aStoredResultIsReadBackAndAnotherSpecUnderItsKeyIsRefused() throws IOException {
        RunStore store = new RunStore(tmp);
        RunSpec a = spec("0.003", 1);
        assertTrue(store.result(a).isEmpty());
        RunResult r = new RunResult(a, new java.util.TreeMap<>(Map.of("accuracy_kv4", 0.75, "accuracy_kv8", 0.5)), 900, true, 12.5);
        store.save(r);
        RunResult back = store.result(a).orElseThrow();
        assertEquals(r.figures(), back.figures());
        assertEquals(900, back.finalStep());
        assertTrue(back.stoppedEarly());
        try (var files = Files.list(store.runDir(a))) {
            assertEquals(List.of("result.json"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
        // A result file that belongs to other settings (copied by hand, say) is not taken for this run.
        RunSpec b = spec("0.001", 1);
        Files.createDirectories(store.runDir(b));
        Files.copy(store.runDir(a).resolve(RunStore.RESULT), store.runDir(b).resolve(RunStore.RESULT));
        assertThrows(IllegalStateException.class, () -> store.result(b));
    }

    @Test
    void theExecutorRunsOnlyWhatHasNoResultAndKeepsEveryFinishedRun() throws IOException {
        RunStore store = new RunStore(tmp);
        List<RunSpec> grid = List.of(spec("0.003", 1), spec("0.003", 2), spec("0.003", 3));
        // runs may go side by side (one per core), so the list is shared between threads and its order is free
        List<String> executed = java.util.Collections.synchronizedList(new ArrayList<>());
        RunTask failOnThird = (s, dir) -> {
            if (s.seed() == 3) {
                throw new IOException("killed");
            }
            executed.add(s.label());
            return new RunResult.Outcome(Map.of("accuracy_kv4", s.seed() / 10.0), 10, false);
        };
        assertThrows(IOException.class, () -> new LocalExecutor(store, failOnThird, line -> { }).runAll(grid));
        assertEquals(List.of("lr 0.003 s1", "lr 0.003 s2"), executed.stream().sorted().toList());
        assertTrue(store.result(grid.get(0)).isPresent() && store.result(grid.get(1)).isPresent());
        assertFalse(store.result(grid.get(2)).isPresent());
        // The rerun continues where the grid stopped: only the third run executes.
        executed.clear();
        List<RunResult> all = new LocalExecutor(store, (s, dir) -> {
            executed.add(s.label());
            assertEquals(store.runDir(s), dir);
            return new RunResult.Outcome(Map.of("accuracy_kv4", 0.3), 10, false);
        }, line -> { }).runAll(grid);
        assertEquals(List.of("lr 0.003 s3"), executed);
        assertEquals(List.of(0.1, 0.2, 0.3), all.stream().map(r -> r.figure("accuracy_kv4")).toList());
    }

    @Test
    void theRegistryRunsKnownCommandsOnlyAndTheExecutorRecordsTheThreadCount() throws IOException {
        List<Integer> seen = new ArrayList<>();
        RunTasks tasks = RunTasks.of(Map.of("recall", (s, dir) -> {
            seen.add(org.ssmlab.simd.Parallel.threads());
            return new RunResult.Outcome(Map.of("accuracy_kv4", 0.5), 10, false);
        }));
        assertTrue(tasks.knows("recall"));
        assertFalse(tasks.knows("needle"));
        var e = assertThrows(IllegalArgumentException.class, () -> tasks.execute(RunSpec.of("needle", Map.of(), 1, ""), tmp));
        assertTrue(e.getMessage().contains("unknown run command 'needle'") && e.getMessage().contains("recall"), e.getMessage());

        RunStore store = new RunStore(tmp);
        RunResult r = new LocalExecutor(store, tasks, line -> { }).runAll(List.of(spec("0.003", 1))).get(0);
        assertEquals(org.ssmlab.simd.Parallel.threads(), r.threads(), "one run at a time: all threads");
        assertEquals(List.of(org.ssmlab.simd.Parallel.threads()), seen);
        assertEquals(r.threads(), store.result(spec("0.003", 1)).orElseThrow().threads(), "the count is stored");
        RunResult three = LocalExecutor.execute(tasks, spec("0.003", 2), tmp.resolve("x"), 3);
        assertEquals(3, three.threads());
        assertEquals(3, seen.get(1), "the run saw the thread count it was given");
    }
}
