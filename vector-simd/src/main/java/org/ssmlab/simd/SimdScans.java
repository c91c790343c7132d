package org.ssmlab.simd;

/** Placeholder: to be written. */
public final class SimdScans implements Scans {
}
