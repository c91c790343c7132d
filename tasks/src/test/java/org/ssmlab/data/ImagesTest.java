package org.ssmlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.testing.Props;

class ImagesTest {

    @TempDir
    Path tmp;

    @Test
    void syntheticImagesAreBalancedInRangeAndSeeded() {
        ImageSet a = SyntheticImages.generate(50, 9L);
        ImageSet b = SyntheticImages.generate(50, 9L);
        assertEquals(784, a.pixels());
        int[] counts = new int[10];
        for (int i = 0; i < 50; i++) {
            counts[a.labels()[i]]++;
            assertArrayEquals(a.images()[i], b.images()[i]);
            for (float p : a.images()[i]) {
                assertTrue(p >= 0 && p <= 1);
            }
        }
        for (int c : counts) {
            assertEquals(5, c);
        }
    }

    @Test
    void syntheticClassesAreSeparableByTheirMeanImage() {
        // A nearest-class-mean classifier, fit on one seed, should be far above chance (10%) on another:
        // the classes carry real, learnable structure.
        ImageSet train = SyntheticImages.generate(200, 1L);
        ImageSet test = SyntheticImages.generate(100, 2L);
        float[][] means = new float[10][784];
        for (int i = 0; i < train.size(); i++) {
            for (int j = 0; j < 784; j++) {
                means[train.labels()[i]][j] += train.images()[i][j] / 20f;
            }
        }
        int right = 0;
        for (int i = 0; i < test.size(); i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double d = 0;
                for (int j = 0; j < 784; j++) {
                    double e = test.images()[i][j] - means[c][j];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            right += best == test.labels()[i] ? 1 : 0;
        }
        assertTrue(right >= 60, right + "/100 right");
    }

    @Test
    void corruptionTouchesExactlyTheRequestedRegion() {
        Props.qt(40).forAll(integers().between(1, 64), integers().between(0, 64))
                .checkAssert((n, kRaw) -> {
                    int k = Math.min(kRaw, n);
                    float[] x = new float[n];
                    float[] other = new float[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = 0.25f + i * 1e-3f;
                        other[i] = 2f + i; // never equal to x, never produced by noise in practice
                    }
                    float[] xCopy = x.clone();
                    SplittableRandom rng = new SplittableRandom(n * 100L + k);
                    float[] first = Corruption.noiseFirst(x, k, rng);
                    float[] last = Corruption.noiseLast(x, k, rng);
                    float[] lead = Corruption.pasteLeading(x, other, k);
                    float[] trail = Corruption.pasteTrailing(x, other, k);
                    assertArrayEquals(xCopy, x, "the input must not change");
                    for (int i = 0; i < n; i++) {
                        boolean inFirst = i < k;
                        boolean inLast = i >= n - k;
                        assertEquals(inFirst, first[i] != x[i], "noiseFirst at " + i);
                        assertEquals(inLast, last[i] != x[i], "noiseLast at " + i);
                        assertEquals(inFirst ? other[i] : x[i], lead[i], "pasteLeading at " + i);
                        assertEquals(inLast ? other[i] : x[i], trail[i], "pasteTrailing at " + i);
                    }
                });
    }

    @Test
    void targetAttackHitsOnlyOtherClassesAndPastesOnlyTargetClassPixels() {
        // Image i is constant i + 1 (so a pixel tells which image it came from); labels cycle 0, 1, 2.
        int n = 30;
        int len = 12;
        float[][] images = new float[n][len];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(images[i], i + 1);
            labels[i] = i % 3;
        }
        for (boolean trailing : new boolean[] {false, true}) {
            for (int target = 0; target < 3; target++) {
                int k = 5;
                Corruption.Attacked a = Corruption.targetAttack(images, labels, target, k, trailing, new SplittableRandom(9));
                assertEquals(20, a.victims().length, "every image of another class is attacked, once");
                java.util.Set<Integer> sourcesSeen = new java.util.HashSet<>();
                for (int v = 0; v < a.victims().length; v++) {
                    int victim = a.victims()[v];
                    assertTrue(labels[victim] != target, "a victim of the target class " + target);
                    assertEquals(target, labels[a.sources()[v]], "pixels pasted from another class than the target");
                    sourcesSeen.add(a.sources()[v]);
                    float[] x = a.images()[v];
                    for (int p = 0; p < len; p++) {
                        boolean inRegion = trailing ? p >= len - k : p < k;
                        float expected = inRegion ? a.sources()[v] + 1 : victim + 1;
                        assertEquals(expected, x[p], 0f, "pixel " + p + " of victim " + victim);
                    }
                }
                assertTrue(sourcesSeen.size() > 1, "sources are drawn at random among the target class");
            }
        }
        // Negative control: the old rule (paste from class label + 1) would give sources outside the target class.
        int[] shifted = labels.clone();
        for (int i = 0; i < n; i++) {
            shifted[i] = (labels[i] + 1) % 3;
        }
        Corruption.Attacked wrong = Corruption.targetAttack(images, shifted, 0, 5, true, new SplittableRandom(9));
        assertTrue(java.util.Arrays.stream(wrong.sources()).anyMatch(src -> labels[src] != 0),
                "with mislabelled sources the check above would fail");
        assertThrows(IllegalArgumentException.class,
                () -> Corruption.targetAttack(images, labels, 5, 3, true, new SplittableRandom(1)), "no image of class 5");
    }

