package org.ssmlab.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --isa}: parsing, the peer's environment per instruction set, and the round summaries. */
class IsaTest {

    @Test
    void parsesTheThreeNamesAndRejectsOthersNamingTheFlag() {
        assertEquals(Isa.AVX2, Isa.parse("AVX2"));
        assertEquals(Isa.AVX512, Isa.parse("avx-512"));
        assertEquals(Isa.NATIVE, Isa.parse("native"));
        var e = assertThrows(IllegalArgumentException.class, () -> Isa.parse("sse4"));
        assertTrue(e.getMessage().contains("--isa sse4"), e.getMessage());
    }

    @Test
    void thePeerIsPinnedToTheSameInstructionSet() {
        assertEquals("Haswell", Isa.AVX2.peerEnvironment.get("OPENBLAS_CORETYPE"));
        assertEquals("avx2", Isa.AVX2.peerEnvironment.get("ATEN_CPU_CAPABILITY"));
        assertEquals("SkylakeX", Isa.AVX512.peerEnvironment.get("OPENBLAS_CORETYPE"));
        assertEquals("avx512", Isa.AVX512.peerEnvironment.get("ATEN_CPU_CAPABILITY"));
        assertTrue(Isa.NATIVE.peerEnvironment.isEmpty(), "native leaves the peer's environment alone");
        assertEquals(2, Isa.AVX2.useAvx);
        assertEquals(3, Isa.AVX512.useAvx);
    }

    @Test
    void nativeNeverRunsElsewhereAndTheCurrentLevelIsNotRelaunched() {
        assertNull(Isa.NATIVE.runElsewhereIfNeeded(List.of("bench", "gemm")));
        int level = Isa.currentUseAvx();
        for (Isa isa : List.of(Isa.AVX2, Isa.AVX512)) {
            if (isa.useAvx == level) {
                assertNull(isa.runElsewhereIfNeeded(List.of("bench", "gemm")), isa + " is this JVM's level");
            }
        }
    }

    @Test
    void summaryGivesTheMedianTheMinimumAndEveryRound() {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            BenchOptions.printSummary(out, "x_ratio", new double[] {0.9, 0.5, 0.8}, "%.2f");
        }
        List<String> lines = text.toString().lines().toList();
        assertEquals(List.of("x_ratio=0.80", "x_ratio_min=0.50", "x_ratio_rounds=0.90,0.50,0.80"), lines);
    }
}
