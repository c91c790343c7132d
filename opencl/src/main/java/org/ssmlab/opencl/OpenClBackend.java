package org.ssmlab.opencl;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jocl.CLException;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.SimdScans;

/**
 * The optional OpenCL backend: an {@link org.ssmlab.simd.Backend} named {@code "opencl"} whose
 * elementwise kernels, reductions, GEMM and scans (diagonal, complex diagonal and Mamba's fused
 * selective scan, forward and backward) run on an OpenCL device through JOCL (a plain CPU with POCL
 * is enough). Nothing in the project depends on it at compile time; the engine uses it once
 * {@link #install()}, {@link Backend#byName} with "opencl" (through {@link OpenClBackendProvider}, so
 * also {@code --backend opencl} and {@code -Dssmlab.backend=opencl}) or {@link Backend#setCurrent}
 * has made it current.
 *
 * <p><b>Device selection.</b> A device spec is either an index into the list of every device of
 * every platform (as {@code clinfo -l} lists them, counted from 0 across platforms) or a substring
 * of the device or platform name, case-insensitive. With no spec, the system property
 * {@value #DEVICE_PROPERTY} is used, then the environment variable {@value #DEVICE_ENV}, then the
 * first device.
 *
 * <p><b>Small calls</b> cost more in transfers and launches than they compute, so a call that moves
 * fewer than {@code threshold} floats between host and device runs on the SIMD backend instead
 * (system property {@value #THRESHOLD_PROPERTY}, default {@value #DEFAULT_THRESHOLD}; 0 sends every
 * call to the device, as the tests do).
 *
 * <p><b>Resources.</b> Each call allocates its device buffers in a try-with-resources block, so
 * {@link #liveBuffers()} returns to zero after every call. The context, queue and compiled programs
 * live until {@link #close()}.
 */
public final class OpenClBackend implements AutoCloseable {

    /** System property naming the device (index or name substring). */
    public static final String DEVICE_PROPERTY = "ssmlab.opencl.device";
    /** Environment variable naming the device, read when the system property is not set. */
    public static final String DEVICE_ENV = "SSMLAB_OPENCL_DEVICE";
    /** System property: the fewest floats a call must move to run on the device. */
    public static final String THRESHOLD_PROPERTY = "ssmlab.opencl.threshold";
    /** The default of {@value #THRESHOLD_PROPERTY}. */
    public static final int DEFAULT_THRESHOLD = 1 << 16;
    /** The line {@link #install()} prints when there is no OpenCL platform on the machine. */
    public static final String NO_PLATFORM_LINE = OpenClBackendProvider.NO_PLATFORM + "; using the SIMD backend";

    private static volatile String lastFailure = "not tried yet";

    private final OpenClContext ctx;
    private final Backend backend;
    private final int threshold;

    private OpenClBackend(OpenClContext ctx, int threshold) {
        this.ctx = ctx;
        this.threshold = threshold;
        Backend simd = Backend.simd();
        this.backend = new Backend("opencl",
                new OpenClElementwise(ctx, simd.elementwise(), threshold),
                new OpenClReductions(ctx, simd.reductions(), threshold),
                new OpenClGemm(ctx, simd.gemm(), threshold),
                new OpenClScans(ctx, new SimdScans(), threshold));
    }

    /**
     * The backend on the device named by {@code deviceSpec} (null or blank: the configured or first
     * device), with the configured threshold; empty when OpenCL or the device is not available, with
     * the reason in {@link #lastFailure()}.
     */
    public static Optional<OpenClBackend> tryCreate(String deviceSpec) {
        return tryCreate(deviceSpec, thresholdFromProperty());
    }

