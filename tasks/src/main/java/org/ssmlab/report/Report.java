package org.ssmlab.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A report of experiment results: sections, each with a title, an optional one-line verdict, and
 * paragraphs, tables and images in the order they were added. {@link #write} produces
 * {@code index.html} (self-contained: styles inline, images referenced by relative file names in the
 * same directory) and {@code report.json} (the same content as data, readable back with {@link #read}).
 */
public final class Report {

    /** One block of a section: a paragraph, a table or an image. */
    public record Block(String kind, String text, List<String> header, List<List<String>> rows, String image,
                        boolean missing) {

        static Block paragraph(String text) {
            return new Block("paragraph", text, null, null, null, false);
        }

        static Block table(String caption, List<String> header, List<List<String>> rows) {
            return new Block("table", caption, List.copyOf(header), rows, null, false);
        }

        static Block image(String file, String caption) {
            return new Block("image", caption, null, null, file, false);
        }
    }

    /** A titled part of the report, one experiment for example. */
    public static final class Section {
        private final String title;
        private String verdict;
        private final List<Block> blocks = new ArrayList<>();

        Section(String title) {
            this.title = Objects.requireNonNull(title, "Report.Section: title is null");
        }

        public String title() {
            return title;
        }

        public String verdict() {
            return verdict;
        }

        public List<Block> blocks() {
            return java.util.Collections.unmodifiableList(blocks);
        }

        /** Sets the one-line verdict (e.g. "reproduced: the SSM's accuracy falls with needle distance"). */
        public Section verdict(String oneLine) {
            if (oneLine.contains("\n")) {
                throw new IllegalArgumentException("Report.verdict: the verdict of '" + title + "' must be one line");
            }
            this.verdict = oneLine;
            return this;
        }

        public Section paragraph(String text) {
            blocks.add(Block.paragraph(text));
            return this;
        }

        /** A table; every row must have as many cells as the header. Cells are formatted like CSV fields. */
        public Section table(String caption, List<String> header, List<? extends List<?>> rows) {
            List<List<String>> cells = new ArrayList<>();
            for (List<?> r : rows) {
                if (r.size() != header.size()) {
                    throw new IllegalArgumentException("Report.table '" + caption + "': a row of " + r.size()
                            + " cells for " + header.size() + " columns");
                }
                cells.add(r.stream().map(Report::cell).toList());
            }
            blocks.add(Block.table(caption, header, cells));
            return this;
        }

        /** An image by its file name relative to the report directory (e.g. "mqar_accuracy.png"). */
        public Section image(String fileName, String caption) {
            if (fileName.contains("..") || Path.of(fileName).isAbsolute()) {
                throw new IllegalArgumentException("Report.image: '" + fileName
                        + "' must be a relative name inside the report directory");
            }
            blocks.add(Block.image(fileName, caption));
            return this;
        }
    }

    private final String title;
    private final List<Section> sections = new ArrayList<>();

    public Report(String title) {
        this.title = Objects.requireNonNull(title, "Report: title is null");
    }

    public String title() {
        return title;
    }

    public List<Section> sections() {
        return java.util.Collections.unmodifiableList(sections);
    }

    /** Adds and returns a new section. */
    public Section section(String sectionTitle) {
        Section s = new Section(sectionTitle);
        sections.add(s);
        return s;
    }

    static String cell(Object value) {
        if (value instanceof Double d) {
            return formatNumber(d);
        }
        if (value instanceof Float f) {
            return formatNumber(f);
        }
        return CsvWriter.format(value);
    }

    /** Numbers for people: 4 significant digits, plain below 1e6. */
    static String formatNumber(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        double a = Math.abs(d);
        if (a >= 1e-3 && a < 1e6) {
            return new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
        }
        return String.format(java.util.Locale.ROOT, "%.3e", d);
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** The data form of a report, for report.json. */
    private record Json(String title, List<JsonSection> sections) {
    }

    private record JsonSection(String title, String verdict, List<Block> blocks) {
    }

    /** Writes {@code dir/index.html} and {@code dir/report.json}; images are expected in {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<JsonSection> js = new ArrayList<>();
        for (Section s : sections) {
            List<Block> blocks = new ArrayList<>();
            for (Block b : s.blocks) {
                boolean missing = b.kind().equals("image") && !Files.isRegularFile(dir.resolve(b.image()));
                blocks.add(new Block(b.kind(), b.text(), b.header(), b.rows(), b.image(), missing));
            }
            js.add(new JsonSection(s.title, s.verdict, blocks));
        }
        Json json = new Json(title, js);
        Files.writeString(dir.resolve("report.json"), GSON.toJson(json), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("index.html"), html(json), StandardCharsets.UTF_8);
    }

    /** Reads a report written by {@link #write} (to merge or re-render it). */
    public static Report read(Path reportJson) throws IOException {
        Json json = GSON.fromJson(Files.readString(reportJson, StandardCharsets.UTF_8), Json.class);
        Report r = new Report(json.title());
        for (JsonSection js : json.sections()) {
            Section s = r.section(js.title());
            s.verdict = js.verdict();
            for (Block b : js.blocks()) {
                s.blocks.add(new Block(b.kind(), b.text(), b.header(), b.rows(), b.image(), false));
            }
        }
        return r;
    }

    private static String html(Json report) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(report.title())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;")
                .append("line-height:1.5;color:#222}\n")
                .append("h1{border-bottom:2px solid #444}h2{margin-top:2.5rem;border-bottom:1px solid #bbb}\n")
                .append(".verdict{font-weight:600;padding:.4rem .7rem;background:#eef4ff;border-left:4px solid #3366cc}\n")
                .append("table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .6rem;")
                .append("text-align:right}th{background:#f3f3f3}caption{caption-side:top;text-align:left;font-style:italic}\n")
                .append("figure{margin:1rem 0}img{max-width:100%}figcaption{font-style:italic}\n")
                .append(".missing{color:#a00}\n</style>\n</head>\n<body>\n<h1>")
                .append(esc(report.title())).append("</h1>\n");
        if (report.sections().size() > 1) {
            h.append("<ul>\n");
            for (int i = 0; i < report.sections().size(); i++) {
                h.append("<li><a href=\"#s").append(i).append("\">").append(esc(report.sections().get(i).title()))
                        .append("</a></li>\n");
            }
            h.append("</ul>\n");
        }
        for (int i = 0; i < report.sections().size(); i++) {
            JsonSection s = report.sections().get(i);
            h.append("<section id=\"s").append(i).append("\">\n<h2>").append(esc(s.title())).append("</h2>\n");
            if (s.verdict() != null) {
                h.append("<p class=\"verdict\">").append(esc(s.verdict())).append("</p>\n");
            }
            for (Block b : s.blocks()) {
                switch (b.kind()) {
                    case "paragraph" -> h.append("<p>").append(esc(b.text())).append("</p>\n");
                    case "table" -> {
                        h.append("<table>\n");
                        if (b.text() != null && !b.text().isEmpty()) {
                            h.append("<caption>").append(esc(b.text())).append("</caption>\n");
                        }
                        h.append("<tr>");
                        for (String c : b.header()) {
                            h.append("<th>").append(esc(c)).append("</th>");
                        }
                        h.append("</tr>\n");
                        for (List<String> r : b.rows()) {
                            h.append("<tr>");
                            for (String c : r) {
                                h.append("<td>").append(esc(c)).append("</td>");
                            }
                            h.append("</tr>\n");
                        }
                        h.append("</table>\n");
                    }
                    case "image" -> {
                        h.append("<figure>");
                        if (b.missing()) {
                            h.append("<p class=\"missing\">(image ").append(esc(b.image())).append(" was not produced)</p>");
                        } else {
                            h.append("<img src=\"").append(esc(b.image())).append("\" alt=\"")
                                    .append(esc(b.text() == null ? b.image() : b.text())).append("\">");
                        }
                        if (b.text() != null) {
                            h.append("<figcaption>").append(esc(b.text())).append("</figcaption>");
                        }
                        h.append("</figure>\n");
                    }
                    default -> throw new IllegalStateException("Report: unknown block kind " + b.kind());
                }
            }
            h.append("</section>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    /** HTML-escapes text and attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
