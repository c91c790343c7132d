package org.ssmlab.ssm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PolarizationTest {

    @Test
    void channelLayoutIsOneThenLearnableThenZero() {
        assertEquals(0, Polarization.NONE.extraChannels());
        assertEquals(2, Polarization.BOTH.extraChannels());
        assertEquals(1, Polarization.ONE.firstLearnable());
        assertEquals(0, Polarization.ZERO.firstLearnable());
        assertTrue(Polarization.BOTH.hasOne() && Polarization.BOTH.hasZero());
    }

    @Test
    void parsingAcceptsAnyCaseAndNamesTheAllowedValues() {
        assertEquals(Polarization.BOTH, Polarization.parse("Both"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Polarization.parse("half"));
        assertTrue(e.getMessage().contains("none, one, zero, both"), e.getMessage());
    }
}
