package org.ssmlab.cli;

import picocli.CommandLine.Command;

/**
 * {@code ssmlab bench ...}: quick benchmarks that print one {@code name=value} line per figure, after a
 * warm-up so that the Vector API code is compiled by C2. JMH benchmarks live in the {@code tests} module.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Quick benchmarks printing name=value lines.",
        subcommands = {org.ssmlab.cli.bench.GemmBench.class, org.ssmlab.cli.bench.ScanBench.class, org.ssmlab.cli.bench.TrainBench.class, org.ssmlab.cli.bench.RunsBench.class})
public final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
