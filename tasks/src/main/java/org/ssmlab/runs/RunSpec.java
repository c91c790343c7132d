package org.ssmlab.runs;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One run as a piece of data: the command that executes it, every setting that changes what it computes
 * (as strings, sorted by name), and the seed. Two specs with the same command, settings and seed describe
 * the same computation; any other difference gives another {@link #key()}.
 *
 * @param command  the kind of run, e.g. {@code "recall"}; chooses the code that executes it
 * @param settings every setting that changes the run, by name
 * @param seed     the seed of every random choice of the run
 * @param label    a short human name for logs (e.g. {@code "both L2 s3"}); not part of the identity
 */
public record RunSpec(String command, SortedMap<String, String> settings, long seed, String label) {

    public RunSpec {
        Objects.requireNonNull(command, "RunSpec: command is null");
        if (!command.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("RunSpec: command '" + command + "' must be lower-case letters, digits or '-'");
        }
        Objects.requireNonNull(settings, "RunSpec: settings is null");
        settings = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(settings));
        label = label == null ? "" : label;
    }

    /** A spec from any map of settings (values turned into strings). */
    public static RunSpec of(String command, Map<String, ?> settings, long seed, String label) {
        TreeMap<String, String> s = new TreeMap<>();
        settings.forEach((k, v) -> s.put(k, String.valueOf(Objects.requireNonNull(v, "RunSpec: setting " + k + " is null"))));
        return new RunSpec(command, s, seed, label);
    }

    /** The setting {@code name}; fails naming the spec when it is missing. */
    public String get(String name) {
        String v = settings.get(name);
        if (v == null) {
            throw new IllegalArgumentException("RunSpec " + command + ": no setting '" + name + "' (has " + settings.keySet() + ")");
        }
        return v;
    }

    /** The identity as canonical JSON: command, sorted settings, seed (the label left out). */
    public String canonical() {
        JsonObject o = new JsonObject();
        o.addProperty("command", command);
        JsonObject s = new JsonObject();
        settings.forEach(s::addProperty);
        o.add("settings", s);
        o.addProperty("seed", seed);
        return o.toString();
    }

    /**
     * A stable key naming the run, fit for a directory name: {@code <command>-s<seed>-<12 hex digits of
     * SHA-256(canonical())>}. It depends on nothing but the command, the settings and the seed.
     */
    public String key() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            return command + "-s" + seed + "-" + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RunSpec: SHA-256 is missing from this JDK", e);
        }
    }
}
