package org.ssmlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ssmlab.testing.Props;

class NeedleGeneratorTest {

    @Test
    void theNeedleSitsAtTheRequestedDepthAndTheTargetIsItsValue() {
        Props.qt(60).forAll(integers().between(5, 80), doubles().between(0, 1), integers().between(4, 40))
                .checkAssert((len, depth, vocab) -> {
                    NeedleGenerator g = new NeedleGenerator(vocab, len);
                    int start = g.needleStart(depth);
                    assertEquals(Math.round(depth * (len - 5)), start);
                    Batch batch = g.batch(2, depth, new SplittableRandom(len * 31L + vocab));
                    for (int b = 0; b < 2; b++) {
                        int markers = 0;
                        for (int t = 0; t < len; t++) {
                            int tok = batch.token(b, t);
                            assertTrue(tok >= 1 && tok < vocab);
                            markers += tok == NeedleGenerator.MARKER ? 1 : 0;
                            if (t != len - 1) {
                                assertEquals(Batch.IGNORE, batch.target(b, t));
                            }
                        }
                        assertEquals(2, markers);
                        assertEquals(NeedleGenerator.MARKER, batch.token(b, start));
                        assertEquals(NeedleGenerator.MARKER, batch.token(b, len - 2));
                        assertEquals(batch.token(b, start + 1), batch.token(b, len - 1));
                        assertEquals(batch.token(b, start + 2), batch.target(b, len - 1));
                    }
                });
    }

    @Test
    void depthEndsAreTheFirstAndLastLegalPlaces() {
        NeedleGenerator g = new NeedleGenerator(20, 105);
        assertEquals(0, g.needleStart(0));
        assertEquals(50, g.needleStart(0.5));
        assertEquals(100, g.needleStart(1)); // needle 100..102, query 103..104
        assertThrows(IllegalArgumentException.class, () -> g.needleStart(1.01));
        assertThrows(IllegalArgumentException.class, () -> new NeedleGenerator(3, 10));
        assertThrows(IllegalArgumentException.class, () -> new NeedleGenerator(10, 4));
    }

    @Test
    void randomDepthCoversTheWholeRange() {
        NeedleGenerator g = new NeedleGenerator(30, 12);
        Batch batch = g.batchRandomDepth(400, new SplittableRandom(1));
        boolean[] seen = new boolean[8];
        for (int b = 0; b < 400; b++) {
            for (int t = 0; t < 10; t++) {
                if (batch.token(b, t) == NeedleGenerator.MARKER) {
                    seen[t] = true;
                    assertEquals(batch.token(b, t + 1), batch.token(b, 11));
                    assertEquals(batch.token(b, t + 2), batch.target(b, 11));
                }
            }
        }
        for (int s = 0; s < 8; s++) {
            assertTrue(seen[s], "start " + s + " never drawn");
        }
    }
}
