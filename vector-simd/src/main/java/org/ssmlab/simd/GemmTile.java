package org.ssmlab.simd;

import java.util.Locale;

/**
 * The micro-tile shapes of {@link SimdGemm}: {@code rows} rows of C by {@code vectors} vectors of
 * columns, held in rows·vectors accumulator registers while the inner dimension is swept.
 *
 * <p>A tile needs {@code rows·vectors + vectors + 1} vector registers (accumulators, the B vectors of
 * one step, one broadcast A value). The machine's tile is the one measured fastest among those that
 * fit its register file, following BLIS's configurations: AVX2 has 16 registers of 8 floats, so 6 × 2
 * vectors (BLIS haswell: 6 × 16); AVX-512 has 32 registers of 16 floats, so a larger tile (BLIS skx
 * uses 24 accumulators). The choice can be overridden with {@code -Dssmlab.gemm.tile=ROWSxVECTORS}
 * (for example {@code 8x2}), which is how the shapes are compared.
 */
enum GemmTile {
    /** 8 accumulators, 11 registers: the fewest that cover AVX2's multiply-add latency × throughput (4 × 2). */
    ROWS4_VECTORS2(4, 2),
    /** 12 accumulators, 15 registers: the AVX2 tile (BLIS haswell: 6 × 16 floats). */
    ROWS6_VECTORS2(6, 2),
    /** 16 accumulators, 19 registers: spills with 16 registers. */
    ROWS8_VECTORS2(8, 2),
    /** 24 accumulators, 27 registers: the AVX-512 tile (BLIS skx also keeps 24 accumulators). */
    ROWS12_VECTORS2(12, 2);

    /** The system property that overrides the machine's tile, as {@code ROWSxVECTORS}. */
    static final String PROPERTY = "ssmlab.gemm.tile";

    /** Rows of C per tile: one broadcast of A per row and step. */
    final int rows;
    /** Vectors of C columns per tile: one load of B per vector and step. */
    final int vectors;

    GemmTile(int rows, int vectors) {
        this.rows = rows;
        this.vectors = vectors;
    }

    /** Columns of C per tile. */
    int columns() {
        return vectors * SimdGemm.L;
    }

    /** Vector registers the micro-kernel keeps live: accumulators, B vectors and one broadcast. */
    int registers() {
        return rows * vectors + vectors + 1;
    }

    /** The row block: about 128 rows, a whole number of tiles (an A block of mc × kc floats sits in L2). */
    int mc() {
        return (128 + rows - 1) / rows * rows;
    }

    /** Runs this tile's micro-kernel (see {@link GemmMicroKernels}). */
    void kernel(float[] ap, int aBase, float[] bp, int bBase, int kc, float[] acc) {
        switch (this) {
            case ROWS4_VECTORS2 -> GemmMicroKernels.rows4x2(ap, aBase, bp, bBase, kc, acc);
            case ROWS6_VECTORS2 -> GemmMicroKernels.rows6x2(ap, aBase, bp, bBase, kc, acc);
            case ROWS8_VECTORS2 -> GemmMicroKernels.rows8x2(ap, aBase, bp, bBase, kc, acc);
            case ROWS12_VECTORS2 -> GemmMicroKernels.rows12x2(ap, aBase, bp, bBase, kc, acc);
        }
    }

    /**
     * The vector registers the JIT can use: 32 with 512-bit vectors (AVX-512) and on AArch64 (NEON,
     * SVE), 16 on x86 below 512 bits (AVX2, including HotSpot's {@code -XX:UseAVX=2} on an AVX-512
     * machine, which emits VEX code with 16 registers).
     */
    static int vectorRegisters(String arch, int vectorBits) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
        return x86 && vectorBits < 512 ? 16 : 32;
    }

    /** The tile for a register file of {@code registers} vector registers. */
    static GemmTile forRegisters(int registers) {
        return registers >= 32 ? ROWS12_VECTORS2 : ROWS6_VECTORS2;
    }

    /** This machine's tile: {@code -Dssmlab.gemm.tile} if set, else the one for its register file. */
    static GemmTile forMachine() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return parse(forced);
        }
        return forRegisters(vectorRegisters(System.getProperty("os.arch", ""), SimdGemm.S.vectorBitSize()));
    }

    /** Parses {@code ROWSxVECTORS}, e.g. {@code 6x2}; fails naming the property and the known shapes. */
    static GemmTile parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (GemmTile tile : values()) {
            if (t.equals(tile.rows + "x" + tile.vectors)) {
                return tile;
            }
        }
        StringBuilder known = new StringBuilder();
        for (GemmTile tile : values()) {
            known.append(known.isEmpty() ? "" : ", ").append(tile);
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + text + ": not a tile shape; known: " + known);
    }

    /** {@code ROWSxVECTORS}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return rows + "x" + vectors;
    }
}
