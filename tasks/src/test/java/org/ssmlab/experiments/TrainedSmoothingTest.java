package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The sharpness averaged over sequences that the trained-model smoothing probe reports. */
class TrainedSmoothingTest {

    @Test
    void meanSharpnessIsTheMeanOverSequencesOfTheLargestChannelRange() {
        // Two sequences of 3 steps x 2 channels. Sequence 0: channel ranges 4 and 1 -> S = 4; magnitude 3.
        // Sequence 1: ranges 0.5 and 2 -> S = 2; magnitude 2.
        float[] x = {
            1, 0, -3, 1, 0, 0.5f,
            0, 2, 0.5f, 0, 0.25f, 1,
        };
        assertEquals((4 + 2) / 2.0, TrainedSmoothing.meanSharpness(x, 2, 3, 2, false), 1e-6);
        assertEquals((4 / 3.0 + 2 / 2.0) / 2.0, TrainedSmoothing.meanSharpness(x, 2, 3, 2, true), 1e-6);
        // Negative control: reading the batch as one sequence of 6 steps gives 4, not the mean 3.
        assertEquals(4, TrainedSmoothing.meanSharpness(x, 1, 6, 2, false), 1e-6);
    }
}
