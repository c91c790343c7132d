package org.ssmlab.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Parallel;

/** {@link RunConcurrency}: order of results, runs really side by side, each serial inside, failures. */
class RunConcurrencyTest {

    @Test
    void resultsComeBackInTheOrderOfTheRuns() {
        List<Callable<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int id = i;
            runs.add(() -> {
                Thread.sleep(7 - id);            // later runs finish first
                return id * id;
            });
        }
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36), RunConcurrency.runAll(runs, 3));
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36), RunConcurrency.runAll(runs, 1));
    }

    @Test
    void twoRunsSideBySideOverlap() {
        // Each run waits for the other to start: only possible when both run at once.
        CountDownLatch started = new CountDownLatch(2);
        Callable<Boolean> run = () -> {
            started.countDown();
            return started.await(20, TimeUnit.SECONDS);
        };
        assertEquals(List.of(true, true), RunConcurrency.runAll(List.of(run, run), 2));
    }

    @Test
    void negativeControlOneAtATimeDoesNotOverlap() {
        CountDownLatch started = new CountDownLatch(2);
        Callable<Boolean> run = () -> {
            started.countDown();
            return started.await(200, TimeUnit.MILLISECONDS);
        };
        assertEquals(List.of(false, true), RunConcurrency.runAll(List.of(run, run), 1),
                "run one at a time, the first cannot see the second start");
    }

    @Test
    void sideBySideRunsKeepTheirParallelForsOnTheirOwnThread() {
        Callable<Integer> run = () -> {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Parallel.forRange(1000, 1, (from, to) -> threads.add(Thread.currentThread().getName()));
            return threads.size();
        };
        assertEquals(List.of(1, 1), RunConcurrency.runAll(List.of(run, run), 2));
    }

    @Test
    void aFailureIsRethrownWithItsMessage() {
        Callable<Integer> ok = () -> 1;
        Callable<Integer> bad = () -> {
            throw new java.io.IOException("disk full at run 2");
        };
        var e = assertThrows(IllegalStateException.class, () -> RunConcurrency.runAll(List.of(ok, bad), 2));
        assertTrue(e.getMessage().contains("disk full at run 2"), e.getMessage());
        var e1 = assertThrows(IllegalStateException.class, () -> RunConcurrency.runAll(List.of(ok, bad), 1));
        assertTrue(e1.getMessage().contains("disk full at run 2"), e1.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunConcurrency.runAll(List.of(ok), 0));
    }

    @Test
    void sideBySideIsAtMostTheNumberOfRunsAndByDefaultOnePerThread() {
        assertEquals(1, RunConcurrency.sideBySide(1));
        int expected = Integer.getInteger(RunConcurrency.PROPERTY, Parallel.threads());
        assertEquals(expected, RunConcurrency.sideBySide(100));
        assertEquals(Math.min(2, expected), RunConcurrency.sideBySide(2));
        assertEquals(Parallel.threads(), RunConcurrency.threadsPerRun(1), "one run at a time gets every thread");
        assertEquals(1, RunConcurrency.threadsPerRun(2), "side by side, one thread each");
    }
}
