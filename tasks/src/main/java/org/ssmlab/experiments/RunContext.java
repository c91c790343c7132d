package org.ssmlab.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.ssmlab.report.Report;

/**
 * Where an experiment writes and how it runs: its output directory (CSV, JSON, PNG and checkpoints),
 * the quick preset or the real one, the seed every random choice flows from, whether to show progress
 * bars, the console, and the report section it fills in.
 */
public record RunContext(Path dir, boolean quick, long seed, boolean progress, PrintWriter out, Report.Section section) {

    /** A file in the output directory, its name prefixed with the experiment's name (figures share the report folder). */
    public Path file(String experiment, String name) {
        return dir.resolve(experiment + "-" + name);
    }

    /** Prints a {@code name=value} line (the figures a user greps for) and flushes. */
    public void figure(String name, Object value) {
        out.println(name + "=" + value);
        out.flush();
    }

    /** Prints a line and flushes. */
    public void say(String line) {
        out.println(line);
        out.flush();
    }
}
