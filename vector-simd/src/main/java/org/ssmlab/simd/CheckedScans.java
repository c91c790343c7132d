package org.ssmlab.simd;

/**
 * The one place the {@link Scans} arguments are checked: a decorator that checks every call and hands
 * it to the raw kernels of a backend, which check nothing. {@link Backend} wraps each backend's scans
 * in it, so every implementation (scalar, SIMD, OpenCL) is checked the same way, once per call.
 *
 * <p>A failure is an {@link IllegalArgumentException} naming the kernel as {@code Impl.method} (the raw
 * implementation's class, e.g. {@code SimdScans.diagonal}), the argument, its expected shape and the
 * array it got, e.g. {@code SimdScans.diagonal: b (2, 3, 4)[0 .. 24) is out of bounds for b.length = 23}.
 * Arrays may be longer than their shape (the kernels read the first elements only); sizes must not be
 * negative; optional arguments (documented as "may be null" on {@link Scans}) may be null.
 */
public final class CheckedScans implements Scans {

    private final Scans kernels;
    private final String name;

    private CheckedScans(Scans kernels) {
        this.kernels = kernels;
        this.name = kernels.getClass().getSimpleName();
    }

    /** {@code kernels} with every call checked; already checked kernels are returned as they are. */
    public static Scans of(Scans kernels) {
        if (kernels == null) {
            throw new IllegalArgumentException("CheckedScans.of: kernels is null");
        }
        return kernels instanceof CheckedScans ? kernels : new CheckedScans(kernels);
    }

    /** The raw kernels behind the checks (to see which implementation runs; calls on them are unchecked). */
    public Scans kernels() {
        return kernels;
    }

    /** The name of the checked implementation's class, e.g. "SimdScans". */
    @Override
    public String toString() {
        return name;
    }

    private String k(String method) {
        return name + "." + method;
    }

    // ------------------------------------------------------------------ diagonal, real

