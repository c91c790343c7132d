package org.ssmlab.simd;

/**
 * Argument checks shared by the kernels. Each failure is an {@link IllegalArgumentException} whose
 * message names the kernel, the argument and the sizes involved.
 */
public final class Checks {

    private Checks() {
    }

    /** Checks that {@code array[off .. off+n)} exists. */
    public static void range(String kernel, String arg, float[] array, int off, int n) {
        if (array == null) {
            throw new IllegalArgumentException(kernel + ": " + arg + " is null");
        }
        if (n < 0) {
            throw new IllegalArgumentException(kernel + ": length n = " + n + " is negative");
        }
        if (off < 0 || (long) off + n > array.length) {
            throw new IllegalArgumentException(kernel + ": " + arg + "[" + off + " .. " + ((long) off + n)
                    + ") is out of bounds for " + arg + ".length = " + array.length);
        }
    }

    /** Checks that a row-major (rows, cols) matrix fits in {@code array}. */
    public static void matrix(String kernel, String arg, float[] array, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(kernel + ": " + arg + " has negative shape (" + rows + ", " + cols + ")");
        }
        range(kernel, arg + " (" + rows + " x " + cols + ")", array, 0, Math.multiplyExact(rows, cols));
    }

    /** Checks that a size argument is not negative. */
    public static void size(String kernel, String arg, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(kernel + ": " + arg + " = " + value + " is negative");
        }
    }

    /**
     * Checks the shape and scale of a causal softmax: rows stack whole (len, len) matrices, and the
     * scale is positive and finite (a positive scale keeps the row max where it was).
     */
    public static void causal(String kernel, int rows, int len, float scale) {
        if (rows < 0 || len < 0 || (len == 0 ? rows != 0 : rows % len != 0)) {
            throw new IllegalArgumentException(kernel + ": rows = " + rows + " is not a whole number of ("
                    + len + ", " + len + ") matrices");
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException(kernel + ": scale = " + scale + " must be positive and finite");
        }
    }
}
