package org.ssmlab.autograd;

/**
 * Whether ops record the graph for reverse mode. Recording is on by default, per thread;
 * {@link #noGrad()} turns it off for a try-with-resources block:
 *
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *     Tensor y = model.forward(x);   // no graph, no memory kept for backward
 * }
 * }</pre>
 */
public final class GradMode {

    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);

    private GradMode() {
    }

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Turns recording off until the returned scope is closed, then restores what was there. */
    public static Scope noGrad() {
        boolean previous = ENABLED.get();
        ENABLED.set(false);
        return () -> ENABLED.set(previous);
    }

    /** A scope that restores the previous grad mode when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
