package org.ssmlab.autograd.optim;

/**
 * A learning rate as a function of the step number t = 0, 1, 2, ... Call {@link #apply} before each
 * optimizer step.
 */
@FunctionalInterface
public interface LrSchedule {

    /** The learning rate at step {@code step} (&gt;= 0). */
    double at(long step);

    /** Sets {@code optimizer}'s learning rate to this schedule's value at {@code step}. */
    default void apply(Optimizer optimizer, long step) {
        optimizer.setLearningRate(at(step));
    }

    /** The same rate at every step. */
    static LrSchedule constant(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LrSchedule.constant: lr = " + lr + " must be finite and >= 0");
        }
        return step -> {
            checkStep(step);
            return lr;
        };
    }

    /**
     * Linear warmup then cosine decay:
     * <pre>
     *   t &lt; W:           peak * t / W                                          (0 at t = 0)
     *   W &lt;= t &lt; T:      minLr + (peak - minLr) (1 + cos(pi (t - W) / (T - W))) / 2   (peak at t = W)
     *   t &gt;= T:          minLr
     * </pre>
     * where W = {@code warmupSteps} and T = {@code totalSteps}. With W = 0 it starts at the peak.
     *
     * @throws IllegalArgumentException unless 0 &lt;= minLr &lt;= peak (finite) and 0 &lt;= W &lt;= T
     */
    static LrSchedule warmupCosine(double peak, long warmupSteps, long totalSteps, double minLr) {
        if (!(minLr >= 0) || !(peak >= minLr) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("LrSchedule.warmupCosine: need 0 <= minLr <= peak, both finite; got peak = "
                    + peak + ", minLr = " + minLr);
        }
        if (warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("LrSchedule.warmupCosine: need 0 <= warmupSteps <= totalSteps; got warmupSteps = "
                    + warmupSteps + ", totalSteps = " + totalSteps);
        }
        return step -> {
            checkStep(step);
            if (step < warmupSteps) {
                return peak * step / warmupSteps;
            }
            if (step >= totalSteps) {
                return minLr;
            }
            double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return minLr + (peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("LrSchedule: step " + step + " must be >= 0");
        }
    }
}
