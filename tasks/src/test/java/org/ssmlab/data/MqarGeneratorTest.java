package org.ssmlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.testing.Props;

class MqarGeneratorTest {

    /** Checks every invariant of one MQAR sequence; returns a failure description or null. */
    static String violation(MqarGenerator g, Batch batch, int b) {
        int k = g.numKvPairs();
        int half = g.vocab() / 2;
        int len = g.length();
        Map<Integer, Integer> kv = new HashMap<>();
        for (int j = 0; j < k; j++) {
            int key = batch.token(b, 2 * j);
            int value = batch.token(b, 2 * j + 1);
            if (key < 1 || key >= half) {
                return "key " + key + " outside 1.." + (half - 1);
            }
            if (value < half || value >= g.vocab()) {
                return "value " + value + " outside " + half + ".." + (g.vocab() - 1);
            }
            if (kv.put(key, value) != null) {
                return "key " + key + " repeated in the context";
            }
            if (batch.target(b, 2 * j) != Batch.IGNORE || batch.target(b, 2 * j + 1) != Batch.IGNORE) {
                return "a label inside the context at pair " + j;
            }
        }
        Set<Integer> values = new HashSet<>(kv.values());
        if (values.size() != k) {
            return "values repeat";
        }
        Map<Integer, Integer> queried = new HashMap<>();
        for (int t = 2 * k; t < len; t++) {
            int tok = batch.token(b, t);
            int target = batch.target(b, t);
            if (kv.containsKey(tok)) {
                queried.merge(tok, 1, Integer::sum);
                if (target != kv.get(tok)) {
                    return "query of key " + tok + " at " + t + " has target " + target + ", its value is " + kv.get(tok);
                }
                if ((t - 2 * k) % 2 != 0) {
                    return "query at odd offset " + (t - 2 * k);
                }
            } else {
                if (tok != 0) {
                    return "filler " + tok + " at " + t;
                }
                if (target != Batch.IGNORE) {
                    return "label " + target + " at non-query position " + t;
                }
            }
        }
        if (queried.size() != k || queried.values().stream().anyMatch(c -> c != 1)) {
            return "keys not each queried exactly once: " + queried;
        }
        return null;
    }

    @Test
    void everySequenceSatisfiesTheInvariants() {
        Props.qt(60).forAll(integers().between(1, 8), integers().between(0, 20), integers().between(0, 6),
                        longs().all())
                .checkAssert((k, extraLen, extraVocab, seed) -> {
                    int len = 4 * k + extraLen;
                    int vocab = 2 * k + 2 + extraVocab;
                    MqarGenerator g = new MqarGenerator(vocab, len, k);
                    Batch batch = g.batch(3, seed);
                    assertEquals(3 * len, batch.tokens().length);
                    assertEquals(3 * k, batch.supervisedCount());
                    for (int b = 0; b < 3; b++) {
                        String v = violation(g, batch, b);
                        assertTrue(v == null, v + " (vocab " + vocab + ", len " + len + ", k " + k + ")");
                    }
                });
    }

    @Test
    void theInvariantCheckCatchesAMisplacedLabel() {
        // Negative control: move one label one step right; the checker must object.
        MqarGenerator g = new MqarGenerator(64, 64, 8);
        Batch batch = g.batch(1, 7L);
        int[] targets = batch.targets().clone();
        int q = -1;
        for (int t = 0; t < 64; t++) {
            if (targets[t] != Batch.IGNORE) {
                q = t;
                break;
            }
        }
        targets[q + 1] = targets[q];
        targets[q] = Batch.IGNORE;
        assertFalse(violation(g, new Batch(batch.tokens(), targets, 1, 64), 0) == null);
    }

    @Test
    void deterministicFromTheSeed() {
        MqarGenerator g = new MqarGenerator(128, 96, 12);
        Batch a = g.batch(4, 42L);
        Batch b = g.batch(4, new SplittableRandom(42L));
        Batch c = g.batch(4, 43L);
        assertArrayEquals(a.tokens(), b.tokens());
        assertArrayEquals(a.targets(), b.targets());
        assertFalse(java.util.Arrays.equals(a.tokens(), c.tokens()));
    }

    @Test
    void queriesConcentrateNearTheContextAsThePowerLawSays() {
        // With a = 0.01 the gap weights are ~1/(g+1): with S = 64 slots and one query per sequence,
        // P(gap = 0) = 1 / H_64-ish ≈ 0.21, P(gap >= 32) ≈ 0.15. A uniform draw would give 1/64 and 0.5.
        MqarGenerator g = new MqarGenerator(16, 130, 1);
        assertEquals(64, g.querySlots());
        double[] w = new double[64];
        double total = 0;
        for (int i = 0; i < 64; i++) {
            w[i] = Math.pow(i + 1, 0.01 - 1);
            total += w[i];
        }
        int n = 4000;
        Batch batch = g.batch(n, 5L);
        int first = 0;
        int farHalf = 0;
        for (int b = 0; b < n; b++) {
            for (int t = 2; t < 130; t++) {
                if (batch.target(b, t) != Batch.IGNORE) {
                    int gap = (t - 2) / 2;
                    first += gap == 0 ? 1 : 0;
                    farHalf += gap >= 32 ? 1 : 0;
                }
            }
        }
        double pFirst = w[0] / total;
        double pFar = 0;
        for (int i = 32; i < 64; i++) {
            pFar += w[i] / total;
        }
        // 5 standard deviations of a binomial proportion.
        assertEquals(pFirst, (double) first / n, 5 * Math.sqrt(pFirst * (1 - pFirst) / n));
        assertEquals(pFar, (double) farHalf / n, 5 * Math.sqrt(pFar * (1 - pFar) / n));
    }

    @Test
    void impossibleSizesAreRejectedWithTheLimit() {
        var tooShort = assertThrows(IllegalArgumentException.class, () -> new MqarGenerator(64, 31, 8));
        assertTrue(tooShort.getMessage().contains("length = 31") && tooShort.getMessage().contains("32"),
                tooShort.getMessage());
        var tooFewKeys = assertThrows(IllegalArgumentException.class, () -> new MqarGenerator(17, 64, 8));
        assertTrue(tooFewKeys.getMessage().contains("numKvPairs = 8") && tooFewKeys.getMessage().contains("vocab = 17"),
                tooFewKeys.getMessage());
        new MqarGenerator(18, 32, 8); // the smallest legal sizes for K = 8
        assertThrows(IllegalArgumentException.class, () -> new MqarGenerator(64, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> new MqarGenerator(64, 64, 4, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new MqarGenerator(64, 64, 4).batch(0, 1L));
    }

    @Test
    void randomFillerKeepsTheQueriesAndLabels() {
        MqarGenerator g = new MqarGenerator(64, 64, 4, 0.01, true);
        Batch batch = g.batch(2, 3L);
        assertEquals(8, batch.supervisedCount());
        for (int i = 0; i < batch.targets().length; i++) {
            int t = batch.targets()[i];
            if (t != Batch.IGNORE) {
                int b = i / 64;
                int pos = i % 64;
                int key = batch.tokens()[i];
                boolean found = false;
                for (int j = 0; j < 4; j++) {
                    if (batch.token(b, 2 * j) == key) {
                        assertEquals(batch.token(b, 2 * j + 1), t, "label at " + pos);
                        found = true;
                    }
                }
                assertTrue(found);
            }
        }
    }
}
