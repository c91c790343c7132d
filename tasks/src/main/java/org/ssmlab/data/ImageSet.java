package org.ssmlab.data;

import java.util.Objects;

/**
 * Labelled grey-scale images, each flattened row-major to a sequence of {@code height·width} pixel
 * intensities in [0, 1] (pixel (r, c) is element r·width + c), as sequence models read them.
 */
public record ImageSet(float[][] images, int[] labels, int height, int width, int classes) {

    /** Checks that every image has height·width pixels and every label is in 0..classes-1. */
    public ImageSet {
        Objects.requireNonNull(images, "ImageSet: images is null");
        Objects.requireNonNull(labels, "ImageSet: labels is null");
        if (images.length != labels.length) {
            throw new IllegalArgumentException("ImageSet: " + images.length + " images but " + labels.length + " labels");
        }
        for (int i = 0; i < images.length; i++) {
            if (images[i].length != height * width) {
                throw new IllegalArgumentException("ImageSet: image " + i + " has " + images[i].length
                        + " pixels, expected height x width = " + height + " x " + width);
            }
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("ImageSet: label " + labels[i] + " of image " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
    }

    /** The number of images. */
    public int size() {
        return images.length;
    }

    /** The sequence length of one image, height·width. */
    public int pixels() {
        return height * width;
    }

    /** The first {@code n} images (or all when there are fewer). */
    public ImageSet head(int n) {
        int m = Math.min(n, size());
        float[][] im = new float[m][];
        int[] lb = new int[m];
        System.arraycopy(images, 0, im, 0, m);
        System.arraycopy(labels, 0, lb, 0, m);
        return new ImageSet(im, lb, height, width, classes);
    }

    /** The indices of the images of class {@code label}. */
    public int[] indicesOf(int label) {
        return java.util.stream.IntStream.range(0, size()).filter(i -> labels[i] == label).toArray();
    }

    /**
     * Image {@code index} as grey-level tokens, as in the LRA image task: token = clamp(floor(p·levels),
     * 0, levels-1) for each pixel p (noise from a corruption may leave [0, 1]; it is clamped).
     */
    public int[] tokens(int index, int levels) {
        return quantize(images[index], levels);
    }

    /** Pixels in [0, 1] (clamped outside) to tokens 0..levels-1: floor(p·levels), with p = 1 in the top level. */
    public static int[] quantize(float[] pixels, int levels) {
        if (levels < 2) {
            throw new IllegalArgumentException("ImageSet.quantize: levels = " + levels + " must be >= 2");
        }
        int[] out = new int[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            float p = pixels[i];
            int t = Float.isNaN(p) ? 0 : (int) Math.floor(p * levels);
            out[i] = Math.min(levels - 1, Math.max(0, t));
        }
        return out;
    }
}
