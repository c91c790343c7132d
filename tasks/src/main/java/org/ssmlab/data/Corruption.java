package org.ssmlab.data;

import java.util.SplittableRandom;

/**
 * Test-time corruptions of pixel sequences, for the robustness experiments: the adversarial attack
 * replaces the leading or trailing k pixels (or any range) with Gaussian noise; the target attack pastes
 * the leading or trailing k pixels of an image of the target class over the same positions.
 * Every method returns a new array and leaves its inputs unchanged.
 */
public final class Corruption {

    /** The default noise: N(0, 1) per pixel, unclamped, as "random Gaussian noise" on the pixel values. */
    public static final double DEFAULT_MEAN = 0;
    /** The default noise's standard deviation. */
    public static final double DEFAULT_STD = 1;

    private Corruption() {
    }

    /** Pixels [from, to) replaced by independent N(mean, std²) draws from {@code rng}. */
    public static float[] gaussianRange(float[] x, int from, int to, double mean, double std, SplittableRandom rng) {
        checkRange("gaussianRange", x.length, from, to);
        if (!(std >= 0) || Double.isInfinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("Corruption.gaussianRange: mean = " + mean + ", std = " + std
                    + " must be finite with std >= 0");
        }
        float[] y = x.clone();
        for (int i = from; i < to; i++) {
            y[i] = (float) (mean + std * Seeds.gaussian(rng));
        }
        return y;
    }

    /** The first {@code k} pixels replaced by N(0, 1) noise. */
    public static float[] noiseFirst(float[] x, int k, SplittableRandom rng) {
        checkK("noiseFirst", x.length, k);
        return gaussianRange(x, 0, k, DEFAULT_MEAN, DEFAULT_STD, rng);
    }

    /** The last {@code k} pixels replaced by N(0, 1) noise. */
    public static float[] noiseLast(float[] x, int k, SplittableRandom rng) {
        checkK("noiseLast", x.length, k);
        return gaussianRange(x, x.length - k, x.length, DEFAULT_MEAN, DEFAULT_STD, rng);
    }

    /** Pixels [from, to) copied from {@code source} (same length) over {@code x}. */
    public static float[] pasteRange(float[] x, float[] source, int from, int to) {
        if (source.length != x.length) {
            throw new IllegalArgumentException("Corruption.pasteRange: source has " + source.length
                    + " pixels, the image " + x.length);
        }
        checkRange("pasteRange", x.length, from, to);
        float[] y = x.clone();
        System.arraycopy(source, from, y, from, to - from);
        return y;
    }

    /** The target attack on the leading region: the first {@code k} pixels of {@code target} pasted over x. */
    public static float[] pasteLeading(float[] x, float[] target, int k) {
        checkK("pasteLeading", x.length, k);
        return pasteRange(x, target, 0, k);
    }

    /** The target attack on the trailing region: the last {@code k} pixels of {@code target} pasted over x. */
    public static float[] pasteTrailing(float[] x, float[] target, int k) {
        checkK("pasteTrailing", x.length, k);
        return pasteRange(x, target, x.length - k, x.length);
    }

    /**
     * The fixed-target attack on a labelled set (the paper's Fig. 3 protocol): every image whose label is
     * not {@code target} becomes a victim, and gets the leading or trailing {@code k} pixels of an image of
     * class {@code target} drawn uniformly (with {@code rng}) from the same set. The attack succeeds on a
     * victim when the model then predicts {@code target}.
     *
     * @return the attacked images, the index of each victim in the set and the index of its source
     */
    public static Attacked targetAttack(float[][] images, int[] labels, int target, int k, boolean trailing,
                                        SplittableRandom rng) {
        if (images.length != labels.length) {
            throw new IllegalArgumentException("Corruption.targetAttack: " + images.length + " images but "
                    + labels.length + " labels");
        }
        int[] pool = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == target).toArray();
        if (pool.length == 0) {
            throw new IllegalArgumentException("Corruption.targetAttack: no image of the target class " + target
                    + " to paste from among " + labels.length);
        }
        int[] victims = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != target).toArray();
        float[][] out = new float[victims.length][];
        int[] sources = new int[victims.length];
        for (int v = 0; v < victims.length; v++) {
            sources[v] = pool[rng.nextInt(pool.length)];
            float[] x = images[victims[v]];
            float[] src = images[sources[v]];
            out[v] = trailing ? pasteTrailing(x, src, k) : pasteLeading(x, src, k);
        }
        return new Attacked(out, victims, sources);
    }

    /** A target attack's images, with the set index of each victim and of the image its pixels came from. */
    public record Attacked(float[][] images, int[] victims, int[] sources) {
    }

    private static void checkK(String op, int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("Corruption." + op + ": k = " + k + " must be in 0.." + n
                    + " (the sequence length)");
        }
    }

    private static void checkRange(String op, int n, int from, int to) {
        if (from < 0 || to < from || to > n) {
            throw new IllegalArgumentException("Corruption." + op + ": range [" + from + ", " + to
                    + ") must satisfy 0 <= from <= to <= " + n + " (the sequence length)");
        }
    }
}
