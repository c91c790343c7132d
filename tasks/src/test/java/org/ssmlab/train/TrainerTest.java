package org.ssmlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.nn.Linear;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Reduce;
import org.ssmlab.data.Batch;
import org.ssmlab.data.MqarGenerator;
import org.ssmlab.report.CsvWriter;
import org.ssmlab.ssm.core.LanguageModel;
import org.ssmlab.ssm.mixers.TransformerBlock;

class TrainerTest {

    @TempDir
    Path tmp;

    static final MqarGenerator MQAR = new MqarGenerator(16, 16, 2);

    static LanguageModel tinyModel(long initSeed) {
        return new LanguageModel(16, 8, 1, (i, rng) -> new TransformerBlock(8, 2, true, rng), true, 0,
                new SplittableRandom(initSeed));
    }

    static TrainOptions options() {
        return new TrainOptions().steps(20).peakLr(3e-3).warmupSteps(4).seed(11).checkpointEvery(10).progress(false);
    }

    /** Thrown by a batch source to stand for the process being killed. */
    static final class Killed extends RuntimeException {
        Killed() {
            super("killed");
        }
    }

    @Test
    void resumedRunIsBitForBitTheUninterruptedOne() throws IOException {
        LanguageModel straight = tinyModel(1);
        Trainer.Result a = new Trainer(straight, Trainer.languageModel(straight), rng -> MQAR.batch(4, rng),
                options(), tmp.resolve("a")).run();
        assertEquals(0, a.resumedFrom());
        assertEquals(20, a.history().size());

        // Run B dies when it asks for the batch of step 10, just after checkpoint 10 was written.
        LanguageModel first = tinyModel(1);
        int[] calls = {0};
        Trainer.BatchSource dying = rng -> {
            if (calls[0]++ == 10) {
                throw new Killed();
            }
            return MQAR.batch(4, rng);
        };
        assertThrows(Killed.class, () -> new Trainer(first, Trainer.languageModel(first), dying, options(),
                tmp.resolve("b")).run());
        assertNotNull(CheckpointStore.latest(tmp.resolve("b")));

        // A new process: a model with different initial weights, a new trainer; it must resume at step 10.
        LanguageModel second = tinyModel(999);
        Trainer.Result b = new Trainer(second, Trainer.languageModel(second), rng -> MQAR.batch(4, rng), options(),
                tmp.resolve("b")).run();
        assertEquals(10, b.resumedFrom());
        assertEquals(10, b.history().size());

        Map<String, Tensor> wa = straight.stateDict();
        Map<String, Tensor> wb = second.stateDict();
        assertEquals(wa.keySet(), wb.keySet());
        for (String name : wa.keySet()) {
            assertArrayEquals(wa.get(name).data(), wb.get(name).data(), 0f, name);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(a.history().get(10 + i), b.history().get(i));
        }
        // metrics.csv of the resumed run is the same 20 rows as the uninterrupted one.
        List<List<String>> ma = CsvWriter.read(tmp.resolve("a").resolve("metrics.csv"));
        List<List<String>> mb = CsvWriter.read(tmp.resolve("b").resolve("metrics.csv"));
        assertEquals(21, ma.size());
        assertEquals(ma, mb);
    }

    @Test
    void withoutTheOptimizerStateTheContinuationWouldDiffer() throws IOException {
        // Negative control for the test above: the same kill and resume, but with the checkpoint's AdamW
        // state wiped (moments gone, step counts 0) and everything else (weights, schedule, batches) kept.
        // The weights must then end elsewhere, so bit-for-bit equality above really checks the optimizer.
        LanguageModel straight = tinyModel(1);
        new Trainer(straight, Trainer.languageModel(straight), rng -> MQAR.batch(4, rng), options(), null).run();
        Path run = tmp.resolve("n");
        LanguageModel first = tinyModel(1);
        int[] calls = {0};
        assertThrows(Killed.class, () -> new Trainer(first, Trainer.languageModel(first), rng -> {
            if (calls[0]++ == 10) {
                throw new Killed();
            }
            return MQAR.batch(4, rng);
        }, options(), run).run());
        Path cp = CheckpointStore.latest(run);
        org.ssmlab.autograd.io.SafeTensors.write(cp.resolve("optimizer.safetensors"), Map.of(), null);
        Files.writeString(cp.resolve("state.json"),
                Files.readString(cp.resolve("state.json")).replaceAll("(\"[^\"]+\": )10(,?\n)", "$10$2")
                        .replace("\"step\": 0", "\"step\": 10"));
        LanguageModel second = tinyModel(1);
        Trainer.Result r = new Trainer(second, Trainer.languageModel(second), rng -> MQAR.batch(4, rng), options(),
                run).run();
        assertEquals(10, r.resumedFrom());
        boolean differs = false;
        for (var e : straight.stateDict().entrySet()) {
            differs |= !java.util.Arrays.equals(e.getValue().data(), second.stateDict().get(e.getKey()).data());
        }
        assertTrue(differs);
    }

