package org.ssmlab.opencl;

import java.util.Optional;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.BackendProvider;

/**
 * Registers the OpenCL backend under the name {@code "opencl"} for {@link Backend#byName} (file
 * {@code META-INF/services/org.ssmlab.simd.BackendProvider}), so {@code --backend opencl},
 * {@code -Dssmlab.backend=opencl} and {@code SSMLAB_BACKEND=opencl} find it without the caller naming
 * this module. The backend created lives as long as the process (its context is never closed).
 */
public final class OpenClBackendProvider implements BackendProvider {

    /** The line's start when the machine has no OpenCL platform (what to install follows). */
    static final String NO_PLATFORM = "OpenCL: no platform found (install pocl-opencl-icd and ocl-icd-libopencl1)";

    /** For {@link java.util.ServiceLoader}. */
    public OpenClBackendProvider() {
    }

    @Override
    public String name() {
        return "opencl";
    }

    /** The OpenCL backend on {@code deviceSpec} (index or name; null: the configured or first device). */
    @Override
    public Optional<Backend> create(String deviceSpec) {
        return OpenClBackend.tryCreate(deviceSpec).map(OpenClBackend::backend);
    }

    @Override
    public String unavailable() {
        String why = OpenClBackend.lastFailure();
        return why.startsWith("no platform found") ? NO_PLATFORM : "OpenCL: " + why;
    }
}
