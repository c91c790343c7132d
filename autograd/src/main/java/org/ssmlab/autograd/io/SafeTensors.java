package org.ssmlab.autograd.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;

/**
 * Reads and writes tensors in the safetensors format, so checkpoints interchange with other
 * frameworks.
 *
 * <h2>The format</h2>
 * <pre>
 *   bytes 0..7        N, the header length, an unsigned 64-bit little-endian integer
 *   bytes 8..8+N-1    the header: UTF-8 JSON, one object
 *                       { "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
 *                         ...,
 *                         "__metadata__": {"key": "value", ...} }      (optional, strings only)
 *                     possibly padded with trailing spaces
 *   bytes 8+N..       the data buffer: each tensor's elements, row-major, little-endian, at
 *                     [begin, end) relative to the start of the buffer
 * </pre>
 * The tensors' byte ranges must tile the buffer exactly: no overlap, no hole, nothing after the last.
 *
 * <h2>What this class does</h2>
 * <ul>
 *   <li>{@link #write} writes F32 tensors in name order, padding the header with spaces so the buffer
 *       starts 8-byte aligned. It writes a temporary file next to the target and renames it over the
 *       target atomically, so a reader sees the old file or the new one, never half of one.</li>
 *   <li>{@link #read} reads F32, F16 and BF16 tensors (the last two widened exactly to float32). It
 *       validates the whole header — lengths, JSON, dtypes, shapes, offsets, tiling — before it reads
 *       any data, so it returns every tensor or throws; it never returns part of a file.</li>
 *   <li>{@link #loadInto} copies a checkpoint into existing tensors after checking every name and
 *       shape, so a mismatch leaves the targets untouched.</li>
 * </ul>
 * A file whose content is wrong gives a {@link CheckpointException} (an {@link IOException}) naming the
 * file and the tensor; a file that cannot be opened gives the file system's own {@code IOException}.
 */
public final class SafeTensors {

    /** The largest header {@link #read} accepts, 100 MiB: a larger length field means a corrupt file. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** The reserved header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /** Data moves through a buffer of this many bytes (a multiple of every element size). */
    private static final int CHUNK = 1 << 20;

    private SafeTensors() {
    }

    /** The element types this class reads. Writing is always F32. */
    enum DType {
        F32(4), F16(2), BF16(2);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor of the header: name, type, shape and byte range in the data buffer. */
    private record Entry(String name, DType dtype, int[] shape, int count, long begin, long end) {
    }

