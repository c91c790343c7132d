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
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;

/**
 * The JSON header of a safetensors file, validated: its metadata, its tensors in header order,
 * and the file offset where the data buffer starts. {@link #read} checks the length field, the UTF-8,
 * the JSON (strictly: duplicate keys, unknown dtypes and non-integers are errors), every tensor's dtype,
 * shape and byte range, and that the ranges tile the buffer exactly; {@link #encode} writes the header
 * of an F32 file. The element data itself goes through {@link SafeTensorsCodec}.
 *
 * @param metadata    the {@value #METADATA_KEY} map (empty when there is none)
 * @param entries     the tensors, in header order
 * @param bufferStart the file offset of the data buffer: 8 + the header length
 */
record SafeTensorsHeader(Map<String, String> metadata, List<Entry> entries, long bufferStart) {

    /** The largest header a reader accepts, 100 MiB: a larger length field means a corrupt file. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** The reserved header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /** The element types a safetensors file may hold, with their sizes in bytes. Writing is always F32. */
    enum DType {
        F32(4), F16(2), BF16(2);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor of the header: name, type, shape and byte range in the data buffer. */
    record Entry(String name, DType dtype, int[] shape, int count, long begin, long end) {
    }

    // ---------------------------------------------------------------- writing

    /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    static byte[] encode(TreeMap<String, Tensor> tensors, TreeMap<String, String> metadata) throws IOException {
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

    // ---------------------------------------------------------------- reading

    /** Reads and validates the length field and the header, against the file's size. */
    static SafeTensorsHeader read(FileChannel ch, Path file) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new CheckpointException(file, "the file has " + fileSize
                    + " bytes, too few for the 8-byte header length field");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        SafeTensorsCodec.readFully(ch, file, 0, lenBuf);
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
        SafeTensorsCodec.readFully(ch, file, 8, hb);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "the header (bytes 8 to " + (8 + n) + ") is not valid UTF-8", e);
        }
        SafeTensorsHeader h = parse(file, json, 8 + n);
        checkLayout(file, h, fileSize - (8 + n));
        return h;
    }

    /** Parses the JSON header strictly (duplicate keys, unknown dtypes and non-integers are errors). */
    private static SafeTensorsHeader parse(Path file, String json, long bufferStart) throws CheckpointException {
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
        return new SafeTensorsHeader(metadata == null ? Map.of() : metadata, new ArrayList<>(entries.values()),
                bufferStart);
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
    private static void checkLayout(Path file, SafeTensorsHeader h, long bufferSize) throws CheckpointException {
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
}
