package org.ssmlab.simd;

import org.ssmlab.simd.Scans.Complex;
import org.ssmlab.simd.Scans.Selective;

/**
 * Argument checks of the {@link Scans} kernels, shared by every implementation (the twins here, the
 * OpenCL backend in its own module); messages name the kernel, the argument and the sizes.
 */
public final class ScanChecks {

    private ScanChecks() {
    }

    /** {@code array} (not null) holds at least {@code size} floats for the described shape. */
    public static void need(String k, String arg, String shape, float[] array, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(k + ": " + arg + " " + shape + " has " + size + " elements, too many");
        }
        Checks.range(k, arg + " " + shape, array, 0, (int) size);
    }

    /** Like {@link #need} but a null array is allowed. */
    public static void optional(String k, String arg, String shape, float[] array, long size) {
        if (array != null) {
            need(k, arg, shape, array, size);
        }
    }

    /** Checks both parts of a complex array (a null {@code c} is allowed when {@code nullable}). */
    public static void complex(String k, String arg, String shape, Complex c, long size, boolean nullable) {
        if (c == null) {
            if (!nullable) {
                throw new IllegalArgumentException(k + ": " + arg + " is null");
            }
            return;
        }
        need(k, arg + ".re", shape, c.re(), size);
        need(k, arg + ".im", shape, c.im(), size);
    }

    /** Checks that batch, len and channels are not negative. */
    public static void sizes(String k, int batch, int len, int channels) {
        Checks.size(k, "batch", batch);
        Checks.size(k, "len", len);
        Checks.size(k, "channels", channels);
    }

    static String blc(int batch, int len, int channels) {
        return "(" + batch + ", " + len + ", " + channels + ")";
    }

    static String bc(int batch, int channels) {
        return "(" + batch + ", " + channels + ")";
    }

    /** The arguments of {@link Scans#diagonal} (and of the chunked scan). */
    public static void diagonal(String k, int batch, int len, int channels, float[] a, float[] b, float[] h0,
                         float[] h, float[] hLast) {
        sizes(k, batch, len, channels);
        long n = (long) batch * len * channels;
        String s = blc(batch, len, channels);
        need(k, "a", s, a, n);
        need(k, "b", s, b, n);
        need(k, "h", s, h, n);
        optional(k, "h0", bc(batch, channels), h0, (long) batch * channels);
        optional(k, "hLast", bc(batch, channels), hLast, (long) batch * channels);
    }

    /** The arguments of {@link Scans#diagonalChunked}: those of the diagonal scan and a chunk of at least 1. */
    public static void diagonalChunked(String k, int batch, int len, int channels, int chunk, float[] a, float[] b,
                                       float[] h0, float[] h, float[] hLast) {
        diagonal(k, batch, len, channels, a, b, h0, h, hLast);
        if (chunk < 1) {
            throw new IllegalArgumentException(k + ": chunk = " + chunk + " must be at least 1");
        }
    }

    /** The arguments of {@link Scans#diagonalBackward}. */
    public static void diagonalBackward(String k, int batch, int len, int channels, float[] a, float[] h0, float[] h,
                                 float[] gH, float[] gLast, float[] ga, float[] gb, float[] gh0) {
        sizes(k, batch, len, channels);
        long n = (long) batch * len * channels;
        String s = blc(batch, len, channels);
        String s0 = bc(batch, channels);
        need(k, "a", s, a, n);
        need(k, "h", s, h, n);
        need(k, "gH", s, gH, n);
        need(k, "ga", s, ga, n);
        need(k, "gb", s, gb, n);
        optional(k, "h0", s0, h0, (long) batch * channels);
        optional(k, "gLast", s0, gLast, (long) batch * channels);
        optional(k, "gh0", s0, gh0, (long) batch * channels);
    }

    /** The arguments of {@link Scans#complexDiagonal}. */
    public static void complexDiagonal(String k, int batch, int len, int channels, Complex a, Complex b, Complex h0,
                                Complex h, Complex hLast) {
        sizes(k, batch, len, channels);
        long n = (long) batch * len * channels;
        String s = blc(batch, len, channels);
        complex(k, "a", s, a, n, false);
        complex(k, "b", s, b, n, false);
        complex(k, "h", s, h, n, false);
        complex(k, "h0", bc(batch, channels), h0, (long) batch * channels, true);
        complex(k, "hLast", bc(batch, channels), hLast, (long) batch * channels, true);
    }

    /** The arguments of {@link Scans#complexDiagonalBackward}. */
    public static void complexDiagonalBackward(String k, int batch, int len, int channels, Complex a, Complex h0,
                                        Complex h, Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        sizes(k, batch, len, channels);
        long n = (long) batch * len * channels;
        String s = blc(batch, len, channels);
        String s0 = bc(batch, channels);
        complex(k, "a", s, a, n, false);
        complex(k, "h", s, h, n, false);
        complex(k, "gH", s, gH, n, false);
        complex(k, "ga", s, ga, n, false);
        complex(k, "gb", s, gb, n, false);
        complex(k, "h0", s0, h0, (long) batch * channels, true);
        complex(k, "gLast", s0, gLast, (long) batch * channels, true);
        complex(k, "gh0", s0, gh0, (long) batch * channels, true);
    }

    /** The inputs shared by the selective scan kernels. */
    public static void selectiveInputs(String k, Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                float[] Dskip, float[] z) {
        if (s == null) {
            throw new IllegalArgumentException(k + ": sizes (Selective) is null");
        }
        long bld = (long) s.batch() * s.len() * s.d();
        long bln = (long) s.batch() * s.len() * s.nTotal();
        String x = blc(s.batch(), s.len(), s.d());
        String bcShape = blc(s.batch(), s.len(), s.nTotal()) + " [N_total = " + s.nTotal() + "]";
        need(k, "u", x, u, bld);
        need(k, "delta", x, delta, bld);
        need(k, "A", "(" + s.d() + ", " + s.n() + ")", A, (long) s.d() * s.n());
        need(k, "B", bcShape, B, bln);
        need(k, "C", bcShape, C, bln);
        optional(k, "Dskip", "(" + s.d() + ")", Dskip, s.d());
        optional(k, "z", x, z, bld);
    }

    /** The arguments of {@link Scans#selectiveStep}. */
    public static void selectiveStep(String k, Selective s, float[] h, float[] u, float[] delta, float[] A, float[] B,
                              float[] C, float[] Dskip, float[] z, float[] out) {
        if (s == null) {
            throw new IllegalArgumentException(k + ": sizes (Selective) is null");
        }
        long bd = (long) s.batch() * s.d();
        String x = bc(s.batch(), s.d());
        String bn = bc(s.batch(), s.nTotal()) + " [N_total = " + s.nTotal() + "]";
        need(k, "h", "(" + s.batch() + ", " + s.d() + ", " + s.nTotal() + ")", h, (long) s.stateSize());
        need(k, "u", x, u, bd);
        need(k, "delta", x, delta, bd);
        need(k, "A", "(" + s.d() + ", " + s.n() + ")", A, (long) s.d() * s.n());
        need(k, "B", bn, B, (long) s.batch() * s.nTotal());
        need(k, "C", bn, C, (long) s.batch() * s.nTotal());
        optional(k, "Dskip", "(" + s.d() + ")", Dskip, s.d());
        optional(k, "z", x, z, bd);
        need(k, "out", x, out, bd);
    }

    /** The arguments of {@link Scans#selectiveForward}. */
    public static void selectiveForward(String k, Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] out, float[] checkpoints, float[] hLast) {
        selectiveInputs(k, s, u, delta, A, B, C, Dskip, z);
        need(k, "out", blc(s.batch(), s.len(), s.d()), out, (long) s.batch() * s.len() * s.d());
        optional(k, "checkpoints", "(" + s.batch() + ", " + s.chunks() + ", " + s.nTotal() + ", " + s.d() + ")",
                checkpoints, s.checkpointSize());
        optional(k, "hLast", "(" + s.batch() + ", " + s.d() + ", " + s.nTotal() + ")", hLast, s.stateSize());
    }

    /** The arguments of {@link Scans#selectiveBackward}. */
    public static void selectiveBackward(String k, Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] checkpoints, float[] gOut, float[] gu,
                                  float[] gDelta, float[] gA, float[] gB, float[] gC, float[] gD, float[] gz) {
        selectiveInputs(k, s, u, delta, A, B, C, Dskip, z);
        long bld = (long) s.batch() * s.len() * s.d();
        long bln = (long) s.batch() * s.len() * s.nTotal();
        String x = blc(s.batch(), s.len(), s.d());
        String bcShape = blc(s.batch(), s.len(), s.nTotal());
        need(k, "checkpoints", "(" + s.batch() + ", " + s.chunks() + ", " + s.nTotal() + ", " + s.d() + ")",
                checkpoints, s.checkpointSize());
        need(k, "gOut", x, gOut, bld);
        need(k, "gu", x, gu, bld);
        need(k, "gDelta", x, gDelta, bld);
        need(k, "gA", "(" + s.d() + ", " + s.n() + ")", gA, (long) s.d() * s.n());
        need(k, "gB", bcShape, gB, bln);
        need(k, "gC", bcShape, gC, bln);
        if (Dskip != null) {
            need(k, "gD", "(" + s.d() + ")", gD, s.d());
        }
        if (z != null) {
            need(k, "gz", x, gz, bld);
        }
    }
}