    /** A validated header: metadata, tensors in header order, and where the data buffer lies. */
    private record Header(Map<String, String> metadata, List<Entry> entries, long bufferStart) {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code tensors} (sorted by name, as F32) and {@code metadata} (may be null or empty) to
     * {@code file}, replacing it atomically: the data goes to a temporary file in the same directory,
     * which is flushed to disk and then renamed over {@code file}. On any failure the temporary file is
     * deleted and an existing {@code file} is left as it was.
     *
     * @throws IllegalArgumentException for a null name, tensor, metadata key or value, or a tensor named
     *     {@value #METADATA_KEY}
     * @throws IOException when the directory does not exist, is not writable, the disk is full, ...
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "SafeTensors.write: file is null");
        Objects.requireNonNull(tensors, "SafeTensors.write: tensors is null");
        TreeMap<String, Tensor> sorted = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("SafeTensors.write: a tensor has a null name");
            }
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: a tensor may not be named " + METADATA_KEY
                        + ", the format reserves that key for metadata");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("SafeTensors.write: tensor '" + e.getKey() + "' is null");
            }
            sorted.put(e.getKey(), e.getValue());
        }
        TreeMap<String, String> meta = new TreeMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensors.write: metadata has a null key or value ("
                            + e.getKey() + " -> " + e.getValue() + ")");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        byte[] header = headerBytes(sorted, meta);

        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(new SplittableRandom().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                writeFully(ch, len.flip());
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : sorted.values()) {
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
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                t.addSuppressed(cleanup);
            }
            throw t;
        }
    }

    /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    private static byte[] headerBytes(TreeMap<String, Tensor> tensors, TreeMap<String, String> metadata)
            throws IOException {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    w.name(e.getKey()).value(e.getValue());
                }
                w.endObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                long end = offset + (long) Float.BYTES * t.size();
                w.name(e.getKey()).beginObject();
                w.name("dtype").value(DType.F32.name());
                w.name("shape").beginArray();
                for (int d : t.shape()) {
                    w.value(d);
                }
                w.endArray();
                w.name("data_offsets").beginArray().value(offset).value(end).endArray();
                w.endObject();
                offset = end;
            }
            w.endObject();
        }
        byte[] json = sw.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads every tensor of {@code file}, in header order, as float32 (F16 and BF16 are widened exactly).
     * The whole header is validated first; the result is complete or there is none.
     *
     * @throws CheckpointException when the file is not a valid safetensors file of F32/F16/BF16 tensors
     * @throws IOException when the file cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                out.put(e.name(), Tensor.of(readData(ch, file, h, e), e.shape()));
            }
            return out;
        }
    }

    /**
     * The {@value #METADATA_KEY} map of {@code file} (empty when it has none), after validating the
     * whole header as {@link #read} does.
     */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new LinkedHashMap<>(readHeader(ch, file).metadata());
        }
    }

    /**
     * Copies the tensors of {@code file} into the data arrays of {@code targets}, by name. Every target
     * must be in the file with the same shape, and, when {@code strict}, the file may hold no other
     * tensor. All of that, and the whole file, is checked before any target is written, so on failure
     * the targets are unchanged. Gradients are not touched.
     *
     * @throws CheckpointException naming the file, each offending tensor and both shapes
     */
    public static void loadInto(Path file, Map<String, Tensor> targets, boolean strict) throws IOException {
        Objects.requireNonNull(targets, "SafeTensors.loadInto: targets is null");
        TreeMap<String, Tensor> sorted = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("SafeTensors.loadInto: targets have a null name or tensor ("
                        + e.getKey() + " -> " + e.getValue() + ")");
            }
            sorted.put(e.getKey(), e.getValue());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            Map<String, Entry> byName = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                byName.put(e.name(), e);
            }
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, Tensor> t : sorted.entrySet()) {
                Entry e = byName.get(t.getKey());
                int[] want = t.getValue().shape();
                if (e == null) {
                    problems.add("tensor '" + t.getKey() + "' (target shape " + Shape.str(want)
                            + ") is not in the file");
                } else if (!Arrays.equals(e.shape(), want)) {
                    problems.add("tensor '" + t.getKey() + "' has shape " + Shape.str(e.shape())
                            + " in the file but the target has shape " + Shape.str(want));
                }
            }
            if (strict) {
                for (Entry e : h.entries()) {
                    if (!sorted.containsKey(e.name())) {
                        problems.add("tensor '" + e.name() + "' (shape " + Shape.str(e.shape())
                                + ") is in the file but not among the targets (strict load)");
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new CheckpointException(file, "cannot load into the given tensors: "
                        + String.join("; ", problems));
            }
            // Read everything before writing anything, so a read error also leaves the targets untouched.
            List<float[]> loaded = new ArrayList<>();
            for (String name : sorted.keySet()) {
                loaded.add(readData(ch, file, h, byName.get(name)));
            }
            int i = 0;
            for (Tensor t : sorted.values()) {
                float[] src = loaded.get(i++);
                System.arraycopy(src, 0, t.data(), 0, src.length);
            }
        }
    }

    /** Reads and validates the length field and the header, against the file's size. */
    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new CheckpointException(file, "the file has " + fileSize
                    + " bytes, too few for the 8-byte header length field");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, file, 0, lenBuf);
        long n = lenBuf.flip().getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, "the header length field (bytes 0-7) says "
                    + Long.toUnsignedString(n) + " bytes, more than the limit of " + MAX_HEADER_BYTES
                    + " (the file is corrupt or not a safetensors file)");
        }
        if (n > fileSize - 8) {
            throw new CheckpointException(file, "the header length field (bytes 0-7) says " + n
                    + " bytes, but only " + (fileSize - 8) + " bytes follow it");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, file, 8, hb);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "the header (bytes 8 to " + (8 + n) + ") is not valid UTF-8", e);
        }
        Header h = parseHeader(file, json, 8 + n);
        checkLayout(file, h, fileSize - (8 + n));
        return h;
    }

    /** Parses the JSON header strictly (duplicate keys, unknown dtypes and non-integers are errors). */
    private static Header parseHeader(Path file, String json, long bufferStart) throws CheckpointException {
        Map<String, String> metadata = null;
        Map<String, Entry> entries = new LinkedHashMap<>();
        try {
            JsonReader r = new JsonReader(new StringReader(json));
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw new CheckpointException(file, "the header is not a JSON object");
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals(METADATA_KEY)) {
                    if (metadata != null) {
                        throw new CheckpointException(file, "the header has " + METADATA_KEY + " twice");
                    }
                    metadata = parseMetadata(file, r);
                } else {
                    if (entries.containsKey(name)) {
                        throw new CheckpointException(file, "the header has tensor '" + name + "' twice");
                    }
                    entries.put(name, parseEntry(file, r, name));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointException(file, "the header has more JSON after its object");
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // MalformedJsonException, or IllegalStateException for a token of the wrong kind.
            throw new CheckpointException(file, "the header is not valid JSON: " + e.getMessage(), e);
        }
        return new Header(metadata == null ? Map.of() : metadata, new ArrayList<>(entries.values()), bufferStart);
    }

    private static Map<String, String> parseMetadata(Path file, JsonReader r) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointException(file, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw new CheckpointException(file, METADATA_KEY + " entry '" + key + "' is not a string");
            }
            if (out.put(key, r.nextString()) != null) {
                throw new CheckpointException(file, METADATA_KEY + " has key '" + key + "' twice");
            }
        }
        r.endObject();
        return out;
    }

    private static Entry parseEntry(Path file, JsonReader r, String name) throws IOException {
        String what = "tensor '" + name + "'";
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointException(file, what + " is not a JSON object with dtype, shape and data_offsets");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            switch (key) {
                case "dtype" -> {
                    if (dtypeName != null) {
                        throw new CheckpointException(file, what + " has dtype twice");
                    }
                    if (r.peek() != JsonToken.STRING) {
                        throw new CheckpointException(file, what + ": dtype is not a string");
                    }
                    dtypeName = r.nextString();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw new CheckpointException(file, what + " has shape twice");
                    }
                    shape = parseNaturals(file, r, what, "shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw new CheckpointException(file, what + " has data_offsets twice");
                    }
                    offsets = parseNaturals(file, r, what, "data_offsets");
                }
                default -> r.skipValue(); // other keys are allowed and ignored, as by the reference reader
            }
        }
        r.endObject();

        if (dtypeName == null) {
            throw new CheckpointException(file, what + " has no dtype");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, what + " has dtype '" + dtypeName
                    + "'; this reader supports " + Arrays.toString(DType.values()));
        }
        if (shape == null) {
            throw new CheckpointException(file, what + " has no shape");
        }
        if (offsets == null) {
            throw new CheckpointException(file, what + " has no data_offsets");
        }
        if (offsets.length != 2) {
            throw new CheckpointException(file, what + ": data_offsets " + Arrays.toString(offsets)
                    + " is not a pair [begin, end]");
        }
        if (offsets[0] > offsets[1]) {
            throw new CheckpointException(file, what + ": data_offsets " + Arrays.toString(offsets)
                    + " has begin > end");
        }
        int[] dims = new int[shape.length];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new CheckpointException(file, what + ": shape " + Arrays.toString(shape)
                        + " has a dimension larger than 2^31-1");
            }
            dims[i] = (int) shape[i];
            count *= shape[i];
            if (count > Integer.MAX_VALUE) {
                throw new CheckpointException(file, what + ": shape " + Arrays.toString(shape)
                        + " has more than 2^31-1 elements, too many for one tensor");
            }
        }
        long need = count * dtype.bytes;
        if (offsets[1] - offsets[0] != need) {
            throw new CheckpointException(file, what + ": data_offsets " + Arrays.toString(offsets) + " span "
                    + (offsets[1] - offsets[0]) + " bytes, but shape " + Shape.str(dims) + " of " + dtype
                    + " needs " + need);
        }
        return new Entry(name, dtype, dims, (int) count, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers written as plain digits (no sign, fraction or exponent). */
    private static long[] parseNaturals(Path file, JsonReader r, String what, String field) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw new CheckpointException(file, what + ": " + field + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) {
                throw new CheckpointException(file, what + ": " + field + " holds a " + r.peek()
                        + ", not a non-negative integer");
            }
            String s = r.nextString();
            if (!s.matches("[0-9]{1,18}")) {
                throw new CheckpointException(file, what + ": " + field + " holds " + s
                        + ", not a non-negative integer below 10^18");
            }
            values.add(Long.parseLong(s));
        }
        r.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Every range inside the buffer, and the ranges tiling it exactly: no overlap, hole or tail. */
    private static void checkLayout(Path file, Header h, long bufferSize) throws CheckpointException {
        for (Entry e : h.entries()) {
            if (e.end() > bufferSize) {
                throw new CheckpointException(file, "tensor '" + e.name() + "': data_offsets [" + e.begin() + ", "
                        + e.end() + "] reach past the end of the " + bufferSize + "-byte data buffer");
            }
        }
        List<Entry> byOffset = new ArrayList<>(h.entries());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() < covered) {
                throw new CheckpointException(file, "tensors '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + "] and '" + e.name() + "' [" + e.begin() + ", " + e.end()
                        + "] overlap in the data buffer");
            }
            if (e.begin() > covered) {
                throw new CheckpointException(file, "buffer bytes [" + covered + ", " + e.begin()
                        + ") (file bytes from " + (h.bufferStart() + covered) + ") belong to no tensor: a hole before '"
                        + e.name() + "'");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != bufferSize) {
            throw new CheckpointException(file, "the data buffer has " + bufferSize + " bytes but the tensors cover "
                    + covered + (previous == null ? "" : " (they end with '" + previous.name() + "')")
                    + ": trailing bytes from file byte " + (h.bufferStart() + covered));
        }
    }

    /** The elements of one tensor, widened to float32. */
    private static float[] readData(FileChannel ch, Path file, Header h, Entry e) throws IOException {
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

    private static void readFully(FileChannel ch, Path file, long pos, ByteBuffer buf) throws IOException {
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
