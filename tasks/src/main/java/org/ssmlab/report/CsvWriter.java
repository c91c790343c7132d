package org.ssmlab.report;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A tiny RFC 4180 CSV writer (and reader, for files it wrote): comma separated, a field is quoted when
 * it holds a comma, a quote or a line break, and quotes inside are doubled. Numbers are written with
 * {@link Double#toString} style through {@link #format}, locale independent, so files round trip.
 */
public final class CsvWriter implements Closeable {

    private final BufferedWriter out;
    private final int columns;

    /** Opens {@code file} for writing (replacing it) and writes the header row. */
    public CsvWriter(Path file, String... header) throws IOException {
        this(file, false, header);
    }

    /**
     * Opens {@code file}; with {@code append} and an existing file the rows go after its content and no
     * header is written.
     */
    public CsvWriter(Path file, boolean append, String... header) throws IOException {
        if (header.length == 0) {
            throw new IllegalArgumentException("CsvWriter: the header needs at least one column");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean writeHeader = !(append && Files.exists(file) && Files.size(file) > 0);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        this.columns = header.length;
        if (writeHeader) {
            writeRow((Object[]) header);
        }
    }

    /** Writes one row of exactly as many fields as the header. */
    public CsvWriter row(Object... fields) {
        if (fields.length != columns) {
            throw new IllegalArgumentException("CsvWriter: a row of " + fields.length + " fields for " + columns + " columns");
        }
        try {
            writeRow(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Pushes buffered rows to the file. */
    public void flush() throws IOException {
        out.flush();
    }

    private void writeRow(Object... fields) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(escape(format(fields[i])));
        }
        out.write(line.append('\n').toString());
    }

    /** A field's text: numbers locale independent (NaN as "NaN"), null as empty. */
    public static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Float f) {
            return Float.toString(f);
        }
        if (value instanceof Double d) {
            return Double.toString(d);
        }
        return String.valueOf(value).toLowerCase(Locale.ROOT).equals("nan") ? "NaN" : String.valueOf(value);
    }

    static String escape(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Writes a whole file: header and rows. */
    public static void write(Path file, List<String> header, List<? extends List<?>> rows) throws IOException {
        try (CsvWriter w = new CsvWriter(file, header.toArray(new String[0]))) {
            for (List<?> r : rows) {
                w.row(r.toArray());
            }
        }
    }

    /** Reads a CSV file (header included as the first row), undoing the quoting of {@link #escape}. */
    public static List<List<String>> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            any = true;
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                any = false;
            } else if (c != '\r') {
                field.append(c);
            }
        }
        if (any) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
