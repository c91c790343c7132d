package org.ssmlab.theory;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The generators the theorem properties share. Transition levels are drawn from a mixture that
 * deliberately puts most of its mass near the ends: a → 0 (fast forgetting) and a → 1 (long memory),
 * where the bounds are tight or their constants blow up.
 */
final class Gens {

    private Gens() {
    }

    /** Seeds for the random weights and inputs of one example. */
    static Gen<Long> seeds() {
        return Generate.longRange(0, 1L << 40);
    }

    /** A typical transition in (0, 1): 40% in [1e-4, 0.1], 20% in [0.1, 0.9], 40% in [0.9, 0.9999]. */
    static Gen<Double> level() {
        return Generate.frequency(Pair.of(2, doubles().between(1e-4, 0.1)),
                Pair.of(1, doubles().between(0.1, 0.9)),
                Pair.of(2, doubles().between(0.9, 0.9999)));
    }

    /** A smallest transition a_min in [0, 1]: exact 0 and 1 included, and both ends weighted. */
    static Gen<Double> aMin() {
        return Generate.frequency(Pair.of(1, Generate.pick(java.util.List.of(0.0, 1.0))),
                Pair.of(3, doubles().between(0, 0.1)),
                Pair.of(2, doubles().between(0.1, 0.9)),
                Pair.of(4, doubles().between(0.9, 1.0)));
    }

    /** Sequence lengths in [lo, hi]. */
    static Gen<Integer> lengths(int lo, int hi) {
        return integers().between(lo, hi);
    }
}
