package org.ssmlab.ssm.core;

/**
 * Polarization of a diagonal state-space layer (docs/theory.md §6): extra state channels whose transition
 * is a constant, a ≡ 1 (one-polarized: influence that never decays) and a ≡ 0 (zero-polarized: no
 * mixing with the past). The channels are ordered {@code [one | n learnable | zero]}, as in the
 * paper's released code.
 */
public enum Polarization {
    /** No extra channel: the plain layer. */
    NONE(false, false),
    /** One extra channel with a ≡ 1, first. */
    ONE(true, false),
    /** One extra channel with a ≡ 0, last. */
    ZERO(false, true),
    /** Both: a ≡ 1 first and a ≡ 0 last. */
    BOTH(true, true);

    private final boolean one;
    private final boolean zero;

    Polarization(boolean one, boolean zero) {
        this.one = one;
        this.zero = zero;
    }

    /** Whether the first channel is fixed to a ≡ 1. */
    public boolean hasOne() {
        return one;
    }

    /** Whether the last channel is fixed to a ≡ 0. */
    public boolean hasZero() {
        return zero;
    }

    /** How many constant channels this adds to the n learnable ones. */
    public int extraChannels() {
        return (one ? 1 : 0) + (zero ? 1 : 0);
    }

    /** The index of the first learnable channel in the order {@code [one | learnable | zero]}. */
    public int firstLearnable() {
        return one ? 1 : 0;
    }

    /** Parses {@code none|one|zero|both} (any case), naming the allowed values on failure. */
    public static Polarization parse(String text) {
        for (Polarization p : values()) {
            if (p.name().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("polarization '" + text + "' is not one of none, one, zero, both");
    }
}
