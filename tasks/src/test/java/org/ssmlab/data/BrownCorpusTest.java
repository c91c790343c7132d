package org.ssmlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Brown corpus on fabricated files: tag stripping, the byte tokenizer, the split by file, the windows. */
class BrownCorpusTest {

    @TempDir
    Path tmp;

    @Test
    void stripTagsKeepsTheWordsBeforeTheLastSlashOneSentencePerLine() {
        String tagged = "\n\n\tThe/at jury/nn said/vbd 1/2/cd ``/`` no/at ''/'' ./.\n\n\n\tIt/pps ran/vbd\n";
        assertEquals("The jury said 1/2 `` no '' .\nIt ran\n", BrownCorpus.stripTags(tagged));
        assertEquals("", BrownCorpus.stripTags("\n\t \n"));
    }

    @Test
    void theTokenizerRoundTripsEveryByteOfAFile() throws IOException {
        byte[] all = new byte[256 * 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        Path file = tmp.resolve("cx01.txt");
        Files.write(file, all);
        byte[] read = Files.readAllBytes(file);
        int[] ids = ByteTokenizer.encode(read);
        Set<Integer> distinct = new HashSet<>();
        for (int id : ids) {
            assertTrue(id >= 0 && id < ByteTokenizer.VOCAB, "id " + id);
            distinct.add(id);
        }
        assertEquals(256, distinct.size(), "the file holds every byte value");
        assertArrayEquals(read, ByteTokenizer.decode(ids));
        assertThrows(IllegalArgumentException.class, () -> ByteTokenizer.decode(new int[] {256}));
    }

    @Test
    void theSplitPutsEveryFileInExactlyOnePartAndCoversEveryGenre() throws IOException {
        List<String> names = new ArrayList<>();
        for (char genre : "abcdefghjklmnpr".toCharArray()) {
            for (int i = 1; i <= 12; i++) {
                String n = String.format("c%c%02d", genre, i);
                names.add(n);
                Files.writeString(tmp.resolve(n + ".txt"), "text of " + n + "\n");
            }
        }
        Files.writeString(tmp.resolve("README"), "not a sample");
        Files.writeString(tmp.resolve("cats.txt"), "not a sample either");
        BrownCorpus c = BrownCorpus.load(tmp);
        Set<String> train = new HashSet<>();
        c.train().forEach(d -> train.add(d.name()));
        Set<String> val = new HashSet<>();
        c.validation().forEach(d -> val.add(d.name()));
        assertEquals(names.size(), train.size() + val.size(), "every sample once");
        for (String v : val) {
            assertFalse(train.contains(v), v + " is in both parts");
        }
        assertEquals(new HashSet<>(names), union(train, val));
        assertEquals(names.size() / 10, val.size());
        for (BrownCorpus.Document d : c.validation()) {
            assertEquals("text of " + d.name() + "\n", new String(d.text(), StandardCharsets.UTF_8));
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    @Test
    void aMissingCorpusIsOneLineNamingTheFetchCommand() {
        IOException e = assertThrows(IOException.class, () -> BrownCorpus.load(tmp.resolve("nothing")));
        assertTrue(e.getMessage().contains("./ssmlab fetch brown"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void windowsPredictTheNextByteAndValidationWindowsDoNotOverlap() {
        byte[] text = new byte[1000];
        new java.util.Random(5).nextBytes(text);      // random bytes: every 16-byte window occurs once
        TextWindows w = new TextWindows(List.of(new BrownCorpus.Document("ca01", text)), 16);
        assertEquals(text.length + 1, w.stream().length, "the text and its separator");
        Batch b = w.batch(8, new SplittableRandom(3));
        for (int i = 0; i < 8; i++) {
            for (int t = 0; t + 1 < 16; t++) {
                assertEquals(b.token(i, t + 1), b.target(i, t), "target t is token t+1");
            }
        }
        Batch v = w.fixedWindows(20);
        assertEquals(20, v.batch());
        Set<Integer> starts = new HashSet<>();
        int[] s = w.stream();
        for (int i = 0; i < v.batch(); i++) {
            int start = indexOf(s, v.tokens(), i * 16, 16);
            assertTrue(start >= 0);
            for (int j : starts) {
                assertTrue(Math.abs(j - start) >= 16, "windows at " + j + " and " + start + " overlap");
            }
            starts.add(start);
        }
        assertEquals(v.batch(), w.fixedWindows(20).batch(), "deterministic");
        assertArrayEquals(v.tokens(), w.fixedWindows(20).tokens());
    }

    /** The offset at which the window w[from .. from + len) occurs in s, or -1. */
    private static int indexOf(int[] s, int[] w, int from, int len) {
        outer:
        for (int o = 0; o + len <= s.length; o++) {
            for (int j = 0; j < len; j++) {
                if (s[o + j] != w[from + j]) {
                    continue outer;
                }
            }
            return o;
        }
        return -1;
    }

    @Test
    void theUnigramBaselineIsTheEntropyOfTheByteFrequencies() {
        int[] train = new int[4000];
        for (int i = 0; i < train.length; i++) {
            train[i] = i % 4;          // four bytes, equally frequent: 2 bits, up to add-one smoothing
        }
        double bpb = TextWindows.unigramBitsPerByte(train, new int[] {0, 1, 2, 3});
        double expected = -Math.log(1001.0 / (4000 + 256)) / Math.log(2);
        assertEquals(expected, bpb, 1e-12);
        assertTrue(bpb > 2 && bpb < 2.1);
    }
}
