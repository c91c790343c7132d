package org.ssmlab.runs;

import java.io.IOException;
import java.nio.file.Path;

/** The ordinary code that executes one kind of run. */
@FunctionalInterface
public interface RunTask {

    /**
     * Executes {@code spec}, keeping its checkpoints in {@code runDir} so that a stopped run continues.
     *
     * @return the run's figures
     */
    RunResult.Outcome execute(RunSpec spec, Path runDir) throws IOException;
}
