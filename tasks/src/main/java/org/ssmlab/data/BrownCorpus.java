package org.ssmlab.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Brown corpus (Francis and Kučera, 1964/1979: 500 samples of edited American English, about 2 000
 * words each, in 15 genres a..r) as plain text, one file per sample, as {@code ssmlab fetch brown} writes
 * it: {@code <dir>/ca01.txt .. cr09.txt}.
 *
 * <p>The distributed files are POS-tagged, {@code word/tag} tokens separated by spaces, one sentence per
 * line; {@link #stripTags} keeps the words (everything before each token's last '/'), one sentence per
 * line, words separated by single spaces. Quote marks stay as the corpus writes them ({@code `` ''}).
 *
 * <p>The split is by file: in name order (which groups the genres), every tenth sample (index mod 10 = 9)
 * is validation, the rest training, so both parts cover every genre and no sample is in both.
 */
public final class BrownCorpus {

    /** A sample's name ({@code ca01}) and its text as bytes. */
    public record Document(String name, byte[] text) {
    }

    /** Names of the sample files in the distribution: genre letter a..r and a two-digit number. */
    public static final Pattern SAMPLE_NAME = Pattern.compile("c[a-r]\\d\\d");

    /** The suffix of the plain-text files in the cache. */
    public static final String SUFFIX = ".txt";

    private final List<Document> train;
    private final List<Document> validation;

    private BrownCorpus(List<Document> train, List<Document> validation) {
        this.train = train;
        this.validation = validation;
    }

    /** Whether sample number {@code index} (0-based, in name order) is in the validation part. */
    public static boolean isValidation(int index) {
        return index % 10 == 9;
    }

    /** Whether {@code dir} holds the corpus ({@code ca01.txt} at least). */
    public static boolean available(Path dir) {
        return Files.isRegularFile(dir.resolve("ca01" + SUFFIX));
    }

    /** The one-line message for a missing corpus. */
    public static String missing(Path dir) {
        return "the Brown corpus is not in " + dir + ": run ./ssmlab fetch brown (it uses npm) first";
    }

    /**
     * Reads every {@code c??NN.txt} of {@code dir} and splits them by file.
     *
     * @throws IOException with {@link #missing} when the directory does not hold the corpus
     */
    public static BrownCorpus load(Path dir) throws IOException {
        if (!available(dir)) {
            throw new IOException(missing(dir));
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (SAMPLE_NAME.matcher(n.substring(0, n.length() - SUFFIX.length())).matches()) {
                    files.add(p);
                }
            }
        }
        Collections.sort(files);
        List<Document> docs = new ArrayList<>();
        for (Path p : files) {
            String n = p.getFileName().toString();
            docs.add(new Document(n.substring(0, n.length() - SUFFIX.length()), Files.readAllBytes(p)));
        }
        return split(docs);
    }

    /** Splits documents (taken in the given order) by {@link #isValidation}. */
    public static BrownCorpus split(List<Document> docs) {
        List<Document> tr = new ArrayList<>();
        List<Document> va = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            (isValidation(i) ? va : tr).add(docs.get(i));
        }
        if (tr.isEmpty() || va.isEmpty()) {
            throw new IllegalArgumentException("BrownCorpus: " + docs.size() + " documents give an empty training or "
                    + "validation part (need at least 10)");
        }
        return new BrownCorpus(List.copyOf(tr), List.copyOf(va));
    }

    public List<Document> train() {
        return train;
    }

    public List<Document> validation() {
        return validation;
    }

    /**
     * The words of a tagged sample: each whitespace-separated {@code word/tag} token becomes {@code word}
     * (the text before its last '/'; a token without '/' is kept whole), words joined by one space,
     * one non-empty line per input line, each ended by '\n'.
     */
    public static String stripTags(String tagged) {
        StringBuilder out = new StringBuilder(tagged.length() / 2);
        for (String line : tagged.split("\\R")) {
            String[] tokens = line.strip().split("\\s+");
            int start = out.length();
            for (String tok : tokens) {
                if (tok.isEmpty()) {
                    continue;
                }
                int slash = tok.lastIndexOf('/');
                String word = slash > 0 ? tok.substring(0, slash) : tok;
                if (out.length() > start) {
                    out.append(' ');
                }
                out.append(word);
            }
            if (out.length() > start) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** {@link #stripTags} on bytes (the corpus is ASCII; read and written as UTF-8). */
    public static byte[] stripTags(byte[] tagged) {
        return stripTags(new String(tagged, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }
}