    @Test
    void noiseIsSeededAndRoughlyStandardNormal() {
        float[] x = new float[20000];
        float[] a = Corruption.noiseFirst(x, 20000, new SplittableRandom(4));
        float[] b = Corruption.noiseFirst(x, 20000, new SplittableRandom(4));
        assertArrayEquals(a, b);
        double mean = 0;
        double sq = 0;
        for (float v : a) {
            mean += v;
            sq += v * v;
        }
        mean /= a.length;
        double var = sq / a.length - mean * mean;
        assertEquals(0, mean, 5 / Math.sqrt(a.length));
        assertEquals(1, var, 0.05);
        assertThrows(IllegalArgumentException.class, () -> Corruption.noiseLast(x, 20001, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Corruption.pasteLeading(x, new float[3], 1));
    }

    /** An IDX file: magic 0x0000 08 n, the sizes, the bytes. */
    static byte[] idx(int[] dims, byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(body);
        out.flush();
        return bytes.toByteArray();
    }

    static void write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
    }

    @Test
    void idxReaderReadsATinyFilePlainAndGzipped() throws IOException {
        // 3 images of 2×3 pixels with known bytes, labels 7, 0, 9.
        byte[] pixels = new byte[18];
        for (int i = 0; i < 18; i++) {
            pixels[i] = (byte) (i * 15); // 0, 15, ..., 255
        }
        byte[] labels = {7, 0, 9};
        write(tmp.resolve("train-images-idx3-ubyte"), idx(new int[] {3, 2, 3}, pixels), false);
        write(tmp.resolve("train-labels-idx1-ubyte.gz"), idx(new int[] {3}, labels), true);
        write(tmp.resolve("t10k-images-idx3-ubyte.gz"), idx(new int[] {1, 2, 3}, new byte[] {0, 0, 0, 0, 0, (byte) 255}), true);
        write(tmp.resolve("t10k-labels-idx1-ubyte"), idx(new int[] {1}, new byte[] {4}), false);
        MnistLoader loader = new MnistLoader(tmp);
        assertTrue(loader.available());
        ImageSet train = loader.train();
        assertEquals(3, train.size());
        assertEquals(2, train.height());
        assertEquals(3, train.width());
        assertArrayEquals(new int[] {7, 0, 9}, train.labels());
        assertEquals(15 * 7 / 255f, train.images()[1][1], 1e-7f);
        assertEquals(1f, train.images()[2][5], 0f);
        ImageSet test = loader.test();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1}, test.images()[0]);
        assertEquals(4, test.labels()[0]);
    }

    @Test
    void idxReaderRejectsATruncatedOrWrongFile() throws IOException {
        write(tmp.resolve("train-images-idx3-ubyte"), idx(new int[] {3, 2, 3}, new byte[10]), false);
        write(tmp.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[3]), false);
        var e = assertThrows(java.io.UncheckedIOException.class, () -> new MnistLoader(tmp).train());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        write(tmp.resolve("train-images-idx3-ubyte"), idx(new int[] {3}, new byte[3]), false);
        e = assertThrows(java.io.UncheckedIOException.class, () -> new MnistLoader(tmp).train());
        assertTrue(e.getMessage().contains("not an unsigned-byte IDX file"), e.getMessage());
    }

    @Test
    void missingFilesGiveOneLineTellingTheFetchCommand() {
        var e = assertThrows(IllegalStateException.class, () -> new MnistLoader(tmp.resolve("none")).train());
        assertTrue(e.getMessage().contains(MnistLoader.FETCH_COMMAND), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void npmJsonLayoutIsRead() throws IOException {
        StringBuilder s = new StringBuilder("[");
        for (int n = 0; n < 2; n++) {
            s.append(n == 0 ? "" : ",").append("{\"input\":[");
            for (int i = 0; i < 784; i++) {
                s.append(i == 0 ? "" : ",").append(i == 3 ? "0.5" : "0");
            }
            s.append("],\"output\":[0,0,").append(n == 0 ? "1,0" : "0,1").append(",0,0,0,0,0,0]}");
        }
        Files.writeString(tmp.resolve("train.json"), s.append("]"));
        ImageSet set = new MnistLoader(tmp).train();
        assertArrayEquals(new int[] {2, 3}, set.labels());
        assertEquals(0.5f, set.images()[1][3]);
        assertNotEquals(0.5f, set.images()[1][4]);
    }
    @Test
    void quantizeMapsUnitIntervalToLevelsAndClamps() {
        assertArrayEquals(new int[] {0, 0, 127, 128, 255, 255, 0, 255},
                ImageSet.quantize(new float[] {0f, 0.003f, 0.499f, 0.5f, 0.9999f, 1f, -3f, 7f}, 256));
        assertThrows(IllegalArgumentException.class, () -> ImageSet.quantize(new float[1], 1));
    }
}
