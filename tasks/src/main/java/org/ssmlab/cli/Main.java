package org.ssmlab.cli;

import org.ssmlab.simd.Backend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code ssmlab} command line: every experiment and benchmark is a subcommand. The launcher script
 * {@code ./ssmlab} builds the project and runs this class; {@code ./ssmlab test} is handled by the
 * launcher itself (it runs the test suite with Maven).
 *
 * <p>Global options, accepted before or after the subcommand: {@code --backend simd|scalar|opencl}
 * chooses the compute backend ({@link Backend#byName}: OpenCL is found at run time, and a machine
 * without it falls back to SIMD with one line on stderr) and {@code --device SPEC} the OpenCL device
 * (an index or a name substring). They are applied before any subcommand runs. Without them the
 * engine uses {@code -Dssmlab.backend} / {@code SSMLAB_BACKEND}, else SIMD.
 */
@Command(name = "ssmlab",
        mixinStandardHelpOptions = true,
        version = "ssmlab 0.1.0",
        description = "State-space models from first principles: experiments, probes and benchmarks.",
        subcommands = {DemoCommand.class, org.ssmlab.experiments.RecallCommand.class, org.ssmlab.experiments.Table2Command.class,
                org.ssmlab.experiments.InfluenceCommand.class, org.ssmlab.experiments.LrdCommand.class,
                org.ssmlab.experiments.SmoothingCommand.class, org.ssmlab.experiments.TransitionsCommand.class,
                org.ssmlab.experiments.CorruptionCommand.class, org.ssmlab.experiments.NeedleCommand.class,
                org.ssmlab.experiments.DepthCommand.class, org.ssmlab.experiments.LmCommand.class, ForwardCommand.class, org.ssmlab.experiments.FetchCommand.class,
                BenchCommand.class, TheoremsCommand.class, WorkerCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Also: ./ssmlab test    run the whole test suite (mvn verify)."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Compute backend: simd (default), scalar or opencl (falls back to simd, with one line"
                    + " saying why, when OpenCL is not available).")
    String backend;

    @Option(names = "--device", paramLabel = "SPEC", scope = ScopeType.INHERIT,
            description = "OpenCL device: an index (as clinfo -l counts them across platforms) or part of its name.")
    String device;

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionStrategy(parseResult -> {
            applyBackend(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setParameterExceptionHandler(Main::oneLineError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof IllegalStateException) {
                commandLine.getErr().println("ssmlab " + commandLine.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /**
     * Makes the backend named by {@code --backend} (given on the root command or any subcommand; the
     * last one wins) current, on the {@code --device}; does nothing when neither is given.
     *
     * @throws CommandLine.ParameterException for an unknown backend name, or {@code --device} without
     *                                        {@code --backend}
     */
    static void applyBackend(ParseResult parseResult) {
        String name = null;
        String dev = null;
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--backend")) {
                name = p.matchedOptionValue("--backend", name);
            }
            if (p.hasMatchedOption("--device")) {
                dev = p.matchedOptionValue("--device", dev);
            }
        }
        CommandLine cmd = parseResult.commandSpec().commandLine();
        if (name == null) {
            if (dev != null) {
                throw new CommandLine.ParameterException(cmd, "--device " + dev
                        + " chooses an OpenCL device: give --backend opencl with it");
            }
            return;
        }
        try {
            Backend.setCurrent(Backend.byName(name, dev));
        } catch (IllegalArgumentException e) {
            String why = e.getMessage().replaceFirst("^Backend\\.byName: ", "");
            throw new CommandLine.ParameterException(cmd, "--backend: " + why);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** A bad flag or value is one clear line and exit code 2, never a stack trace. */
    private static int oneLineError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("ssmlab: " + e.getMessage() + " (see: ./ssmlab "
                + (cmd.getParent() == null ? "" : cmd.getCommandName() + " ") + "--help)");
        return 2;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
