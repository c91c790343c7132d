package org.ssmlab.theorems;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.Generate;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Eq1Form;
import org.ssmlab.ssm.core.Mixer;

/**
 * The theorems of docs/theory.md as a property suite for any mixer, real or new. Give it a factory of
 * the mixer; each property samples fresh weights (from the factory, with a sampled seed), a sequence
 * length and an input scale (log-uniform over two decades either side of 1), and reports a
 * {@link Verdict}:
 *
 * <ul>
 *   <li>{@value #STEP}: recurrent mode ({@link Mixer#step}) and parallel mode ({@link Mixer#forward})
 *   agree, and so does {@link Eq1Form#explicitForward} when the mixer has it. Every mixer.</li>
 *   <li>{@value #RECENCY} (§3, Theorem 3.1, per state channel i): for s &lt; t and every output entry k,
 *   ||∂y_t[k]/∂x_s|| ≤ Σ_i |∂y_t[k]/∂h_{t,i}| · A*_i^{t-s} (||∂a_{s,i}/∂x_s|| G_i / (1 - A*_i) +
 *   ||∂g_{s,i}/∂x_s||), A*_i = max_t a_{t,i}, G_i = max_t |g_{t,i}|, every derivative by reverse mode
 *   through the mixer's own forward. The theorem's constant is the per-channel one summed: a channel
 *   with a ≡ 1 (one-polarized, linear attention) contributes |∂y/∂h| ||∂g/∂x|| with no decay. Two more
 *   checks ride along: {@value #TIME_INVARIANT} (§2, Lemma D.1: when no a_t depends on the input, the
 *   influence equals Σ_i (∂y_t/∂h_{t,i}) Π_{r=s+1}^{t} a_{r,i} ∂g_{s,i}/∂x_s, as vectors) and
 *   {@value #PATH} (the influence of x_{t-1} on y_t is non-zero wherever the direct path through
 *   a_t is).</li>
 *   <li>{@value #SMOOTHING} (§5, Theorem 4.2 (b)): the conservative recurrence h_t = a_t h_{t-1} + (1 - a_t) v_t
 *   from h_1 = v_1, run by the engine's scan on the mixer's own transitions, has
 *   range_t(h_i) ≤ (1 - a_min,i^{T-1}) range_t(v_i) per channel.</li>
 *   <li>{@value #POLARIZATION} (§6): a channel with a ≡ 1 sums its drive (h_t = Σ_{s≤t} g_s), one with
 *   a ≡ 0 is its drive (h_t = g_t).</li>
 * </ul>
 *
 * A complex diagonal mixer ({@link ComplexEq1Terms}, e.g. complex S4D) gets Theorem D.2 (the same bound
 * with |a|) and the polarization invariants; smoothing is about real ranges and is outside for it.
 * The hypotheses are checked, not assumed: a mixer that is neither a {@link DiagonalMixer} nor a
 * {@link ComplexEq1Terms} (it does not expose a_t and B_t x_t), whose a_t or g_t reads x_r for r ≠ t (a causal convolution, an attentive
 * normaliser), whose transitions leave [0, 1], or that has no constant channel, is reported as outside
 * the property's hypotheses. In a JUnit test, one line:
 *
 * <pre>
 *   MixerTheorems.of("my mixer", rng -&gt; new MyMixer(8, 4, rng)).assertHolds();
 * </pre>
 *
 * This class holds the API and the harness (sampling, QuickTheories, verdicts); the check of one sample
 * is a class of this package per property: StepEqualsParallel, RecencyProperty (with
 * ComplexRecencyProperty for Theorem D.2), SmoothingProperty and PolarizationProperty.
 */
public final class MixerTheorems {

    /** Property names; a falsification report starts with {@code [name]}. */
    public static final String STEP = "step equals parallel";
    public static final String RECENCY = "Theorem 3.1 recency bound";
    public static final String TIME_INVARIANT = "Lemma D.1 time-invariant influence";
    public static final String PATH = "influence non-zero along a path";
    public static final String SMOOTHING = "Theorem 4.2 (b) range factor";
    public static final String POLARIZATION = "polarization invariants";