    /** As {@link #tryCreate(String)}, with an explicit threshold (0: every call runs on the device). */
    public static Optional<OpenClBackend> tryCreate(String deviceSpec, int threshold) {
        if (threshold < 0) {
            throw new IllegalArgumentException("OpenClBackend.tryCreate: threshold = " + threshold + " is negative");
        }
        String spec = deviceSpec;
        if (spec == null || spec.isBlank()) {
            spec = System.getProperty(DEVICE_PROPERTY);
        }
        if (spec == null || spec.isBlank()) {
            spec = System.getenv(DEVICE_ENV);
        }
        try {
            List<OpenClContext.DeviceRef> devices = OpenClContext.devices();
            if (devices.isEmpty()) {
                lastFailure = "no platform found";
                return Optional.empty();
            }
            Optional<OpenClContext.DeviceRef> chosen = select(devices, spec);
            if (chosen.isEmpty()) {
                lastFailure = "no device matches '" + spec + "' among " + devices;
                return Optional.empty();
            }
            OpenClContext ctx = OpenClContext.open(chosen.get());
            OpenClBackend b = new OpenClBackend(ctx, threshold);
            try {
                // Compile every program now, so a device that cannot build them is rejected here.
                ctx.kernel("elementwise", "unary");
                ctx.kernel("reductions", "reduce_partial");
                ctx.kernel("gemm", "gemm_tiled");
                ctx.kernel("scans", "selective_backward");
            } catch (RuntimeException e) {
                ctx.close();
                throw e;
            }
            lastFailure = "none";
            return Optional.of(b);
        } catch (LinkageError e) {
            // JOCL's native library, or libOpenCL behind it, cannot be loaded.
            lastFailure = "no platform found (the OpenCL library cannot be loaded: " + e + ")";
            return Optional.empty();
        } catch (CLException | IllegalStateException e) {
            lastFailure = "OpenCL failed: " + e.getMessage();
            return Optional.empty();
        }
    }

    /** Index into {@code devices} when {@code spec} is a number, else the first name containing it. */
    static Optional<OpenClContext.DeviceRef> select(List<OpenClContext.DeviceRef> devices, String spec) {
        if (spec == null || spec.isBlank()) {
            return Optional.of(devices.getFirst());
        }
        String s = spec.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int i;
            try {
                i = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            return i < devices.size() ? Optional.of(devices.get(i)) : Optional.empty();
        }
        String needle = s.toLowerCase(Locale.ROOT);
        return devices.stream()
                .filter(d -> d.name().toLowerCase(Locale.ROOT).contains(needle)
                        || d.platformName().toLowerCase(Locale.ROOT).contains(needle))
                .findFirst();
    }

    /**
     * Makes the OpenCL backend current when a device is available and returns it; otherwise prints one
     * line saying why ({@link #NO_PLATFORM_LINE} when there is no platform), makes the SIMD backend
     * current and returns it.
     */
    public static Backend install() {
        Optional<OpenClBackend> b = tryCreate(null);
        if (b.isPresent()) {
            Backend.setCurrent(b.get().backend());
            return b.get().backend();
        }
        String why = lastFailure;
        System.err.println(why.startsWith("no platform found") ? NO_PLATFORM_LINE
                : "OpenCL: " + why + "; using the SIMD backend");
        Backend.setCurrent(Backend.simd());
        return Backend.simd();
    }

    /** Why the last {@link #tryCreate} returned empty ("none" after a success). */
    public static String lastFailure() {
        return lastFailure;
    }

    /** The kernels as a {@link Backend} named "opencl". */
    public Backend backend() {
        return backend;
    }

    /** The device, as "#index name (platform)". */
    public String deviceDescription() {
        return ctx.device().toString();
    }

    /** The threshold (floats moved) below which calls run on the SIMD backend. */
    public int threshold() {
        return threshold;
    }

    /** How many device buffers are allocated and not yet released, over the whole process. */
    public static int liveBuffers() {
        return ClBuffer.live();
    }

    /** Releases the context, queue and programs. The backend must not be used afterwards. */
    @Override
    public void close() {
        ctx.close();
    }

    private static int thresholdFromProperty() {
        String v = System.getProperty(THRESHOLD_PROPERTY);
        if (v == null || v.isBlank()) {
            return DEFAULT_THRESHOLD;
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t < 0) {
                throw new NumberFormatException("negative");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("OpenClBackend: -D" + THRESHOLD_PROPERTY + "=" + v
                    + " is not a non-negative integer", e);
        }
    }
}
