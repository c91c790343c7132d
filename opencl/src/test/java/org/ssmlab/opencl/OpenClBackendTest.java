package org.ssmlab.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;
import org.ssmlab.simd.CheckedScans;
import org.ssmlab.simd.Elementwise.Binary;
import org.ssmlab.simd.Elementwise.Unary;

/**
 * The backend as a whole: its name and its OpenCL scans, device selection by index
 * and by name, no buffer leaks over 10 000 calls, {@link OpenClBackend#install()}, and the SIMD
 * fallback below the threshold. The tests that need a device are skipped without one; the
 * selection logic and the "no device" paths run everywhere.
 */
class OpenClBackendTest {

    @Test
    void isNamedOpenClWithItsOwnScans() {
        Backend b = Device.backend();
        assertEquals("opencl", b.name());
        assertTrue(b.scans() instanceof CheckedScans c && c.kernels() instanceof OpenClScans, b.scans().toString());
    }

    /** Every kind of call, 10 000 times in all: every buffer allocated is released. */
    @Test
    void tenThousandCallsLeaveNoLiveBuffer() {
        Backend b = Device.backend();
        int before = OpenClBackend.liveBuffers();
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] y = {6, 5, 4, 3, 2, 1};
        float[] out = new float[6];
        float[] rows = new float[2];
        for (int i = 0; i < 910; i++) {
            b.elementwise().unary(Unary.EXP, x, 0, out, 0, 6);
            b.elementwise().binary(Binary.MUL, x, 0, y, 0, out, 0, 6);
            b.elementwise().binaryRowBroadcast(Binary.ADD, x, y, out, 2, 3);
            b.elementwise().fma(x, y, x, out, 6);
            b.elementwise().axpy(0.5f, x, 0, out, 0, 6);
            b.reductions().sum(x, 0, 6);
            b.reductions().dot(x, 0, y, 0, 6);
            b.reductions().rowMax(x, rows, 2, 3);
            b.reductions().softmaxRows(x, out, 2, 3);
            b.gemm().gemm(false, true, 2, 2, 3, 1f, x, 0, y, 0, 0.5f, out, 0);
            b.scans().diagonal(1, 3, 2, x, y, null, out, rows);
        }
        assertEquals(before, OpenClBackend.liveBuffers(), "device buffers still live after 10 000 calls");
        // And a call that throws releases its buffers too (the argument checks run before any allocation).
        assertThrows(IllegalArgumentException.class, () -> b.elementwise().unary(Unary.EXP, x, 4, out, 0, 6));
        assertEquals(before, OpenClBackend.liveBuffers());
    }

    @Test
    void selectsTheDeviceByIndexOrNameOrFirst() {
        List<OpenClContext.DeviceRef> devices = List.of(
                new OpenClContext.DeviceRef(0, null, null, "Portable Computing Language", "cpu-avx2"),
                new OpenClContext.DeviceRef(1, null, null, "NVIDIA CUDA", "GeForce RTX"));
        assertEquals(0, OpenClBackend.select(devices, null).orElseThrow().index());
        assertEquals(0, OpenClBackend.select(devices, " ").orElseThrow().index());
        assertEquals(1, OpenClBackend.select(devices, "1").orElseThrow().index());
        assertEquals(1, OpenClBackend.select(devices, "rtx").orElseThrow().index());
        assertEquals(1, OpenClBackend.select(devices, "cuda").orElseThrow().index());
        assertEquals(0, OpenClBackend.select(devices, "portable").orElseThrow().index());
        assertEquals(Optional.empty(), OpenClBackend.select(devices, "2"));
        assertEquals(Optional.empty(), OpenClBackend.select(devices, "99999999999999"));
        assertEquals(Optional.empty(), OpenClBackend.select(devices, "radeon"));
    }

    /** With or without OpenCL, an unknown device is an empty Optional with a reason, never an exception. */
    @Test
    void anUnknownDeviceIsEmptyWithAReason() {
        Optional<OpenClBackend> b = OpenClBackend.tryCreate("no-such-device-anywhere", 0);
        assertFalse(b.isPresent());
        String why = OpenClBackend.lastFailure();
        assertTrue(why.contains("no-such-device-anywhere") || why.startsWith("no platform found"), why);
    }

    @Test
    void installMakesOpenClCurrentWhenAvailable() {
        Backend before = Backend.current();
        try {
            Backend installed = OpenClBackend.install();
            assertSame(installed, Backend.current());
            assertEquals(Device.available() ? "opencl" : "simd", installed.name());
        } finally {
            Backend.setCurrent(before);
        }
    }

    /** Below the threshold calls run on SIMD, and agree with it bit for bit. */
    @Test
    void smallCallsFallBackBelowTheThreshold() {
        Device.openCl();
        try (OpenClBackend big = OpenClBackend.tryCreate(null, 1_000_000).orElseThrow()) {
            assertEquals(1_000_000, big.threshold());
            int before = OpenClBackend.liveBuffers();
            float[] x = {0.5f, -2f, 3f};
            float[] expected = new float[3];
            float[] actual = new float[3];
            Backend.simd().elementwise().unary(Unary.TANH, x, 0, expected, 0, 3);
            big.backend().elementwise().unary(Unary.TANH, x, 0, actual, 0, 3);
            assertEquals(List.of(expected[0], expected[1], expected[2]), List.of(actual[0], actual[1], actual[2]));
            assertEquals(before, OpenClBackend.liveBuffers(), "a call below the threshold allocates no buffer");
        }
    }

    /**
     * At threshold 0 every call goes to the device: on a closed backend it fails with a message
     * naming the closed context, where the SIMD fallback would have succeeded.
     */
    @Test
    void thresholdZeroReallyRunsOnTheDevice() {
        Device.openCl();
        OpenClBackend closed = OpenClBackend.tryCreate(null, 0).orElseThrow();
        closed.close();
        float[] x = {1f};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> closed.backend().elementwise().unary(Unary.EXP, x, 0, new float[1], 0, 1));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }

    @Test
    void aNegativeThresholdIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenClBackend.tryCreate(null, -1));
        assertTrue(e.getMessage().startsWith("OpenClBackend.tryCreate: threshold = -1"), e.getMessage());
    }
}
