package org.ssmlab.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a peer benchmark script under {@code bench/} (NumPy or PyTorch from Debian's packages) in the
 * same run as ours and collects its {@code name=value} lines.
 */
public final class PeerScript {

    private PeerScript() {
    }

    /** The project root: {@code -Dssmlab.home} (set by the launcher), else the working directory. */
    public static Path home() {
        return Path.of(System.getProperty("ssmlab.home", "."));
    }

    /**
     * Runs {@code bench/<script>} with the first Python that can import {@code module}, passing
     * {@code args}; each {@code name=value} line is handed to {@code echo} and returned in order.
     *
     * @throws IllegalStateException when no such Python exists or the script fails, saying what to install
     */
    public static Map<String, Double> run(String script, String module, List<String> args, Consumer<String> echo) {
        return run(script, module, args, Map.of(), echo);
    }

    /**
     * As {@link #run(String, String, List, Consumer)}, with {@code environment} added to the peer's
     * environment (only the child's: this JVM's is unchanged). Lines {@code name=text} whose text is not
     * a number (the BLAS core a peer runs, say) are echoed but not returned.
     */
    public static Map<String, Double> run(String script, String module, List<String> args,
                                          Map<String, String> environment, Consumer<String> echo) {
        Path file = home().resolve("bench").resolve(script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("peer script " + file + " not found (run from the project root)");
        }
        String python = findPython(module);
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(args);
        Map<String, Double> values = new LinkedHashMap<>();
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(environment);
            Process p = pb.start();
            StringBuilder other = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    int eq = line.indexOf('=');
                    if (eq > 0 && line.indexOf(' ') < 0) {
                        try {
                            values.put(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)));
                            echo.accept(line);
                            continue;
                        } catch (NumberFormatException notANumber) {
                            echo.accept(line);     // a label such as openblas_core=Haswell
                            continue;
                        }
                    }
                    other.append(line).append('\n');
                }
            }
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException("peer script " + script + " failed (exit " + code + "):\n" + other);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + python + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
        return values;
    }

    /** Debian's python3 first (where python3-numpy and python3-torch install), then python3 on the PATH. */
    static String findPython(String module) {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import " + module).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("no python3 can import " + module + "; install it with: "
                + "apt-get install python3-numpy python3-torch libopenblas0-pthread");
    }
}
