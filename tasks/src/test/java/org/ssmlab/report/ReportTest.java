package org.ssmlab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path tmp;

    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void aReportWithOnePlotAndOneTableWritesItsFiles() throws IOException {
        Path dir = tmp.resolve("report");
        Path png = Plots.line(dir.resolve("loss"), Plots.LineSpec.of("Training loss", "step", "loss").withLogY(),
                List.of(Plots.Series.of("mamba", new double[] {2.3, 1.1, 0.4, 0.2}),
                        new Plots.Series("attention", new double[] {0, 2, 3}, new double[] {2.2, 0.9, Double.NaN})));
        assertEquals(dir.resolve("loss.png"), png);
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(PNG_SIGNATURE, head);

        Report report = new Report("Recency bias <reproduction>");
        report.section("Needle in a haystack")
                .verdict("reproduced: accuracy falls as the needle moves away")
                .paragraph("Accuracy by needle depth & model.")
                .table("accuracy", List.of("depth", "ssm", "transformer"),
                        List.of(List.of(0.0, 0.125, 0.97), List.of(1.0, 0.98, 0.96)))
                .image("loss.png", "training loss")
                .image("absent.png", null);
        report.write(dir);

        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("Recency bias &lt;reproduction&gt;"), html);
        assertTrue(html.contains("reproduced: accuracy falls as the needle moves away"));
        assertTrue(html.contains("Accuracy by needle depth &amp; model."));
        assertTrue(html.contains("<th>transformer</th>"));
        assertTrue(html.contains("<td>0.125</td>"));
        assertTrue(html.contains("<img src=\"loss.png\""));
        assertTrue(html.contains("absent.png was not produced"));
        assertTrue(!html.contains(tmp.toString()), "images must be referenced relatively");

        String json = Files.readString(dir.resolve("report.json"));
        assertTrue(json.contains("\"verdict\": \"reproduced: accuracy falls as the needle moves away\""), json);
        assertTrue(json.contains("\"loss.png\""));
        assertTrue(json.contains("\"0.97\""));

        Report back = Report.read(dir.resolve("report.json"));
        assertEquals("Recency bias <reproduction>", back.title());
        assertEquals(1, back.sections().size());
        assertEquals(4, back.sections().get(0).blocks().size());
        assertEquals(List.of("1", "0.98", "0.96"), back.sections().get(0).blocks().get(1).rows().get(1));
    }

    @Test
    void badInputsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Plots.line(tmp.resolve("x"),
                Plots.LineSpec.of("t", "x", "y").withLogY(), List.of(Plots.Series.of("s", new double[] {1, 0}))));
        assertTrue(e.getMessage().contains("'s'") && e.getMessage().contains("y = 0.0"), e.getMessage());
        Report r = new Report("r");
        assertThrows(IllegalArgumentException.class, () -> r.section("a").verdict("two\nlines"));
        assertThrows(IllegalArgumentException.class, () -> r.section("b").image("../up.png", "c"));
        assertThrows(IllegalArgumentException.class,
                () -> r.section("c").table("t", List.of("a", "b"), List.of(List.of(1))));
    }

    @Test
    void barsAreWritten() throws IOException {
        Path png = Plots.bars(tmp.resolve("b.png"), "attack", "region", "success", List.of("leading", "trailing"),
                List.of("ssm", "attention"), List.of(new double[] {0.1, 0.8}, new double[] {0.2, 0.25}));
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(Files.readAllBytes(png), 8));
    }

    @Test
    void csvRoundTripsQuotedFields() throws IOException {
        Path f = tmp.resolve("m.csv");
        CsvWriter.write(f, List.of("name", "value"),
                List.of(List.of("plain", 1.5), List.of("with, comma", Double.NaN), List.of("say \"hi\"\nnow", 2)));
        List<List<String>> rows = CsvWriter.read(f);
        assertEquals(List.of(List.of("name", "value"), List.of("plain", "1.5"), List.of("with, comma", "NaN"),
                List.of("say \"hi\"\nnow", "2")), rows);
        try (CsvWriter w = new CsvWriter(f, true, "name", "value")) {
            w.row("appended", 3);
        }
        assertEquals(5, CsvWriter.read(f).size());
        assertEquals("name", CsvWriter.read(f).get(0).get(0));
    }
}