    @Test
    void checkpointsArePrunedAndIncompleteOnesIgnored() throws IOException {
        Path run = tmp.resolve("p");
        LanguageModel m = tinyModel(3);
        new Trainer(m, Trainer.languageModel(m), rng -> MQAR.batch(2, rng),
                options().steps(12).checkpointEvery(3).keepCheckpoints(2), run).run();
        List<Path> cps = CheckpointStore.list(run);
        assertEquals(List.of(CheckpointStore.checkpointDir(run, 9), CheckpointStore.checkpointDir(run, 12)), cps);
        for (Path cp : cps) {
            assertTrue(Files.size(cp.resolve("model.safetensors")) > 0);
            assertTrue(Files.size(cp.resolve("optimizer.safetensors")) > 0);
            assertTrue(Files.readString(cp.resolve("state.json")).contains("\"seed\": 11"));
        }
        // A directory without state.json (an interrupted copy) and a temporary one are not checkpoints.
        Files.createDirectories(CheckpointStore.checkpointDir(run, 15));
        Files.createDirectories(run.resolve("checkpoints").resolve(".tmp-step-00000018-1"));
        assertEquals(CheckpointStore.checkpointDir(run, 12), CheckpointStore.latest(run));
        // Resuming a finished run does nothing more.
        Trainer.Result again = new Trainer(m, Trainer.languageModel(m), rng -> MQAR.batch(2, rng),
                options().steps(12).checkpointEvery(3), run).run();
        assertEquals(12, again.resumedFrom());
        assertTrue(again.history().isEmpty());
    }

    @Test
    void aRunDirectoryOfAnotherSeedIsRefused() {
        Path run = tmp.resolve("s");
        LanguageModel m = tinyModel(3);
        new Trainer(m, Trainer.languageModel(m), rng -> MQAR.batch(2, rng), options().steps(2), run).run();
        var e = assertThrows(IllegalStateException.class, () -> new Trainer(m, Trainer.languageModel(m),
                rng -> MQAR.batch(2, rng), options().steps(4).seed(12), run).run());
        assertTrue(e.getMessage().contains("seed 11"), e.getMessage());
    }

