package org.ssmlab.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.ssmlab.runs.RunResult;
import org.ssmlab.ssm.core.Polarization;

/** The statistics and verdict of Table 2 on synthetic run results. */
class Table2StatsTest {

    static final List<Integer> KV = List.of(4, 16);

    static RunResult run(Polarization pol, int layers, long seed, double easy, double hard) {
        return new RunResult(Recall.spec(Recall.Preset.quick(), pol, layers, seed),
                new TreeMap<>(Map.of("accuracy_kv4", easy, "accuracy_kv16", hard)), 100, false, 1);
    }

    /** none and both over three seeds; both's hard-column accuracy is none's plus {@code gain[s]}. */
    static Table2Stats grid(double[] gain) {
        double[] noneHard = {0.30, 0.50, 0.40};
        List<RunResult> rs = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            rs.add(run(Polarization.NONE, 2, s, 0.99, noneHard[s]));
            rs.add(run(Polarization.BOTH, 2, s, 0.99, noneHard[s] + gain[s]));
        }
        return new Table2Stats(rs, KV, List.of(2));
    }

    @Test
    void anEffectWhoseCiExcludesZeroIsNamed() {
        // Paired gains 0.10, 0.12, 0.11: mean 0.11, sd 0.01, half-width t(0.975, 2) * 0.01 / sqrt(3) = 0.0248.
        Table2Stats t = grid(new double[] {0.10, 0.12, 0.11});
        var d = t.differenceToNone(Polarization.BOTH, 2, 1);
        assertEquals(0.11, d.mean(), 1e-12);
        assertEquals(4.302652729749464 * 0.01 / Math.sqrt(3), d.halfWidth(), 1e-9);
        String v = t.verdict();
        assertTrue(v.contains("both above none at 2L, 16 KV (+11.0 ± 2.5 points)"), v);
        assertFalse(v.startsWith("polarization against none: no significant"), v);
        Map<String, String> f = t.figures();
        assertEquals("0.1100", f.get("table2_diff_both_vs_none_L2_kv16"));
        assertEquals("0.0248", f.get("table2_diff_both_vs_none_L2_kv16_ci95"));
        assertEquals("0.4000", f.get("table2_acc_none_L2_kv16_mean"));
        assertEquals(3, t.learned(Polarization.NONE, 2, 0.95));
        assertEquals(0, t.learned(Polarization.NONE, 2, 0.995));
        // The easy column is equal for every seed: difference 0 with a zero-width interval, not named.
        assertFalse(v.contains("4 KV"), v);
    }

    @Test
    void aVerdictOnAnUnfinishedGridIsMarkedProvisional() {
        String v = grid(new double[] {0.10, 0.12, 0.11}).verdict();
        assertEquals(v, Table2Command.provisional(v, 72, 72));
        String partial = Table2Command.provisional(v, 60, 72);
        assertTrue(partial.startsWith("provisional, 60 of 72 runs finished") && partial.endsWith(v), partial);
    }

    @Test
    void anEffectWhoseCiIncludesZeroIsNotNamed() {
        // The same mean gain 0.11, but paired gains spread over 0.30, -0.10, 0.13: the CI includes 0.
        Table2Stats t = grid(new double[] {0.30, -0.10, 0.13});
        var d = t.differenceToNone(Polarization.BOTH, 2, 1);
        assertEquals(0.11, d.mean(), 1e-12);
        assertTrue(d.low() < 0 && d.high() > 0, d.toString());
        assertEquals("polarization against none: no significant difference at this scale (3 seeds)", t.verdict());
        assertTrue(t.comparisons().stream().allMatch(c -> c.contains("no significant difference")), t.comparisons().toString());
    }

    @Test
    void unpairedSeedsAreLeftOutAndMissingCellsAreNotReported() {
        List<RunResult> rs = new ArrayList<>(List.of(run(Polarization.NONE, 2, 1, 0.9, 0.2), run(Polarization.NONE, 2, 2, 0.9, 0.3),
                run(Polarization.ONE, 2, 2, 0.9, 0.5), run(Polarization.ONE, 2, 7, 0.9, 0.0)));
        Table2Stats t = new Table2Stats(rs, KV, List.of(2, 4));
        var d = t.differenceToNone(Polarization.ONE, 2, 1);
        assertEquals(1, d.n(), "only seed 2 ran in both cells");
        assertEquals(0.2, d.mean(), 1e-12);
        assertTrue(Double.isNaN(d.halfWidth()));
        assertNull(t.accuracy(Polarization.BOTH, 2, 0));
        assertFalse(t.figures().containsKey("table2_acc_none_L4_kv4_mean"));
        assertEquals("polarization against none: no significant difference at this scale (1 seed)", t.verdict());
    }

    /** Two seeds at two rates: validation prefers 3e-3 for seed 0 and 1e-3 for seed 1; the test accuracy says the opposite. */
    private static List<RunResult> twoRatesTwoSeeds(Map<RunResult, double[]> validation) {
        List<RunResult> rs = new ArrayList<>();
        for (double lr : new double[] {1e-3, 3e-3}) {
            for (long s = 0; s < 2; s++) {
                boolean validationBest = (lr == 3e-3) == (s == 0);
                TreeMap<String, Double> figures = new TreeMap<>();
                for (int k : Recall.Preset.quick().kvCounts()) {
                    figures.put(Recall.accuracyFigure(k), validationBest ? 0.3 : 0.9);
                }
                RunResult r = new RunResult(Recall.spec(Recall.Preset.quick().withLr(lr), Polarization.NONE, 2, s), figures, 10, false, 1);
                // seed 0 favours 3e-3 strongly (0.9 against 0.2); seed 1 favours 1e-3 weakly (0.6 against 0.5)
                double v = s == 0 ? (validationBest ? 0.9 : 0.2) : (validationBest ? 0.6 : 0.5);
                validation.put(r, new double[] {v, v});
                rs.add(r);
            }
        }
        return rs;
    }

    /** The runs {@link Table2Command#chooseLearningRates} keeps of {@link #twoRatesTwoSeeds}, per seed or per cell. */
    private static List<RunResult> keptFromTwoRatesTwoSeeds(boolean perSeed) {
        Map<RunResult, double[]> val = new java.util.IdentityHashMap<>();
        List<RunResult> rs = twoRatesTwoSeeds(val);
        return Table2Command.chooseLearningRates(rs, val::get, perSeed);
    }

    @Test
    void perSeedEachSeedKeepsTheRateOfItsBestValidationAccuracyNotItsBestTestAccuracy() {
        List<RunResult> kept = keptFromTwoRatesTwoSeeds(true);
        assertEquals(2, kept.size());
        for (RunResult r : kept) {
            assertEquals(r.spec().seed() == 0 ? "0.003" : "0.001", r.spec().get("lr"), "seed " + r.spec().seed());
            assertEquals(0.3, r.figure(Recall.accuracyFigure(2)), 0, "the run kept is the one validation chose");
        }
        assertEquals("0.001 ×1, 0.003 ×1", Table2Command.ratesUsed(kept, "none", 2));
    }

    @Test
    void perCellTheCellKeepsTheRateOfTheBestMeanValidationAccuracy() {
        List<RunResult> kept = keptFromTwoRatesTwoSeeds(false);
        // 3e-3: (0.9 + 0.5) / 2 = 0.7; 1e-3: (0.2 + 0.6) / 2 = 0.4
        assertEquals(2, kept.size());
        assertTrue(kept.stream().allMatch(r -> r.spec().get("lr").equals("0.003")));
        assertEquals("0.003", Table2Command.ratesUsed(kept, "none", 2));
    }

    @Test
    void lastValidationReadsTheLastRowByColumnName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertTrue(Recall.lastValidation(dir, List.of(2, 4)).isEmpty(), "no curve, no validation");
        java.nio.file.Files.writeString(dir.resolve("validation.csv"),
                "step,accuracy_kv4,accuracy_kv2\n100,0.5,0.6\n200,0.7,0.8\n");
        double[] v = Recall.lastValidation(dir, List.of(2, 4)).orElseThrow();
        assertEquals(0.8, v[0], 0, "KV 2 is the second column");
        assertEquals(0.7, v[1], 0);
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Recall.lastValidation(dir, List.of(8)));
    }
}
