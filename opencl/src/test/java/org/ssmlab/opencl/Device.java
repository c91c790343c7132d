package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.ssmlab.simd.Backend;

/**
 * The OpenCL backend every test of this module shares: created once with threshold 0 (every call
 * runs on the device, never on the SIMD fallback). When the machine has no OpenCL platform,
 * {@link #backend()} skips the calling test with the reason, instead of failing it.
 */
final class Device {

    private static final Optional<OpenClBackend> SHARED = create();

    private Device() {
    }

    private static Optional<OpenClBackend> create() {
        String cache = System.getenv("POCL_CACHE_DIR");
        if (cache != null && !cache.isBlank()) {
            try {
                Files.createDirectories(Path.of(cache));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create POCL_CACHE_DIR " + cache, e);
            }
        }
        return OpenClBackend.tryCreate(null, 0);
    }

    /** Whether an OpenCL device is available. */
    static boolean available() {
        return SHARED.isPresent();
    }

    /** The shared OpenCL backend, or a skipped test (JUnit assumption) when there is none. */
    static OpenClBackend openCl() {
        assumeTrue(SHARED.isPresent(), () -> "no OpenCL platform: " + OpenClBackend.lastFailure()
                + " (install pocl-opencl-icd and ocl-icd-libopencl1 to run the OpenCL tests)");
        return SHARED.get();
    }

    /** The shared backend's kernels as a {@link Backend}; skips the test when there is no device. */
    static Backend backend() {
        return openCl().backend();
    }
}
