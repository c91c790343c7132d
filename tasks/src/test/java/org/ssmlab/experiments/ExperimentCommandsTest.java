package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.cli.CliRun;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.ssm.Family;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.ssm.core.LanguageModel;

/** Each experiment command's smallest run end to end: files written, figures printed, bad input refused. */
class ExperimentCommandsTest {

    /** Runs the CLI with stdout and stderr captured: {code, out, err}. */
    static Object[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new Object[] {r.code(), r.out(), r.err()};
    }

    static void assertOk(Object[] r) {
        assertEquals(0, r[0], "exit code; stderr: " + r[2]);
    }

    static void assertReport(Path dir, String... files) throws Exception {
        for (String f : files) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f + " missing or empty");
        }
        String json = Files.readString(dir.resolve("report.json"));
        assertTrue(json.contains("\"verdict\""), json);
    }

    @Test
    void influenceWritesScoresPlotAndSlope(@TempDir Path dir) throws Exception {
        Object[] r = run("influence", "--quick", "--no-progress", "--length", "12", "--samples", "1", "--out", dir.toString());
        assertOk(r);
        assertTrue(((String) r[1]).contains("influence_slope_per_token="), (String) r[1]);
        assertReport(dir, "influence-profiles.csv", "influence-decay.png", "index.html");
        List<List<String>> csv = CsvWriter.read(dir.resolve("influence-profiles.csv"));
        assertEquals(List.of("model", "seed", "position", "distance", "norm", "se"), csv.get(0));
        assertEquals(1 + 2 * 3 * 12, csv.size(), "a header and one row per position, for 2 families x 3 seeds");
    }

    @Test
    void lrdAndSmoothingWriteTheirProfiles(@TempDir Path dir) throws Exception {
        LanguageModel lm = Family.MAMBA.languageModel(16, 1, new Family.Spec(8, 2, 1, Polarization.NONE), 4);
        Path ckpt = dir.resolve("m.safetensors");
        SafeTensors.write(ckpt, lm.stateDict(), Map.of());
        assertOk(run("lrd", "--no-progress", "--length", "10", "--samples", "1", "--checkpoint", ckpt.toString(),
                "--out", dir.toString()));
        assertReport(dir, "lrd-profiles.csv", "lrd-profiles.png");
        assertEquals(1 + 6 * 10, CsvWriter.read(dir.resolve("lrd-profiles.csv")).size(), "5 simulated models and the checkpoint");
        Object[] sm = run("smoothing", "--no-progress", "--layers", "2", "--length", "8", "--seeds", "2", "--out", dir.toString());
        assertOk(sm);
        assertReport(dir, "smoothing-sharpness.csv", "smoothing-ratio.png");
        List<List<String>> rows = CsvWriter.read(dir.resolve("smoothing-sharpness.csv"));
        assertEquals(1 + 3 * 2 * 2, rows.size(), "3 models x 2 seeds x 2 layers");
        assertNotEquals(rows.get(1).get(5), rows.get(3).get(5), "the second seed is another model: " + rows);
        assertTrue(((String) sm[1]).contains("smoothing_mamba_minus_transformer_ci95="), (String) sm[1]);
    }

    @Test
    void recallTable2AndTransitionsRunTheirSmallestPresets(@TempDir Path dir) throws Exception {
        Object[] r = run("recall", "--quick", "--no-progress", "--steps", "3", "--layers", "1", "--out", dir.toString());
        assertOk(r);
        assertTrue(((String) r[1]).contains("recall_accuracy_kv4="), (String) r[1]);
        assertReport(dir, "recall-accuracy.csv");
        try (var runs = Files.list(dir.resolve("recall-runs"))) {
            Path run = runs.findFirst().orElseThrow();
            assertTrue(Files.isDirectory(run.resolve("checkpoints")), "the run leaves checkpoints to resume from");
            assertTrue(Files.isRegularFile(run.resolve("result.json")), "the finished run keeps its result");
        }
        assertOk(run("table2", "--quick", "--no-progress", "--steps", "2", "--seeds", "1", "--layers", "1", "--out", dir.toString()));
        assertReport(dir, "table2-table.csv", "table2-runs.csv", "table2-accuracy.png");
        assertEquals(1 + 4, CsvWriter.read(dir.resolve("table2-table.csv")).size(), "one row per polarization");
        // The grid again: every run is found finished and nothing trains; other steps are other runs.
        Object[] again = run("table2", "--quick", "--no-progress", "--steps", "2", "--seeds", "1", "--layers", "1", "--out", dir.toString());
        assertOk(again);
        assertEquals(4, ((String) again[1]).split("finished before", -1).length - 1, (String) again[1]);
        assertTrue(((String) again[1]).contains("table2_acc_both_L1_kv2_mean="), (String) again[1]);
        Object[] partial = run("table2", "--quick", "--no-progress", "--steps", "3", "--seeds", "1", "--layers", "1", "--no-train",
                "--out", dir.toString());
        assertOk(partial);
        assertTrue(((String) partial[1]).contains("0 of 4 runs finished so far"), (String) partial[1]);
        Object[] tr = run("transitions", "--quick", "--no-progress", "--steps", "2", "--seeds", "2", "--out", dir.toString());
        assertOk(tr);
        assertReport(dir, "transitions-shares.csv", "transitions-shares.png");
        assertTrue(((String) tr[1]).contains("share_max_below_0_5_ci95="), (String) tr[1]);
        List<List<String>> layers = CsvWriter.read(dir.resolve("transitions-layers.csv"));
        assertEquals(List.of("seed 1", "seed 2"), layers.stream().skip(1).map(row -> row.get(0)).distinct().toList(),
                "one model per seed");
    }

    @Test
    void forwardWritesTheLogitsOfACheckpoint(@TempDir Path dir) throws Exception {
        LanguageModel lm = Family.MAMBA.languageModel(20, 1, new Family.Spec(8, 2, 1, Polarization.ONE), 3);
        Path ckpt = dir.resolve("m.safetensors");
        SafeTensors.write(ckpt, lm.stateDict(), Map.of());
        Path out = dir.resolve("logits.safetensors");
        assertOk(run("forward", "--checkpoint", ckpt.toString(), "--tokens", "3,17,5", "--polarize", "one", "--out", out.toString()));
        Tensor logits = SafeTensors.read(out).get("logits");
        assertArrayEquals(new int[] {3, 20}, logits.shape());
        assertArrayEquals(lm.forward(new int[] {3, 17, 5}, 1, 3).toArray(), logits.toArray());
        Object[] wrong = run("forward", "--checkpoint", ckpt.toString(), "--tokens", "1", "--out", out.toString());
        assertEquals(2, wrong[0]);
        assertTrue(((String) wrong[2]).contains("try --polarize"), (String) wrong[2]);
    }

    @Test
    void influenceReadsATransformerCheckpoint(@TempDir Path dir) throws Exception {
        LanguageModel lm = Family.TRANSFORMER.languageModel(16, 1, new Family.Spec(8, 1, 2, Polarization.NONE), 5);
        Path ckpt = dir.resolve("t.safetensors");
        SafeTensors.write(ckpt, lm.stateDict(), Map.of("n_head", "2"));
        Object[] r = run("influence", "--checkpoint", ckpt.toString(), "--length", "8", "--samples", "1", "--out", dir.toString());
        assertOk(r);
        assertTrue(((String) r[1]).contains("influence_slope_per_token="), (String) r[1]);
        assertFalse(((String) r[1]).contains("log_a_max"), "attention has no transition to bound it");
    }

    @Test
    void badInputIsOneLineAndNonZero(@TempDir Path dir) {
        for (String[] args : new String[][] {
            {"influence", "--model", "lstm", "--out", dir.toString()},
            {"recall", "--polarize", "sideways", "--out", dir.toString()},
            {"recall", "--quick", "--kv", "40", "--out", dir.toString()},
            {"influence", "--length", "1", "--out", dir.toString()},
            {"forward", "--checkpoint", dir.resolve("missing.safetensors").toString(), "--tokens", "1", "--out", "x"},
            {"table2", "--seeds", "zero"},
        }) {
            Object[] r = run(args);
            String err = ((String) r[2]).strip();
            assertTrue((int) r[0] != 0, String.join(" ", args) + " should fail");
            assertFalse(err.isEmpty() || err.contains("\n") || err.contains("Exception"),
                    String.join(" ", args) + " should give one clear line, got: " + err);
        }
    }
}
