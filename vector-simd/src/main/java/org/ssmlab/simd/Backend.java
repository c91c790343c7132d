package org.ssmlab.simd;

import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A compute backend: one implementation of each kernel family. The engine above this module asks
 * {@link #current()} for its kernels and never names an implementation.
 *
 * <p>{@link #simd()} is the fast default on the JDK Vector API; {@link #scalar()} is the reference
 * twin a reader checks by eye and the tests compare against. Other backends (OpenCL) live in
 * higher modules and are found by name through {@link BackendProvider}s ({@link #byName}), or
 * installed with {@link #setCurrent(Backend)}.
 *
 * <p><b>Choosing the backend.</b> The first call of {@link #current()} (unless {@link #setCurrent}
 * came first) reads the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, else uses "simd", and resolves the name with {@link #byName(String, String)}. This
 * happens lazily, not when the class is initialised, so a provider that itself calls
 * {@link #simd()} while it is created does not meet a half-initialised class.
 *
 * <p><b>Checks.</b> A backend's scan kernels check nothing; the constructor wraps them in
 * {@link CheckedScans}, so {@link #scans()} checks every call once, the same way for every backend.
 *
 * @param name a short name for messages and benchmarks ("simd", "scalar", "opencl")
 */
public record Backend(String name, Elementwise elementwise, Reductions reductions, Gemm gemm, Scans scans) {

    /** Wraps {@code scans} in the argument checks ({@link CheckedScans}). */
    public Backend {
        scans = CheckedScans.of(scans);
    }

    private static final Backend SIMD = new Backend("simd",
            new SimdElementwise(), new SimdReductions(), new SimdGemm(), new SimdScans());
    private static final Backend SCALAR = new Backend("scalar",
            new ScalarElementwise(), new ScalarReductions(), new ScalarGemm(), new ScalarScans());

    /** The system property naming the backend the engine starts with. */
    public static final String PROPERTY = "ssmlab.backend";
    /** The environment variable naming the backend, read when the system property is not set. */
    public static final String ENV = "SSMLAB_BACKEND";
    /** Names of the optional backends of this project, for the message when their module is absent. */
    private static final String OPTIONAL = "opencl";

    /** Null until the first {@link #current()} or {@link #setCurrent}. */
    private static volatile Backend current;
    /** Set while {@link #current()} resolves the configured name (guards against re-entry). */
    private static boolean resolving;

    /** The Vector API backend. */
    public static Backend simd() {
        return SIMD;
    }

    /** The scalar reference backend. */
    public static Backend scalar() {
        return SCALAR;
    }

    /**
     * The backend the engine uses now: the one last {@link #setCurrent set}, else the one named by
     * {@code -Dssmlab.backend=NAME} or {@code SSMLAB_BACKEND} (resolved once, on the first call), SIMD by
     * default.
     */
    public static Backend current() {
        Backend b = current;
        if (b != null) {
            return b;
        }
        synchronized (Backend.class) {
            if (current == null) {
                if (resolving) {
                    return SIMD;        // a provider asked for the current backend while being created
                }
                resolving = true;
                try {
                    current = fromConfiguration();
                } finally {
                    resolving = false;
                }
            }
            return current;
        }
    }

    /** Makes {@code backend} the one the engine uses from now on. */
    public static void setCurrent(Backend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("Backend.setCurrent: backend is null");
        }
        current = backend;
    }

    /**
     * The backend called {@code name}: "simd" and "scalar" directly; any other name is looked up among
     * the {@link BackendProvider}s on the class path ({@link ServiceLoader}) and created on
     * {@code deviceSpec} (null: the provider's default device). When the provider is missing, fails or
     * has no device, prints ONE line to stderr saying why and what to do, and returns the SIMD backend.
     *
     * @throws IllegalArgumentException when the name is blank or names no backend at all (neither
     *                                  built in, nor a provider's, nor one of this project's optional ones)
     */
    public static Backend byName(String name, String deviceSpec) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Backend.byName: the backend name is empty (known: simd, scalar, "
                    + OPTIONAL + ")");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("simd")) {
            return SIMD;
        }
        if (n.equals("scalar")) {
            return SCALAR;
        }
        StringBuilder known = new StringBuilder("simd, scalar");
        for (BackendProvider p : providers()) {
            if (!p.name().equalsIgnoreCase(n)) {
                known.append(", ").append(p.name());
                continue;
            }
            Optional<Backend> b;
            try {
                b = p.create(deviceSpec);
            } catch (RuntimeException | LinkageError e) {
                System.err.println(p.name() + ": " + e + "; using the SIMD backend");
                return SIMD;
            }
            if (b.isPresent()) {
                return b.get();
            }
            System.err.println(p.unavailable() + "; using the SIMD backend");
            return SIMD;
        }
        if (n.equals(OPTIONAL)) {
            System.err.println(n + ": the backend's module is not on the class path (add the ssmlab '" + n
                    + "' jar); using the SIMD backend");
            return SIMD;
        }
        if (!known.toString().contains(OPTIONAL)) {
            known.append(", ").append(OPTIONAL);
        }
        throw new IllegalArgumentException("Backend.byName: unknown backend '" + name.trim() + "' (known: " + known
                + ")");
    }

    /** The providers on the class path; a broken registration is skipped. */
    private static Iterable<BackendProvider> providers() {
        return () -> ServiceLoader.load(BackendProvider.class).stream()
                .flatMap(h -> {
                    try {
                        return java.util.stream.Stream.of(h.get());
                    } catch (java.util.ServiceConfigurationError | LinkageError e) {
                        System.err.println("Backend: skipping a backend provider that cannot be loaded: " + e);
                        return java.util.stream.Stream.empty();
                    }
                })
                .iterator();
    }

    /** The backend named by {@value #PROPERTY} or {@value #ENV}; an unknown name is one line and SIMD. */
    static Backend fromConfiguration() {
        String name = System.getProperty(PROPERTY);
        String from = "-D" + PROPERTY;
        if (name == null || name.isBlank()) {
            name = System.getenv(ENV);
            from = ENV;
        }
        if (name == null || name.isBlank()) {
            return SIMD;
        }
        try {
            return byName(name, null);
        } catch (IllegalArgumentException e) {
            System.err.println(from + ": " + e.getMessage() + "; using the SIMD backend");
            return SIMD;
        }
    }
}
