package org.ssmlab.runs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The kinds of run this program knows, by the {@link RunSpec#command() command} of a spec: the one
 * place that turns a spec into code. A spec of any other command is refused, so whoever executes specs
 * (this process or a cluster member) runs only ssmlab's own runs.
 */
public final class RunTasks implements RunTask {

    private final Map<String, RunTask> byCommand;

    private RunTasks(Map<String, RunTask> byCommand) {
        this.byCommand = new TreeMap<>(byCommand);
    }

    /** The registry of {@code byCommand}: a command name and the code that executes its specs. */
    public static RunTasks of(Map<String, RunTask> byCommand) {
        if (byCommand.isEmpty()) {
            throw new IllegalArgumentException("RunTasks: no run kinds");
        }
        return new RunTasks(byCommand);
    }

    /** The commands known. */
    public Set<String> commands() {
        return byCommand.keySet();
    }

    /** Whether {@code command} names a known kind of run. */
    public boolean knows(String command) {
        return byCommand.containsKey(command);
    }

    /** Executes {@code spec} with the code of its command; an unknown command fails in one line. */
    @Override
    public RunResult.Outcome execute(RunSpec spec, Path runDir) throws IOException {
        RunTask t = byCommand.get(spec.command());
        if (t == null) {
            throw new IllegalArgumentException("unknown run command '" + spec.command() + "' (known: "
                    + String.join(", ", byCommand.keySet()) + ")");
        }
        return t.execute(spec, runDir);
    }
}
