package org.ssmlab.experiments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A number given once for every model or per model on the command line: {@code 3e-3}, or
 * {@code mamba=3e-3,transformer=1e-3} (models named as in {@code --models}, {@code family[:polarization]}),
 * or both ({@code 3e-3,transformer=1e-3}: the bare value is the default for the models not named).
 */
record PerModel(String flag, Double fallback, Map<ModelVariant, Double> values) {

    /** Parses {@code text} for {@code flag}; {@code fallback} applies to the models the text does not name. */
    static PerModel parse(String flag, String text, Double fallback) {
        Map<ModelVariant, Double> values = new LinkedHashMap<>();
        Double bare = fallback;
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String t = part.trim();
            int eq = t.indexOf('=');
            String number = eq < 0 ? t : t.substring(eq + 1).trim();
            double v;
            try {
                v = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": '" + number + "' is not a number (give 3e-3 or mamba=3e-3,...)");
            }
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(flag + ": " + v + " must be finite and >= 0");
            }
            if (eq < 0) {
                bare = v;
            } else {
                values.put(ModelVariant.parse(t.substring(0, eq)), v);
            }
        }
        return new PerModel(flag, bare, values);
    }

    /** The value for {@code model}: its own, else the bare default; fails when neither is given. */
    double of(ModelVariant model) {
        Double v = values.getOrDefault(model, fallback);
        if (v == null) {
            throw new IllegalArgumentException(flag + " gives no value for " + model.label());
        }
        return v;
    }

    /** Checks that every named model is one of {@code models}, so a typo does not go unnoticed. */
    PerModel checkNames(List<ModelVariant> models) {
        for (ModelVariant m : values.keySet()) {
            if (!models.contains(m)) {
                throw new IllegalArgumentException(flag + " names " + m.label() + ", which is not in --models");
            }
        }
        return this;
    }
}
