package org.ssmlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ssmlab.experiments.CorruptionCommand;
import org.ssmlab.experiments.DepthCommand;
import org.ssmlab.experiments.ExperimentCommand;
import org.ssmlab.experiments.InfluenceCommand;
import org.ssmlab.experiments.LrdCommand;
import org.ssmlab.experiments.NeedleCommand;
import org.ssmlab.experiments.SmoothingCommand;
import org.ssmlab.experiments.Table2Command;
import org.ssmlab.experiments.TransitionsCommand;
import org.ssmlab.report.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ssmlab demo}, the main job: the quick preset of every experiment, one after the other, into one
 * report ({@code report/index.html} with every figure, table and a one-line verdict per finding). An
 * experiment that fails is reported as failed and the others still run; the exit code says whether all
 * succeeded.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the quick preset of every experiment and write report/index.html (the main job).")
public final class DemoCommand implements Callable<Integer> {

    /** The experiments of the demo, in report order. */
    static final List<Class<? extends ExperimentCommand>> EXPERIMENTS = List.of(
            InfluenceCommand.class, LrdCommand.class, SmoothingCommand.class, Table2Command.class, TransitionsCommand.class,
            CorruptionCommand.class, NeedleCommand.class, DepthCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "report", description = "Report directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--only", split = ",", description = "Run only these experiments (names as the commands).")
    List<String> only;

    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        List<ExperimentCommand> todo = new ArrayList<>();
        List<String> known = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("--quick", "--seed", String.valueOf(seed), "--out", out.toString()));
        if (noProgress) {
            args.add("--no-progress");
        }
        for (Class<? extends ExperimentCommand> c : EXPERIMENTS) {
            ExperimentCommand cmd = c.getDeclaredConstructor().newInstance();
            new CommandLine(cmd).parseArgs(args.toArray(new String[0]));   // the quick preset, with every default
            known.add(cmd.name());
            if (only == null || only.contains(cmd.name())) {
                todo.add(cmd);
            }
        }
        if (only != null && todo.size() != only.size()) {
            throw new IllegalArgumentException("--only: unknown experiment among " + only + " (known: "
                    + String.join(", ", known) + ")");
        }
        Report report = new Report("ssmlab demo: the papers' findings on a CPU (quick presets)");
        long start = System.nanoTime();
        int failed = 0;
        for (int i = 0; i < todo.size(); i++) {
            ExperimentCommand cmd = todo.get(i);
            console.printf(Locale.ROOT, "[%d/%d] %s (%.0f s so far)%n", i + 1, todo.size(), cmd.name(),
                    (System.nanoTime() - start) / 1e9);
            console.flush();
            try {
                cmd.runInto(out, report, console);
            } catch (Exception e) {
                failed++;
                report.section(cmd.title()).verdict("FAILED: " + e.getMessage());
                console.println("ssmlab demo: " + cmd.name() + " failed: " + e.getMessage());
            }
            report.write(out);                          // the report so far survives an interruption
        }
        console.printf(Locale.ROOT, "wrote %s in %.0f s%s%n", out.resolve("index.html"), (System.nanoTime() - start) / 1e9,
                failed == 0 ? "" : " (" + failed + " experiment(s) failed)");
        return failed == 0 ? 0 : 1;
    }
}
