package org.ssmlab.data;

/**
 * The byte-level tokenizer of the text experiments: a token is one byte of the UTF-8 text, id = the byte
 * read as unsigned (0..255), so the vocabulary is 256, nothing is ever unknown, and a loss in nats per
 * token divided by ln 2 is bits per byte.
 */
public final class ByteTokenizer {

    /** Every byte value is a token. */
    public static final int VOCAB = 256;

    private ByteTokenizer() {
    }

    /** The ids of {@code bytes}: each byte as an unsigned value. */
    public static int[] encode(byte[] bytes) {
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    /** The bytes of {@code ids}; every id must lie in 0..255. */
    public static byte[] decode(int[] ids) {
        byte[] out = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= VOCAB) {
                throw new IllegalArgumentException("ByteTokenizer.decode: id " + ids[i] + " at " + i + " is not a byte (0..255)");
            }
            out[i] = (byte) ids[i];
        }
        return out;
    }
}
