package org.ssmlab.ssm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.mixers.CausalSelfAttention;

/** The families of the project by name, each as a way to make a mixer of width d. */
public final class Families {

    private Families() {
    }

    /** One tiny instance of every family (and its polarized variants) for contract tests. */
    public static Map<String, Function<SplittableRandom, Mixer>> testMixers(int d) {
        Map<String, Function<SplittableRandom, Mixer>> m = new LinkedHashMap<>();
        m.put("attention (rotary)", r -> new CausalSelfAttention(d, 2, true, r));
        m.put("attention (no positions)", r -> new CausalSelfAttention(d, 2, false, r));
        return m;
    }
}
