package org.ssmlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ssmlab} command line: every experiment and benchmark is a subcommand. The launcher script
 * {@code ./ssmlab} builds the project and runs this class; {@code ./ssmlab test} is handled by the
 * launcher itself (it runs the test suite with Maven).
 */
@Command(name = "ssmlab",
        mixinStandardHelpOptions = true,
        version = "ssmlab 0.1.0",
        description = "State-space models from first principles: experiments, probes and benchmarks.",
        subcommands = {org.ssmlab.experiments.InfluenceCommand.class, ForwardCommand.class, BenchCommand.class,
                org.ssmlab.experiments.CorruptionCommand.class, org.ssmlab.experiments.NeedleCommand.class,
                org.ssmlab.experiments.DepthCommand.class, org.ssmlab.experiments.FetchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Also: ./ssmlab test    run the whole test suite (mvn verify)."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
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
