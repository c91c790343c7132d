package org.ssmlab.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;

/** File-tree chores shared by the trainer's checkpoints, the run store and the data fetcher. */
public final class FileTrees {

    private FileTrees() {
    }

    /** Deletes {@code p} and everything below it, deepest first; nothing when it does not exist. */
    public static void delete(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /**
     * Forces {@code p} (a file or a directory) to disk. For a directory this makes the names in it (a
     * rename into it, say) durable; file systems that cannot sync a directory are skipped silently.
     */
    public static void fsync(Path p) throws IOException {
        boolean dir = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!dir) {
                throw e;
            }
        }
    }

    /** Renames {@code from} to {@code to} atomically where the file system can, then syncs the parent. */
    public static void publish(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        Path parent = to.toAbsolutePath().getParent();
        if (parent != null) {
            fsync(parent);
        }
    }

    /**
     * Writes {@code text} to {@code file} so that a reader sees the old content or the whole new one:
     * a temporary sibling is written and synced, then renamed over {@code file}.
     */
    public static void writeAtomically(Path file, String text) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            fsync(tmp);
            publish(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
