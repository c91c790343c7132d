package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;

/**
 * The provider as {@link Backend#byName} finds it through {@link java.util.ServiceLoader}: "opencl"
 * gives the OpenCL backend when a device is present, else SIMD with the one line saying what to
 * install; a device spec that matches nothing is one line naming it, and SIMD.
 */
class OpenClProviderTest {

    private static Object[] byNameCapturingErr(String name, String spec) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Backend b = Backend.byName(name, spec);
            return new Object[] {b, err.toString(StandardCharsets.UTF_8).strip()};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void openClIsFoundByNameOrFallsBackWithOneLine() {
        Object[] r = byNameCapturingErr("opencl", null);
        Backend b = (Backend) r[0];
        String err = (String) r[1];
        if (Device.available()) {
            assertEquals("opencl", b.name());
            assertEquals("", err);
        } else {
            assertSame(Backend.simd(), b);
            assertEquals(OpenClBackend.NO_PLATFORM_LINE, err);
        }
    }

    @Test
    void anUnknownDeviceIsOneLineAndSimd() {
        Object[] r = byNameCapturingErr("OpenCL", "no-such-device-anywhere");
        assertSame(Backend.simd(), r[0]);
        String err = (String) r[1];
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("OpenCL: ") && err.endsWith("; using the SIMD backend"), err);
        assertTrue(err.contains("no-such-device-anywhere") || err.contains("no platform found"), err);
    }
}
