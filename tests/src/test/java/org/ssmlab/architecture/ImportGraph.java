package org.ssmlab.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package-level dependency graph of the project's main sources, read from the source text: each
 * {@code package} line places a file in a package, and each {@code import} line (or fully qualified
 * {@code org.ssmlab...Type} in the code) of another project package is an edge, remembered with the file
 * and line that makes it (names inside string literals are looked up at run time and do not count). A pure data structure: {@link #cycles()} and {@link #edgesInto} answer the
 * layering questions, and tests can build a graph by hand with {@link #addEdge} to check the analysis
 * itself.
 */
final class ImportGraph {

    /** One dependency: package {@code from} uses package {@code to}, because of {@code where}. */
    record Edge(String from, String to, String where) {
    }

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(org\\.ssmlab\\.[\\w.]+?)(?:\\.\\*)?\\s*;");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern QUALIFIED = Pattern.compile("\\b(org\\.ssmlab\\.(?:[a-z]\\w*\\.)*[a-z]\\w*)\\.[A-Z]");

    /** package → the module that holds it. */
    private final Map<String, String> moduleOf = new TreeMap<>();
    /** package → package → the first place that makes the edge. */
    private final Map<String, Map<String, String>> edges = new TreeMap<>();
    /** References to org.ssmlab packages that no module holds. */
    private final List<String> unknown = new ArrayList<>();

    /** Declares that {@code module} holds package {@code pkg}. */
    void addPackage(String pkg, String module) {
        moduleOf.put(pkg, module);
        edges.computeIfAbsent(pkg, k -> new TreeMap<>());
    }

    /** Adds the edge {@code from → to} (ignored when both are the same package). */
    void addEdge(String from, String to, String where) {
        if (!from.equals(to)) {
            edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, where);
        }
    }

    /** Reads every {@code .java} file under {@code <root>/<module>/src/main/java} for each module. */
    static ImportGraph read(Path root, List<String> modules) {
        ImportGraph g = new ImportGraph();
        Map<Path, String> packageOfFile = new HashMap<>();
        Map<Path, String> moduleOfFile = new HashMap<>();
        for (String module : modules) {
            for (Path f : javaFiles(root.resolve(module).resolve("src/main/java"))) {
                for (String line : lines(f)) {
                    Matcher m = PACKAGE.matcher(line.strip());
                    if (m.find()) {
                        packageOfFile.put(f, m.group(1));
                        moduleOfFile.put(f, module);
                        g.addPackage(m.group(1), module);
                        break;
                    }
                }
            }
        }
        for (var file : packageOfFile.entrySet()) {
            List<String> text = lines(file.getKey());
            for (int i = 0; i < text.size(); i++) {
                String line = text.get(i).strip();
                String where = root.relativize(file.getKey()) + ":" + (i + 1);
                Matcher imp = IMPORT.matcher(line);
                if (imp.find()) {
                    g.reference(file.getValue(), imp.group(1), where);
                    continue;
                }
                if (line.startsWith("package ")) {
                    continue;
                }
                // A name inside a string literal is a run-time lookup by name (a class to relaunch, a
                // ServiceLoader entry), not a compile-time dependency.
                Matcher q = QUALIFIED.matcher(STRING_LITERAL.matcher(line).replaceAll("\"\""));
                while (q.find()) {
                    g.reference(file.getValue(), q.group(1), where);
                }
            }
        }
        return g;
    }

    /** Resolves a qualified name to the longest known package that prefixes it. */
    private void reference(String from, String qualified, String where) {
        String best = null;
        for (String pkg : moduleOf.keySet()) {
            if ((qualified.equals(pkg) || qualified.startsWith(pkg + "."))
                    && (best == null || pkg.length() > best.length())) {
                best = pkg;
            }
        }
        if (best == null) {
            unknown.add(where + ": " + qualified);
        } else {
            addEdge(from, best, where);
        }
    }

    /** The module of {@code pkg}, or null when no module holds it. */
    String module(String pkg) {
        return moduleOf.get(pkg);
    }

    Set<String> packages() {
        return moduleOf.keySet();
    }

    /** Every edge, in package order. */
    List<Edge> edges() {
        List<Edge> out = new ArrayList<>();
        edges.forEach((from, tos) -> tos.forEach((to, where) -> out.add(new Edge(from, to, where))));
        return out;
    }

    /** References to {@code org.ssmlab} names that no module's package holds (a stale import or a typo). */
    List<String> unknownReferences() {
        return unknown;
    }

    /**
     * The package cycles: the strongly connected components with two or more packages (Tarjan's
     * algorithm), each sorted, in package order. Empty exactly when the package graph is acyclic.
     */
    List<List<String>> cycles() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : edges.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, index, low, stack, onStack, out, counter);
            }
        }
        out.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return out;
    }

    private void strongConnect(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                               Set<String> onStack, List<List<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                strongConnect(w, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }

    /** The edges that run between packages of one component, to show why a cycle exists. */
    List<Edge> edgesWithin(List<String> component) {
        return edges().stream().filter(e -> component.contains(e.from()) && component.contains(e.to())).toList();
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("missing source directory " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
