package org.ssmlab.autograd.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;

/**
 * A piece of a model that owns named parameters and named sub-modules, in registration order.
 * Parameter names join the path with dots, as PyTorch does ({@code layers.0.mixer.in_proj.weight}),
 * so a {@linkplain #stateDict() state dict} matches the reference checkpoint layout.
 */
public abstract class Module {

    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    /** Registers a parameter (a leaf that requires a gradient) under {@code name} and returns it. */
    protected Tensor param(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        params.put(name, value);
        return value;
    }

    /** Registers a sub-module under {@code name} and returns it. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": bad or duplicate name '" + name + "'");
        }
    }

    /** Every parameter with its dotted path, depth first in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((n, t) -> out.put(prefix + n, t));
        children.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    /** Every parameter, in the order of {@link #namedParameters()}. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.size();
        }
        return n;
    }

    /** The named sub-modules directly under this one. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Name → parameter tensor (the live tensors; write them to save a checkpoint). */
    public Map<String, Tensor> stateDict() {
        return namedParameters();
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor t : namedParameters().values()) {
            t.zeroGrad();
        }
    }

    /**
     * Copies values into the parameters. Every name and shape is checked before anything is copied, so
     * a mismatch leaves the module unchanged. With {@code strict}, names in {@code state} that the module
     * does not have are an error too.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> mine = namedParameters();
        List<String> problems = new ArrayList<>();
        for (var e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                problems.add("missing " + e.getKey() + " " + Shape.str(e.getValue().shape()));
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                problems.add(e.getKey() + ": checkpoint has " + Shape.str(src.shape()) + ", model has "
                        + Shape.str(e.getValue().shape()));
            }
        }
        if (strict) {
            for (String name : state.keySet()) {
                if (!mine.containsKey(name)) {
                    problems.add("unexpected " + name);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: " + getClass().getSimpleName() + " does not match: "
                    + String.join("; ", problems));
        }
        for (var e : mine.entrySet()) {
            float[] src = state.get(e.getKey()).data();
            System.arraycopy(src, 0, e.getValue().data(), 0, src.length);
        }
    }
}