    @Override
    public void diagonal(int batch, int len, int channels, float[] a, float[] b, float[] h0, float[] h, float[] hLast) {
        String k = k("diagonal");
        Shapes x = Shapes.of(k, batch, len, channels);
        x.need("a", a).need("b", b).need("h", h);
        x.optionalState("h0", h0).optionalState("hLast", hLast);
        kernels.diagonal(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void diagonalBackward(int batch, int len, int channels, float[] a, float[] h0, float[] h, float[] gH,
                                 float[] gLast, float[] ga, float[] gb, float[] gh0) {
        String k = k("diagonalBackward");
        Shapes x = Shapes.of(k, batch, len, channels);
        x.need("a", a).need("h", h).need("gH", gH).need("ga", ga).need("gb", gb);
        x.optionalState("h0", h0).optionalState("gLast", gLast).optionalState("gh0", gh0);
        kernels.diagonalBackward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    // ------------------------------------------------------------------ diagonal, complex

    @Override
    public void complexDiagonal(int batch, int len, int channels, Complex a, Complex b, Complex h0, Complex h,
                                Complex hLast) {
        String k = k("complexDiagonal");
        Shapes x = Shapes.of(k, batch, len, channels);
        x.need("a", a).need("b", b).need("h", h);
        x.optionalState("h0", h0).optionalState("hLast", hLast);
        kernels.complexDiagonal(batch, len, channels, a, b, h0, h, hLast);
    }

    @Override
    public void complexDiagonalBackward(int batch, int len, int channels, Complex a, Complex h0, Complex h,
                                        Complex gH, Complex gLast, Complex ga, Complex gb, Complex gh0) {
        String k = k("complexDiagonalBackward");
        Shapes x = Shapes.of(k, batch, len, channels);
        x.need("a", a).need("h", h).need("gH", gH).need("ga", ga).need("gb", gb);
        x.optionalState("h0", h0).optionalState("gLast", gLast).optionalState("gh0", gh0);
        kernels.complexDiagonalBackward(batch, len, channels, a, h0, h, gH, gLast, ga, gb, gh0);
    }

    // ------------------------------------------------------------------ selective

    @Override
    public void selectiveForward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                 float[] Dskip, float[] z, float[] h0, float[] out, float[] checkpoints,
                                 float[] hLast) {
        String k = k("selectiveForward");
        selectiveInputs(k, s, u, delta, A, B, C, Dskip, z, h0);
        need(k, "out", blc(s.batch(), s.len(), s.d()), out, (long) s.batch() * s.len() * s.d());
        optional(k, "checkpoints", checkpointShape(s), checkpoints, s.checkpointSize());
        optional(k, "hLast", stateShape(s), hLast, s.stateSize());
        kernels.selectiveForward(s, u, delta, A, B, C, Dskip, z, h0, out, checkpoints, hLast);
    }

    @Override
    public void selectiveBackward(Selective s, float[] u, float[] delta, float[] A, float[] B, float[] C,
                                  float[] Dskip, float[] z, float[] h0, float[] checkpoints, float[] gOut,
                                  float[] gLast, float[] gu, float[] gDelta, float[] gA, float[] gB, float[] gC,
                                  float[] gD, float[] gz, float[] gh0) {
        String k = k("selectiveBackward");
        selectiveInputs(k, s, u, delta, A, B, C, Dskip, z, h0);
        long bld = (long) s.batch() * s.len() * s.d();
        long bln = (long) s.batch() * s.len() * s.nTotal();
        String x = blc(s.batch(), s.len(), s.d());
        String bcShape = blc(s.batch(), s.len(), s.nTotal());
        need(k, "checkpoints", checkpointShape(s), checkpoints, s.checkpointSize());
        need(k, "gOut", x, gOut, bld);
        optional(k, "gLast", stateShape(s), gLast, s.stateSize());
        need(k, "gu", x, gu, bld);
        need(k, "gDelta", x, gDelta, bld);
        need(k, "gA", "(" + s.d() + ", " + s.n() + ")", gA, (long) s.d() * s.n());
        need(k, "gB", bcShape, gB, bln);
        need(k, "gC", bcShape, gC, bln);
        if (Dskip != null) {
            need(k, "gD (Dskip is given)", "(" + s.d() + ")", gD, s.d());
        }
        if (z != null) {
            need(k, "gz (z is given)", x, gz, bld);
        }
        optional(k, "gh0", stateShape(s), gh0, s.stateSize());
        kernels.selectiveBackward(s, u, delta, A, B, C, Dskip, z, h0, checkpoints, gOut, gLast, gu, gDelta, gA, gB,
                gC, gD, gz, gh0);
    }

    /** The inputs shared by the selective forward and backward. */
    private static void selectiveInputs(String k, Selective s, float[] u, float[] delta, float[] A, float[] B,
                                        float[] C, float[] Dskip, float[] z, float[] h0) {
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
        optional(k, "h0", stateShape(s), h0, s.stateSize());
    }

    private static String checkpointShape(Selective s) {
        return "(" + s.batch() + ", " + s.chunks() + ", " + s.nTotal() + ", " + s.d() + ")";
    }

    private static String stateShape(Selective s) {
        return "(" + s.batch() + ", " + s.d() + ", " + s.nTotal() + ")";
    }

    // ------------------------------------------------------------------ helpers

    /** {@code array} (not null) holds at least {@code size} floats for the described shape. */
    private static void need(String k, String arg, String shape, float[] array, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(k + ": " + arg + " " + shape + " has " + size + " elements, too many");
        }
        Checks.range(k, arg + " " + shape, array, 0, (int) size);
    }

    /** Like {@link #need} but a null array is allowed. */
    private static void optional(String k, String arg, String shape, float[] array, long size) {
        if (array != null) {
            need(k, arg, shape, array, size);
        }
    }

    static String blc(int batch, int len, int channels) {
        return "(" + batch + ", " + len + ", " + channels + ")";
    }

    /** The shapes of a diagonal scan: sequences (batch, L, C) and states (batch, C). */
    private record Shapes(String k, int batch, int len, int channels) {

        static Shapes of(String k, int batch, int len, int channels) {
            Checks.size(k, "batch", batch);
            Checks.size(k, "len", len);
            Checks.size(k, "channels", channels);
            return new Shapes(k, batch, len, channels);
        }

        Shapes need(String arg, float[] array) {
            CheckedScans.need(k, arg, blc(batch, len, channels), array, (long) batch * len * channels);
            return this;
        }

        Shapes optionalState(String arg, float[] array) {
            optional(k, arg, "(" + batch + ", " + channels + ")", array, (long) batch * channels);
            return this;
        }

        Shapes need(String arg, Complex c) {
            if (c == null) {
                throw new IllegalArgumentException(k + ": " + arg + " is null");
            }
            return need(arg + ".re", c.re()).need(arg + ".im", c.im());
        }

        Shapes optionalState(String arg, Complex c) {
            if (c == null) {
                return this;
            }
            if (c.re() == null || c.im() == null) {
                throw new IllegalArgumentException(k + ": " + arg + "." + (c.re() == null ? "re" : "im") + " is null");
            }
            return optionalState(arg + ".re", c.re()).optionalState(arg + ".im", c.im());
        }
    }
}
