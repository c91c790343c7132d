package org.ssmlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code ssmlab theorems}: a verdict and coverage per property; the transformer is outside, not failing. */
class TheoremsCommandTest {

    @Test
    void diagonalFamilyHoldsAndTransformerIsOutside() {
        CliRun s4d = CliRun.of("theorems", "--family", "s4d", "--examples", "2");
        assertEquals(0, s4d.code(), s4d.err());
        assertTrue(s4d.out().contains("Theorem 3.1 recency bound") && s4d.out().contains("holds")
                && s4d.out().contains("A_max"), s4d.out());
        CliRun tf = CliRun.of("theorems", "--family", "transformer", "--examples", "2");
        assertEquals(0, tf.code(), tf.err());
        assertTrue(tf.out().contains("outside hypotheses") && !tf.out().contains("falsified"), tf.out());
    }

    @Test
    void unknownFamilyIsAOneLineError() {
        CliRun r = CliRun.of("theorems", "--family", "lstm");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("lstm") && r.err().contains("mamba"), r.err());
    }
}
