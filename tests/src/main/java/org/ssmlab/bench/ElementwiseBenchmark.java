package org.ssmlab.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.Elementwise;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;
import org.ssmlab.simd.Reductions;

/**
 * The elementwise and reduction kernels, Vector API twin against scalar twin, on n = 4096 floats:
 * e^x, SiLU, x + y, Σx, and row softmax of an (n/512, 512) matrix. Reports nanoseconds per call;
 * the ratio scalar/simd of a row is the speed-up of the SIMD kernel.
 *
 * <p>Each benchmark method is compiled on its own ({@code DONT_INLINE}), as the kernels are when a model
 * calls them: inlined into JMH's measurement loop, the call chain down to the vector math exhausted C2's
 * node budget for one compilation ({@code NodeCountInliningCutoff}) with AVX2, and {@code exp} measured
 * a path that boxes every vector (35 µs instead of 2 µs at n = 4096).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseBenchmark {

    /** Row length of the softmax benchmark. */
    private static final int SOFTMAX_COLS = 512;

    @Param({"simd", "scalar"})
    public String backend;

    @Param({"4096"})
    public int n;

    private Elementwise ew;
    private Reductions red;
    private float[] x;
    private float[] y;
    private float[] out;

    @Setup
    public void setUp() {
        Backend b = switch (backend) {
            case "simd" -> Backend.simd();
            case "scalar" -> Backend.scalar();
            default -> throw new IllegalArgumentException("ElementwiseBenchmark: unknown backend " + backend);
        };
        ew = b.elementwise();
        red = b.reductions();
        SplittableRandom rnd = new SplittableRandom(42);
        x = new float[n];
        y = new float[n];
        out = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-8, 8);
            y[i] = (float) rnd.nextDouble(-8, 8);
        }
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] exp() {
        ew.unary(Unary.EXP, x, 0, out, 0, n);
        return out;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] softplus() {
        ew.unary(Unary.SOFTPLUS, x, 0, out, 0, n);
        return out;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] silu() {
        ew.unary(Unary.SILU, x, 0, out, 0, n);
        return out;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] add() {
        ew.binary(Binary.ADD, x, 0, y, 0, out, 0, n);
        return out;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float sum() {
        return red.sum(x, 0, n);
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] softmaxRows() {
        red.softmaxRows(x, out, n / SOFTMAX_COLS, SOFTMAX_COLS);
        return out;
    }
}
