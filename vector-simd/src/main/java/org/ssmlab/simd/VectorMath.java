package org.ssmlab.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log, log1p, tanh, sigmoid and a lane sum for float vectors, built only from lane-wise operations that IEEE 754
 * rounds exactly (add, multiply, fused multiply-add, divide, compare, bit moves). Their results are therefore
 * the same bits in the interpreter, in C1 and in C2, on every instruction set, for every vector length.
 * The Vector API's own {@code lanewise(EXP)}, {@code LOG}, {@code TANH}, {@code LOG1P} and
 * {@code reduceLanes(ADD)} are not: an intrinsic in C2 and a Java fallback before it give different last
 * bits, so a training run would depend on when the JIT compiled which loop.
 *
 * <p>Accuracy, measured against {@link Math} in double over the whole float range
 * ({@code VectorMathTest}): exp and log within 2 ulp, log1p within 3 ulp, tanh within 3.5 ulp or 2⁻²⁴
 * absolutely. Specials follow {@link Math}: NaN in, NaN out; exp(−∞) = 0, exp(+∞) = +∞; log(0) = −∞,
 * log(x &lt; 0) = NaN; tanh(±∞) = ±1. exp flushes results below about 2⁻¹²⁶ to 0 and overflows at
 * x &gt; 88.38 (see {@link #exp}).
 */
public final class VectorMath {

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two: LN2_HI + LN2_LO = ln 2 to about 2⁻⁴⁸. */
    private static final float LN2_HI = (float) Math.log(2);
    private static final float LN2_LO = (float) (Math.log(2) - LN2_HI);
    /** 1.5 · 2²³: adding and subtracting it rounds a float of magnitude below 2²² to the nearest integer. */
    private static final float ROUNDER = 12582912f;
    private static final float SQRT2 = 1.41421356237309505f;
    /** 127.5 · ln 2: above it n would be 128, whose power of two is not a float; the result is +∞. */
    private static final float MAX_ARG = 88.3762626f;
    /** −126.5 · ln 2: below it n would be under −126 (subnormal scale); the result is 0. */
    private static final float MIN_ARG = -87.6828613f;
    /** exp's polynomial: e^r ≈ 1 + r + C2 r² + ... + C6 r⁶ on |r| ≤ ln 2 / 2 (see {@link #exp}). */
    private static final float EXP_C2 = 0.49999994f;
    private static final float EXP_C3 = 0.16666521f;
    private static final float EXP_C4 = 0.041668389f;
    private static final float EXP_C5 = 0.00836871f;
    private static final float EXP_C6 = 0.0013814613f;

    private VectorMath() {
    }

    /**
     * e^x, by Cody–Waite reduction: x = n·ln 2 + r with n = round(x·log₂e), |r| ≤ ln 2 / 2, then
     * e^r by a polynomial of degree 6, 1 + r + c₂r² + ... + c₆r⁶, in Horner form: the minimax one for the
     * relative error on that interval (Remez exchange, the first two coefficients held at 1; computed by
     * {@code docs/exp_polynomial.py}), whose error with the coefficients rounded to float is below 4·10⁻⁹,
     * a fifteenth of half an ulp (Taylor's of degree 7, one multiply-add more, reaches 8·10⁻⁹).
     * Then e^x = e^r · 2^n, one exact power-of-two scaling
     * (n in [−126, 127]). Outside [−87.68, 88.38] the result is 0 or +∞: like the fast exp of most
     * numerical libraries it flushes results below about 2⁻¹²⁶ to 0, and it overflows about 0.35 early
     * (e^x between 2.4·10³⁸ and the largest float becomes +∞); {@link Math#exp} is matched everywhere else.
     */
    public static FloatVector exp(FloatVector x) {
        // No max/min clamp (Java's float max/min, with their NaN and −0 rules, cost several instructions per
        // lane): lanes beyond the float range are computed as garbage and replaced by 0 or +∞ at the end.
        FloatVector shifted = x.fma(LOG2E, ROUNDER);              // 1.5·2²³ + n: n in the low mantissa bits
        FloatVector nf = shifted.sub(ROUNDER);                      // round(x · log2 e), exactly an integer
        FloatVector r = next(nf.neg(), x.broadcast(LN2_HI), x);    // x − n·ln2_hi, one rounding
        r = next(nf.neg(), x.broadcast(LN2_LO), r);                // − n·ln2_lo
        FloatVector p = r.fma(EXP_C6, EXP_C5);
        p = next(next(next(next(next(p, r, EXP_C4), r, EXP_C3), r, EXP_C2), r, 1f), r, 1f);
        FloatVector out = p.mul(powerOfTwo(shifted));
        out = out.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX_ARG));
        return out.blend(0f, x.compare(VectorOperators.LT, MIN_ARG));        // NaN compares false: stays NaN
    }

    /** One Horner step: p · x + c, rounded once. */
    private static FloatVector next(FloatVector p, FloatVector x, float c) {
        return p.fma(x, p.broadcast(c));
    }

    /** p · x + c, rounded once. */
    private static FloatVector next(FloatVector p, FloatVector x, FloatVector c) {
        return p.fma(x, c);
    }

    /**
     * 2^n as a float from {@code shifted} = 1.5·2²³ + n (n an integer in [−126, 127]): the two floats share
     * their exponent, so their bits differ by n, and 2^n has the bits (n + 127)·2²³. Integer arithmetic on the
     * bits, not a float-to-int conversion: C2 has no AVX2 instruction for the Vector API's F2I conversion
     * (its Java rounding rules), calls its Java fallback and boxes every vector of the caller.
     */
    private static FloatVector powerOfTwo(FloatVector shifted) {
        IntVector n = (IntVector) shifted.reinterpretAsInts();
        return (FloatVector) n.add(127 - Float.floatToRawIntBits(ROUNDER)).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
    }

    /**
     * ln x: x = m · 2^e with m in [√½, √2) (subnormal x scaled by 2²⁴ first), f = m − 1,
     * s = f / (2 + f), ln m = 2 atanh s = 2s + s·R with R = 2s²/3 + 2s⁴/5 + ... + 2s¹⁰/11 (|s| ≤ 0.172, the
     * next term below 10⁻¹⁰ relative), evaluated as f − (f²/2 − s·(f²/2 + R)) so that the leading f is
     * exact, and ln x = e·ln2_hi + (ln m + e·ln2_lo).
     */
    public static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(16777216f), sub);                  // 2^24: subnormals become normal
        IntVector bits = (IntVector) xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        FloatVector m = (FloatVector) bits.and(0x007fffff).or(0x3f800000).reinterpretAsFloats();   // [1, 2)
        VectorMask<Float> big = m.compare(VectorOperators.GE, SQRT2);
        m = m.blend(m.mul(0.5f), big);
        FloatVector zero = x.broadcast(0f);
        FloatVector ef = ((FloatVector) e.convert(VectorOperators.I2F, 0))
                .add(zero.blend(1f, big)).sub(zero.blend(24f, sub));
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        // R = 2z/3 + 2z²/5 + ... + 2z⁵/11, so that ln m = 2s + s·R = f − (hf − s·(hf + R)) with hf = f²/2:
        // the leading f is exact and the rounding falls on the small correction.
        FloatVector rr = next(next(next(z.fma(2f / 11, 2f / 9), z, 2f / 7), z, 2f / 5), z, 2f / 3).mul(z);
        FloatVector hf = f.mul(f).mul(0.5f);
        FloatVector correction = s.fma(hf.add(rr), ef.mul(LN2_LO));          // s·(hf + R) + e·ln2_lo
        return withLogSpecials(ef.fma(x.broadcast(LN2_HI), hf.sub(correction).sub(f).neg()), x);
    }

    /**
     * ln's special arguments: ln 0 = −∞, ln(x &lt; 0) = NaN, ln +∞ = +∞; NaN propagates through the blends'
     * inputs. A method of its own only to keep {@link #log} under C2's size limit for inlining hot
     * methods (325 bytes of bytecode): a log that is not inlined takes and returns its vectors boxed.
     */
    private static FloatVector withLogSpecials(FloatVector out, FloatVector x) {
        out = out.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        out = out.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        return out.blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(x.compare(VectorOperators.NE, x)));
    }

    /**
     * ln(1 + y) for y ≥ −1, accurate where y is tiny: with u = 1 + y (rounded),
     * ln(1 + y) = ln u − ((u − 1) − y) / u, the first-order correction for the rounding of u; and y
     * itself where u = 1.
     */
    public static FloatVector log1p(FloatVector y) {
        FloatVector u = y.add(1f);
        FloatVector corrected = log(u).sub(u.sub(1f).sub(y).div(u));
        VectorMask<Float> one = u.compare(VectorOperators.EQ, 1f);
        VectorMask<Float> inf = u.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY);
        VectorMask<Float> zero = u.compare(VectorOperators.EQ, 0f);
        return corrected.blend(y, one).blend(u, inf).blend(Float.NEGATIVE_INFINITY, zero);
    }

    /**
     * ln(1 + t) for t in [0, 1], softplus's ln(1 + e^−|x|): {@link #log1p} without the paths that this
     * range cannot reach (subnormal arguments, 0, negatives, ∞; a NaN propagates). With u = 1 + t
     * (rounded) in [1, 2]: m = u and e = 0 below √2, m = u/2 and e = 1 from √2 on; then ln u as in
     * {@link #log} and ln(1 + t) = ln u − ((u − 1) − t) / u. Small enough to inline beside {@link #exp}
     * in one loop, which {@link #log1p} is not (C2 stops inlining at a node budget, and whatever it
     * leaves out takes its vectors boxed).
     */
    static FloatVector log1pUnit(FloatVector t) {
        FloatVector u = t.add(1f);
        VectorMask<Float> big = u.compare(VectorOperators.GE, SQRT2);
        FloatVector m = u.blend(u.mul(0.5f), big);
        FloatVector ef = t.broadcast(0f).blend(1f, big);
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        // log's R(z), with the Horner steps written as fma calls rather than through next(): in softplus's
        // loop C2 did not inline next() here and boxed its vectors on every call (the same bits either way).
        FloatVector rr = z.fma(2f / 11, 2f / 9).fma(z, z.broadcast(2f / 7)).fma(z, z.broadcast(2f / 5))
                .fma(z, z.broadcast(2f / 3)).mul(z);
        FloatVector hf = f.mul(f).mul(0.5f);
        FloatVector correction = s.fma(hf.add(rr), ef.mul(LN2_LO));
        FloatVector lnU = ef.fma(t.broadcast(LN2_HI), hf.sub(correction).sub(f).neg());
        return lnU.sub(u.sub(1f).sub(t).div(u));
    }

    /**
     * e^x − 1, accurate near 0: the Taylor polynomial of degree 8 for |x| ≤ ln 2 / 2 (truncation below
     * 2·10⁻¹⁰ relative), {@link #exp}(x) − 1 beyond (where the cancellation costs at most a factor 2.4).
     */
    static FloatVector expm1(FloatVector x) {
        FloatVector p = x.fma(1f / 40320, 1f / 5040);
        p = next(next(next(next(next(next(p, x, 1f / 720), x, 1f / 120), x, 1f / 24), x, 1f / 6), x, 0.5f), x, 1f).mul(x);
        VectorMask<Float> small = x.abs().compare(VectorOperators.LE, 0.3466f);
        return exp(x).sub(1f).blend(p, small);
    }

    /**
     * tanh x = sign(x) · e / (e + 2) with e = e^{2|x|} − 1 ({@link #expm1}, so small |x| keeps its
     * relative accuracy); ±1 beyond |x| = 9.1, where tanh rounds to ±1 in float.
     */
    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector e = expm1(a.add(a));
        FloatVector t = e.div(e.add(2f)).blend(1f, a.compare(VectorOperators.GT, 9.1f));   // also where e = ∞
        return t.blend(t.neg(), x.compare(VectorOperators.LT, 0f)).blend(x, x.compare(VectorOperators.NE, x));
    }

    /**
     * σ(x) = 1 / (1 + e^-x) with a non-positive exponent: with e = e^-|x| and q = 1 / (1 + e),
     * σ(x) = q for x ≥ 0 and e · q (= e^x / (1 + e^x)) for x &lt; 0, so nothing overflows and σ of a very
     * negative x keeps its relative accuracy down to exp's underflow. The one sigmoid of the SIMD kernels
     * (elementwise SIGMOID and SiLU, and the selective scan's gate).
     */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector q = x.broadcast(1f).div(e.add(1f));
        return q.blend(e.mul(q), x.compare(VectorOperators.LT, 0f));
    }

    /** The kernels' species, for which {@link #sum} has its shuffles ready. */
    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = PREFERRED.length();
    /** Lane i takes lane i + w (mod the lane count), w = 8, 4, 2, 1. */
    private static final VectorShuffle<Float> UP8 = VectorShuffle.fromOp(PREFERRED, i -> (i + 8) % LANES);
    private static final VectorShuffle<Float> UP4 = VectorShuffle.fromOp(PREFERRED, i -> (i + 4) % LANES);
    private static final VectorShuffle<Float> UP2 = VectorShuffle.fromOp(PREFERRED, i -> (i + 2) % LANES);
    private static final VectorShuffle<Float> UP1 = VectorShuffle.fromOp(PREFERRED, i -> (i + 1) % LANES);

    /**
     * The sum of the lanes in one fixed order, a halving tree: lanes i and i + w/2 are added (w the lane
     * count), then the same on the lower half, down to one lane. Every step is an exact IEEE add of lanes
     * moved by a constant shuffle, so the result is the same bits in every JIT tier (unlike
     * {@code reduceLanes(ADD)}, whose order is unspecified). The kernels' species takes constant shuffles
     * and no branch; any other species goes through an array in the same order.
     */
    public static float sum(FloatVector v) {
        if (v.species() != PREFERRED || LANES > 16) {
            return sumThroughArray(v);
        }
        if (LANES >= 16) {
            v = v.add(v.rearrange(UP8));
        }
        if (LANES >= 8) {
            v = v.add(v.rearrange(UP4));
        }
        if (LANES >= 4) {
            v = v.add(v.rearrange(UP2));
        }
        if (LANES >= 2) {
            v = v.add(v.rearrange(UP1));
        }
        return v.lane(0);
    }

    /** {@link #sum}'s order for any species, through an array (kept out of {@code sum} so that it inlines). */
    private static float sumThroughArray(FloatVector v) {
        float[] a = v.toArray();
        for (int w = a.length >> 1; w >= 1; w >>= 1) {
            for (int i = 0; i < w; i++) {
                a[i] += a[i + w];
            }
        }
        return a[0];
    }

    /**
     * {@link #sum} of the preferred-species vector at {@code a[off .. off + LANES)}. It takes the array, not
     * a vector, so that a caller C2 does not inline it into passes no vector across the call: a vector
     * argument of a call that is not inlined is boxed, an allocation per call (the selective scan's
     * backward, reducing once per step and state, allocated 10 MB per call that way).
     */
    public static float sum(float[] a, int off) {
        return sum(FloatVector.fromArray(PREFERRED, a, off));
    }

}
