package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.core.Polarization;

/**
 * Hugging Face Mamba model directories as checkpoints: both naming conventions, F32/F16/BF16, a padded
 * vocabulary, the shape of mamba-130m (d_model 768, d_state 16, dt_rank 48, vocabulary 50 277 padded to
 * 50 280) with 2 of its 24 layers (random weights written by {@link HfMambaFixture}: the full 24 layers are
 * 130 M parameters, too heavy for the suite; {@code -Dssmlab.hf130m.layers=24 -Dssmlab.hf130m.dir=DIR}
 * writes and keeps the full-depth directory), and the refusal of pickle files.
 */
class HuggingFaceCheckpointTest {

    @TempDir
    Path tmp;

    /** A model whose parameters are rounded through {@code dtype}: what a reader of that file must rebuild exactly. */
    static LanguageModel rounded(LanguageModel lm, String dtype) {
        for (Tensor p : lm.namedParameters().values()) {
            float[] w = p.data();
            for (int i = 0; i < w.length; i++) {
                w[i] = HfMambaFixture.roundTrip(w[i], dtype);
            }
        }
        return lm;
    }

    @Test
    void aDirectoryAtThe130mShapeLoadsAndComputesWhatTheWeightsSay() throws Exception {
        int layers = Integer.getInteger("ssmlab.hf130m.layers", 2);
        String keep = System.getProperty("ssmlab.hf130m.dir");
        Path dir = keep != null ? Path.of(keep) : tmp.resolve("mamba-130m-shape");
        LanguageModel ref = rounded(Family.MAMBA.languageModel(50280, layers, new Family.Spec(768, 16, 1, Polarization.NONE), 7),
                "BF16");
        HfMambaFixture.write(dir, ref.stateDict(), 768, layers, 16, 50277, "BF16", true);
        LanguageModel lm = Checkpoints.load(dir, Polarization.NONE);
        assertEquals(50280, lm.vocab(), "the padded vocabulary is the embedding's");
        assertEquals(768, lm.width());
        assertEquals(layers, lm.layers().size());
        Map<String, Tensor> want = ref.stateDict();
        Map<String, Tensor> got = lm.stateDict();
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertArrayEquals(want.get(k).data(), got.get(k).data(), k + ": bf16 widened exactly");
        }
        int[] tokens = {50276, 0, 17, 2048};
        float[] a = ref.forward(tokens, 1, 4).toArray();
        float[] b = lm.forward(tokens, 1, 4).toArray();
        for (int i = 0; i < a.length; i++) {   // same weights; the threaded GEMM may sum in another order
            assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])), "logit " + i);
        }
    }

    @Test
    void bothNamingConventionsAndEveryDtypeLoadExactly() throws Exception {
        for (String dtype : List.of("F32", "F16", "BF16")) {
            for (boolean hf : new boolean[] {true, false}) {
                LanguageModel ref = rounded(Family.MAMBA.languageModel(24, 2, new Family.Spec(16, 4, 1, Polarization.NONE), 3), dtype);
                Path dir = tmp.resolve(dtype + "-" + hf);
                HfMambaFixture.write(dir, ref.stateDict(), 16, 2, 4, 21, dtype, hf);
                LanguageModel lm = Checkpoints.load(dir, Polarization.NONE);
                int[] tokens = {23, 1, 20};
                assertArrayEquals(ref.forward(tokens, 1, 3).toArray(), lm.forward(tokens, 1, 3).toArray(), dtype + " " + hf);
            }
        }
    }

    @Test
    void theProbesReadADirectoryAndWriteTheInfluenceScores() throws Exception {
        LanguageModel ref = Family.MAMBA.languageModel(40, 2, new Family.Spec(16, 4, 1, Polarization.NONE), 9);
        Path dir = tmp.resolve("hf");
        HfMambaFixture.write(dir, ref.stateDict(), 16, 2, 4, 37, "BF16", true);
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("influence", "--checkpoint", dir.toString(), "--tokens", "3,17,5,39,0", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<List<String>> csv = CsvWriter.read(out.resolve("influence-scores.csv"));
        assertEquals(List.of("position", "norm"), csv.get(0));
        assertEquals(6, csv.size(), "a header and one row per token");
        double[] exact = JacobianNorm.exact(Checkpoints.load(dir, Polarization.NONE), new int[] {3, 17, 5, 39, 0}, false).norms();
        for (int s = 0; s < 5; s++) {
            assertEquals(exact[s], Double.parseDouble(csv.get(s + 1).get(1)), 1e-6 * exact[s] + 1e-12);
        }
        CliRun t = CliRun.of("transitions", "--checkpoint", dir.toString(), "--no-progress", "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("share_max_below_0_5_layer2="), t.out());
        CliRun s = CliRun.of("smoothing", "--checkpoint", dir.toString(), "--length", "16", "--samples", "2", "--out", out.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals(1 + 3 * 2, CsvWriter.read(out.resolve("smoothing-trained.csv")).size(), "3 parts x 2 layers");
    }

    @Test
    void pickleFilesAreRefusedSayingWhy() throws Exception {
        Path dir = tmp.resolve("pickled");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"d_model\": 16, \"n_layer\": 2}");
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        for (Path p : List.of(dir, dir.resolve("pytorch_model.bin"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(p, Polarization.NONE));
            assertTrue(e.getMessage().contains("can run arbitrary code"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        CliRun r = CliRun.of("influence", "--checkpoint", dir.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().strip().lines().count() == 1 && r.err().contains("pickle"), r.err());
    }

    @Test
    void aConfigThatDisagreesWithTheWeightsIsAnError() throws Exception {
        LanguageModel ref = Family.MAMBA.languageModel(24, 2, new Family.Spec(16, 4, 1, Polarization.NONE), 3);
        Path dir = tmp.resolve("bad");
        HfMambaFixture.write(dir, ref.stateDict(), 16, 3, 4, 21, "F32", true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(dir, Polarization.NONE));
        assertTrue(e.getMessage().contains("2 Mamba layers but config.json says 3"), e.getMessage());
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(empty, Polarization.NONE));
        assertTrue(e.getMessage().contains("no model.safetensors"), e.getMessage());
        SafeTensors.write(empty.resolve("model.safetensors"), ref.stateDict(), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(empty, Polarization.NONE));
        assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    }
}
