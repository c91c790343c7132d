package org.ssmlab.runs;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import java.util.TreeMap;

/**
 * The one JSON layout of what a run produced (figures, final step, early stop, seconds, threads): the
 * body of {@code result.json} in a {@link RunStore} and of a cluster worker's reply.
 */
public final class ResultJson {

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private ResultJson() {
    }

    /** Adds {@code r}'s outcome to {@code o}. */
    public static void put(JsonObject o, RunResult r) {
        o.add("figures", GSON.toJsonTree(r.figures()));
        o.addProperty("finalStep", r.finalStep());
        o.addProperty("stoppedEarly", r.stoppedEarly());
        o.addProperty("seconds", r.seconds());
        o.addProperty("threads", r.threads());
    }

    /**
     * The result of {@code spec} whose outcome {@link #put} wrote into {@code o}; a missing thread count
     * (results stored before it was recorded) reads as 0.
     */
    public static RunResult get(JsonObject o, RunSpec spec) {
        TreeMap<String, Double> figures = GSON.fromJson(o.get("figures"), new TypeToken<TreeMap<String, Double>>() { }.getType());
        return new RunResult(spec, figures, o.get("finalStep").getAsLong(), o.get("stoppedEarly").getAsBoolean(),
                o.get("seconds").getAsDouble(), o.has("threads") ? o.get("threads").getAsInt() : 0);
    }
}
