package org.ssmlab.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of docs/architecture.md, checked on the real sources of every module:
 * <ol>
 *   <li>a module uses only the modules below it: vector-simd nothing; autograd vector-simd; ssm autograd
 *       and vector-simd; tasks ssm, autograd and vector-simd. The optional OpenCL backend implements
 *       vector-simd's kernel interfaces and uses nothing else; nothing imports it (tasks reaches it only at
 *       run time, through {@code Backend.byName} and its ServiceLoader); the {@code tests} module's
 *       benchmarks may use everything;</li>
 *   <li>no two packages depend on each other, directly or through others (no package cycles, inside a
 *       module or across modules);</li>
 *   <li>every {@code org.ssmlab} name a source refers to belongs to a package that exists.</li>
 * </ol>
 * The graph analysis itself is checked on hand-made graphs below (a cycle must be found, a forbidden
 * edge must be reported), so that a green run means the rules hold, not that the checker saw nothing.
 */
class LayeringTest {

    /** Each module and the modules it may use, lowest first. */
    static final Map<String, Set<String>> ALLOWED = allowed();

    private static Map<String, Set<String>> allowed() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("vector-simd", Set.of());
        m.put("autograd", Set.of("vector-simd"));
        m.put("ssm", Set.of("autograd", "vector-simd"));
        m.put("opencl", Set.of("vector-simd"));
        m.put("theorems", Set.of("ssm", "autograd", "vector-simd"));
        m.put("tasks", Set.of("theorems", "ssm", "autograd", "vector-simd"));
        m.put("tests", Set.of("tasks", "theorems", "ssm", "autograd", "vector-simd", "opencl"));
        return m;
    }

    private static final ImportGraph GRAPH = ImportGraph.read(Path.of("").toAbsolutePath().getParent(),
            List.copyOf(ALLOWED.keySet()));

    @Test
    void everyModuleHasSourcesAndPackages() {
        for (String module : ALLOWED.keySet()) {
            assertTrue(GRAPH.packages().stream().anyMatch(p -> module.equals(GRAPH.module(p))),
                    "no package read in module " + module);
        }
        assertTrue(GRAPH.edges().size() > 20, "suspiciously few package edges: " + GRAPH.edges().size());
    }

    @Test
    void noModuleUsesAHigherOrUnrelatedOne() {
        List<String> violations = forbiddenEdges(GRAPH);
        assertTrue(violations.isEmpty(), "modules use modules they may not:\n" + String.join("\n", violations));
    }

    @Test
    void noPackageCycles() {
        List<String> report = describeCycles(GRAPH);
        assertTrue(report.isEmpty(), "package cycles:\n" + String.join("\n", report));
    }

    @Test
    void everyReferencedPackageExists() {
        assertTrue(GRAPH.unknownReferences().isEmpty(),
                "references to packages no module holds:\n" + String.join("\n", GRAPH.unknownReferences()));
    }

    // --- the checker checked on hand-made graphs ---

    @Test
    void aTwoPackageLoopIsACycle() {
        ImportGraph g = new ImportGraph();
        g.addPackage("a", "m");
        g.addPackage("b", "m");
        g.addPackage("c", "m");
        g.addEdge("a", "b", "A.java:3");
        g.addEdge("b", "c", "B.java:4");
        assertTrue(g.cycles().isEmpty(), "a chain is not a cycle");
        g.addEdge("c", "a", "C.java:5");
        assertEquals(List.of(List.of("a", "b", "c")), g.cycles());
        assertEquals(3, g.edgesWithin(g.cycles().get(0)).size());
    }

    @Test
    void aLowerModuleImportingAHigherOneIsReported() {
        ImportGraph g = new ImportGraph();
        g.addPackage("org.ssmlab.simd", "vector-simd");
        g.addPackage("org.ssmlab.autograd", "autograd");
        g.addEdge("org.ssmlab.autograd", "org.ssmlab.simd", "Tensor.java:7");
        assertTrue(forbiddenEdges(g).isEmpty(), "autograd may use vector-simd");
        g.addEdge("org.ssmlab.simd", "org.ssmlab.autograd", "Gemm.java:9");
        List<String> v = forbiddenEdges(g);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("Gemm.java:9") && v.get(0).contains("vector-simd") && v.get(0).contains("autograd"), v.get(0));
    }

    private static List<String> forbiddenEdges(ImportGraph g) {
        List<String> out = new ArrayList<>();
        for (ImportGraph.Edge e : g.edges()) {
            String from = g.module(e.from());
            String to = g.module(e.to());
            if (!from.equals(to) && !ALLOWED.get(from).contains(to)) {
                out.add(e.where() + ": module " + from + " (" + e.from() + ") uses module " + to + " (" + e.to() + ")");
            }
        }
        return out;
    }

    private static List<String> describeCycles(ImportGraph g) {
        List<String> out = new ArrayList<>();
        for (List<String> c : g.cycles()) {
            out.add("cycle " + c + ":");
            for (ImportGraph.Edge e : g.edgesWithin(c)) {
                out.add("  " + e.from() + " -> " + e.to() + "   (" + e.where() + ")");
            }
        }
        return out;
    }
}
