package org.ssmlab.runs;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a finished run produced: its spec, its named figures (e.g. {@code accuracy_kv16}), where training
 * ended, whether it stopped early, how long this run took in seconds, and how many threads its kernels
 * split their work over (0: not recorded).
 */
public record RunResult(RunSpec spec, SortedMap<String, Double> figures, long finalStep, boolean stoppedEarly,
                        double seconds, int threads) {

    public RunResult {
        Objects.requireNonNull(spec, "RunResult: spec is null");
        figures = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(figures));
        if (threads < 0) {
            throw new IllegalArgumentException("RunResult " + spec.key() + ": thread count " + threads + " is negative");
        }
    }

    /** A result whose thread count is not recorded. */
    public RunResult(RunSpec spec, SortedMap<String, Double> figures, long finalStep, boolean stoppedEarly, double seconds) {
        this(spec, figures, finalStep, stoppedEarly, seconds, 0);
    }

    /** Whether {@code other} computed the same thing: the same spec, bit-identical figures, final step and early stop. */
    public boolean sameOutcome(RunResult other) {
        if (!spec.canonical().equals(other.spec.canonical()) || finalStep != other.finalStep
                || stoppedEarly != other.stoppedEarly || !figures.keySet().equals(other.figures.keySet())) {
            return false;
        }
        for (Map.Entry<String, Double> f : figures.entrySet()) {
            if (Double.doubleToRawLongBits(f.getValue()) != Double.doubleToRawLongBits(other.figures.get(f.getKey()))) {
                return false;
            }
        }
        return true;
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
