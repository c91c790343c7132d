package org.ssmlab.runs;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.ssmlab.data.FileTrees;

/**
 * Runs on disk: {@code <root>/<spec key>/} is the working directory of a run (its checkpoints) and
 * {@code <root>/<spec key>/result.json} its result, written atomically (a synced temporary file renamed
 * into place), so a result is complete or absent and a finished run is never redone.
 */
public final class RunStore {

    static final String RESULT = "result.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Path root;

    public RunStore(Path root) {
        this.root = root;
    }

    /** The working directory of {@code spec}'s run. */
    public Path runDir(RunSpec spec) {
        return root.resolve(spec.key());
    }

    /** The stored result of {@code spec}, if that run finished; a result of another spec under the same key fails. */
    public Optional<RunResult> result(RunSpec spec) throws IOException {
        Path file = runDir(spec).resolve(RESULT);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonObject o = GSON.fromJson(Files.readString(file), JsonObject.class);
        JsonObject s = o.getAsJsonObject("spec");
        SortedMap<String, String> settings = GSON.fromJson(s.get("settings"), new TypeToken<TreeMap<String, String>>() { }.getType());
        RunSpec stored = new RunSpec(s.get("command").getAsString(), settings, s.get("seed").getAsLong(),
                s.has("label") ? s.get("label").getAsString() : "");
        if (!stored.canonical().equals(spec.canonical())) {
            throw new IllegalStateException("RunStore: " + file + " holds the result of " + stored.canonical()
                    + ", not of " + spec.canonical());
        }
        return Optional.of(ResultJson.get(o, spec));
    }

    /** Writes {@code r} as the result of its spec, atomically. */
    public void save(RunResult r) throws IOException {
        JsonObject spec = new JsonObject();
        spec.addProperty("command", r.spec().command());
        spec.add("settings", GSON.toJsonTree(r.spec().settings()));
        spec.addProperty("seed", r.spec().seed());
        spec.addProperty("label", r.spec().label());
        spec.addProperty("key", r.spec().key());
        JsonObject o = new JsonObject();
        o.add("spec", spec);
        ResultJson.put(o, r);
        FileTrees.writeAtomically(runDir(r.spec()).resolve(RESULT), GSON.toJson(o));
    }
}
