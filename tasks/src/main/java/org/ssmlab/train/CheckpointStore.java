package org.ssmlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.io.SafeTensors;
import org.ssmlab.autograd.nn.Module;
import org.ssmlab.autograd.optim.AdamW;
import org.ssmlab.data.FileTrees;

/**
 * The checkpoints of one run directory: {@code checkpoints/step-NNNNNNNN/} holding {@code model.safetensors}
 * (the state dict), {@code optimizer.safetensors} (AdamW's moments as {@code m.<param>} and
 * {@code v.<param>}) and {@code state.json} (step, seed, per-parameter AdamW step counts, whether the run
 * stopped early, and the run's identity: every setting that changes what it computes).
 *
 * <p>A checkpoint is filled under a temporary name, every file and the directory are synced to disk, and
 * only then is it renamed into place (and the parent synced), so a checkpoint directory is complete or
 * absent even after a power cut. A directory without {@code state.json} is not a checkpoint.
 *
 * <p>Before anything is loaded or changed, {@link #load} compares the stored identity with the current
 * one and refuses a mismatch with one line naming every differing setting.
 */
public final class CheckpointStore {

    static final String CHECKPOINTS = "checkpoints";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("step-(\\d{8,})");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Path runDir;
    private final int keep;

    /** What a checkpoint held: the step after which it was written and whether the run stopped there. */
    public record Loaded(long step, boolean stoppedEarly) {
    }

