package org.ssmlab.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Determinism across thread counts: the same seeded training run ({@link TrainingRun}) in two child JVMs,
 * with {@code -Dssmlab.threads=1} and {@code -Dssmlab.threads=2}, ends with bit-identical parameters.
 * The engine splits work into contiguous ranges and never combines partial results across ranges in
 * an order that depends on the thread count, so this must hold.
 */
class DeterminismTest {

    static String run(String family, int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Xss4m", "-Dssmlab.threads=" + threads,
                "-cp", System.getProperty("java.class.path"), TrainingRun.class.getName(), family));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "training run did not finish");
        assertEquals(0, p.exitValue(), "training run failed:\n" + out);
        assertTrue(out.contains("threads=" + threads), out);
        return out.lines().filter(l -> l.startsWith("params_sha256=")).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mamba", "transformer"})
    void oneAndTwoThreadsGiveTheSameParameters(String family) throws Exception {
        String one = run(family, 1);
        String two = run(family, 2);
        System.out.println("[determinism] " + family + " 1 thread " + one + ", 2 threads " + two);
        assertEquals(one, two, family + ": parameters after the same seeded run differ between 1 and 2 threads");
    }
}
