package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ssmlab.ssm.core.Polarization;

/** The recall preset as run settings: every field round-trips, and the weight decay keeps old keys. */
class RecallPresetTest {

    @Test
    void everySettingRoundTripsThroughASpec() {
        Recall.Preset p = Recall.Preset.real().withLr(3e-3).withWeightDecay(0.0).withSteps(1234);
        assertEquals(p, Recall.Preset.of(Recall.spec(p, Polarization.BOTH, 4, 7)));
        Recall.Preset flip = p.withConstantLr(!p.constantLr());
        assertEquals(flip, Recall.Preset.of(Recall.spec(flip, Polarization.BOTH, 4, 7)));
    }

    @Test
    void theStoredDefaultWeightDecayIsNotASettingSoOlderRunsKeepTheirKeys() {
        Recall.Preset legacy = Recall.Preset.real().withWeightDecay(Recall.Preset.STORED_DEFAULT_WEIGHT_DECAY);
        assertFalse(legacy.settings().containsKey("weight_decay"));
        assertEquals(legacy, Recall.Preset.of(Recall.spec(legacy, Polarization.NONE, 2, 1)));

        Recall.Preset cosine = legacy.withConstantLr(false);
        assertFalse(cosine.settings().containsKey("lr_schedule"));
        assertEquals("constant", cosine.withConstantLr(true).settings().get("lr_schedule"));

        Recall.Preset none = legacy.withWeightDecay(0.0);
        assertTrue(none.settings().containsKey("weight_decay"));
        assertNotEquals(Recall.spec(legacy, Polarization.NONE, 2, 1).key(), Recall.spec(none, Polarization.NONE, 2, 1).key());
    }

    @Test
    void anUnknownScheduleIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecallCommand.constantSchedule("linear"));
        assertTrue(e.getMessage().contains("--lr-schedule") && e.getMessage().contains("linear"), e.getMessage());
        assertTrue(RecallCommand.constantSchedule("constant"));
        assertFalse(RecallCommand.constantSchedule("cosine"));
    }

    @Test
    void aNegativeOrNonFiniteWeightDecayIsRefused() {
        Recall.Preset p = Recall.Preset.quick();
        assertThrows(IllegalArgumentException.class, () -> p.withWeightDecay(-0.1));
        assertThrows(IllegalArgumentException.class, () -> p.withWeightDecay(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> p.withWeightDecay(Double.POSITIVE_INFINITY));
    }
}
