package org.ssmlab.data;

import java.util.SplittableRandom;

/**
 * A small synthetic image-classification set made in code: 10 classes of 28×28 grey images, so
 * experiments run without any download.
 * <ul>
 *   <li>classes 0..4: a bar through the (jittered) centre at angle θ = 36°·c, a line with a Gaussian
 *       cross-section: I(p) = exp(-d(p)² / (2·1.2²)) for |along-axis offset| &lt;= 10, where d is
 *       the distance of pixel p from the line;</li>
 *   <li>classes 5..9: a Gaussian blob of width σ = 3 at the centre or in one of the four quadrants
 *       (centres (14,14), (8,8), (8,20), (20,8), (20,20)), jittered by up to ±2 pixels.</li>
 * </ul>
 * Each image is scaled by a random contrast in [0.7, 1], gets additive Gaussian noise of standard
 * deviation {@code noise}, and is clamped to [0, 1]. Labels are balanced (image i has class i mod 10)
 * and the order is shuffled.
 */
public final class SyntheticImages {

    /** The side of an image. */
    public static final int SIDE = 28;
    /** The number of classes. */
    public static final int CLASSES = 10;
    /** The default pixel noise. */
    public static final double DEFAULT_NOISE = 0.1;

    private static final int[][] BLOB_CENTRES = {{14, 14}, {8, 8}, {8, 20}, {20, 8}, {20, 20}};

    private SyntheticImages() {
    }

    /** {@code n} images with the default noise, from {@code seed}. */
    public static ImageSet generate(int n, long seed) {
        return generate(n, DEFAULT_NOISE, seed);
    }

    /** {@code n} images with pixel noise of standard deviation {@code noise}, from {@code seed}. */
    public static ImageSet generate(int n, double noise, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("SyntheticImages: n = " + n + " must be >= 0");
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new IllegalArgumentException("SyntheticImages: noise = " + noise + " must be finite and >= 0");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates shuffle of the balanced labels
            int j = rng.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = draw(labels[i], noise, rng);
        }
        return new ImageSet(images, labels, SIDE, SIDE, CLASSES);
    }

    /** One image of class {@code label}. */
    static float[] draw(int label, double noise, SplittableRandom rng) {
        float[] img = new float[SIDE * SIDE];
        double contrast = 0.7 + 0.3 * rng.nextDouble();
        if (label < 5) {
            double theta = Math.toRadians(36.0 * label);
            double ux = Math.cos(theta);
            double uy = Math.sin(theta);
            double cr = 13.5 + (rng.nextDouble() * 6 - 3);
            double cc = 13.5 + (rng.nextDouble() * 6 - 3);
            for (int r = 0; r < SIDE; r++) {
                for (int c = 0; c < SIDE; c++) {
                    double dx = c - cc;
                    double dy = r - cr;
                    double along = dx * ux + dy * uy;
                    double across = -dx * uy + dy * ux;
                    if (Math.abs(along) <= 10) {
                        img[r * SIDE + c] = (float) Math.exp(-across * across / (2 * 1.2 * 1.2));
                    }
                }
            }
        } else {
            int[] centre = BLOB_CENTRES[label - 5];
            double cr = centre[0] + (rng.nextDouble() * 4 - 2);
            double cc = centre[1] + (rng.nextDouble() * 4 - 2);
            for (int r = 0; r < SIDE; r++) {
                for (int c = 0; c < SIDE; c++) {
                    double d2 = (r - cr) * (r - cr) + (c - cc) * (c - cc);
                    img[r * SIDE + c] = (float) Math.exp(-d2 / (2 * 3.0 * 3.0));
                }
            }
        }
        for (int i = 0; i < img.length; i++) {
            double v = contrast * img[i] + noise * Seeds.gaussian(rng);
            img[i] = (float) Math.min(1, Math.max(0, v));
        }
        return img;
    }
}
