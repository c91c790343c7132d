package org.ssmlab.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.SequenceClassifier;

/**
 * A model family with a polarization, as the comparison experiments name them on the command line:
 * {@code family[:polarization]}, e.g. {@code mamba}, {@code transformer}, {@code mamba:both}
 * (Mamba with an a ≡ 1 and an a ≡ 0 channel). Builds language models and sequence classifiers of
 * that kind with given sizes.
 */
public record ModelVariant(Family family, Polarization polarization) {

    /** Checks that the family can take the polarization. */
    public ModelVariant {
        if (polarization != Polarization.NONE && !family.polarizable()) {
            throw new IllegalArgumentException(family.name().toLowerCase(Locale.ROOT)
                    + " cannot be polarized (polarizable: " + Family.polarizableNames() + ")");
        }
    }

    /** Parses {@code family[:polarization]}, e.g. {@code mamba:both}. */
    public static ModelVariant parse(String text) {
        String t = text.trim();
        int colon = t.indexOf(':');
        if (colon < 0) {
            return new ModelVariant(Family.parse(t), Polarization.NONE);
        }
        return new ModelVariant(Family.parse(t.substring(0, colon)), Polarization.parse(t.substring(colon + 1)));
    }

    /** Parses a comma-separated list, rejecting an empty one and duplicates. */
    public static List<ModelVariant> parseList(String text) {
        List<ModelVariant> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            ModelVariant v = parse(part);
            if (out.contains(v)) {
                throw new IllegalArgumentException("--models lists " + v.label() + " twice");
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--models is empty; give e.g. mamba,transformer,mamba:both");
        }
        return out;
    }

    /** A short label for tables, legends and directory names: {@code mamba}, {@code mamba+both}. */
    public String label() {
        String f = family.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return polarization == Polarization.NONE ? f : f + "+" + polarization.name().toLowerCase(Locale.ROOT);
    }

    /** The name {@link #parse} reads back: {@code mamba}, {@code mamba:both}. */
    public String name() {
        String f = family.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return polarization == Polarization.NONE ? f : f + ":" + polarization.name().toLowerCase(Locale.ROOT);
    }

    /** A language model of this kind (head tied to the embedding). */
    public LanguageModel languageModel(int vocab, int layers, int dModel, int dState, int heads, long seed) {
        return family.languageModel(vocab, layers, new Family.Spec(dModel, dState, heads, polarization), seed);
    }

    /** A classifier of real-valued sequences with {@code inputDim} features per step and a class token last. */
    public SequenceClassifier classifier(int inputDim, int dModel, int layers, int dState, int heads, int classes,
                                         long seed) {
        Family.Spec spec = new Family.Spec(dModel, dState, heads, polarization);
        return new SequenceClassifier(inputDim, dModel, layers, classes, (i, rng) -> family.block(spec, rng),
                new SplittableRandom(seed));
    }
}
