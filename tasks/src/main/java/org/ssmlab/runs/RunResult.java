package org.ssmlab.runs;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a finished run produced: its spec, its named figures (e.g. {@code accuracy_kv16}), where training
 * ended, whether it stopped early, and how long this run took in seconds.
 */
public record RunResult(RunSpec spec, SortedMap<String, Double> figures, long finalStep, boolean stoppedEarly,
                        double seconds) {

    public RunResult {
        Objects.requireNonNull(spec, "RunResult: spec is null");
        figures = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(figures));
    }

    /** The figure {@code name}; fails naming the run when it is missing. */
    public double figure(String name) {
        Double v = figures.get(name);
        if (v == null) {
            throw new IllegalArgumentException("RunResult " + spec.key() + ": no figure '" + name + "' (has " + figures.keySet() + ")");
        }
        return v;
    }

    /** What the executing code returns; the executor adds the spec and the time. */
    public record Outcome(Map<String, Double> figures, long finalStep, boolean stoppedEarly) {
    }
}
