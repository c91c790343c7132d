package org.ssmlab.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Next-byte batches from a text: the documents' bytes concatenated (each followed by a blank line) into
 * one token stream; a training batch is {@code batch} windows of {@code len + 1} bytes at uniformly random
 * offsets (tokens = the first len, targets = the last len), and the validation set is a fixed list of
 * evenly spaced, non-overlapping windows, so every model is scored on the same bytes.
 */
public final class TextWindows {

    private final int[] stream;
    private final int len;

    /**
     * @param documents the texts, concatenated in order
     * @param len       the context length (tokens per window)
     */
    public TextWindows(List<BrownCorpus.Document> documents, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("TextWindows: context length " + len + " must be >= 1");
        }
        int total = 0;
        for (BrownCorpus.Document d : documents) {
            total += d.text().length + 1;
        }
        stream = new int[total];
        int at = 0;
        for (BrownCorpus.Document d : documents) {
            int[] ids = ByteTokenizer.encode(d.text());
            System.arraycopy(ids, 0, stream, at, ids.length);
            at += ids.length;
            stream[at++] = '\n';
        }
        if (stream.length < len + 1) {
            throw new IllegalArgumentException("TextWindows: " + stream.length + " bytes of text are fewer than one window of "
                    + (len + 1));
        }
        this.len = len;
    }

    /** The token stream (bytes as ids). */
    public int[] stream() {
        return stream;
    }

    public int length() {
        return len;
    }

    /** {@code size} windows at random offsets drawn from {@code rng}. */
    public Batch batch(int size, SplittableRandom rng) {
        int[] tokens = new int[size * len];
        int[] targets = new int[size * len];
        for (int b = 0; b < size; b++) {
            fill(rng.nextInt(stream.length - len), b, tokens, targets);
        }
        return new Batch(tokens, targets, size, len);
    }

    /** Up to {@code count} evenly spaced non-overlapping windows (fewer when the text is short). */
    public Batch fixedWindows(int count) {
        int fit = (stream.length - 1) / len;
        int n = Math.max(1, Math.min(count, fit));
        int[] tokens = new int[n * len];
        int[] targets = new int[n * len];
        long stride = (long) fit / n * len;
        for (int b = 0; b < n; b++) {
            fill((int) (b * stride), b, tokens, targets);
        }
        return new Batch(tokens, targets, n, len);
    }

    private void fill(int offset, int b, int[] tokens, int[] targets) {
        System.arraycopy(stream, offset, tokens, b * len, len);
        System.arraycopy(stream, offset + 1, targets, b * len, len);
    }

    /**
     * The cross-entropy, in bits per byte, of the unigram model fitted to {@code train} (add-one smoothed)
     * on {@code eval}: the baseline a model must beat to have learned more than byte frequencies.
     */
    public static double unigramBitsPerByte(int[] train, int[] eval) {
        double[] counts = new double[ByteTokenizer.VOCAB];
        java.util.Arrays.fill(counts, 1);
        for (int t : train) {
            counts[t]++;
        }
        double total = train.length + ByteTokenizer.VOCAB;
        double bits = 0;
        for (int t : eval) {
            bits -= Math.log(counts[t] / total) / Math.log(2);
        }
        return bits / eval.length;
    }
}
