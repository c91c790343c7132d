package org.ssmlab.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's one rule of layering: a lower module never imports a higher one. Reads the sources of
 * each module and fails on an import of a package that belongs to a module above it.
 *
 * <p>The optional OpenCL backend sits above vector-simd (it implements its kernel interfaces) and
 * beside the rest: it imports nothing of autograd, ssm or tasks, and nothing imports it; tasks reaches
 * it only at run time, by name (Backend.byName and its ServiceLoader).
 */
class LayeringTest {

    /** Each module and the packages of the modules above it that it must not import. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "vector-simd", List.of("org.ssmlab.autograd", "org.ssmlab.nn", "org.ssmlab.optim", "org.ssmlab.io",
                    "org.ssmlab.ssm", "org.ssmlab.tasks", "org.ssmlab.cli", "org.ssmlab.opencl"),
            "autograd", List.of("org.ssmlab.ssm", "org.ssmlab.tasks", "org.ssmlab.cli", "org.ssmlab.opencl"),
            "ssm", List.of("org.ssmlab.tasks", "org.ssmlab.cli", "org.ssmlab.opencl"),
            "opencl", List.of("org.ssmlab.autograd", "org.ssmlab.ssm", "org.ssmlab.cli", "org.ssmlab.data", "org.ssmlab.experiments",
                    "org.ssmlab.report", "org.ssmlab.train"),
            "tasks", List.of("org.ssmlab.opencl"));

    @Test
    void noModuleImportsAHigherOne() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> violations = new ArrayList<>();
        int filesRead = 0;
        for (var entry : FORBIDDEN.entrySet()) {
            Path src = root.resolve(entry.getKey()).resolve("src/main/java");
            assertTrue(Files.isDirectory(src), "missing " + src);
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    filesRead++;
                    for (String line : read(f)) {
                        for (String pkg : entry.getValue()) {
                            if (line.startsWith("import " + pkg + ".") || line.startsWith("import static " + pkg + ".")) {
                                violations.add(root.relativize(f) + ": " + line);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(filesRead > 0, "read no source files");
        assertTrue(violations.isEmpty(), "lower modules import higher ones:\n" + String.join("\n", violations));
    }

    private static List<String> read(Path f) {
        try {
            return Files.readAllLines(f).stream().map(String::strip).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
