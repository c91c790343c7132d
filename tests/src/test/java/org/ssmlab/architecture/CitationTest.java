package org.ssmlab.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository is readable beside its theory: every section and label that a source, test, script
 * or document cites resolves in docs/theory.md, every docs/ path it names exists, and nothing points
 * outside the repository. The rule is {@link Citations}'; the first tests here check the checker on
 * synthetic texts (including citations that must be reported), the last ones apply it to the whole
 * source tree.
 */
class CitationTest {

    /** A small theory page in the format of docs/theory.md. */
    private static final String THEORY = String.join("\n",
            "# Theory",
            "## 1. One recurrence: Eq. 1",
            "### Mamba (Eq. 3)",
            "## 3. Theorem 3.1 (recency)",
            "**Theorem D.2 (complex).** The same with |a|.",
            "## 5. Theorem 4.2 / D.5 (smoothing)",
            "The proof uses Lemma D.1 in passing.",
            "**Influence score (Fig. 1, Fig. 7).** From one reverse pass.",
            "**Wang et al., a title",
            "that runs over two lines (Table 2)**",
            "");

    private static final Set<String> DOCS = Set.of("theory.md", "architecture.md");

    // Citations that must not resolve, built by concatenation: the repository scan below reads this
    // source too, and must not find them here.
    private static final String UNKNOWN_THEOREM = "Theorem " + "9.9";
    private static final String UNKNOWN_SECTION = "§" + "12";
    private static final String UNKNOWN_FIGURE = "Fig. " + "8";
    private static final String MISSING_DOC = "docs/" + "missing.md";

    // ------------------------------------------------------------------ the checker on synthetic texts

    @Test
    void headingsAndBoldSpansDefineLabelsAndNumberedHeadingsDefineSections() {
        assertEquals(new TreeSet<>(List.of("Eq. 1", "Eq. 3", "Theorem 3.1", "Theorem D.2", "Theorem 4.2",
                "Theorem D.5", "Fig. 1", "Fig. 7", "Table 2")), Citations.definedLabels(THEORY));
        assertEquals(Set.of("1", "3", "5"), Citations.definedSections(THEORY));
    }

    @Test
    void goodCitationsResolve() {
        String good = String.join("\n",
                "/** Mamba's scan (Eq. 3), see docs/theory.md §3: Theorem 3.1 and its complex form Theorem D.2. */",
                "// Theorem 4.2 / D.5 (a); influence as in Fig. 1/7; the layering of docs/architecture.md.",
                "class Table2Command implements Eq1Form {}   // identifiers, not citations: LemmaD1Test, §1",
                "| Table 2 | §5 |");
        assertEquals(List.of(), Citations.unresolved(THEORY, DOCS, Map.of("Good.java", good)));
    }

    @Test
    void negativeControlUnknownLabelsAndSectionsAreReportedWithFileAndLine() {
        String bad = String.join("\n",
                "/** Fine: Theorem 3.1. */",
                "/** The bound of " + UNKNOWN_THEOREM + ", see docs/theory.md " + UNKNOWN_SECTION + ". */",
                "# Lemma D.1 is only mentioned in passing on the theory page, so it is not defined",
                "Fig. 1/" + UNKNOWN_FIGURE.substring("Fig. ".length()) + " and " + MISSING_DOC);
        List<Citations.Problem> problems = Citations.unresolved(THEORY, DOCS, Map.of("Bad.java", bad));
        assertEquals(List.of("Bad.java:2: " + UNKNOWN_THEOREM, "Bad.java:2: " + UNKNOWN_SECTION,
                        "Bad.java:3: Lemma D.1", "Bad.java:4: " + UNKNOWN_FIGURE, "Bad.java:4: " + MISSING_DOC),
                problems.stream().map(p -> p.file() + ":" + p.line() + ": " + p.label()).toList());
        assertTrue(problems.get(0).toString().startsWith("Bad.java:2: " + UNKNOWN_THEOREM + " ("),
                problems.get(0).toString());
    }

    @Test
    void negativeControlReferencesOutsideTheRepositoryAreReported() {
        // Split by concatenation, like the labels above, so that this source does not match itself.
        String bad = String.join("\n",
                "see docs/theory.md and docs/architecture.md",                 // fine
                "the formulas are in " + "THEORY" + ".md",
                "read ../../sha" + "red/notes.txt and pa" + "per/001.txt",
                "cache under /" + "work/cache");
        List<Citations.Problem> problems = Citations.outsideReferences(Map.of("README.md", bad));
        assertEquals(List.of("README.md:2", "README.md:3", "README.md:3", "README.md:4"),
                problems.stream().map(p -> p.file() + ":" + p.line()).toList(), problems::toString);
        assertEquals(List.of(), Citations.outsideReferences(Map.of("ok.md", "docs/theory.md §1, ../up.png")));
    }

