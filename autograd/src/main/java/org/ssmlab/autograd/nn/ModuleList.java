package org.ssmlab.autograd.nn;

import java.util.ArrayList;
import java.util.List;

/** An indexed list of sub-modules named {@code 0}, {@code 1}, ... (PyTorch's ModuleList). */
public final class ModuleList<M extends Module> extends Module {

    private final List<M> items = new ArrayList<>();

    /** Appends {@code module} under the next index and returns it. */
    public M add(M module) {
        items.add(child(String.valueOf(items.size()), module));
        return module;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<M> items() {
        return List.copyOf(items);
    }
}