    /** Every file below {@code dir} with its bytes, to compare a directory before and after. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    @Test
    void resumingWithAChangedSettingIsRefusedAndChangesNothing() throws IOException {
        Path run = tmp.resolve("c");
        LanguageModel m = tinyModel(3);
        new Trainer(m, Trainer.languageModel(m), rng -> MQAR.batch(2, rng),
                options().steps(4).checkpointEvery(2).setting("kv", "2,4"), run).run();
        Map<String, String> before = snapshot(run);
        assertTrue(before.containsKey("metrics.csv") && before.size() > 3, before.toString());
        TrainOptions[] changed = {
            options().steps(6).checkpointEvery(2).setting("kv", "2,4"),
            options().steps(4).checkpointEvery(2).peakLr(1e-2).setting("kv", "2,4"),
            options().steps(4).checkpointEvery(2).setting("kv", "2,8"),
            options().steps(4).checkpointEvery(2),
        };
        String[] named = {"steps 4 → 6", "peakLr 0.003 → 0.01", "task.kv 2,4 → 2,8", "task.kv 2,4 → (unset)"};
        for (int i = 0; i < changed.length; i++) {
            LanguageModel fresh = tinyModel(4);
            TrainOptions o = changed[i];
            var e = assertThrows(IllegalStateException.class, () -> new Trainer(fresh, Trainer.languageModel(fresh),
                    rng -> MQAR.batch(2, rng), o, run).run());
            assertTrue(e.getMessage().contains(named[i]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertEquals(before, snapshot(run), "the refused resume changed the run directory");
        }
        // Control: the same settings resume (and, the run being finished, do nothing).
        LanguageModel same = tinyModel(4);
        Trainer.Result r = new Trainer(same, Trainer.languageModel(same), rng -> MQAR.batch(2, rng),
                options().steps(4).checkpointEvery(2).setting("kv", "2,4"), run).run();
        assertEquals(4, r.resumedFrom());
        assertEquals(before, snapshot(run));
    }

    @Test
    void aMonitorStopsTheRunAndTheStopIsKept() throws IOException {
        Path run = tmp.resolve("m");
        LanguageModel m = tinyModel(3);
        List<Long> seen = new java.util.ArrayList<>();
        Trainer.Result r = new Trainer(m, Trainer.languageModel(m), rng -> MQAR.batch(2, rng),
                options().steps(20).checkpointEvery(0).monitorEvery(3), run, step -> {
                    seen.add(step);
                    return step >= 9;
                }).run();
        assertEquals(List.of(3L, 6L, 9L), seen);
        assertTrue(r.stoppedEarly());
        assertEquals(9, r.finalStep());
        assertEquals(9, r.history().size());
        assertEquals(CheckpointStore.checkpointDir(run, 9), CheckpointStore.latest(run));
        // A rerun finds the stopped checkpoint and trains no further, without asking the monitor.
        LanguageModel again = tinyModel(3);
        Trainer.Result r2 = new Trainer(again, Trainer.languageModel(again), rng -> MQAR.batch(2, rng),
                options().steps(20).checkpointEvery(0).monitorEvery(3), run, step -> {
                    throw new AssertionError("monitor called after the stop");
                }).run();
        assertTrue(r2.stoppedEarly());
        assertEquals(9, r2.finalStep());
        assertTrue(r2.history().isEmpty());
        // Control: a monitor that never stops lets the run reach its last step.
        LanguageModel full = tinyModel(3);
        Trainer.Result r3 = new Trainer(full, Trainer.languageModel(full), rng -> MQAR.batch(2, rng),
                options().steps(20).checkpointEvery(0).monitorEvery(3), null, step -> false).run();
        assertFalse(r3.stoppedEarly());
        assertEquals(20, r3.history().size());
    }

    @Test
    void aLossSupplierTrainsAnyModule() {
        // Least squares y = X w* with a bias-free Linear(3 -> 1): the loss must fall by 100x.
        Linear lin = new Linear(3, 1, false, new SplittableRandom(5));
        float[] wStar = {1.5f, -2f, 0.5f};
        Trainer.BatchSource data = rng -> {
            int[] dummy = new int[8];
            for (int i = 0; i < 8; i++) {
                dummy[i] = rng.nextInt(1 << 20); // a seed per row, turned into features below
            }
            return new Batch(dummy, new int[8], 8, 1);
        };
        java.util.function.Function<Batch, Tensor> loss = batch -> {
            float[] x = new float[8 * 3];
            float[] y = new float[8];
            for (int i = 0; i < 8; i++) {
                SplittableRandom r = new SplittableRandom(batch.tokens()[i]);
                for (int j = 0; j < 3; j++) {
                    x[i * 3 + j] = (float) (r.nextDouble() * 2 - 1);
                    y[i] += wStar[j] * x[i * 3 + j];
                }
            }
            Tensor diff = Arith.sub(lin.forward(Tensor.of(x, 8, 3)), Tensor.of(y, 8, 1));
            return Reduce.mean(Arith.mul(diff, diff));
        };
        Trainer.Result r = new Trainer(lin, Trainer.lossOnly(loss), data,
                new TrainOptions().steps(300).peakLr(0.05).weightDecay(0).seed(1).progress(false), null).run();
        assertTrue(r.lastLoss() < r.history().get(0).loss() / 100, r.history().get(0).loss() + " -> " + r.lastLoss());
        assertTrue(Double.isNaN(r.history().get(0).accuracy()));
        assertEquals(0.05 * 0 / 30, r.history().get(0).lr(), 0); // warmup starts at 0
        assertFalse(Double.isNaN(r.history().get(299).gradNorm()));
    }

    @org.junit.jupiter.api.Test
    void aLogAndVectorsAreExemptFromWeightDecay() {
        var lm = org.ssmlab.ssm.Family.MAMBA.languageModel(8, 1,
                new org.ssmlab.ssm.Family.Spec(8, 2, 1, org.ssmlab.ssm.core.Polarization.NONE), 1);
        var named = lm.namedParameters();
        var exempt = Trainer.noDecay(named);
        org.junit.jupiter.api.Assertions.assertTrue(exempt.contains(named.get("backbone.layers.0.mixer.A_log")));
        org.junit.jupiter.api.Assertions.assertTrue(exempt.contains(named.get("backbone.layers.0.mixer.D")));
        org.junit.jupiter.api.Assertions.assertFalse(exempt.contains(named.get("backbone.layers.0.mixer.in_proj.weight")));
        org.junit.jupiter.api.Assertions.assertFalse(exempt.contains(named.get("backbone.embedding.weight")));
    }
}
