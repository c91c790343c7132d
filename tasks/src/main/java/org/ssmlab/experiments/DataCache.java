package org.ssmlab.experiments;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ssmlab.data.MnistLoader;

/**
 * Where downloaded data sets live. The cache root is {@code $SSMLAB_CACHE} when that variable is set,
 * else {@code ~/.cache/ssmlab}; MNIST goes to {@code <root>/mnist}. Data is never committed: it is
 * fetched on demand by {@code ./ssmlab fetch mnist}.
 */
public final class DataCache {

    /** The environment variable that moves the cache. */
    public static final String ENV = "SSMLAB_CACHE";

    private DataCache() {
    }

    /** The cache root: $SSMLAB_CACHE, or ~/.cache/ssmlab. */
    public static Path root() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ssmlab");
    }

    /** The directory {@code fetch mnist} fills and the experiments read first. */
    public static Path mnistDir() {
        return root().resolve("mnist");
    }

    /** The directory {@code fetch brown} fills: the Brown corpus as plain text, one file per sample. */
    public static Path brownDir() {
        return root().resolve("brown");
    }

    /**
     * The first of {@code dirs} that holds MNIST, or null when none does; {@code dirs} is
     * {@link #mnistCandidates()} unless a directory was named.
     */
    public static Path firstWithMnist(List<Path> dirs) {
        for (Path dir : dirs) {
            if (new MnistLoader(dir).available()) {
                return dir;
            }
        }
        return null;
    }

    /** The directories searched for MNIST, in order: the cache, then the loader's project-local default. */
    public static List<Path> mnistCandidates() {
        List<Path> out = new ArrayList<>();
        out.add(mnistDir());
        Path local = MnistLoader.defaultDir();
        if (!local.toAbsolutePath().normalize().equals(mnistDir().toAbsolutePath().normalize())) {
            out.add(local);
        }
        return out;
    }
}
