package org.ssmlab.experiments;

import java.io.IOException;

/**
 * One of the papers' experiments: it computes its numbers, writes them (CSV or JSON) and its figure
 * (PNG) into the run directory, and fills its report section with a table, the figure and a one-line
 * verdict. The {@code ssmlab} command of the same name and {@code ssmlab demo} both run it.
 */
public interface Experiment {

    /** The command name, e.g. {@code influence}. */
    String name();

    /** The report section's title, with the paper section it reproduces. */
    String title();

    /** Runs the experiment (the quick preset when {@code ctx.quick()}). */
    void run(RunContext ctx) throws IOException;
}
