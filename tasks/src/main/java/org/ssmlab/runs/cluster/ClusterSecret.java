package org.ssmlab.runs.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret of a cluster and what is derived from it. Hazelcast's community edition has no
 * authentication of its own, so the secret does both jobs:
 * <ul>
 *   <li>membership: the cluster name is {@code ssmlab-} and 16 hex digits of HMAC-SHA256(secret,
 *       "cluster-name"); a member or client with another secret asks for another cluster and is turned
 *       away. The name travels in clear, and reveals nothing of the secret or the signing key.</li>
 *   <li>work: every run request and every result is signed with HMAC-SHA256 under a key derived as
 *       HMAC-SHA256(secret, "run-signing"); a member executes only a request whose signature verifies
 *       (compared in constant time), and the submitter stores only results whose signature verifies.</li>
 * </ul>
 * The secret comes from the environment variable {@value #ENV}, else from the first line of the file
 * {@code ~/.ssmlab/cluster-secret} ({@link #FILE}); it must be at least {@value #MIN_LENGTH} characters.
 */
public final class ClusterSecret {

    /** The environment variable that holds the secret. */
    public static final String ENV = "SSMLAB_CLUSTER_SECRET";
    /** The file read when the variable is not set, relative to the user's home directory. */
    public static final String FILE = ".ssmlab/cluster-secret";
    /** The shortest secret accepted. */
    public static final int MIN_LENGTH = 16;

    private final String clusterName;
    private final byte[] signingKey;

    private ClusterSecret(String secret) {
        if (secret == null || secret.strip().length() < MIN_LENGTH) {
            throw new IllegalArgumentException("cluster secret: must be at least " + MIN_LENGTH
                    + " characters (set " + ENV + " or write it to ~/" + FILE + ")");
        }
        byte[] s = secret.strip().getBytes(StandardCharsets.UTF_8);
        this.clusterName = "ssmlab-" + HexFormat.of().formatHex(hmac(s, "cluster-name".getBytes(StandardCharsets.UTF_8)), 0, 8);
        this.signingKey = hmac(s, "run-signing".getBytes(StandardCharsets.UTF_8));
    }

    /** The cluster of {@code secret}. */
    public static ClusterSecret of(String secret) {
        return new ClusterSecret(secret);
    }

    /** The secret from {@code env} ({@value #ENV}), else from {@code home}/{@value #FILE}; fails in one line naming both. */
    public static ClusterSecret find(Map<String, String> env, Path home) throws IOException {
        String v = env.get(ENV);
        if (v != null && !v.isBlank()) {
            return of(v);
        }
        Path file = home.resolve(FILE);
        if (Files.isRegularFile(file)) {
            String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            return of(first);
        }
        throw new IllegalArgumentException("no cluster secret: set " + ENV + " or write it to ~/" + FILE
                + " (the same on every machine of the cluster)");
    }

    /** The secret of this process: {@link #find} on the environment and the user's home directory. */
    public static ClusterSecret fromEnvironment() throws IOException {
        return find(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The Hazelcast cluster name: derived from the secret, never the secret itself. */
    public String clusterName() {
        return clusterName;
    }

    /** The signature of {@code payload}: 64 hex digits of HMAC-SHA256 under the signing key. */
    public String sign(String payload) {
        return HexFormat.of().formatHex(hmac(signingKey, payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code signature} is {@code payload}'s, compared in constant time. */
    public boolean verifies(String payload, String signature) {
        if (payload == null || signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(payload).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cluster secret: HmacSHA256 is missing from this JDK", e);
        }
    }
}
