package org.ssmlab.autograd.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensorsHeader.Entry;

/**
 * The bytes of a {@link SafeTensors} file: little-endian channel IO of the length field, header and
 * data buffer, F32 encoding, and the exact widening of F32, F16 and BF16 elements to float32.
 */
final class SafeTensorsCodec {

    /** Data moves through a buffer of this many bytes (a multiple of every element size). */
    private static final int CHUNK = 1 << 20;

    private SafeTensorsCodec() {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a whole file to {@code ch}: the header length (8 bytes, little-endian), {@code header}, then
     * the elements of {@code tensors} in order as little-endian F32; then forces it to disk.
     */
    static void writeFile(FileChannel ch, byte[] header, Iterable<Tensor> tensors) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        writeFully(ch, len.flip());
        writeFully(ch, ByteBuffer.wrap(header));
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors) {
            for (float x : t.data()) {
                if (buf.remaining() < Float.BYTES) {
                    writeFully(ch, buf.flip());
                    buf.clear();
                }
                buf.putInt(Float.floatToRawIntBits(x)); // raw: NaN payloads survive
            }
        }
        writeFully(ch, buf.flip());
        ch.force(true);
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    // ---------------------------------------------------------------- reading

    /** The elements of one tensor, widened to float32. */
    static float[] readData(FileChannel ch, Path file, SafeTensorsHeader h, Entry e) throws IOException {
        float[] out = new float[e.count()];
        long pos = h.bufferStart() + e.begin();
        long remaining = e.end() - e.begin();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, remaining)).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (remaining > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), remaining));
            readFully(ch, file, pos, buf);
            buf.flip();
            pos += buf.limit();
            remaining -= buf.limit();
            switch (e.dtype()) {
                case F32 -> {
                    while (buf.hasRemaining()) {
                        out[i++] = Float.intBitsToFloat(buf.getInt());
                    }
                }
                case F16 -> {
                    while (buf.hasRemaining()) {
                        out[i++] = halfToFloat(buf.getShort());
                    }
                }
                case BF16 -> {
                    while (buf.hasRemaining()) {
                        out[i++] = bfloat16ToFloat(buf.getShort());
                    }
                }
            }
        }
        return out;
    }

    /** Fills {@code buf} from file position {@code pos}; a file that ends first is a {@link CheckpointException}. */
    static void readFully(FileChannel ch, Path file, long pos, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException(file, "the file ends at byte " + pos
                        + " while more was expected (did it change while being read?)");
            }
            pos += n;
        }
    }

    // ---------------------------------------------------------------- 16-bit floats

    /**
     * IEEE 754 binary16 to float32, exactly (every half is a float).
     *
     * <pre>
     *   half:  s | e (5 bits, bias 15)  | m (10 bits)
     *   float: s | E (8 bits, bias 127) | M (23 bits)
     *   normal     (0 &lt; e &lt; 31):  value = (1 + m/2^10) 2^(e-15)   →  E = e - 15 + 127, M = m &lt;&lt; 13
     *   subnormal  (e = 0, m ≠ 0): value = m 2^-24; shift m left k times until bit 10 is set, so
     *              value = (1 + m'/2^10) 2^(-14-k)                     →  E = 127 - 14 - k, M = m' &lt;&lt; 13
     *   zero       (e = 0, m = 0): ±0
     *   inf / NaN  (e = 31):       E = 255, M = m &lt;&lt; 13 (the NaN payload is kept)
     * </pre>
     */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits >>> 15) << 31;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            int e = -14;
            while ((mant & 0x400) == 0) {
                mant <<= 1;
                e--;
            }
            mant &= 0x3FF;
            return Float.intBitsToFloat(sign | ((e + 127) << 23) | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** bfloat16 to float32, exactly: a bfloat16 is the upper 16 bits of a float32. */
    static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
