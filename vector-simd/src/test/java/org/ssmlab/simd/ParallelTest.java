package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexIsVisitedExactlyOnce() {
        for (int n : new int[] {0, 1, 2, 3, 7, 1000, 100_003}) {
            int[] visits = new int[n];
            Parallel.forRange(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    visits[i]++;
                }
            });
            int[] ones = new int[n];
            java.util.Arrays.fill(ones, 1);
            assertArrayEquals(ones, visits, "n = " + n);
        }
    }

    @Test
    void nestedCallsRunInlineWithoutDeadlock() {
        AtomicInteger count = new AtomicInteger();
        Parallel.forRange(8, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                Parallel.forRange(10, 1, (a, b) -> count.addAndGet(b - a));
            }
        });
        assertEquals(80, count.get());
    }

    @Test
    void anExceptionInAWorkerReachesTheCaller() {
        assertThrows(IllegalStateException.class, () -> Parallel.forRange(1000, 1, (from, to) -> {
            if (to == 1000) {
                throw new IllegalStateException("last range fails");
            }
        }));
    }

    @Test
    void withThreadsSplitsIntoThatManyRangesWhateverTheCoreCount() throws Exception {
        for (int n : new int[] {1, 3, 5}) {
            java.util.List<int[]> ranges = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            int seen = Parallel.withThreads(n, () -> {
                Parallel.forRange(1000, 1, (from, to) -> ranges.add(new int[] {from, to}));
                return Parallel.threads();
            });
            assertEquals(n, seen, "threads() inside withThreads(" + n + ")");
            assertEquals(n, ranges.size(), "ranges under withThreads(" + n + ")");
            ranges.sort(java.util.Comparator.comparingInt(r -> r[0]));
            for (int p = 0; p < n; p++) {        // the split of a process started with n threads
                assertArrayEquals(new int[] {1000 * p / n, 1000 * (p + 1) / n}, ranges.get(p), "range " + p + " of " + n);
            }
        }
        int outside = Parallel.threads();
        Parallel.withThreads(7, () -> 0);
        assertEquals(outside, Parallel.threads(), "the thread count is restored after withThreads");
        assertThrows(IllegalArgumentException.class, () -> Parallel.withThreads(0, () -> 0));
    }

    @Test
    void seriallyIsOneThreadOnTheCaller() throws Exception {
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int seen = Parallel.serially(() -> {
            Parallel.forRange(1000, 1, (from, to) -> threads.add(Thread.currentThread().getName()));
            return Parallel.threads();
        });
        assertEquals(1, seen);
        assertEquals(java.util.Set.of(Thread.currentThread().getName()), threads);
    }
}
