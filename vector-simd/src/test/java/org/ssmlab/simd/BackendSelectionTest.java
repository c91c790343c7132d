package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Selection by name: the built-in backends directly, an optional backend whose module is absent (no
 * provider on this module's class path) as one stderr line and SIMD, an unknown name as an
 * IllegalArgumentException naming the known ones, and the system property read through the same path.
 */
class BackendSelectionTest {

    /** Runs {@code body} with stderr captured; returns {result, stderr}. */
    private static <T> Object[] capturingErr(Supplier<T> body) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            T result = body.get();
            return new Object[] {result, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void builtInNamesAreReturnedDirectly() {
        assertSame(Backend.simd(), Backend.byName("simd", null));
        assertSame(Backend.scalar(), Backend.byName(" Scalar ", "ignored"));
    }

    @Test
    void anAbsentOptionalBackendIsOneLineAndSimd() {
        Object[] r = capturingErr(() -> Backend.byName("opencl", null));
        assertSame(Backend.simd(), r[0]);
        String err = ((String) r[1]).strip();
        assertTrue(err.startsWith("opencl: ") && err.endsWith("using the SIMD backend"), err);
        assertEquals(1, err.lines().count(), "one line: " + err);
    }

    @Test
    void anUnknownNameIsRejectedNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.byName("cuda", null));
        assertTrue(e.getMessage().contains("unknown backend 'cuda'") && e.getMessage().contains("simd, scalar"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backend.byName(" ", null));
        assertThrows(IllegalArgumentException.class, () -> Backend.byName(null, null));
    }

    @Test
    void theSystemPropertyGoesThroughTheSamePath() {
        String saved = System.getProperty(Backend.PROPERTY);
        try {
            System.setProperty(Backend.PROPERTY, "scalar");
            assertSame(Backend.scalar(), Backend.fromConfiguration());
            System.setProperty(Backend.PROPERTY, "nonsense");
            Object[] r = capturingErr(Backend::fromConfiguration);
            assertSame(Backend.simd(), r[0]);
            String err = ((String) r[1]).strip();
            assertTrue(err.startsWith("-D" + Backend.PROPERTY + ": ") && err.contains("unknown backend 'nonsense'"),
                    err);
            assertEquals(1, err.lines().count(), err);
        } finally {
            if (saved == null) {
                System.clearProperty(Backend.PROPERTY);
            } else {
                System.setProperty(Backend.PROPERTY, saved);
            }
        }
    }
}
