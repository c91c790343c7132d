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
}
