package org.ssmlab.autograd.optim;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.ssmlab.autograd.Tensor;

/**
 * Updates a fixed list of parameters from their accumulated gradients.
 *
 * <p>A training step is: {@link #zeroGrad()}, forward, {@code loss.backward()}, optionally
 * {@link GradClip#clipGlobalNorm}, then {@link #step()}. {@code step} writes the new values into each
 * parameter's {@link Tensor#data()} array in place and skips parameters whose gradient is null (they took
 * no part in this loss), leaving their optimizer state untouched too. Per-parameter state (momentum,
 * moments) lives in the optimizer, indexed by the parameter's position in the list.
 */
public abstract class Optimizer {

    /** The parameters, in the order given; never changes. */
    protected final List<Tensor> params;

    private final String name;
    private double learningRate;

    /**
     * @throws IllegalArgumentException for a null or repeated parameter (a repeat would be updated twice)
     *     or a learning rate that is negative or not finite
     */
    protected Optimizer(String name, List<Tensor> params, double learningRate) {
        Objects.requireNonNull(params, name + ": params is null");
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) {
                throw new IllegalArgumentException(name + ": parameter " + i + " is null");
            }
            Integer before = seen.put(p, i);
            if (before != null) {
                throw new IllegalArgumentException(name + ": parameters " + before + " and " + i
                        + " are the same tensor; it would be updated twice per step");
            }
        }
        this.params = List.copyOf(params);
        this.name = name;
        this.learningRate = checkLearningRate(name, learningRate);
    }

    /**
     * Applies one update to every parameter that has a gradient: {@link #update} for each parameter in
     * order, at the current learning rate; a parameter whose gradient is null is passed over.
     */
    public final void step() {
        double lr = learningRate();
        for (int k = 0; k < params.size(); k++) {
            Tensor p = params.get(k);
            float[] g = p.gradData();
            if (g == null) {
                continue;
            }
            update(k, p.data(), g, lr);
        }
    }

    /**
     * Updates one parameter in place.
     *
     * @param index the parameter's position in the list (indexes the per-parameter state)
     * @param x the parameter's values, written in place
     * @param g its gradient (not null), as long as {@code x}
     * @param lr the learning rate of this step
     */
    protected abstract void update(int index, float[] x, float[] g, double lr);

    /** Forgets every parameter's gradient, ready for the next backward pass. */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /** The learning rate the next {@link #step()} uses. */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate for the following steps (a schedule calls this before each step).
     *
     * @throws IllegalArgumentException when {@code lr} is negative, NaN or infinite
     */
    public void setLearningRate(double lr) {
        this.learningRate = checkLearningRate(name, lr);
    }

    private static double checkLearningRate(String name, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(name + ": learning rate " + lr + " must be finite and >= 0");
        }
        return lr;
    }

    /** The parameters, unmodifiable, in the order given. */
    public List<Tensor> params() {
        return Collections.unmodifiableList(params);
    }

    /** Checks a hyper-parameter lies in [lo, hi) (or [lo, hi] when {@code hiInclusive}). */
    static double check(String op, String what, double value, double lo, double hi, boolean hiInclusive) {
        boolean ok = value >= lo && (hiInclusive ? value <= hi : value < hi);
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + what + " = " + value + " must be in [" + lo + ", " + hi
                    + (hiInclusive ? "]" : ")"));
        }
        return value;
    }
}
