package org.ssmlab.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.floats;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.ssmlab.simd.GemmCases.Problem;
import org.ssmlab.testing.Props;

/**
 * Every micro-tile shape {@link SimdGemm} can choose ({@link GemmTile}), not only this machine's,
 * against the scalar twin on random problems, and the rule that picks the tile from the register file.
 *
 * <p>Tolerance: as described on {@link GemmCases}.
 */
class GemmTilesTest {

    private static final Gemm SCALAR = new ScalarGemm();

    /** (m, n, k): m up to two row blocks of the largest tile, n up to four of its column panels, k across KC. */
    private static Gen<int[]> shapes() {
        int maxColumns = 0;
        for (GemmTile t : GemmTile.values()) {
            maxColumns = Math.max(maxColumns, t.columns());
        }
        return integers().between(0, 30).zip(integers().between(0, 4 * maxColumns + 3),
                integers().between(0, SimdGemm.KC + 40), (m, n, k) -> new int[] {m, n, k});
    }

    @Test
    void everyTileAgreesWithTheScalarTwinOnRandomProblems() {
        EnumSet<GemmTile> seen = EnumSet.noneOf(GemmTile.class);
        Props.qt(200).forAll(arbitrary().enumValues(GemmTile.class), shapes(), floats().between(-2f, 2f), longs().all())
                .checkAssert((tile, shape, alpha, seed) -> {
                    seen.add(tile);
                    // Random transposes and offsets from the seed; alpha from the generator; beta 0, 1 or in [-1, 1).
                    Problem base = Problem.random(seed, shape[0], shape[1], shape[2]);
                    long mix = seed * 0x9E3779B97F4A7C15L;
                    float beta = switch ((int) Math.floorMod(mix >> 40, 3L)) {
                        case 0 -> 0f;
                        case 1 -> 1f;
                        default -> (float) ((mix >>> 11) * 0x1.0p-53 * 2 - 1);
                    };
                    Problem p = base.withScalars(alpha, beta);
                    GemmCases.assertClose(p, p.run(SCALAR), p.run(new SimdGemm(tile)));
                });
        assertEquals(EnumSet.allOf(GemmTile.class), seen, "every tile shape must be sampled");
    }

    @Test
    void everyTileAgreesAcrossTheRowBlockAndTheThreadedSplit() {
        for (GemmTile tile : GemmTile.values()) {
            int mc = tile.mc();
            int nr = tile.columns();
            GemmCases.agreeOnShapes(SCALAR, new SimdGemm(tile), new int[][] {
                {mc + tile.rows + 1, 2 * nr + 3, 70},   // crosses MC and leaves a partial tile both ways
                {300, 3 * nr + 1, 100},                 // threaded split by rows (m > n, enough work)
            });
        }
    }

    @Test
    void tileFitsTheRegisterFileItIsChosenFor() {
        for (int registers : new int[] {16, 32}) {
            GemmTile t = GemmTile.forRegisters(registers);
            assertTrue(t.registers() <= registers, t + " needs " + t.registers() + " registers, has " + registers);
        }
        assertEquals(GemmTile.ROWS6_VECTORS2, GemmTile.forRegisters(16), "AVX2: BLIS haswell's 6 x 2 vectors");
        assertEquals(GemmTile.ROWS12_VECTORS2, GemmTile.forRegisters(32));
        assertEquals(16, GemmTile.vectorRegisters("amd64", 256), "AVX2 (also -XX:UseAVX=2 on an AVX-512 machine)");
        assertEquals(32, GemmTile.vectorRegisters("amd64", 512), "AVX-512");
        assertEquals(32, GemmTile.vectorRegisters("aarch64", 128), "NEON");
    }

    @Test
    void negativeControlTheSpillingTileDoesNotFitSixteenRegisters() {
        // The register count is what the choice rests on: 8 x 2 (the old tile) needs 19 and must not be
        // what a 16-register machine gets.
        assertTrue(GemmTile.ROWS8_VECTORS2.registers() > 16);
        assertTrue(GemmTile.forRegisters(16).registers() <= 16);
    }

    @Test
    void theMachineTileFollowsTheRegisterFileUnlessOverridden() {
        String before = System.getProperty(GemmTile.PROPERTY);
        try {
            System.clearProperty(GemmTile.PROPERTY);
            GemmTile byRegisters = GemmTile.forRegisters(
                    GemmTile.vectorRegisters(System.getProperty("os.arch", ""), SimdGemm.S.vectorBitSize()));
            assertEquals(byRegisters, GemmTile.forMachine());
            assertEquals(byRegisters, new SimdGemm().tile());
            GemmTile other = byRegisters == GemmTile.ROWS4_VECTORS2 ? GemmTile.ROWS8_VECTORS2 : GemmTile.ROWS4_VECTORS2;
            System.setProperty(GemmTile.PROPERTY, other.toString());
            assertEquals(other, GemmTile.forMachine(), "-D" + GemmTile.PROPERTY + "=" + other);
            assertEquals(other, new SimdGemm().tile());
        } finally {
            if (before == null) {
                System.clearProperty(GemmTile.PROPERTY);
            } else {
                System.setProperty(GemmTile.PROPERTY, before);
            }
        }
    }

    @Test
    void tileOverrideParsesAndRejectsUnknownShapes() {
        for (GemmTile t : GemmTile.values()) {
            assertEquals(t, GemmTile.parse(t.toString()), "the name of " + t + " parses back to it");
        }
        assertEquals(GemmTile.ROWS8_VECTORS2, GemmTile.parse(" 8X2 "));
        var e = assertThrows(IllegalArgumentException.class, () -> GemmTile.parse("7x3"));
        assertTrue(e.getMessage().contains("ssmlab.gemm.tile") && e.getMessage().contains("7x3")
                && e.getMessage().endsWith("known: 4x2, 6x2, 8x2, 12x2"), e.getMessage());
    }
}
