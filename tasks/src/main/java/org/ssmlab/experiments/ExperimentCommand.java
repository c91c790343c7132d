package org.ssmlab.experiments;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ssmlab.report.Report;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The options every experiment command shares ({@code --quick}, {@code --seed}, {@code --out},
 * {@code --no-progress}) and the run itself: make the directory, run the experiment into a one-section
 * report, write {@code index.html} and {@code report.json} beside the data, and print where it all went.
 */
public abstract class ExperimentCommand implements Callable<Integer>, Experiment {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "The quick preset (a minute or two) instead of the real experiment.")
    boolean quick;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", description = "Output directory (default: runs/<command>).")
    Path out;

    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    /** Runs this experiment into {@code dir}, adding its section to {@code report}. */
    public void runInto(Path dir, Report report, PrintWriter console) throws IOException {
        checkBeforeWriting();
        Files.createDirectories(dir);
        RunContext ctx = new RunContext(dir, quick, seed, !noProgress, console, report.section(title()));
        run(ctx);
    }

    /**
     * Checks what the run needs (e.g. a data set in the cache) before anything is written; throws
     * {@link IllegalArgumentException} with a one-line reason. Does nothing unless a command overrides it.
     */
    protected void checkBeforeWriting() {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        Path dir = out != null ? out : Path.of("runs", name());
        Report report = new Report("ssmlab " + name());
        try {
            runInto(dir, report, console);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        report.write(dir);
        console.println("wrote " + dir.resolve("index.html") + " and the data beside it");
        console.flush();
        return 0;
    }
}
