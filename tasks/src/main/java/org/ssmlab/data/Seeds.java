package org.ssmlab.data;

import java.util.SplittableRandom;

/**
 * Deterministic random streams. Every random draw of an experiment comes from a
 * {@link SplittableRandom} made from a long seed, so a run is reproduced by its seed alone. A stream
 * for "item i of seed s" is derived with {@link #derive}, so that item i can be regenerated without
 * drawing items 0..i-1 first (this is what makes training resumable: the batch of step t depends only
 * on the seed and t).
 */
public final class Seeds {

    private Seeds() {
    }

    /**
     * A 64-bit finaliser (the MurmurHash3 / SplitMix64 mix): a bijection on longs whose output bits each
     * depend on every input bit, so nearby inputs give unrelated outputs.
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** The seed of stream {@code index} under {@code seed}: mix64(seed + mix64(index + φ·2^64)). */
    public static long deriveSeed(long seed, long index) {
        return mix64(seed + mix64(index + 0x9e3779b97f4a7c15L));
    }

    /** A fresh random stream for item {@code index} under {@code seed}. */
    public static SplittableRandom derive(long seed, long index) {
        return new SplittableRandom(deriveSeed(seed, index));
    }

    /** A standard normal draw (Box–Muller; uses two uniforms). */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        // u1 in [0, 1): use 1 - u1 in (0, 1] so the log is finite.
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
