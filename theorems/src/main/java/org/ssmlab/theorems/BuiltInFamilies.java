package org.ssmlab.theorems;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.mixers.MambaMixer;

/**
 * The project's families as factories for {@link MixerTheorems}: small widths (the properties take
 * every derivative by reverse mode), polarized when the family can be. Mamba is built with d_conv = 1:
 * with the reference kernel of 4, a_t reads x_{t-3..t} and Theorem 3.1's hypothesis (the terms at t
 * depend on x_t alone) does not hold, which the suite reports as outside its hypotheses.
 */
public final class BuiltInFamilies {

    /** Model width and state size of the sampled mixers. */
    public static final int WIDTH = 4;
    public static final int STATE = 2;

    private BuiltInFamilies() {
    }

    /** The factory of a family with the given polarization (NONE for the families that cannot take one). */
    public static Function<SplittableRandom, Mixer> factory(Family f, Polarization p) {
        Polarization pol = f.polarizable() ? p : Polarization.NONE;
        if (f == Family.MAMBA) {
            return rng -> new MambaMixer(new MambaMixer.Config(WIDTH, STATE, 2, 1, 1, pol), rng);
        }
        Family.Spec spec = new Family.Spec(WIDTH, STATE, 2, pol);
        return rng -> f.mixer(spec, rng);
    }

    /** A label such as "mamba (d_conv 1), polarization both". */
    public static String label(Family f, Polarization p) {
        String name = f.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        String pol = f.polarizable() ? ", polarization " + p.name().toLowerCase(java.util.Locale.ROOT) : "";
        return name + (f == Family.MAMBA ? " (d_conv 1)" : "") + pol;
    }
}
