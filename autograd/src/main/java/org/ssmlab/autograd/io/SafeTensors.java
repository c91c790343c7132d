package org.ssmlab.autograd.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.ssmlab.autograd.Shape;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensorsHeader.Entry;

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
 *
 * <p>This class is the facade: checking the arguments, the atomic replace and the loading rules. The
 * header (parsing, validation, the dtype table, the tiling of the offsets, and writing it) is in
 * {@code SafeTensorsHeader}; the bytes (little-endian IO, F32 encoding, F16/BF16 widening) in
 * {@code SafeTensorsCodec}.
 */
public final class SafeTensors {

    private SafeTensors() {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code tensors} (sorted by name, as F32) and {@code metadata} (may be null or empty) to
     * {@code file}, replacing it atomically: the data goes to a temporary file in the same directory,
     * which is flushed to disk and then renamed over {@code file}. On any failure the temporary file is
     * deleted and an existing {@code file} is left as it was.
     *
     * @throws IllegalArgumentException for a null name, tensor, metadata key or value, or a tensor named
     *     {@value SafeTensorsHeader#METADATA_KEY}
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
            if (e.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: a tensor may not be named " + SafeTensorsHeader.METADATA_KEY
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
        byte[] header = SafeTensorsHeader.encode(sorted, meta);

        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(new SplittableRandom().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                SafeTensorsCodec.writeFile(ch, header, sorted.values());
                ch.force(true);                                // on disk before the rename publishes it
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
            SafeTensorsHeader h = SafeTensorsHeader.read(ch, file);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                out.put(e.name(), Tensor.of(SafeTensorsCodec.readData(ch, file, h, e), e.shape()));
            }
            return out;
        }
    }

    /**
     * The {@value SafeTensorsHeader#METADATA_KEY} map of {@code file} (empty when it has none), after validating the
     * whole header as {@link #read} does.
     */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new LinkedHashMap<>(SafeTensorsHeader.read(ch, file).metadata());
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
            SafeTensorsHeader h = SafeTensorsHeader.read(ch, file);
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
                loaded.add(SafeTensorsCodec.readData(ch, file, h, byName.get(name)));
            }
            int i = 0;
            for (Tensor t : sorted.values()) {
                float[] src = loaded.get(i++);
                System.arraycopy(src, 0, t.data(), 0, src.length);
            }
        }
    }
}
