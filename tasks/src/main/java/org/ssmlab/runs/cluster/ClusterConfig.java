package org.ssmlab.runs.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.DurableExecutorConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How a process takes part in a cluster: the members it joins or submits to ({@code HOST:PORT,...}),
 * the address and port a member binds to, the {@link ClusterSecret}, and extra Hazelcast properties
 * (tests shorten the failure-detection timeouts with them).
 *
 * <p>A member binds to the given address only, joins only through the explicit member list (multicast
 * and auto-detection off), asks for the cluster named after the secret, accepts Java-serialized objects
 * of exactly one class ({@link SignedRun}, the run request), has no user-code deployment, and runs the
 * durable executor {@value #EXECUTOR} with one run at a time (a run uses all the threads its submitter
 * fixed) and one backup of every queued run, so a run whose member dies is run again by another.
 * Phone-home is off; Hazelcast logs warnings and errors only on a member, errors only on a submitter.
 */
public record ClusterConfig(List<String> members, String bind, int port, ClusterSecret secret, Map<String, String> properties) {

    /** The durable executor that runs the runs. */
    public static final String EXECUTOR = "ssmlab-runs";
    /** Hazelcast's usual member port, the default of {@code --port} and of an address without one. */
    public static final int DEFAULT_PORT = 5701;

    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    public ClusterConfig {
        members = List.copyOf(members);
        properties = Map.copyOf(properties);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("cluster: --port " + port + " must be in 1..65535");
        }
        for (String m : members) {
            parse(m);
        }
    }

    /** The config of {@code members} (a comma-separated {@code HOST:PORT} list) with no extra properties. */
    public static ClusterConfig of(String members, String bind, int port, ClusterSecret secret) {
        return new ClusterConfig(splitMembers(members), bind, port, secret, Map.of());
    }

    /** The config of a submitter (a client: it binds nothing) of the cluster of {@code members}. */
    public static ClusterConfig submitter(String members, ClusterSecret secret) {
        List<String> m = splitMembers(members);
        if (m.isEmpty()) {
            throw new IllegalArgumentException("--cluster: no member address given");
        }
        return new ClusterConfig(m, "0.0.0.0", DEFAULT_PORT, secret, Map.of());
    }

    /** The same with Hazelcast {@code properties} added (e.g. shorter timeouts). */
    public ClusterConfig with(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.putAll(more);
        return new ClusterConfig(members, bind, port, secret, all);
    }

    /** {@code HOST:PORT,HOST:PORT,...} as a list, each with a port ({@value #DEFAULT_PORT} when none is given). */
    public static List<String> splitMembers(String list) {
        List<String> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String m : list.split(",")) {
            String t = m.strip();
            if (!t.isEmpty()) {
                String[] hp = parse(t);
                out.add(hp[0] + ":" + hp[1]);
            }
        }
        return out;
    }

    private static String[] parse(String member) {
        int colon = member.lastIndexOf(':');
        String host = colon < 0 ? member : member.substring(0, colon);
        String port = colon < 0 ? Integer.toString(DEFAULT_PORT) : member.substring(colon + 1);
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("cluster: member '" + member + "' must be HOST:PORT with a port in 1..65535");
        }
        return new String[] {host, port};
    }

    /** The Hazelcast config of a worker member. */
    public Config memberConfig() {
        quietLogging(Level.WARNING);
        Config c = new Config();
        c.setClusterName(secret.clusterName());
        common(c.getProperties());
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.shutdownhook.enabled", "false");     // the worker leaves on its own hook (Worker.close)
        NetworkConfig n = c.getNetworkConfig();
        n.setPort(port).setPortAutoIncrement(false);
        n.getInterfaces().setEnabled(true).addInterface(bind);
        n.setPublicAddress(bind + ":" + port);
        n.getRestApiConfig().setEnabled(false);
        JoinConfig j = n.getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(members.isEmpty() ? List.of(bind + ":" + port) : members));
        c.getJetConfig().setEnabled(false);
        c.getUserCodeDeploymentConfig().setEnabled(false);
        c.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
                .setWhitelist(new ClassFilter().addClasses(SignedRun.class.getName())));
        c.addDurableExecutorConfig(new DurableExecutorConfig(EXECUTOR).setPoolSize(1).setDurability(1).setCapacity(1000));
        return c;
    }

    /** The Hazelcast config of a submitter: a client of the members listed, which runs nothing itself. */
    public ClientConfig clientConfig() {
        quietLogging(Level.SEVERE);                 // a failed connection is reported in one line by the submitter
        ClientConfig c = new ClientConfig();
        c.setClusterName(secret.clusterName());
        common(c.getProperties());
        c.getNetworkConfig().setAddresses(new ArrayList<>(members));
        c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(
                Long.parseLong(properties.getOrDefault("ssmlab.cluster.connect.timeout.millis", "60000")));
        return c;
    }

    private void common(java.util.Properties p) {
        p.setProperty("hazelcast.phone.home.enabled", "false");
        p.setProperty("hazelcast.logging.type", "jdk");
        properties.forEach((k, v) -> {
            if (k.startsWith("hazelcast.")) {
                p.setProperty(k, v);
            }
        });
    }

    /** Hazelcast logs at {@code level} and above only (its start-up banner and member lists are information). */
    static void quietLogging(Level level) {
        System.setProperty("hazelcast.logging.type", "jdk");
        HAZELCAST_LOG.setLevel(level);
    }
}
