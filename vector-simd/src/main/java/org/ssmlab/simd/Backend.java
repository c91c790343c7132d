package org.ssmlab.simd;

/**
 * A compute backend: one implementation of each kernel family. The engine above this module asks
 * {@link #current()} for its kernels and never names an implementation.
 *
 * <p>{@link #simd()} is the fast default on the JDK Vector API; {@link #scalar()} is the reference
 * twin a reader checks by eye and the tests compare against. Other backends (OpenCL) are installed
 * with {@link #setCurrent(Backend)}.
 *
 * @param name a short name for messages and benchmarks ("simd", "scalar", "opencl")
 */
public record Backend(String name, Elementwise elementwise, Reductions reductions, Gemm gemm, Scans scans) {

    private static final Backend SIMD = new Backend("simd",
            new SimdElementwise(), new SimdReductions(), new SimdGemm(), new SimdScans());
    private static final Backend SCALAR = new Backend("scalar",
            new ScalarElementwise(), new ScalarReductions(), new ScalarGemm(), new ScalarScans());

    private static volatile Backend current = fromSystemProperty();

    /** The Vector API backend. */
    public static Backend simd() {
        return SIMD;
    }

    /** The scalar reference backend. */
    public static Backend scalar() {
        return SCALAR;
    }

    /** The backend the engine uses now: {@code -Dssmlab.backend=simd|scalar}, SIMD by default. */
    public static Backend current() {
        return current;
    }

    /** Makes {@code backend} the one the engine uses from now on. */
    public static void setCurrent(Backend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("Backend.setCurrent: backend is null");
        }
        current = backend;
    }

    private static Backend fromSystemProperty() {
        String name = System.getProperty("ssmlab.backend", "simd");
        return switch (name) {
            case "simd" -> SIMD;
            case "scalar" -> SCALAR;
            // Other backends live in higher modules and install themselves with setCurrent.
            default -> SIMD;
        };
    }
}
