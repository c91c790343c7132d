package org.ssmlab.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The hyper-parameters and run settings of a {@link Trainer}, with defaults for a small synthetic task.
 *
 * <p>Two groups: the settings that change what a run computes ({@link #identity()}: steps, learning-rate
 * schedule, AdamW constants, clipping, seed, and whatever the caller adds with {@link #setting}, such as
 * the task's sizes), which are stored with every checkpoint and must match on resume; and the settings
 * that only change how it is run (checkpoint cadence, progress bar, label), which may differ.
 */
public final class TrainOptions {

    long steps = 1000;
    double peakLr = 1e-3;
    long warmupSteps = -1; // -1: 10% of steps
    double minLr = 1e-5;
    double weightDecay = 0.1;
    double beta1 = 0.9;
    double beta2 = 0.98;
    double eps = 1e-8;
    double clipNorm = 1.0;
    long seed = 0;
    long checkpointEvery = 500;
    int keepCheckpoints = 2;
    long monitorEvery = 0;
    boolean progress = true;
    String name = "train";
    private final Map<String, String> settings = new LinkedHashMap<>();

    public TrainOptions steps(long v) {
        if (v < 1) {
            throw new IllegalArgumentException("Trainer: steps = " + v + " must be >= 1");
        }
        steps = v;
        return this;
    }

    public TrainOptions peakLr(double v) {
        peakLr = v;
        return this;
    }

    /** Warmup steps; the default is 10% of the steps. */
    public TrainOptions warmupSteps(long v) {
        warmupSteps = v;
        return this;
    }

    public TrainOptions minLr(double v) {
        minLr = v;
        return this;
    }

    /** Decoupled weight decay; vectors (biases, norm gains, D) and A_log are exempt (see {@code noDecay}). */
    public TrainOptions weightDecay(double v) {
        weightDecay = v;
        return this;
    }

    public TrainOptions betas(double b1, double b2) {
        beta1 = b1;
        beta2 = b2;
        return this;
    }

    public TrainOptions eps(double v) {
        eps = v;
        return this;
    }

    /** The global gradient-norm bound (0 or less: no clipping). */
    public TrainOptions clipNorm(double v) {
        clipNorm = v;
        return this;
    }

    public TrainOptions seed(long v) {
        seed = v;
        return this;
    }

    /** Steps between checkpoints (0: only after the last step). */
    public TrainOptions checkpointEvery(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("Trainer: checkpointEvery = " + v + " must be >= 0");
        }
        checkpointEvery = v;
        return this;
    }

    /** How many checkpoints to keep (the newest); at least 1. */
    public TrainOptions keepCheckpoints(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("Trainer: keepCheckpoints = " + v + " must be >= 1");
        }
        keepCheckpoints = v;
        return this;
    }

    /** Steps between calls of the {@link Trainer.Monitor} (0: never); part of the run's identity. */
    public TrainOptions monitorEvery(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("Trainer: monitorEvery = " + v + " must be >= 0");
        }
        monitorEvery = v;
        return this;
    }

    /** Whether to draw a progress bar (only ever on a terminal). */
    public TrainOptions progress(boolean v) {
        progress = v;
        return this;
    }

    /** The label of the progress bar. */
    public TrainOptions name(String v) {
        name = v;
        return this;
    }

    /**
     * Adds a setting of the caller (a task size, the model's width, ...) to the run's identity, so that a
     * run directory trained with another value is refused on resume.
     */
    public TrainOptions setting(String key, Object value) {
        Objects.requireNonNull(key, "TrainOptions.setting: key is null");
        settings.put(key, String.valueOf(value));
        return this;
    }

    public long steps() {
        return steps;
    }

    public long seed() {
        return seed;
    }

    long warmup() {
        return warmupSteps >= 0 ? Math.min(warmupSteps, steps) : steps / 10;
    }

    /** Every setting that changes what the run computes, as strings, in a fixed order. */
    public Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("steps", Long.toString(steps));
        m.put("peakLr", Double.toString(peakLr));
        m.put("warmupSteps", Long.toString(warmup()));
        m.put("minLr", Double.toString(minLr));
        m.put("weightDecay", Double.toString(weightDecay));
        m.put("beta1", Double.toString(beta1));
        m.put("beta2", Double.toString(beta2));
        m.put("eps", Double.toString(eps));
        m.put("clipNorm", Double.toString(clipNorm));
        m.put("seed", Long.toString(seed));
        m.put("monitorEvery", Long.toString(monitorEvery));
        settings.forEach((k, v) -> m.putIfAbsent("task." + k, v));
        return m;
    }
}
