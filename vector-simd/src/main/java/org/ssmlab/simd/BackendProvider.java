package org.ssmlab.simd;

import java.util.Optional;

/**
 * A backend that lives in another module (OpenCL, say), found with {@link java.util.ServiceLoader}: a
 * module registers its provider in {@code META-INF/services/org.ssmlab.simd.BackendProvider}, and
 * {@link Backend#byName(String, String)} asks the provider whose {@link #name()} matches.
 */
public interface BackendProvider {

    /** The backend's short name, as users type it ({@code --backend NAME}, {@code -Dssmlab.backend=NAME}). */
    String name();

    /**
     * The backend on the device named by {@code deviceSpec} (null or blank: the provider's default), or
     * empty when it is not available on this machine; then {@link #unavailable()} says why.
     */
    Optional<Backend> create(String deviceSpec);

    /**
     * Why the last {@link #create} returned empty, as one line without the fall-back part, for instance
     * "OpenCL: no platform found (install pocl-opencl-icd and ocl-icd-libopencl1)".
     */
    default String unavailable() {
        return name() + ": not available on this machine";
    }
}
