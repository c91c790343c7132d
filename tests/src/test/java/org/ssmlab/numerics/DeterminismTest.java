package org.ssmlab.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A training run is a function of its seed and thread count alone: the same parameters, bit for bit,
 * whether the SIMD kernels run cold (interpreter and C1: the Vector API's Java fallbacks) or compiled by
 * C2 (its intrinsics), and with one thread or two. Each case is a fresh JVM running {@link TrainingHash}
 * (Mamba and transformer LMs, 3 AdamW steps, 4 runs in a row). This holds because every transcendental lane and
 * every lane sum of the kernels is built from exactly rounded lane operations ({@code VectorMath}); with
 * the Vector API's own {@code EXP} and {@code reduceLanes(ADD)} a cold and a warm run differed.
 */
class DeterminismTest {

    /** The hash lines printed by a child JVM with {@code flags}. */
    private static List<String> run(int runs, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(List.of(flags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrainingHash.class.getName());
        cmd.add(Integer.toString(runs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("probe " + cmd + " failed: " + err);
        }
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void trainingGivesTheSameBitsColdAndWarmAndOnOneOrTwoThreads() throws Exception {
        // One JVM, four runs in a row: the first meets the interpreter and C1, the later ones C2.
        List<String> warming = run(4, "-Dssmlab.threads=1");
        assertEquals(4, warming.size(), warming.toString());
        for (String line : warming) {
            assertEquals(warming.get(0), line, "a later run in the same JVM (more of it compiled) differs: " + warming);
        }
        // Two threads: the kernels split their work in a fixed way and add partial sums in a fixed order.
        assertEquals(warming.get(0), run(1, "-Dssmlab.threads=2").get(0), "two threads differ from one");
    }
}
