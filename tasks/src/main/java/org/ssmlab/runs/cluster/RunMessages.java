package org.ssmlab.runs.cluster;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.ssmlab.runs.ResultJson;
import org.ssmlab.runs.RunResult;
import org.ssmlab.runs.RunSpec;

/**
 * The two messages between a submitter and a member, as signed JSON text: {@code <64 hex digits of the
 * signature> <payload>}.
 * <ul>
 *   <li>a request: {@code {"spec":<RunSpec.canonical()>,"label":...,"threads":N,"backend":"simd"}}, the run,
 *       the thread count and the compute backend it must use (both chosen by the submitter, so that a
 *       run's bits do not depend on the member that takes it);</li>
 *   <li>a reply: {@code {"key":...,"member":...,"ok":true,"figures":{...},"finalStep":...,"stoppedEarly":...,
 *       "seconds":...,"threads":N}}, or {@code {"key":...,"member":...,"ok":false,"error":"one line"}}.</li>
 * </ul>
 * Parsing is strict: a request must have exactly those fields, a spec in canonical form, string settings,
 * and a thread count in 1..{@value #MAX_THREADS}; anything else is refused with one line.
 */
public final class RunMessages {

    /** The largest thread count a request may ask for. */
    public static final int MAX_THREADS = 1024;

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private static final int SIGNATURE = 64;

    /** A verified, parsed run request. */
    public record Request(RunSpec spec, int threads, String backend) {
    }

    /** A verified, parsed reply: the result, or the member's one-line reason for not giving one. */
    public record Reply(String key, String member, RunResult result, String error) {
    }

    private RunMessages() {
    }

    /** The signed request to run {@code spec} on {@code threads} threads of the backend {@code backend}. */
    public static String request(ClusterSecret secret, RunSpec spec, int threads, String backend) {
        JsonObject o = new JsonObject();
        o.add("spec", JsonParser.parseString(spec.canonical()));
        o.addProperty("label", spec.label());
        o.addProperty("threads", threads);
        o.addProperty("backend", backend);
        return signed(secret, o.toString());
    }

    /** The request in {@code message}; {@link IllegalArgumentException} with one line when it is unsigned, forged or malformed. */
    public static Request parseRequest(ClusterSecret secret, String message) {
        JsonObject o = verified(secret, message, "run request");
        if (!o.keySet().equals(Set.of("spec", "label", "threads", "backend"))) {
            throw new IllegalArgumentException("malformed run request: fields " + o.keySet() + ", expected [spec, label, threads, backend]");
        }
        try {
            JsonObject s = o.getAsJsonObject("spec");
            if (!s.keySet().equals(Set.of("command", "settings", "seed"))) {
                throw new IllegalArgumentException("malformed run request: spec fields " + s.keySet());
            }
            TreeMap<String, String> settings = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : s.getAsJsonObject("settings").entrySet()) {
                if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException("malformed run request: setting '" + e.getKey() + "' is not a string");
                }
                settings.put(e.getKey(), e.getValue().getAsString());
            }
            RunSpec spec = new RunSpec(s.get("command").getAsString(), settings, s.get("seed").getAsLong(), o.get("label").getAsString());
            if (!spec.canonical().equals(s.toString())) {
                throw new IllegalArgumentException("malformed run request: spec is not in canonical form");
            }
            int threads = o.get("threads").getAsInt();
            if (threads < 1 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("malformed run request: threads " + threads + " not in 1.." + MAX_THREADS);
            }
            String backend = o.get("backend").getAsString();
            if (!backend.matches("[a-z0-9-]{1,32}")) {
                throw new IllegalArgumentException("malformed run request: backend '" + backend + "'");
            }
            return new Request(spec, threads, backend);
        } catch (ClassCastException | IllegalStateException | UnsupportedOperationException | NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("malformed run request: " + e.getMessage());
        }
    }

    /** The signed reply with {@code r}, from {@code member}. */
    public static String result(ClusterSecret secret, RunResult r, String member) {
        JsonObject o = new JsonObject();
        o.addProperty("key", r.spec().key());
        o.addProperty("member", member);
        o.addProperty("ok", true);
        ResultJson.put(o, r);
        return signed(secret, GSON.toJson(o));
    }

    /** The signed reply saying why {@code member} gave no result for the run {@code key}. */
    public static String failure(ClusterSecret secret, String key, String member, String error) {
        JsonObject o = new JsonObject();
        o.addProperty("key", key);
        o.addProperty("member", member);
        o.addProperty("ok", false);
        o.addProperty("error", error);
        return signed(secret, o.toString());
    }

    /** The reply in {@code message} to the request for {@code spec}; fails in one line when unsigned, forged, malformed or for another run. */
    public static Reply parseReply(ClusterSecret secret, String message, RunSpec spec) {
        JsonObject o = verified(secret, message, "reply");
        try {
            String key = o.get("key").getAsString();
            String member = o.get("member").getAsString();
            if (!o.get("ok").getAsBoolean()) {
                return new Reply(key, member, null, o.get("error").getAsString());
            }
            if (!key.equals(spec.key())) {
                throw new IllegalArgumentException("reply from " + member + " is for run " + key + ", not " + spec.key());
            }
            if (!o.has("threads")) {
                throw new IllegalArgumentException("malformed reply: no thread count");
            }
            return new Reply(key, member, ResultJson.get(o, spec), null);
        } catch (ClassCastException | IllegalStateException | UnsupportedOperationException | NumberFormatException
                 | NullPointerException | JsonParseException e) {
            throw new IllegalArgumentException("malformed reply: " + e.getMessage());
        }
    }

    private static String signed(ClusterSecret secret, String payload) {
        return secret.sign(payload) + " " + payload;
    }

    private static JsonObject verified(ClusterSecret secret, String message, String what) {
        if (message == null || message.length() < SIGNATURE + 1 || message.charAt(SIGNATURE) != ' ') {
            throw new IllegalArgumentException("refused " + what + ": no signature");
        }
        String payload = message.substring(SIGNATURE + 1);
        if (!secret.verifies(payload, message.substring(0, SIGNATURE))) {
            throw new IllegalArgumentException("refused " + what + ": bad signature (not signed with this cluster's secret)");
        }
        try {
            JsonElement e = JsonParser.parseString(payload);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("malformed " + what + ": not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed " + what + ": " + e.getMessage());
        }
    }
}
