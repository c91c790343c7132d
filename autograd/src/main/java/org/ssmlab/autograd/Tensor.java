package org.ssmlab.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A float32 tensor: a shape, a contiguous row-major {@code float[]}, and, when it takes part in
 * reverse mode, a gradient and the {@link Node} of the op that made it.
 *
 * <p>Ops return new tensors; nothing is a view. A tensor {@linkplain #requiresGrad() requires a
 * gradient} when it is a leaf that asked for one or when an op made it from one that does (while
 * {@link GradMode} is on). {@link #backward()} walks the graph once in reverse topological order,
 * accumulates gradients into the leaves, and frees the graph behind it.
 */
public final class Tensor {

    private final int[] shape;
    private final float[] data;
    private float[] grad;
    private boolean requiresGrad;
    private Node node;

    private Tensor(float[] data, int[] shape) {
        this.shape = shape.clone();
        this.data = data;
        int n = Shape.size(shape);
        if (data.length != n) {
            throw new IllegalArgumentException("Tensor: data has " + data.length + " elements but shape "
                    + Shape.str(shape) + " needs " + n);
        }
    }

    // ---------------------------------------------------------------- creation

    /** A tensor over {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /** A 1-D tensor copying {@code values}. */
    public static Tensor vector(float... values) {
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** A scalar (shape {@code []}). */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    /** Zeros of the given shape. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.size(shape)], shape);
    }

    /** Ones of the given shape. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shape.size(shape)];
        Arrays.fill(d, value);
        return new Tensor(d, shape);
    }

    /** Standard normal samples drawn from {@code rng}, scaled by {@code std}. */
    public static Tensor randn(SplittableRandom rng, float std, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (gaussian(rng) * std);
        }
        return new Tensor(d, shape);
    }

    /** Standard normal samples from a fresh generator seeded with {@code seed}. */
    public static Tensor randn(long seed, int... shape) {
        return randn(new SplittableRandom(seed), 1f, shape);
    }

    /** Uniform samples in [lo, hi) drawn from {@code rng}. */
    public static Tensor uniform(SplittableRandom rng, float lo, float hi, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return new Tensor(d, shape);
    }

    /** A standard normal sample (Box–Muller on the generator's doubles; same seed, same numbers). */
    public static double gaussian(SplittableRandom rng) {
        double u1;
        do {
            u1 = rng.nextDouble();
        } while (u1 <= 1e-300);
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * The result of an op: wraps {@code data}, and records {@code backward} with its {@code inputs} when
     * grad mode is on and any input requires a gradient. Ops call this and nothing else to join the graph.
     */
    public static Tensor fromOp(float[] data, int[] shape, Backward backward, Tensor... inputs) {
        Tensor out = new Tensor(data, shape);
        if (GradMode.isEnabled()) {
            for (Tensor in : inputs) {
                if (in != null && in.requiresGrad) {
                    out.requiresGrad = true;
                    out.node = new Node(inputs, backward);
                    break;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- accessors

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code i} (negative counts from the end). */
    public int dim(int i) {
        return shape[Shape.axis("Tensor.dim", i, shape.length)];
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The number of elements. */
    public int size() {
        return data.length;
    }

    /** The backing array itself (row-major). Writing to it changes the tensor. */
    public float[] data() {
        return data;
    }

    /** The one value of a one-element tensor. */
    public float item() {
        if (data.length != 1) {
            throw new IllegalArgumentException("Tensor.item: tensor of shape " + Shape.str(shape) + " has "
                    + data.length + " elements, not 1");
        }
        return data[0];
    }

    /** The element at a full index. */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("Tensor.get: index of rank " + index.length + " for shape "
                    + Shape.str(shape));
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IllegalArgumentException("Tensor.get: index " + Arrays.toString(index)
                        + " is out of bounds for shape " + Shape.str(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return data[flat];
    }

    /** A copy of the data. */
    public float[] toArray() {
        return data.clone();
    }

    // ---------------------------------------------------------------- gradients

    /** Whether this tensor takes part in reverse mode. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing a gradient (or not). Returns this. */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) {
            throw new IllegalStateException("Tensor.requiresGrad(false) on a non-leaf: use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient as a tensor (sharing its array), or null when there is none yet. */
    public Tensor grad() {
        return grad == null ? null : new Tensor(grad, shape);
    }

    /** The accumulated gradient's array, or null. */
    public float[] gradData() {
        return grad;
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** Whether an op made this tensor (it has a node in the graph). */
    public boolean isLeaf() {
        return node == null;
    }

    /** A tensor sharing this one's data but cut from the graph, with no gradient. */
    public Tensor detach() {
        return new Tensor(data, shape);
    }

    /**
     * Adds {@code g} (same size as this tensor) into the gradient. Ops' backward functions call this on
     * their inputs; it does nothing for tensors that do not require a gradient.
     */
    public void accumulateGrad(float[] g) {
        if (!requiresGrad) {
            return;
        }
        if (g.length != data.length) {
            throw new IllegalArgumentException("accumulateGrad: gradient has " + g.length
                    + " elements for a tensor of shape " + Shape.str(shape));
        }
        if (grad == null) {
            grad = g.clone();
        } else {
            org.ssmlab.simd.Backend.current().elementwise().axpy(1f, g, 0, grad, 0, g.length);   // grad += g
        }
    }

    /**
     * {@link #accumulateGrad} for an array the caller made for this call and does not use again: when
     * this tensor has no gradient yet, {@code g} becomes it without a copy. Ops' backward functions pass
     * the gradients they allocate this way, so a large activation's gradient is written once, not twice.
     * Never pass an array that something else holds (the output gradient an op received, say).
     */
    public void accumulateFreshGrad(float[] g) {
        if (!requiresGrad) {
            return;
        }
        if (grad == null && g.length == data.length) {
            grad = g;
        } else {
            accumulateGrad(g);
        }
    }

    /** Reverse mode from a one-element tensor, seeding its gradient with 1. */
    public void backward() {
        if (data.length != 1) {
            throw new IllegalArgumentException("Tensor.backward: a tensor of shape " + Shape.str(shape)
                    + " needs an output gradient; backward() alone is for one-element tensors");
        }
        backward(new float[] {1f});
    }

    /**
     * Reverse mode with the given gradient of some scalar with respect to this tensor. Leaves accumulate
     * their gradients; the graph behind this tensor is freed, so a second backward through it throws.
     */
    public void backward(float[] outputGrad) {
        if (!requiresGrad) {
            throw new IllegalStateException("Tensor.backward: tensor does not require a gradient "
                    + "(no input of its graph requires one, or it was made under noGrad)");
        }
        if (outputGrad.length != data.length) {
            throw new IllegalArgumentException("Tensor.backward: output gradient has " + outputGrad.length
                    + " elements for a tensor of shape " + Shape.str(shape));
        }
        List<Tensor> order = topologicalOrder(this);
        accumulateGrad(outputGrad);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Node n = t.node;
            if (n == null) {
                continue;
            }
            if (n.backward == null) {
                throw new IllegalStateException("Tensor.backward: the graph was already freed by an earlier backward");
            }
            float[] g = t.grad;
            if (g != null) {
                n.backward.apply(g);
            }
            // Free what is no longer needed: the closure (and the activations it holds) and the
            // intermediate gradient. Leaves keep theirs.
            n.release();
            t.grad = null;
        }
    }

    /** Depth-first post-order without recursion, so a graph of millions of nodes cannot overflow the stack. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs;
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad && seen.put(in, true) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape)).append(' ');
        int show = Math.min(data.length, 8);
        sb.append('[');
        for (int i = 0; i < show; i++) {
            sb.append(i == 0 ? "" : ", ").append(data[i]);
        }
        sb.append(data.length > show ? ", ...]" : "]");
        return sb.toString();
    }

    // ---------------------------------------------------------------- graph

    /**
     * The backward function of an op: given the gradient of the loss with respect to the op's output,
     * it calls {@link Tensor#accumulateGrad(float[])} on each input that needs one.
     */
    @FunctionalInterface
    public interface Backward {
        void apply(float[] outputGrad);
    }

    /** The record of one op in the graph: its inputs and its backward function. */
    static final class Node {
        Tensor[] inputs;
        Backward backward;

        Node(Tensor[] inputs, Backward backward) {
            this.inputs = inputs;
            this.backward = backward;
        }

        void release() {
            backward = null;
            inputs = new Tensor[0];
        }
    }
}
