package org.ssmlab.autograd.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.testing.Props;

/**
 * The safetensors reader and writer: round trips bit for bit, files built by hand from the format's
 * description, 16-bit floats, every kind of corruption, atomic replacement, and loading into tensors.
 */
class SafeTensorsTest {

    @TempDir
    Path dir;

    // ================================================================ helpers

    /** An I/O action for use inside QuickTheories' (non-throwing) lambdas. */
    private interface IoAction {
        void run() throws IOException;
    }

    private static void io(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file exactly as the format describes it: u64 LE header length, the header, the buffer. */
    private static byte[] specFile(String headerJson, byte[] buffer) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + buffer.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(buffer);
        return b.array();
    }

    private static byte[] leFloats(float... xs) {
        ByteBuffer b = ByteBuffer.allocate(4 * xs.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : xs) {
            b.putInt(Float.floatToRawIntBits(x));
        }
        return b.array();
    }

    private static byte[] leShorts(int... xs) {
        ByteBuffer b = ByteBuffer.allocate(2 * xs.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : xs) {
            b.putShort((short) x);
        }
        return b.array();
    }

    private Path put(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static void assertBitsEqual(Tensor expected, Tensor actual, String name) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape of " + name);
        float[] e = expected.data();
        float[] a = actual.data();
        assertEquals(e.length, a.length, "size of " + name);
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                fail(name + "[" + i + "]: expected bits " + Integer.toHexString(Float.floatToRawIntBits(e[i]))
                        + " but read " + Integer.toHexString(Float.floatToRawIntBits(a[i])));
            }
        }
    }

    /** Values that a float format gets wrong first: NaN payloads (quiet and signalling), ±0, ±inf, subnormals. */
    private static final int[] SPECIAL_BITS = {
        0x7FC0_0000, 0x7FC0_0001, 0xFFC1_2345, 0x7F80_0001, 0x8000_0000, 0x0000_0000,
        0x7F80_0000, 0xFF80_0000, 0x0000_0001, 0x807F_FFFF, 0x7F7F_FFFF, 0x3F80_0000,
    };

    /** A random sample of tensors and metadata, from a seed (so QuickTheories can report it). */
    private record Sample(long seed, Map<String, Tensor> tensors, Map<String, String> metadata) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("seed " + seed + ": ");
            tensors.forEach((k, v) -> sb.append('\'').append(k).append("' ").append(Arrays.toString(v.shape())).append(' '));
            return sb.append("metadata ").append(metadata).toString();
        }
    }

    /**
     * Up to 5 tensors of rank 0..3 with dimensions 0..3 and arbitrary bit patterns. {@code plain} keeps
     * names and metadata to letters and digits (the structural-corruption property needs to know that
     * every JSON punctuation byte of the header is structure); otherwise they include quotes, backslashes,
     * control characters and non-ASCII text, which the writer must escape.
     */
    private static Sample sample(long seed, boolean plain) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int n = rng.nextInt(6);
        for (int k = 0; k < n; k++) {
            int rank = rng.nextInt(4);
            int[] shape = new int[rank];
            int size = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = rng.nextInt(4);
                size *= shape[d];
            }
            float[] data = new float[size];
            for (int i = 0; i < size; i++) {
                int bits = rng.nextInt(4) == 0 ? SPECIAL_BITS[rng.nextInt(SPECIAL_BITS.length)] : rng.nextInt();
                data[i] = Float.intBitsToFloat(bits);
            }
            tensors.put(text(rng, plain, 1), Tensor.of(data, shape));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        int m = rng.nextInt(3);
        for (int k = 0; k < m; k++) {
            metadata.put(text(rng, plain, 1), text(rng, plain, 0));
        }
        tensors.remove(SafeTensorsHeader.METADATA_KEY);
        return new Sample(seed, tensors, metadata);
    }

    private static String text(SplittableRandom rng, boolean plain, int minLength) {
        String alphabet = plain ? "abcxyzAB019" : "ab.Z_9-\"\\/\n\u00e9\u03c0\u4e2d {}[]:,";
        int len = minLength + rng.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Reads {@code f}, requiring a CheckpointException (no result, no other exception) naming the file. */
    private static CheckpointException assertCorrupt(Path f) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
        return e;
    }

    private byte[] validFile(Sample s) throws IOException {
        Path f = dir.resolve("valid.safetensors");
        SafeTensors.write(f, s.tensors(), s.metadata());
        return Files.readAllBytes(f);
    }

    /**
     * Whether the digit at {@code at} sits inside a {@code "shape":[...]} list that has a zero dimension
     * both before and after the flip (so the tensor had, and still has, no element).
     */
    private static boolean mergesDimensionsOfAnEmptyTensor(byte[] file, int at) {
        String h = new String(file, 0, file.length, java.nio.charset.StandardCharsets.ISO_8859_1);
        int open = h.lastIndexOf('[', at);
        int close = h.indexOf(']', at);
        // The flipped byte must sit inside the shape's list: no ']' between its '[' and the byte (a ','
        // after the list, between two members of the object, is structure of the object, not a merge).
        if (open < 0 || close < 0 || h.lastIndexOf(']', at) > open || !h.startsWith("\"shape\":", open - 8)) {
            return false;
        }
        String after = h.substring(open + 1, close);
        return java.util.Arrays.stream(after.split(",")).anyMatch(d -> d.equals("0"));
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    // ================================================================ round trips

    @Test
    void randomTensorsRoundTripBitForBit() {
        Props.qt(60).forAll(longs().all()).checkAssert(seed -> io(() -> {
            Sample s = sample(seed, seed % 2 == 0);
            Path f = dir.resolve("rt.safetensors");
            SafeTensors.write(f, s.tensors(), s.metadata());
            Map<String, Tensor> back = SafeTensors.read(f);
            // Names come back sorted, as written.
            assertEquals(new ArrayList<>(new TreeMap<>(s.tensors()).keySet()), new ArrayList<>(back.keySet()), s.toString());
            for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) {
                assertBitsEqual(e.getValue(), back.get(e.getKey()), e.getKey() + " in " + s);
            }
            assertEquals(s.metadata(), SafeTensors.metadata(f), s.toString());
            // The data buffer starts 8-byte aligned.
            assertEquals(0, headerLength(Files.readAllBytes(f)) % 8, s.toString());
        }));
    }

    @Test
    void anEmptyMapIsAValidFile() throws IOException {
        Path f = dir.resolve("empty.safetensors");
        SafeTensors.write(f, Map.of(), null);
        assertTrue(SafeTensors.read(f).isEmpty());
        assertTrue(SafeTensors.metadata(f).isEmpty());
    }

    // ================================================================ known answers

    @Test
    void aFileBuiltByHandFromTheFormatParses() throws IOException {
        String json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]},"
                + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[16,16]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}   ";
        Path f = put("hand.safetensors", specFile(json, leFloats(1.5f, -2f, 0.25f, 7f)));
        Map<String, Tensor> m = SafeTensors.read(f);
        assertEquals(List.of("b", "a", "s", "z"), new ArrayList<>(m.keySet()), "header order");
        assertArrayEquals(new float[] {1.5f, -2f}, m.get("b").data());
        assertArrayEquals(new int[] {2}, m.get("b").shape());
        assertArrayEquals(new float[] {0.25f}, m.get("a").data());
        assertArrayEquals(new int[] {1, 1}, m.get("a").shape());
        assertEquals(0, m.get("s").rank());
        assertEquals(7f, m.get("s").item());
        assertArrayEquals(new int[] {0, 3}, m.get("z").shape());
        assertEquals(Map.of("format", "pt"), SafeTensors.metadata(f));
    }

    @Test
    void theWriterProducesExactlyTheDescribedBytes() throws IOException {
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, Map.of("y", Tensor.of(new float[] {3f, -0.5f}, 2, 1), "x", Tensor.scalar(1f)),
                Map.of("k", "v"));
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[4,12]}}";
        int pad = (8 - json.length() % 8) % 8;
        byte[] expected = specFile(json + " ".repeat(pad), leFloats(1f, 3f, -0.5f));
        assertArrayEquals(expected, Files.readAllBytes(f));
    }

    @Test
    void halfFloatsWidenToTheKnownValues() throws IOException {
        // bits -> value: 1.0, -2.0, the largest half 65504, the smallest subnormal 2^-24, the largest
        // subnormal 1023 * 2^-24, the smallest normal 2^-14, -0.0, +inf, 1/3 rounded to half.
        int[] bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x8000, 0x7C00, 0x3555};
        float[] want = {1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, -0f, Float.POSITIVE_INFINITY,
            0.333251953125f};
        Path f = put("f16.safetensors", specFile("{\"h\":{\"dtype\":\"F16\",\"shape\":[9],\"data_offsets\":[0,18]}}",
                leShorts(bits)));
        assertBitsEqual(Tensor.of(want, 9), SafeTensors.read(f).get("h"), "h");
        float nan = SafeTensors.read(put("nan16.safetensors", specFile(
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", leShorts(0x7E00)))).get("h").item();
        assertTrue(Float.isNaN(nan));
    }

    @Test
    void bfloat16WidensToTheKnownValues() throws IOException {
        // bits -> value: 1.0, -2.0, the largest bfloat16 (2 - 2^-7) 2^127, a subnormal 2^-133, -0.0, 3.140625.
        int[] bits = {0x3F80, 0xC000, 0x7F7F, 0x0001, 0x8000, 0x4049};
        float[] want = {1f, -2f, (2 - 0x1p-7f) * 0x1p127f, 0x1p-133f, -0f, 3.140625f};
        Path f = put("bf16.safetensors", specFile(
                "{\"h\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", leShorts(bits)));
        assertBitsEqual(Tensor.of(want, 2, 3), SafeTensors.read(f).get("h"), "h");
    }

    @Test
    void halfConversionAgreesWithTheJdkOnAllHalves() {
        for (int h = 0; h < 0x10000; h++) {
            float jdk = Float.float16ToFloat((short) h);
            float ours = SafeTensorsCodec.halfToFloat((short) h);
            int jdkBits = Float.floatToRawIntBits(jdk);
            int ourBits = Float.floatToRawIntBits(ours);
            if (Float.isNaN(jdk)) {
                // The JDK (like the F16C instruction it may use) sets the quiet bit of a signalling NaN; ours
                // keeps the bits as they are. Sign and payload must agree.
                assertTrue(Float.isNaN(ours), "half 0x" + Integer.toHexString(h));
                int quiet = 1 << 22;
                assertEquals(jdkBits | quiet, ourBits | quiet, "half 0x" + Integer.toHexString(h));
            } else {
                assertEquals(jdkBits, ourBits, "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void mixedDtypesInOneFileAllBecomeFloat32() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        byte[] buffer = new byte[8];
        System.arraycopy(leShorts(0x3C00, 0x4000), 0, buffer, 0, 4); // F16 1.0, BF16 2.0
        System.arraycopy(leFloats(3f), 0, buffer, 4, 4);
        Map<String, Tensor> m = SafeTensors.read(put("mixed.safetensors", specFile(json, buffer)));
        assertEquals(1f, m.get("a").item());
        assertEquals(2f, m.get("b").item());
        assertEquals(3f, m.get("c").item());
    }

    // ================================================================ corruption, one case at a time

    /** A header and buffer that must be rejected, and the tensor the message must name (or null). */
    private record Bad(String why, String json, byte[] buffer, String tensor) {
    }

    private static final String OK = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";

    private static Stream<Bad> badFiles() {
        byte[] eight = new byte[8];
        return Stream.of(
                new Bad("not JSON", "{\"w\":{" + OK + "}", eight, null),
                new Bad("not an object", "[1,2]", eight, null),
                new Bad("lenient JSON", "{w:{" + OK + "}}", eight, null),
                new Bad("two JSON values", "{\"w\":{" + OK + "}}{}", eight, null),
                new Bad("missing dtype", "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("unknown dtype", "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("dtype not a string", "{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("negative dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("fractional dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("string dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("huge dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("too many elements", "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("missing offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight, "w"),
                new Bad("three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", eight, "w"),
                new Bad("begin > end", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", eight, "w"),
                new Bad("offsets past the buffer", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", eight, "w"),
                new Bad("size mismatch", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("F16 size mismatch", "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "w"),
                new Bad("trailing garbage", "{\"w\":{" + OK + "}}", new byte[12], "w"),
                new Bad("a hole", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight, "w"),
                new Bad("overlap", "{\"v\":{" + OK + "},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight, "w"),
                new Bad("duplicate tensor", "{\"w\":{" + OK + "},\"w\":{" + OK + "}}", eight, "w"),
                new Bad("duplicate field", "{\"w\":{" + OK + ",\"shape\":[2]}}", eight, "w"),
                new Bad("metadata not strings", "{\"__metadata__\":{\"k\":1},\"w\":{" + OK + "}}", eight, "k"),
                new Bad("metadata not an object", "{\"__metadata__\":[],\"w\":{" + OK + "}}", eight, null),
                new Bad("tensor not an object", "{\"w\":[1]}", eight, "w"));
    }

    @Test
    void eachKindOfBadHeaderIsACheckpointExceptionNamingFileAndTensor() throws IOException {
        int i = 0;
        for (Bad bad : badFiles().toList()) {
            Path f = put("bad" + i++ + ".safetensors", specFile(bad.json(), bad.buffer()));
            CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f), bad.why());
            assertTrue(e.getMessage().contains(f.toString()), bad.why() + ": " + e.getMessage());
            if (bad.tensor() != null) {
                assertTrue(e.getMessage().contains("'" + bad.tensor() + "'"), bad.why() + ": " + e.getMessage());
            }
            assertThrows(CheckpointException.class, () -> SafeTensors.metadata(f), bad.why());
        }
    }

    @Test
    void theGoodVariantsOfTheBadFilesParse() throws IOException {
        // Controls for the cases above: the same shapes of file, made valid, do parse.
        Path f = put("good.safetensors", specFile("{\"w\":{" + OK + ",\"extra\":[1,{}]}}  \n", leFloats(1f, 2f)));
        assertArrayEquals(new float[] {1f, 2f}, SafeTensors.read(f).get("w").data());
        Path g = put("good2.safetensors", specFile("{\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", leFloats(1f, 2f)));
        Map<String, Tensor> m = SafeTensors.read(g);
        assertEquals(2f, m.get("v").item());
        assertEquals(1f, m.get("w").item());
        assertEquals(0, m.get("e").size());
    }

    @Test
    void badLengthFieldsAndShortFiles() throws IOException {
        assertCorrupt(put("empty", new byte[0]));
        assertCorrupt(put("short", new byte[] {1, 0, 0}));
        byte[] absurd = specFile("{}", new byte[0]);
        ByteBuffer.wrap(absurd).order(ByteOrder.LITTLE_ENDIAN).putLong(0, SafeTensorsHeader.MAX_HEADER_BYTES + 1);
        assertTrue(assertCorrupt(put("absurd", absurd)).getMessage().contains("limit"));
        ByteBuffer.wrap(absurd).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // 2^64 - 1 unsigned
        assertTrue(assertCorrupt(put("negative", absurd)).getMessage().contains("18446744073709551615"));
        byte[] lying = specFile("{}", new byte[0]);
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 3);
        assertCorrupt(put("lying", lying));
        byte[] badUtf8 = specFile("{\"\u00e9\":{" + OK + "}}", new byte[8]);
        badUtf8[10] = (byte) 0xFF;
        assertTrue(assertCorrupt(put("utf8", badUtf8)).getMessage().contains("UTF-8"));
    }

    // ================================================================ corruption, properties

    @Test
    void truncatingAValidFileAnywhereIsACheckpointException() {
        Props.qt(60).forAll(longs().all()).checkAssert(seed -> io(() -> {
            byte[] bytes = validFile(sample(seed, false));
            int cut = new SplittableRandom(seed ^ 0x5EED).nextInt(bytes.length);
            assertCorrupt(put("cut.safetensors", Arrays.copyOf(bytes, cut)));
        }));
    }

    @Test
    void aLyingHeaderLengthIsACheckpointException() {
        Props.qt(80).forAll(longs().all()).checkAssert(seed -> io(() -> {
            byte[] bytes = validFile(sample(seed, false));
            long n = headerLength(bytes);
            SplittableRandom rng = new SplittableRandom(seed ^ 0x1E57);
            long lie = switch (rng.nextInt(3)) {
                case 0 -> n + rng.nextLong(-n, 65); // near the truth, e.g. cutting into the padding
                case 1 -> rng.nextLong(0, bytes.length + 1); // anywhere in the file
                default -> rng.nextLong(); // anything, negative as signed included
            };
            if (lie == n) {
                lie = n + 1;
            }
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lie);
            assertCorrupt(put("lie.safetensors", bytes));
        }));
    }

    @Test
    void flippingAStructuralHeaderByteIsACheckpointException() {
        // With plain names, every one of {}[]:," in the header is JSON structure, and breaking structure in
        // a strict parse, or turning ',' into '.' or 'e' inside a number list, must be caught. One flip
        // leaves a valid file: a ',' of a shape list turned into a digit merges two dimensions ([1,1,0] ->
        // [141,0]); when the shape has a zero dimension before and after, the tensor still holds no element
        // and its empty byte range still fits, so the file is valid and must read; every other merge changes
        // the element count, which the byte ranges catch.
        Props.qt(150).forAll(longs().all()).checkAssert(seed -> io(() -> {
            byte[] bytes = validFile(sample(seed, true));
            int n = (int) headerLength(bytes);
            List<Integer> structural = new ArrayList<>();
            for (int i = 8; i < 8 + n; i++) {
                if ("{}[]:,\"".indexOf(bytes[i]) >= 0) {
                    structural.add(i);
                }
            }
            SplittableRandom rng = new SplittableRandom(seed ^ 0xF11F);
            int at = structural.get(rng.nextInt(structural.size()));
            byte old = bytes[at];
            bytes[at] ^= (byte) (1 + rng.nextInt(255));
            Path f = put("flip.safetensors", bytes);
            if (old == ',' && bytes[at] >= '0' && bytes[at] <= '9' && mergesDimensionsOfAnEmptyTensor(bytes, at)) {
                SafeTensors.read(f);                    // still a valid file: must read without error
            } else {
                assertCorrupt(f);
            }
        }));
    }

    @Test
    void flippingAnyHeaderByteGivesAValidFileOrACheckpointExceptionNeverAnotherError() {
        // A flip inside a name or a padding space may leave a valid file (a renamed tensor, a tab): that is
        // a legitimate result. What must never happen is any other exception escaping the reader.
        int[] outcomes = new int[2];
        Props.qt(200).forAll(longs().all()).checkAssert(seed -> io(() -> {
            byte[] bytes = validFile(sample(seed, false));
            int n = (int) headerLength(bytes);
            SplittableRandom rng = new SplittableRandom(seed ^ 0xB17);
            int flips = 1 + rng.nextInt(3);
            for (int k = 0; k < flips; k++) {
                bytes[8 + rng.nextInt(n)] ^= (byte) (1 + rng.nextInt(255));
            }
            Path f = put("anyflip.safetensors", bytes);
            try {
                SafeTensors.read(f);
                outcomes[0]++;
            } catch (CheckpointException e) {
                outcomes[1]++;
            }
        }));
        assertTrue(outcomes[1] > outcomes[0], "most random flips break the header: " + Arrays.toString(outcomes));
    }

    @Test
    void wrongDataOffsetsAreACheckpointException() {
        // Rebuild the header by hand with one non-empty tensor's offsets moved: its old bytes are then
        // covered by no tensor, or its span no longer matches its shape.
        Props.qt(100).forAll(longs().all()).checkAssert(seed -> io(() -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int count = 1 + rng.nextInt(4);
            String[] names = new String[count];
            long[][] offsets = new long[count][];
            int[] sizes = new int[count];
            long end = 0;
            for (int k = 0; k < count; k++) {
                names[k] = "t" + k;
                sizes[k] = rng.nextInt(4);
                offsets[k] = new long[] {end, end + 4L * sizes[k]};
                end += 4L * sizes[k];
            }
            int victim = rng.nextInt(count);
            if (sizes[victim] == 0) { // an empty tensor may legitimately sit at any boundary
                sizes[victim] = 1 + rng.nextInt(3);
                for (int k = victim; k < count; k++) {
                    offsets[k] = new long[] {k == victim ? offsets[k][0] : offsets[k - 1][1], 0};
                    offsets[k][1] = offsets[k][0] + 4L * sizes[k];
                }
                end = offsets[count - 1][1];
            }
            long[] old = offsets[victim].clone();
            long[] wrong;
            do {
                wrong = switch (rng.nextInt(3)) {
                    case 0 -> new long[] {old[0] + rng.nextLong(-old[0], 9), 0};
                    case 1 -> new long[] {rng.nextLong(0, end + 9), rng.nextLong(0, end + 9)};
                    default -> new long[] {old[1], old[0]};
                };
                if (wrong[1] == 0 && rng.nextBoolean()) {
                    wrong[1] = wrong[0] + (old[1] - old[0]); // same span, moved
                }
            } while (Arrays.equals(wrong, old));
            offsets[victim] = wrong;
            StringBuilder json = new StringBuilder("{");
            for (int k = 0; k < count; k++) {
                json.append(k == 0 ? "" : ",").append('"').append(names[k]).append("\":{\"dtype\":\"F32\",\"shape\":[")
                        .append(sizes[k]).append("],\"data_offsets\":[").append(offsets[k][0]).append(',')
                        .append(offsets[k][1]).append("]}");
            }
            json.append('}');
            Path f = put("offsets.safetensors", specFile(json.toString(), new byte[(int) end]));
            CheckpointException e = assertCorrupt(f);
            assertTrue(e.getMessage().contains("'t"), "names a tensor: " + e.getMessage());
        }));
    }

    @Test
    void flippingADataByteIsStillAValidFileWithJustThatElementChanged() throws IOException {
        Path f = dir.resolve("data.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.vector(1f, 2f, 3f)), null);
        byte[] bytes = Files.readAllBytes(f);
        int start = 8 + (int) headerLength(bytes);
        bytes[start + 4 + 3] ^= (byte) 0x80; // the sign bit of element 1 (little-endian: its last byte)
        assertArrayEquals(new float[] {1f, -2f, 3f}, SafeTensors.read(put("data2.safetensors", bytes)).get("w").data());
    }

    // ================================================================ atomic writes

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void overwritingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, Map.of("a", Tensor.vector(1f)), null);
        SafeTensors.write(f, Map.of("b", Tensor.vector(2f, 3f)), Map.of("step", "2"));
        assertEquals(List.of(dir, f), listing());
        Map<String, Tensor> m = SafeTensors.read(f);
        assertEquals(List.of("b"), new ArrayList<>(m.keySet()));
        assertEquals(Map.of("step", "2"), SafeTensors.metadata(f));
    }

    @Test
    void writingIntoAMissingDirectoryFailsCleanly() throws IOException {
        Path existing = dir.resolve("ckpt.safetensors");
        SafeTensors.write(existing, Map.of("a", Tensor.vector(1f)), null);
        byte[] before = Files.readAllBytes(existing);
        List<Path> listing = listing();
        assertThrows(IOException.class, () -> SafeTensors.write(dir.resolve("missing").resolve("ckpt.safetensors"),
                Map.of("a", Tensor.vector(9f)), null));
        assertEquals(listing, listing());
        assertArrayEquals(before, Files.readAllBytes(existing));
    }

    @Test
    void aFailureAfterTheDataIsWrittenRemovesTheTemporaryFileAndKeepsTheTarget() throws IOException {
        // The target is a non-empty directory: the temporary file is written in full, then the rename
        // over the target fails. Nothing may be left behind and the target must be as it was.
        Path target = dir.resolve("ckpt.safetensors");
        Files.createDirectory(target);
        Path inside = Files.write(target.resolve("keep"), new byte[] {42});
        List<Path> listing = listing();
        assertThrows(IOException.class, () -> SafeTensors.write(target, Map.of("a", Tensor.zeros(1000)), null));
        assertEquals(listing, listing());
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(inside));
    }

    @Test
    void badArgumentsAreRejectedBeforeTouchingTheDisk() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, Map.of("a", Tensor.vector(1f)), null);
        byte[] before = Files.readAllBytes(f);
        List<Path> listing = listing();
        Map<String, Tensor> reserved = Map.of(SafeTensorsHeader.METADATA_KEY, Tensor.vector(1f));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, reserved, null));
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, withNull, null));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of(), nullValue));
        assertEquals(listing, listing());
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    // ================================================================ loadInto

    private Path twoTensorFile() throws IOException {
        Path f = dir.resolve("load.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), "b", Tensor.vector(7f, 8f)),
                null);
        return f;
    }

    @Test
    void loadIntoCopiesByName() throws IOException {
        Path f = twoTensorFile();
        Tensor w = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(2);
        float[] wData = w.data();
        SafeTensors.loadInto(f, Map.of("w", w, "b", b), true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.data());
        assertArrayEquals(new float[] {7, 8}, b.data());
        assertTrue(wData == w.data(), "copied into the existing array");
        Tensor onlyB = Tensor.zeros(2);
        SafeTensors.loadInto(f, Map.of("b", onlyB), false); // an extra tensor in the file is fine when not strict
        assertArrayEquals(new float[] {7, 8}, onlyB.data());
    }

    @Test
    void loadIntoWithAWrongShapeNamesBothShapesAndChangesNothing() throws IOException {
        Path f = twoTensorFile();
        Tensor w = Tensor.full(-1f, 3, 2);
        Tensor b = Tensor.full(-1f, 2);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SafeTensors.loadInto(f, Map.of("w", w, "b", b), true));
        String msg = e.getMessage();
        assertTrue(msg.contains(f.toString()) && msg.contains("'w'") && msg.contains("[2, 3]") && msg.contains("[3, 2]"),
                msg);
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1}, w.data());
        assertArrayEquals(new float[] {-1, -1}, b.data(), "the tensor that did match is untouched too");
    }

    @Test
    void loadIntoWithAMissingTensorChangesNothing() throws IOException {
        Path f = twoTensorFile();
        Tensor b = Tensor.full(-1f, 2);
        Tensor c = Tensor.full(-1f, 4);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SafeTensors.loadInto(f, Map.of("b", b, "c", c), false));
        assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains("[4]"), e.getMessage());
        assertArrayEquals(new float[] {-1, -1}, b.data());
        assertArrayEquals(new float[] {-1, -1, -1, -1}, c.data());
    }

    @Test
    void strictLoadIntoRejectsExtraTensors() throws IOException {
        Path f = twoTensorFile();
        Tensor b = Tensor.full(-1f, 2);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SafeTensors.loadInto(f, Map.of("b", b), true));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertArrayEquals(new float[] {-1, -1}, b.data());
    }

    @Test
    void loadIntoACorruptFileChangesNothing() throws IOException {
        Path f = put("corrupt.safetensors", specFile("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", leFloats(1f, 2f)));
        Tensor b = Tensor.full(-1f, 2);
        assertThrows(CheckpointException.class, () -> SafeTensors.loadInto(f, Map.of("b", b), false));
        assertArrayEquals(new float[] {-1, -1}, b.data());
    }

    @Test
    void loadIntoWidensHalfFloats() throws IOException {
        Path f = put("h.safetensors", specFile("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                leShorts(0x3C00, 0xC000)));
        Tensor h = Tensor.zeros(2);
        SafeTensors.loadInto(f, Map.of("h", h), true);
        assertArrayEquals(new float[] {1f, -2f}, h.data());
        assertFalse(h.requiresGrad());
    }
}
