package org.ssmlab.ssm;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.mixers.CausalSelfAttention;
import org.ssmlab.ssm.core.Polarization;

/** One tiny instance of every family and every polarized variant, for the contract tests. */
public final class TestMixers {

    private TestMixers() {
    }

    /** Name → a way to make the mixer of width {@code d} from a generator. */
    public static Map<String, Function<SplittableRandom, Mixer>> all(int d) {
        Map<String, Function<SplittableRandom, Mixer>> m = new LinkedHashMap<>();
        for (Family f : Family.values()) {
            for (Polarization p : Polarization.values()) {
                if (p != Polarization.NONE && !f.polarizable()) {
                    continue;
                }
                Family.Spec spec = new Family.Spec(d, 3, 2, p);
                m.put(f.name().toLowerCase(Locale.ROOT) + (p == Polarization.NONE ? "" : " polarized " + p),
                        r -> f.mixer(spec, r));
            }
        }
        m.put("attention without positions", r -> new CausalSelfAttention(d, 2, false, r));
        return m;
    }
}