    /** The store of {@code runDir}, keeping the newest {@code keep} checkpoints. */
    public CheckpointStore(Path runDir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("CheckpointStore: keep = " + keep + " must be >= 1");
        }
        this.runDir = runDir;
        this.keep = keep;
    }

    /** The directory of the checkpoint after {@code step} completed steps. */
    public static Path checkpointDir(Path runDir, long step) {
        return runDir.resolve(CHECKPOINTS).resolve(String.format("step-%08d", step));
    }

    /** The newest complete checkpoint directory of {@code runDir}, or null. */
    public static Path latest(Path runDir) throws IOException {
        List<Path> all = list(runDir);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Complete checkpoint directories, oldest first. */
    public static List<Path> list(Path runDir) throws IOException {
        Path dir = runDir.resolve(CHECKPOINTS);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (CHECKPOINT_NAME.matcher(p.getFileName().toString()).matches()
                        && Files.isRegularFile(p.resolve("state.json"))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(CheckpointStore::stepOf));
        return out;
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT_NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("CheckpointStore: " + checkpoint + " is not a checkpoint directory");
        }
        return Long.parseLong(m.group(1));
    }

    /** Writes the checkpoint of {@code step}, publishes it atomically and prunes the oldest beyond {@code keep}. */
    public void save(long step, Module model, Map<String, Tensor> named, AdamW optimizer, Map<String, String> identity,
                     long seed, boolean stoppedEarly) throws IOException {
        Path dir = runDir.resolve(CHECKPOINTS);
        Files.createDirectories(dir);
        Path target = checkpointDir(runDir, step);
        Path tmp = dir.resolve(".tmp-" + target.getFileName() + "-" + ProcessHandle.current().pid());
        FileTrees.delete(tmp);
        Files.createDirectories(tmp);
        Map<String, String> meta = Map.of("step", Long.toString(step), "format", "ssmlab-trainer-1");
        SafeTensors.write(tmp.resolve("model.safetensors"), model.stateDict(), meta);
        Map<String, Tensor> moments = new LinkedHashMap<>();
        Map<String, Long> adamSteps = new LinkedHashMap<>();
        List<AdamW.ParamState> states = optimizer.exportState();
        List<String> names = new ArrayList<>(named.keySet());
        for (int k = 0; k < names.size(); k++) {
            AdamW.ParamState s = states.get(k);
            adamSteps.put(names.get(k), s.steps());
            if (s.m() != null) {
                int[] shape = named.get(names.get(k)).shape();
                moments.put("m." + names.get(k), Tensor.of(s.m(), shape));
                moments.put("v." + names.get(k), Tensor.of(s.v(), shape));
            }
        }
        SafeTensors.write(tmp.resolve("optimizer.safetensors"), moments, meta);
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("seed", seed);
        state.addProperty("stoppedEarly", stoppedEarly);
        state.addProperty("rng", "per-step streams Seeds.derive(seed, step); the next step is " + step);
        state.add("adamSteps", GSON.toJsonTree(adamSteps));
        state.add("identity", GSON.toJsonTree(identity));
        Files.writeString(tmp.resolve("state.json"), GSON.toJson(state), StandardCharsets.UTF_8);
        for (String f : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
            FileTrees.fsync(tmp.resolve(f));
        }
        FileTrees.fsync(tmp);
        if (Files.exists(target)) {
            FileTrees.delete(target); // a rerun of a step already saved (same identity, so the same content)
        }
        FileTrees.publish(tmp, target);
        List<Path> all = list(runDir);
        for (int i = 0; i < all.size() - keep; i++) {
            FileTrees.delete(all.get(i));
        }
    }

    /**
     * Checks that the newest checkpoint was trained with {@code identity}; nothing is read into the model
     * and nothing on disk changes.
     *
     * @return the newest checkpoint, or null when there is none
     * @throws IllegalStateException naming every setting that differs, in one line
     */
    public Path verify(Map<String, String> identity) throws IOException {
        Path latest = latest(runDir);
        if (latest == null) {
            return null;
        }
        JsonObject state = GSON.fromJson(Files.readString(latest.resolve("state.json")), JsonObject.class);
        if (!state.has("identity")) {
            throw new IllegalStateException("Trainer: " + runDir + " holds a checkpoint without its settings (an older"
                    + " format); use another run directory");
        }
        Map<String, String> stored = GSON.fromJson(state.get("identity"), new TypeToken<Map<String, String>>() { }.getType());
        String diff = difference(stored, identity);
        if (!diff.isEmpty()) {
            throw new IllegalStateException("Trainer: " + runDir + " was trained with other settings (" + diff
                    + "); use another run directory or the same settings");
        }
        return latest;
    }

    /** "key stored → now" for every key whose values differ, joined by ", "; empty when equal. */
    static String difference(Map<String, String> stored, Map<String, String> now) {
        List<String> parts = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(stored.keySet());
        keys.addAll(now.keySet());
        for (String k : keys) {
            String a = stored.getOrDefault(k, "(unset)");
            String b = now.getOrDefault(k, "(unset)");
            if (!a.equals(b)) {
                parts.add(k + " " + a + " → " + b);
            }
        }
        return String.join(", ", parts);
    }

    /**
     * Verifies the identity, then loads the newest checkpoint into {@code model} and {@code optimizer}.
     *
     * @return the checkpoint's step and early-stop flag, or null when there is no checkpoint
     */
    public Loaded load(Module model, Map<String, Tensor> named, AdamW optimizer, Map<String, String> identity)
            throws IOException {
        Path latest = verify(identity);
        if (latest == null) {
            return null;
        }
        JsonObject state = GSON.fromJson(Files.readString(latest.resolve("state.json")), JsonObject.class);
        model.loadStateDict(SafeTensors.read(latest.resolve("model.safetensors")), true);
        Map<String, Tensor> moments = SafeTensors.read(latest.resolve("optimizer.safetensors"));
        JsonObject adamSteps = state.getAsJsonObject("adamSteps");
        List<AdamW.ParamState> states = new ArrayList<>();
        for (var e : named.entrySet()) {
            String n = e.getKey();
            if (!adamSteps.has(n)) {
                throw new IllegalStateException("Trainer: checkpoint " + latest + " has no optimizer state for " + n);
            }
            Tensor m = moments.get("m." + n);
            Tensor v = moments.get("v." + n);
            states.add(new AdamW.ParamState(m == null ? null : m.data(), v == null ? null : v.data(),
                    adamSteps.get(n).getAsLong()));
        }
        optimizer.importState(states);
        boolean stopped = state.has("stoppedEarly") && state.get("stoppedEarly").getAsBoolean();
        return new Loaded(state.get("step").getAsLong(), stopped);
    }
}
