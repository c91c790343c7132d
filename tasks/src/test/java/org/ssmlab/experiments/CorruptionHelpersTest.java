package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;
import org.ssmlab.data.ImageSet;
import org.ssmlab.data.SyntheticImages;
import org.ssmlab.testing.Props;

/** The image plumbing of the corruption experiment: pooling, the k grid, subsets. */
class CorruptionHelpersTest {

    @Test
    void poolingAveragesEachBlock() {
        Props.qt(30).forAll(integers().between(0, 1000)).checkAssert(seed -> {
            ImageSet set = SyntheticImages.generate(2, seed);
            for (int side : new int[] {14, 7, 4}) {
                ImageSet pooled = PixelSequences.pool(set, side);
                int f = 28 / side;
                assertEquals(side, pooled.height());
                for (int n = 0; n < 2; n++) {
                    int r = seed % side;
                    int c = (seed / 7) % side;
                    double sum = 0;
                    for (int i = 0; i < f; i++) {
                        for (int j = 0; j < f; j++) {
                            sum += set.images()[n][(f * r + i) * 28 + f * c + j];
                        }
                    }
                    assertEquals(sum / (f * f), pooled.images()[n][r * side + c], 1e-5);
                    assertEquals(set.labels()[n], pooled.labels()[n]);
                }
            }
        });
    }

    @Test
    void fractionsBecomePixelCountsAndMustLeaveSomethingClean() {
        // The paper's 32, 96 of 1024 and 256, 480 of 1024 scaled to 784 pixels.
        assertArrayEquals(new int[] {25, 74}, CorruptionCommand.parseFractions("32/1024,96/1024", 784, "--f"));
        assertArrayEquals(new int[] {196, 368}, CorruptionCommand.parseFractions("256/1024, 480/1024", 784, "--f"));
        assertArrayEquals(new int[] {49, 98}, CorruptionCommand.parseFractions("0.5,0.25,0.25", 196, "--f"));
        assertThrows(IllegalArgumentException.class, () -> CorruptionCommand.parseFractions("1", 196, "--f"));
        assertThrows(IllegalArgumentException.class, () -> CorruptionCommand.parseFractions("0", 196, "--f"));
        assertThrows(IllegalArgumentException.class, () -> CorruptionCommand.parseFractions("1/1000", 196, "--f"));
        assertThrows(IllegalArgumentException.class, () -> CorruptionCommand.parseFractions("", 196, "--f"));
        assertThrows(IllegalArgumentException.class, () -> CorruptionCommand.parseFractions("a/b", 196, "--f"));
    }

    @Test
    void subsetIsASeededSampleWithoutReplacement() {
        ImageSet set = SyntheticImages.generate(30, 3);
        ImageSet a = PixelSequences.subset(set, 12, 5);
        ImageSet b = PixelSequences.subset(set, 12, 5);
        assertArrayEquals(a.labels(), b.labels());
        java.util.Set<float[]> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (float[] im : a.images()) {
            assertEquals(true, seen.add(im), "an image drawn twice");
        }
    }
}
