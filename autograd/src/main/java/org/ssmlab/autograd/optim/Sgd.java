package org.ssmlab.autograd.optim;

import java.util.List;
import org.ssmlab.autograd.Tensor;

/**
 * Stochastic gradient descent with momentum and (L2, coupled) weight decay, as PyTorch's {@code SGD}
 * with dampening 0 and no Nesterov:
 * <pre>
 *   g   = grad + weightDecay * p          (weight decay folded into the gradient)
 *   buf = momentum * buf + g              (buf starts at 0, so the first step has buf = g)
 *   p  -= lr * buf
 * </pre>
 * With momentum 0 this is plain {@code p -= lr * g} and keeps no state. Arithmetic is in double per
 * element; parameters and momentum buffers are stored as float.
 */
public final class Sgd extends Optimizer {

    private final double momentum;
    private final double weightDecay;
    private final float[][] buffers;

    /** Plain SGD: no momentum, no weight decay. */
    public Sgd(List<Tensor> params, double lr) {
        this(params, lr, 0, 0);
    }

    /**
     * @param momentum in [0, 1)
     * @param weightDecay L2 coefficient, &gt;= 0
     */
    public Sgd(List<Tensor> params, double lr, double momentum, double weightDecay) {
        super("Sgd", params, lr);
        this.momentum = check("Sgd", "momentum", momentum, 0, 1, false);
        this.weightDecay = check("Sgd", "weightDecay", weightDecay, 0, Double.MAX_VALUE, true);
        this.buffers = new float[this.params.size()][];
    }

    @Override
    protected void update(int k, float[] x, float[] g, double lr) {
        if (momentum == 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (x[i] - lr * (g[i] + weightDecay * x[i]));
            }
            return;
        }
        float[] buf = buffers[k];
        if (buf == null) {
            buf = buffers[k] = new float[x.length];
        }
        for (int i = 0; i < x.length; i++) {
            double gi = g[i] + weightDecay * x[i];
            double b = momentum * buf[i] + gi;
            buf[i] = (float) b;
            x[i] = (float) (x[i] - lr * b);
        }
    }

    /** The momentum coefficient. */
    public double momentum() {
        return momentum;
    }

    /** The weight decay coefficient. */
    public double weightDecay() {
        return weightDecay;
    }
}
