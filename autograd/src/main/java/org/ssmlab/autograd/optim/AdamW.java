package org.ssmlab.autograd.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.ssmlab.autograd.Tensor;

/**
 * Adam with decoupled weight decay, as PyTorch's {@code AdamW} (no amsgrad). For each parameter with a
 * gradient g, at its own step count t = 1, 2, ...:
 * <pre>
 *   p    *= 1 - lr * weightDecay          (skipped for parameters flagged no-decay)
 *   m     = beta1 m + (1 - beta1) g
 *   v     = beta2 v + (1 - beta2) g²
 *   mhat  = m / (1 - beta1^t)
 *   vhat  = v / (1 - beta2^t)
 *   p    -= lr * mhat / (sqrt(vhat) + eps)
 * </pre>
 * The decay does not pass through the moments (that is the "W"): every weight shrinks by the same
 * factor per step whatever its gradient history. Biases, norm gains and embeddings are usually exempt:
 * pass them as a no-decay set, or a predicate such as {@code p -> p.rank() <= 1}. The predicate is
 * evaluated once per parameter, in the constructor.
 *
 * <p>A parameter whose gradient is null is skipped entirely, and its step count does not advance.
 * Arithmetic is in double per element; parameters and moments are stored as float.
 */
public final class AdamW extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean[] noDecay;
    private final float[][] m;
    private final float[][] v;
    private final long[] steps;

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01 on every parameter. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01, p -> false);
    }

    /** AdamW whose parameters in {@code noDecay} (compared by identity) get no weight decay. */
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            Set<Tensor> noDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, identitySet(noDecay)::contains);
    }

    /**
     * AdamW whose parameters matching {@code noDecay} get no weight decay.
     *
     * @param beta1 in [0, 1)
     * @param beta2 in [0, 1)
     * @param eps &gt; 0
     * @param weightDecay &gt;= 0
     */
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            Predicate<Tensor> noDecay) {
        super("AdamW", params, lr);
        this.beta1 = check("AdamW", "beta1", beta1, 0, 1, false);
        this.beta2 = check("AdamW", "beta2", beta2, 0, 1, false);
        this.eps = check("AdamW", "eps", eps, Double.MIN_VALUE, Double.MAX_VALUE, true);
        this.weightDecay = check("AdamW", "weightDecay", weightDecay, 0, Double.MAX_VALUE, true);
        Objects.requireNonNull(noDecay, "AdamW: noDecay is null");
        int n = this.params.size();
        this.noDecay = new boolean[n];
        for (int k = 0; k < n; k++) {
            this.noDecay[k] = noDecay.test(this.params.get(k));
        }
        this.m = new float[n][];
        this.v = new float[n][];
        this.steps = new long[n];
    }

    private static Set<Tensor> identitySet(Set<Tensor> tensors) {
        Objects.requireNonNull(tensors, "AdamW: noDecay set is null");
        Set<Tensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(tensors);
        return s;
    }

    @Override
    protected void update(int k, float[] x, float[] g, double lr) {
        if (m[k] == null) {
            m[k] = new float[x.length];
            v[k] = new float[x.length];
        }
        float[] mk = m[k];
        float[] vk = v[k];
        long t = ++steps[k];
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        double decay = noDecay[k] ? 1 : 1 - lr * weightDecay;
        for (int i = 0; i < x.length; i++) {
            double gi = g[i];
            double mi = beta1 * mk[i] + (1 - beta1) * gi;
            double vi = beta2 * vk[i] + (1 - beta2) * gi * gi;
            mk[i] = (float) mi;
            vk[i] = (float) vi;
            double mhat = mi / bc1;
            double vhat = vi / bc2;
            x[i] = (float) (x[i] * decay - lr * mhat / (Math.sqrt(vhat) + eps));
        }
    }

    /** Whether parameter {@code index} (its position in the list) is exempt from weight decay. */
    public boolean isNoDecay(int index) {
        return noDecay[index];
    }

    /** The number of updates parameter {@code index} has received. */
    public long stepCount(int index) {
        return steps[index];
    }

    /**
     * The state of one parameter, for checkpoints: the first and second moments m and v (both null
     * before the parameter's first update) and its number of updates t, which sets the bias corrections.
     */
    public record ParamState(float[] m, float[] v, long steps) {
    }

    /** A copy of every parameter's state, in parameter order (resume with {@link #importState}). */
    public List<ParamState> exportState() {
        List<ParamState> out = new ArrayList<>(params.size());
        for (int k = 0; k < params.size(); k++) {
            out.add(new ParamState(m[k] == null ? null : m[k].clone(), v[k] == null ? null : v[k].clone(), steps[k]));
        }
        return out;
    }

    /**
     * Replaces every parameter's state with a copy of {@code state} (one entry per parameter, in order), so
     * that the following steps continue exactly where the exporting optimizer stopped. Everything is
     * checked before anything changes.
     *
     * @throws IllegalArgumentException for a wrong count, a moment whose length is not the parameter's
     *     size, m and v not both present or both null, or a negative step count
     */
    public void importState(List<ParamState> state) {
        Objects.requireNonNull(state, "AdamW.importState: state is null");
        if (state.size() != params.size()) {
            throw new IllegalArgumentException("AdamW.importState: " + state.size() + " states for " + params.size()
                    + " parameters");
        }
        for (int k = 0; k < params.size(); k++) {
            ParamState s = state.get(k);
            int n = params.get(k).size();
            if (s == null || (s.m() == null) != (s.v() == null) || s.steps() < 0) {
                throw new IllegalArgumentException("AdamW.importState: state " + k
                        + " must have both moments or neither, and steps >= 0");
            }
            if (s.m() != null && (s.m().length != n || s.v().length != n)) {
                throw new IllegalArgumentException("AdamW.importState: state " + k + " has moments of length "
                        + s.m().length + " and " + s.v().length + ", parameter " + k + " has " + n + " elements");
            }
        }
        for (int k = 0; k < params.size(); k++) {
            ParamState s = state.get(k);
            m[k] = s.m() == null ? null : s.m().clone();
            v[k] = s.v() == null ? null : s.v().clone();
            steps[k] = s.steps();
        }
    }
}
