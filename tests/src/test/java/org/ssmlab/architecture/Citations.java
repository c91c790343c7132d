package org.ssmlab.architecture;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The citation rule of docs/theory.md as pure functions on texts: which labels and sections the theory
 * page defines, which ones a text cites, and which citations do not resolve.
 *
 * <ul>
 *   <li>A <b>section</b> {@code §N} (alone or as {@code docs/theory.md §N}) resolves when the theory page
 *   has a numbered heading {@code ## N. ...}.</li>
 *   <li>A <b>label</b> is a kind followed by a number or an appendix letter: {@code Eq. 1},
 *   {@code Lemma D.1}, {@code Theorem 3.1}, {@code Proposition 4.1}, {@code Definition D.3},
 *   {@code Corollary ...}, {@code Appendix B}, {@code Section 6}, {@code Fig. 5}, {@code Table 2}. A slash
 *   list names each of its members with the same kind: {@code Theorem 4.2 / D.5} cites Theorem 4.2 and
 *   Theorem D.5. A label resolves when the same extraction finds it in a heading or inside a bold span
 *   ({@code **...**}) of the theory page; a label mentioned only in passing defines nothing.</li>
 *   <li>A path {@code docs/<name>.md} resolves when that document exists, and a relative Markdown link
 *   {@code [text](path)} when it names a file or folder of the repository.</li>
 *   <li>No text names the old top-level theory or design notes, a path that climbs out of the repository
 *   to a {@code shared} or {@code paper} folder, or an absolute machine path under the workspace root.</li>
 * </ul>
 * Identifiers are not citations: {@code Table2Command}, {@code LemmaD1Test} or {@code Eq1Form} have no
 * space between kind and number.
 */
final class Citations {

    private Citations() {
    }

    /** One problem found in a text: where, what, and why. */
    record Problem(String file, int line, String label, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + label + " (" + reason + ")";
        }
    }

    private static final String ID = "(?:[A-Z]|\\d+)(?:\\.\\d+)*(?![\\w])";
    private static final Pattern LABEL = Pattern.compile(
            "(?<![\\w.])(Eq\\.|Lemma|Theorem|Proposition|Definition|Corollary|Appendix|Section|Fig\\.|Table)"
                    + "\\s+(" + ID + ")((?:\\s*/\\s*" + ID + ")*)");
    private static final Pattern SLASH_MEMBER = Pattern.compile("/\\s*(" + ID + ")");
    private static final Pattern SECTION = Pattern.compile("§\\s*(\\d+(?:\\.\\d+)*)(?![\\w])");
    private static final Pattern DOC_PATH = Pattern.compile("(?<![\\w/.-])docs/([\\w.-]+\\.md)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s.*$");
    private static final Pattern NUMBERED_SECTION = Pattern.compile("(?m)^##\\s+(\\d+)\\.\\s");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*", Pattern.DOTALL);

    /**
     * References to documents outside the repository, each with the reason it names. The patterns are
     * written so that this source does not match them itself (a character class splits each name).
     */
    private static final List<Map.Entry<Pattern, String>> OUTSIDE = List.of(
            Map.entry(Pattern.compile("\\b(?:THEOR[Y]|DESIG[N])\\.md\\b"), "a notes file that is not in the repository"),
            Map.entry(Pattern.compile("(?:\\.\\./)+(?:share[d]|pape[r])\\b"), "a path that climbs out of the repository"),
            Map.entry(Pattern.compile("(?<![\\w./-])(?:share[d]|pape[r])/"), "a path into a folder that is not in the repository"),
            Map.entry(Pattern.compile("/wor[k]/"), "an absolute machine path"));

    /** The labels the theory page defines: those found in its headings and bold spans. */
    static Set<String> definedLabels(String theory) {
        Set<String> defined = new TreeSet<>();
        for (Matcher h = HEADING.matcher(theory); h.find(); ) {
            defined.addAll(labels(h.group()));
        }
        for (Matcher b = BOLD.matcher(theory); b.find(); ) {
            defined.addAll(labels(b.group(1)));
        }
        return defined;
    }

    /** The numbers of the theory page's sections (headings {@code ## N. ...}). */
    static Set<String> definedSections(String theory) {
        Set<String> sections = new TreeSet<>();
        for (Matcher m = NUMBERED_SECTION.matcher(theory); m.find(); ) {
            sections.add(m.group(1));
        }
        return sections;
    }

    /** Every label cited in {@code text}, a slash list expanded, in order of appearance. */
    static List<String> labels(String text) {
        List<String> out = new ArrayList<>();
        for (Matcher m = LABEL.matcher(text); m.find(); ) {
            String kind = m.group(1);
            out.add(kind + " " + m.group(2));
            for (Matcher s = SLASH_MEMBER.matcher(m.group(3)); s.find(); ) {
                out.add(kind + " " + s.group(1));
            }
        }
        return out;
    }

    /**
     * The citations in {@code texts} (file name → content) that do not resolve against {@code theory}
     * (the text of docs/theory.md) and {@code docs} (the names of the files in docs/, e.g.
     * {@code theory.md}), in file order, then line order.
     */
    static List<Problem> unresolved(String theory, Set<String> docs, Map<String, String> texts) {
        Set<String> labels = definedLabels(theory);
        Set<String> sections = definedSections(theory);
        List<Problem> problems = new ArrayList<>();
        for (var e : new TreeMap<>(texts).entrySet()) {
            String[] lines = e.getValue().split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                for (String label : new LinkedHashSet<>(labels(line))) {
                    if (!labels.contains(label)) {
                        problems.add(new Problem(e.getKey(), i + 1, label,
                                "not defined in a heading or bold span of docs/theory.md"));
                    }
                }
                for (Matcher m = SECTION.matcher(line); m.find(); ) {
                    if (!sections.contains(m.group(1))) {
                        problems.add(new Problem(e.getKey(), i + 1, "§" + m.group(1),
                                "docs/theory.md has sections " + sections));
                    }
                }
                for (Matcher m = DOC_PATH.matcher(line); m.find(); ) {
                    if (!docs.contains(m.group(1))) {
                        problems.add(new Problem(e.getKey(), i + 1, "docs/" + m.group(1), "no such document"));
                    }
                }
            }
        }
        return problems;
    }

    /** The references in {@code texts} (file name → content) to documents outside the repository. */
    static List<Problem> outsideReferences(Map<String, String> texts) {
        List<Problem> problems = new ArrayList<>();
        for (var e : new TreeMap<>(texts).entrySet()) {
            String[] lines = e.getValue().split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (var p : OUTSIDE) {
                    for (Matcher m = p.getKey().matcher(lines[i]); m.find(); ) {
                        problems.add(new Problem(e.getKey(), i + 1, m.group(), p.getValue()));
                    }
                }
            }
        }
        return problems;
    }

    /**
     * The relative links of the Markdown texts among {@code texts} (file name → content, names relative
     * to the repository root with '/' separators) that name no file or folder in {@code files} (every
     * file of the repository, named the same way). Links with a scheme ({@code https:}) and anchors
     * within the page are not checked.
     */
    static List<Problem> brokenLinks(Set<String> files, Map<String, String> texts) {
        List<Problem> problems = new ArrayList<>();
        for (var e : new TreeMap<>(texts).entrySet()) {
            if (!e.getKey().endsWith(".md")) {
                continue;
            }
            int slash = e.getKey().lastIndexOf('/');
            String dir = slash < 0 ? "" : e.getKey().substring(0, slash + 1);
            String[] lines = e.getValue().split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (Matcher m = MARKDOWN_LINK.matcher(lines[i]); m.find(); ) {
                    String target = m.group(1);
                    int hash = target.indexOf('#');
                    String path = hash < 0 ? target : target.substring(0, hash);
                    if (path.isEmpty() || path.matches("[a-zA-Z][a-zA-Z+.-]*:.*")) {
                        continue;
                    }
                    String resolved = normalize(dir + path);
                    if (resolved == null) {
                        problems.add(new Problem(e.getKey(), i + 1, target, "a link that leaves the repository"));
                    } else if (!files.contains(resolved) && files.stream().noneMatch(f -> f.startsWith(resolved + "/"))) {
                        problems.add(new Problem(e.getKey(), i + 1, target, "a link to a file that does not exist"));
                    }
                }
            }
        }
        return problems;
    }

    /** {@code a/./b/../c} as {@code a/c}; null when the path climbs above its root. */
    private static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }
}
