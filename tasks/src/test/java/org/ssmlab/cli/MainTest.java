package org.ssmlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.ssmlab.simd.Backend;

class MainTest {

    /** Runs the CLI with stderr captured; returns {exit code, stderr}. */
    static Object[] runCapturingErr(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Object[] {code, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void anUnknownFlagIsOneLineAndExitCode2() {
        Object[] r = runCapturingErr("--no-such-flag");
        assertEquals(2, r[0]);
        String err = ((String) r[1]).strip();
        assertTrue(err.contains("--no-such-flag"), err);
        assertFalse(err.contains("\n"), "one line only: " + err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void helpListsTheBenchCommand() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run("--help"));
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("bench"));
    }

    /**
     * Every command's help renders cleanly: exit 0 and nothing on stderr. A description with a bare
     * {@code %} (a format directive to picocli) printed a warning per option instead of the text.
     */
    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        var names = new picocli.CommandLine(new Main()).getSubcommands().keySet();
        assertTrue(names.size() > 10, "subcommands: " + names);
        for (String name : names) {
            if (name.equals("help")) {
                continue;
            }
            Object[] r = runQuietly(name, "--help");
            assertEquals(0, r[0], name + " --help");
            assertEquals("", ((String) r[1]).strip(), name + " --help wrote to stderr");
        }
    }

    /** Runs the CLI with stdout and stderr captured; returns {exit code, stderr}. */
    static Object[] runQuietly(String... args) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            return runCapturingErr(args);
        } finally {
            System.setOut(old);
        }
    }

    /** --backend before or after the subcommand is applied before the subcommand runs (here: its help). */
    @Test
    void theBackendOptionIsAppliedBeforeTheSubcommand() {
        Backend saved = Backend.current();
        try {
            Backend.setCurrent(Backend.simd());
            assertEquals(0, runQuietly("--backend", "scalar", "bench", "--help")[0]);
            assertSame(Backend.scalar(), Backend.current());
            Backend.setCurrent(Backend.simd());
            assertEquals(0, runQuietly("bench", "--backend", "scalar", "--help")[0]);
            assertSame(Backend.scalar(), Backend.current());
            assertEquals(0, runQuietly("--backend", "simd", "bench", "--help")[0]);
            assertSame(Backend.simd(), Backend.current());
        } finally {
            Backend.setCurrent(saved);
        }
    }

    @Test
    void anUnknownBackendIsOneLineAndExitCode2() {
        Backend saved = Backend.current();
        try {
            Backend.setCurrent(Backend.simd());
            Object[] r = runQuietly("--backend", "cuda", "bench", "--help");
            assertEquals(2, r[0]);
            String err = ((String) r[1]).strip();
            assertTrue(err.contains("unknown backend 'cuda'") && err.contains("opencl"), err);
            assertEquals(1, err.lines().count(), "one line only: " + err);
            assertFalse(err.contains("Exception"), err);
            assertSame(Backend.simd(), Backend.current(), "the backend is left alone");
            r = runQuietly("--device", "0", "bench", "--help");
            assertEquals(2, r[0]);
            assertTrue(((String) r[1]).contains("--backend opencl"), (String) r[1]);
        } finally {
            Backend.setCurrent(saved);
        }
    }

    /**
     * The OpenCL module is on the run-time class path only: --backend opencl finds it by name, and
     * gives the OpenCL backend, or SIMD with exactly one line saying why.
     */
    @Test
    void openClIsFoundAtRunTimeOrFallsBackWithOneLine() {
        Backend saved = Backend.current();
        try {
            Object[] r = runQuietly("--backend", "opencl", "bench", "--help");
            assertEquals(0, r[0]);
            String err = ((String) r[1]).strip();
            if (err.isEmpty()) {
                assertEquals("opencl", Backend.current().name());
            } else {
                assertSame(Backend.simd(), Backend.current());
                assertEquals(1, err.lines().count(), err);
                assertTrue(err.startsWith("OpenCL: ") && err.endsWith("using the SIMD backend"), err);
            }
        } finally {
            Backend.setCurrent(saved);
        }
    }
}