    /** Shrinking re-runs a property many times; a few cycles keep a falsification report quick. */
    static final int SHRINK_CYCLES = 8;

    /** Relative slack of the bounds for float32 rounding. */
    static final double REL = 1e-3;

    private final String name;
    private final Function<SplittableRandom, ? extends Mixer> factory;
    private int examples = 8;
    private long seed = 20_261_124L;
    private int maxLength = 8;

    private MixerTheorems(String name, Function<SplittableRandom, ? extends Mixer> factory) {
        this.name = name;
        this.factory = factory;
    }

    /** The suite for the mixers {@code factory} makes from a generator. */
    public static MixerTheorems of(String name, Function<SplittableRandom, ? extends Mixer> factory) {
        return new MixerTheorems(name, factory);
    }

    /** Examples per property (default 8, or {@code -Dssmlab.examples}). */
    public MixerTheorems examples(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("MixerTheorems.examples: " + n + " must be positive");
        }
        this.examples = n;
        return this;
    }

    /** The QuickTheories seed (default fixed, or {@code -Dssmlab.seed}). */
    public MixerTheorems seed(long s) {
        this.seed = s;
        return this;
    }

    /** Longest sampled sequence (default 8; sequences are 2..maxLength). */
    public MixerTheorems maxLength(int l) {
        if (l < 2) {
            throw new IllegalArgumentException("MixerTheorems.maxLength: " + l + " must be at least 2");
        }
        this.maxLength = l;
        return this;
    }

    /** Every property's verdict, in the order step, recency, smoothing, polarization. */
    public List<Verdict> run() {
        return List.of(stepEqualsParallel(), recency(), smoothing(), polarization());
    }

    /** Runs every property and throws an AssertionError listing them when one is falsified. */
    public List<Verdict> assertHolds() {
        List<Verdict> v = run();
        if (v.stream().anyMatch(x -> x.status() == Verdict.Status.FALSIFIED)) {
            StringBuilder sb = new StringBuilder(name + ": a theorem property was falsified");
            for (Verdict x : v) {
                sb.append('\n').append(x.line());
            }
            throw new AssertionError(sb.toString());
        }
        return v;
    }

    // ---------------------------------------------------------------- running one property

    /** A named inequality that failed on a sample. */
    static final class Falsified extends AssertionError {
        Falsified(String inequality, String detail) {
            super("[" + inequality + "] " + detail);
        }
    }

    /** The sample does not satisfy the property's hypotheses. */
    static final class Outside extends AssertionError {
        Outside(String reason) {
            super("[outside] " + reason);
        }
    }

    /** A sample outside the hypotheses for a numerical, not a structural, reason: skipped and counted. */
    static final class Skip extends RuntimeException {
        Skip(String reason) {
            super(reason, null, false, false);
        }
    }

    /** One sample: weights' seed, length, input scale. */
    private interface Body {
        void check(long weightSeed, int len, double scale, Coverage cov);
    }

    private Verdict property(String property, String what, Body body) {
        Coverage cov = new Coverage();
        int[] checked = new int[1];
        String[] skipped = new String[1];
        try {
            QuickTheory.qt().withFixedSeed(seed).withExamples(examples).withShrinkCycles(SHRINK_CYCLES)
                    .forAll(Generate.longRange(0, 1L << 40), integers().between(2, maxLength), doubles().between(-2, 2))
                    .checkAssert((s, len, logScale) -> {
                        try {
                            body.check(s, len, Math.pow(10, logScale), cov);
                            checked[0]++;
                        } catch (Skip k) {
                            skipped[0] = k.getMessage();
                            cov.add("skipped: " + k.getMessage(), 1);
                        }
                    });
        } catch (AssertionError e) {
            String cause = causeLine(String.valueOf(e.getMessage()));
            String sample = sampleLine(String.valueOf(e.getMessage()));
            if (cause.contains("[outside] ")) {
                return new Verdict(property, Verdict.Status.OUTSIDE_HYPOTHESES,
                        cause.substring(cause.indexOf("[outside] ") + 10), cov.summary());
            }
            return new Verdict(property, Verdict.Status.FALSIFIED, cause + " at (weight seed, T, input scale) = "
                    + sample + " [QuickTheories seed " + seed + "]", cov.summary());
        }
        if (checked[0] == 0) {
            return new Verdict(property, Verdict.Status.OUTSIDE_HYPOTHESES, "no sample satisfied the hypotheses: "
                    + skipped[0], cov.summary());
        }
        return new Verdict(property, Verdict.Status.HOLDS, what + " (" + checked[0] + " samples)", cov.summary());
    }

    private static String causeLine(String report) {
        String[] lines = report.split("\\R");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].strip().equals("Cause was :-")) {
                String l = lines[i + 1].strip();
                int colon = l.indexOf(": ");
                return colon >= 0 ? l.substring(colon + 2) : l;
            }
        }
        return report.lines().findFirst().orElse(report);
    }

    private static String sampleLine(String report) {
        String[] lines = report.split("\\R");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].contains("Smallest found falsifying value")) {
                return lines[i + 1].strip();
            }
        }
        return "?";
    }

    private Mixer sample(long weightSeed) {
        return factory.apply(new SplittableRandom(weightSeed));
    }

    // ---------------------------------------------------------------- the properties, one class each

    /** {@value #STEP}; one sample is checked in StepEqualsParallel. */
    public Verdict stepEqualsParallel() {
        return property(STEP, "step, forward and explicit Eq. 1 agree to 2e-4 of max |y|",
                (ws, len, scale, cov) -> StepEqualsParallel.check(sample(ws), ws, len, scale, cov));
    }

    /**
     * {@value #RECENCY}, with {@value #TIME_INVARIANT} and {@value #PATH}; one sample is checked in
     * RecencyProperty, or in ComplexRecencyProperty (Theorem D.2) for a complex mixer.
     */
    public Verdict recency() {
        return property(RECENCY, "bound held for every s < t and output entry (real states: also Lemma D.1"
                + " equality where a is input-independent, and non-zero direct-path influence)",
                (ws, len, scale, cov) -> RecencyProperty.check(sample(ws), ws, len, scale, cov));
    }

    /** {@value #SMOOTHING}; one sample is checked in SmoothingProperty. */
    public Verdict smoothing() {
        return property(SMOOTHING, "range(h) <= (1 - a_min^(T-1)) range(v) per channel on the mixer's transitions",
                (ws, len, scale, cov) -> SmoothingProperty.check(sample(ws), ws, len, scale, cov));
    }

    /** {@value #POLARIZATION}; one sample is checked in PolarizationProperty. */
    public Verdict polarization() {
        return property(POLARIZATION, "a = 1 channels sum their drive, a = 0 channels equal it",
                (ws, len, scale, cov) -> PolarizationProperty.check(sample(ws), ws, len, scale, cov));
    }

    /** The verdicts as a report: one line each, then the coverage lines. */
    public static String report(String family, List<Verdict> verdicts) {
        StringBuilder sb = new StringBuilder(family).append('\n');
        for (Verdict v : verdicts) {
            sb.append("  ").append(v.line()).append('\n');
            if (!v.coverage().isEmpty()) {
                sb.append(v.coverage().indent(4));
            }
        }
        return sb.toString();
    }

    /** All verdicts' statuses, for callers that only need a summary. */
    public static List<Verdict.Status> statuses(List<Verdict> verdicts) {
        List<Verdict.Status> s = new ArrayList<>();
        for (Verdict v : verdicts) {
            s.add(v.status());
        }
        return s;
    }
}