    @Test
    void negativeControlMarkdownLinksToMissingFilesOrOutsideTheRepositoryAreReported() {
        Set<String> files = Set.of("README.md", "notes/theory.md", "ssm/src/main/java/org/ssmlab/ssm/Family.java");
        String page = String.join("\n",
                "[theory](theory.md#3-theorem-31) [readme](../README.md) [ssm](../ssm) [web](https://example.org)",
                "[gone](Gone.java) [out](../../elsewhere.md)");
        assertEquals(List.of("notes/guide.md:2: Gone.java", "notes/guide.md:2: ../../elsewhere.md"),
                Citations.brokenLinks(files, Map.of("notes/guide.md", page)).stream()
                        .map(p -> p.file() + ":" + p.line() + ": " + p.label()).toList());
    }

    // ------------------------------------------------------------------ the repository

    @Test
    void theoryPageHasItsEightSectionsAndTheArchitecturePageExists() {
        Path root = repositoryRoot();
        assertEquals(Set.of("1", "2", "3", "4", "5", "6", "7", "8"),
                Citations.definedSections(read(root.resolve("docs/theory.md"))));
        assertTrue(Files.isRegularFile(root.resolve("docs/architecture.md")), "missing docs/architecture.md");
    }

    @Test
    void everyCitationInTheRepositoryResolvesInDocsTheory() {
        Path root = repositoryRoot();
        Map<String, String> texts = texts(root);
        long cited = texts.values().stream().mapToLong(t -> Citations.labels(t).size()).sum();
        // Not vacuous: the sources cite Eq. 1 and Theorem 3.1 many times over.
        assertTrue(cited > 50, "found only " + cited + " label citations in " + texts.size() + " files");
        Set<String> docs;
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            docs = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Citations.Problem> problems = Citations.unresolved(read(root.resolve("docs/theory.md")), docs, texts);
        assertTrue(problems.isEmpty(), problems.size() + " citations do not resolve in docs/theory.md:\n"
                + problems.stream().map(Citations.Problem::toString).collect(Collectors.joining("\n")));
    }


    @Test
    void nothingPointsOutsideTheRepository() {
        Path root = repositoryRoot();
        Map<String, String> texts = texts(root);
        List<Citations.Problem> problems = new java.util.ArrayList<>(Citations.outsideReferences(texts));
        problems.addAll(Citations.brokenLinks(files(root), texts));
        assertTrue(problems.isEmpty(), "references outside the repository:\n"
                + problems.stream().map(Citations.Problem::toString).collect(Collectors.joining("\n")));
    }

    // ------------------------------------------------------------------ reading the tree

    /** Directories never read: build output, version control, generated runs and reports. */
    private static final Set<String> SKIPPED = Set.of("target", "report", "runs", "node_modules", "__pycache__");

    /** The text files that can cite: sources, scripts, build files, documents, the launcher and CI. */
    private static boolean cites(Path relative) {
        String name = relative.getFileName().toString();
        return name.matches(".*\\.(java|md|py|xml|cl|properties|sh)") || name.equals("ssmlab")
                || relative.startsWith(".ci");
    }

    /** The repository root: the nearest directory, from the working directory up, with the launcher and the parent pom. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("ssmlab")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("no repository root (a directory with ssmlab and pom.xml) above "
                + Path.of("").toAbsolutePath());
    }

    /** Every file of the repository, by path relative to {@code root} with '/' separators. */
    private static Set<String> files(Path root) {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = root.relativize(f);
                boolean skipped = false;
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                    String dir = rel.getName(i).toString();
                    skipped |= SKIPPED.contains(dir) || (dir.startsWith(".") && !dir.equals(".ci"));
                }
                if (!skipped) {
                    out.add(rel.toString().replace('\\', '/'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every citing file under {@code root}, by path relative to it, with its text. */
    private static Map<String, String> texts(Path root) {
        Map<String, String> texts = new TreeMap<>();
        for (String f : files(root)) {
            if (cites(Path.of(f))) {
                texts.put(f, read(root.resolve(f)));
            }
        }
        assertTrue(texts.containsKey("README.md") && texts.containsKey("docs/theory.md"),
                "the scan missed README.md or docs/theory.md under " + root);
        return texts;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(f + ": " + e.getMessage(), e);
        }
    }
}
