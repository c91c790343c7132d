package org.ssmlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
