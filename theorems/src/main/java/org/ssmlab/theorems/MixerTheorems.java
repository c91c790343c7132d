package org.ssmlab.theorems;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.Generate;
import org.ssmlab.autograd.GradMode;
import org.ssmlab.autograd.Tensor;
import org.ssmlab.autograd.ops.Arith;
import org.ssmlab.autograd.ops.Scan;
import org.ssmlab.autograd.ops.Shapes;
import org.ssmlab.ssm.core.ComplexEq1Terms;
import org.ssmlab.ssm.core.DiagonalMixer;
import org.ssmlab.ssm.core.Eq1Form;
import org.ssmlab.ssm.core.Mixer;
import org.ssmlab.ssm.core.RecurrentState;

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

    private static Tensor input(long weightSeed, int batch, int len, int d, double scale) {
        return Tensor.randn(new SplittableRandom(weightSeed ^ 0x5DEECE66DL), (float) scale, batch, len, d);
    }

    private static DiagonalMixer diagonal(Mixer m) {
        if (!(m instanceof DiagonalMixer dm)) {
            throw new Outside(m.getClass().getSimpleName() + " is not a diagonal Eq. 1 mixer (it exposes no terms"
                    + " a_t, B_t x_t: neither DiagonalMixer nor ComplexEq1Terms)");
        }
        return dm;
    }

    /** a and g of x, flattened to (T, C), in double-free float arrays, with the hypothesis a ∈ [0, 1] checked. */
    private static float[][] termsOf(DiagonalMixer m, Tensor x) {
        try (var s = GradMode.noGrad()) {
            DiagonalMixer.Terms t = m.terms(x);
            float[] a = t.a().toArray();
            float[] g = t.bx().toArray();
            for (float v : a) {
                if (!(v >= 0 && v <= 1)) {
                    throw new Outside("a transition " + v + " is outside [0, 1]");
                }
            }
            return new float[][] {a, g};
        }
    }

    // ---------------------------------------------------------------- the properties

    /** {@value #STEP}. */
    public Verdict stepEqualsParallel() {
        return property(STEP, "step, forward and explicit Eq. 1 agree to 2e-4 of max |y|", (ws, len, scale, cov) -> {
            Mixer m = sample(ws);
            int d = m.width();
            int batch = 2;
            Tensor x = input(ws, batch, len, d, scale);
            float[] par;
            float[] explicit = null;
            float[] rec = new float[batch * len * d];
            try (var s = GradMode.noGrad()) {
                par = m.forward(x).toArray();
                if (m instanceof Eq1Form e) {
                    explicit = e.explicitForward(x).toArray();
                }
                RecurrentState st = m.newState(batch);
                for (int t = 0; t < len; t++) {
                    Tensor xt = Shapes.reshape(Shapes.slice(x, 1, t, t + 1), batch, d);
                    float[] y = m.step(xt, st).toArray();
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(y, b * d, rec, (b * len + t) * d, d);
                    }
                }
            }
            double max = 0;
            for (float v : par) {
                if (!Float.isFinite(v)) {
                    throw new Falsified(STEP, "forward gave a non-finite output " + v);
                }
                max = Math.max(max, Math.abs(v));
            }
            cov.add("max |y|", max);
            double tol = 2e-4 * Math.max(max, 1e-3);
            for (int k = 0; k < par.length; k++) {
                if (!(Math.abs(par[k] - rec[k]) <= tol)) {
                    throw new Falsified(STEP, String.format(Locale.ROOT, "forward %.7g but step %.7g at flat index %d (T = %d)",
                            par[k], rec[k], k, len));
                }
                if (explicit != null && !(Math.abs(par[k] - explicit[k]) <= tol)) {
                    throw new Falsified(STEP, String.format(Locale.ROOT,
                            "forward %.7g but explicit Eq. 1 %.7g at flat index %d (T = %d)", par[k], explicit[k], k, len));
                }
            }
        });
    }

    /** {@value #RECENCY}, with {@value #TIME_INVARIANT} and {@value #PATH}. */
    public Verdict recency() {
        return property(RECENCY, "bound held for every s < t and output entry (real states: also Lemma D.1"
                + " equality where a is input-independent, and non-zero direct-path influence)", (ws, len, scale, cov) -> {
            Mixer sampled = sample(ws);
            if (sampled instanceof ComplexEq1Terms cm) {
                complexRecency(sampled, cm, ws, len, scale, cov);
                return;
            }
            DiagonalMixer m = diagonal(sampled);
            int d = m.width();
            Tensor x = input(ws, 1, len, d, scale).requiresGrad(true);
            float[][] ag = termsOf(m, x);
            float[] a = ag[0];
            float[] g = ag[1];
            int c = a.length / len;
            double[] aStar = new double[c];
            double[] bigG = new double[c];
            double aMin = Double.POSITIVE_INFINITY;
            for (int t = 0; t < len; t++) {
                for (int i = 0; i < c; i++) {
                    aStar[i] = Math.max(aStar[i], a[t * c + i]);
                    bigG[i] = Math.max(bigG[i], Math.abs(g[t * c + i]));
                    aMin = Math.min(aMin, a[t * c + i]);
                }
            }
            // ∂a_{s,i}/∂x and ∂g_{s,i}/∂x by reverse mode; both must live in row s (the terms at s read x_s only).
            double[][] da = new double[len][c];
            float[][][] dg = new float[len][c][];
            boolean timeInvariant = true;
            for (int s = 0; s < len; s++) {
                for (int i = 0; i < c; i++) {
                    float[] ga = Grads.of(() -> m.terms(x).a(), x, s * c + i);
                    float[] gg = Grads.of(() -> m.terms(x).bx(), x, s * c + i);
                    if (Grads.offRowMax(ga, s, d) > 0 || Grads.offRowMax(gg, s, d) > 0) {
                        throw new Outside("the terms at t read x_r for some r ≠ t (a_t, B_t x_t are not functions of x_t"
                                + " alone, e.g. a causal convolution or a history-dependent normaliser)");
                    }
                    da[s][i] = Grads.rowNorm(ga, s, d);
                    dg[s][i] = Arrays.copyOfRange(gg, s * d, s * d + d);
                    if (da[s][i] > 0) {
                        timeInvariant = false;
                        if (aStar[i] >= 1) {
                            // exp(-Δ A) or a sigmoid rounds to exactly 1 in float32 (Δ underflows at large
                            // inputs): the bound's 1/(1 - A*) is infinite for this sample.
                            throw new Skip("an input-dependent a_t rounds to 1 in float32");
                        }
                    }
                }
            }
            // Constant channels (a ≡ 1 or a ≡ 0 over the sample) are not counted in the coverage of a.
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (int i = 0; i < c; i++) {
                for (int t = 0; t < len; t++) {
                    double v = a[t * c + i];
                    if (aStar[i] < 1 && v > 0) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            if (hi > 0) {
                cov.add("a_min (learnable)", lo);
                cov.add("A_max (learnable)", hi);
            }
            cov.add("T", len);
            cov.add("time-invariant", timeInvariant ? 1 : 0);
            Tensor hLeaf;
            try (var s = GradMode.noGrad()) {
                DiagonalMixer.Terms t = m.terms(x);
                hLeaf = DiagonalMixer.fusedScan(t.a(), t.bx());
            }
            Tensor h = Tensor.of(hLeaf.toArray(), hLeaf.shape()).requiresGrad(true);
            for (int t = 1; t < len; t++) {
                for (int k = 0; k < d; k++) {
                    int tt = t;
                    int kk = k;
                    float[] jac = Grads.of(() -> m.readout(x, m.terms(x), h), h, t * d + k);
                    if (Grads.offRowMax(jac, t, c) > 0) {
                        throw new Outside("the readout at t reads h_r for some r ≠ t");
                    }
                    float[] infl = Grads.of(() -> m.forward(x), x, t * d + k);
                    double scaleT = 0;
                    for (int s = 0; s < t; s++) {
                        for (int i = 0; i < c; i++) {
                            double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + norm(dg[s][i]);
                            scaleT = Math.max(scaleT, Math.abs(jac[t * c + i]) * term);
                        }
                    }
                    double abs = 1e-6 * scaleT + 1e-30;
                    for (int s = 0; s < t; s++) {
                        double bound = 0;
                        for (int i = 0; i < c; i++) {
                            double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + norm(dg[s][i]);
                            bound += Math.abs(jac[t * c + i]) * Math.pow(aStar[i], t - s) * term;
                        }
                        double got = Grads.rowNorm(infl, s, d);
                        if (!(got <= bound * (1 + REL) + abs)) {
                            throw new Falsified(RECENCY, String.format(Locale.ROOT,
                                    "||dy_%d[%d]/dx_%d|| = %.6g exceeds the bound %.6g", tt, kk, s, got, bound));
                        }
                        if (timeInvariant) {
                            checkLemmaD1(a, c, d, jac, dg, infl, t, k, s, abs);
                        }
                    }
                    // The direct path x_{t-1} → g_{t-1} → h_t → y_t.
                    double direct = 0;
                    for (int i = 0; i < c; i++) {
                        direct += Math.abs(jac[t * c + i]) * a[t * c + i] * norm(dg[t - 1][i]);
                    }
                    if (direct > 1e-3 * scaleT && direct > 1e-20 && !(Grads.rowNorm(infl, t - 1, d) > 0)) {
                        throw new Falsified(PATH, String.format(Locale.ROOT,
                                "dy_%d[%d]/dx_%d = 0 although the direct path has weight %.4g", t, k, t - 1, direct));
                    }
                }
            }
        });
    }

    /**
     * Theorem D.2 (the complex version: |a| in place of a) per state channel, for a complex diagonal mixer:
     * ||∂y_t[k]/∂x_s|| ≤ Σ_i |∂y_t[k]/∂h_{t,i}| · A*_i^{t-s} (|∂a_{s,i}/∂x_s| G_i/(1 - A*_i) + |∂g_{s,i}/∂x_s|)
     * with A*_i = max_t |a_{t,i}|, G_i = max_t |g_{t,i}| and |∂z/∂x| = (||∂Re z/∂x||² + ||∂Im z/∂x||²)^{1/2}.
     */
    private static void complexRecency(Mixer mixer, ComplexEq1Terms m, long ws, int len, double scale, Coverage cov) {
        int d = mixer.width();
        Tensor x = input(ws, 1, len, d, scale).requiresGrad(true);
        float[][] t = new float[4][];
        try (var s = GradMode.noGrad()) {
            Tensor[] terms = m.complexTerms(x);
            for (int q = 0; q < 4; q++) {
                t[q] = terms[q].toArray();
            }
        }
        int c = t[0].length / len;
        double[] aStar = new double[c];
        double[] bigG = new double[c];
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int k = 0; k < t[0].length; k++) {
            double mod = Math.hypot(t[0][k], t[1][k]);
            if (!(mod <= 1)) {
                throw new Outside("a transition has |a| = " + mod + " > 1");
            }
            aStar[k % c] = Math.max(aStar[k % c], mod);
            bigG[k % c] = Math.max(bigG[k % c], Math.hypot(t[2][k], t[3][k]));
            if (mod > 0 && mod < 1) {
                lo = Math.min(lo, mod);
                hi = Math.max(hi, mod);
            }
        }
        if (hi > 0) {
            cov.add("a_min |a| (learnable)", lo);
            cov.add("A_max |a| (learnable)", hi);
        }
        double[][] da = new double[len][c];
        double[][] dg = new double[len][c];
        for (int s = 0; s < len; s++) {
            for (int i = 0; i < c; i++) {
                double[] norms = new double[4];
                for (int q = 0; q < 4; q++) {
                    int qq = q;
                    float[] gr = Grads.of(() -> m.complexTerms(x)[qq], x, s * c + i);
                    if (Grads.offRowMax(gr, s, d) > 0) {
                        throw new Outside("the terms at t read x_r for some r ≠ t");
                    }
                    norms[q] = Grads.rowNorm(gr, s, d);
                }
                da[s][i] = Math.hypot(norms[0], norms[1]);
                dg[s][i] = Math.hypot(norms[2], norms[3]);
                if (da[s][i] > 0 && aStar[i] >= 1) {
                    throw new Skip("an input-dependent |a_t| rounds to 1 in float32");
                }
            }
        }
        Tensor hRe;
        Tensor hIm;
        try (var s = GradMode.noGrad()) {
            Tensor[] terms = m.complexTerms(x);
            Scan.ComplexTensor h = Scan.complexDiagonal(new Scan.ComplexTensor(terms[0], terms[1]),
                    new Scan.ComplexTensor(terms[2], terms[3]), null);
            hRe = Tensor.of(h.re().toArray(), h.re().shape()).requiresGrad(true);
            hIm = Tensor.of(h.im().toArray(), h.im().shape()).requiresGrad(true);
        }
        for (int tt = 1; tt < len; tt++) {
            for (int k = 0; k < d; k++) {
                int row = tt * d + k;
                float[] jRe = Grads.of(() -> m.complexReadout(x, hRe, hIm), hRe, row);
                float[] jIm = Grads.of(() -> m.complexReadout(x, hRe, hIm), hIm, row);
                if (Grads.offRowMax(jRe, tt, c) > 0 || Grads.offRowMax(jIm, tt, c) > 0) {
                    throw new Outside("the readout at t reads h_r for some r ≠ t");
                }
                float[] infl = Grads.of(() -> mixer.forward(x), x, row);
                double scaleT = 0;
                double[] jMod = new double[c];
                for (int i = 0; i < c; i++) {
                    jMod[i] = Math.hypot(jRe[tt * c + i], jIm[tt * c + i]);
                    for (int s = 0; s < tt; s++) {
                        double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + dg[s][i];
                        scaleT = Math.max(scaleT, jMod[i] * term);
                    }
                }
                for (int s = 0; s < tt; s++) {
                    double bound = 0;
                    for (int i = 0; i < c; i++) {
                        double term = (da[s][i] > 0 ? da[s][i] * bigG[i] / (1 - aStar[i]) : 0) + dg[s][i];
                        bound += jMod[i] * Math.pow(aStar[i], tt - s) * term;
                    }
                    double got = Grads.rowNorm(infl, s, d);
                    if (!(got <= bound * (1 + REL) + 1e-6 * scaleT + 1e-30)) {
                        throw new Falsified(RECENCY, String.format(Locale.ROOT,
                                "complex: ||dy_%d[%d]/dx_%d|| = %.6g exceeds the Theorem D.2 bound %.6g", tt, k, s, got, bound));
                    }
                }
            }
        }
        cov.add("T", len);
    }

    /** Lemma D.1 with input-independent transitions: the influence vector equals its closed form. */
    private static void checkLemmaD1(float[] a, int c, int d, float[] jac, float[][][] dg, float[] infl,
                                     int t, int k, int s, double abs) {
        double[] want = new double[d];
        double mag = 0;
        for (int i = 0; i < c; i++) {
            double w = jac[t * c + i];
            for (int r = s + 1; r <= t; r++) {
                w *= a[r * c + i];
            }
            for (int q = 0; q < d; q++) {
                want[q] += w * dg[s][i][q];
            }
            mag += Math.abs(w) * norm(dg[s][i]);
        }
        for (int q = 0; q < d; q++) {
            double got = infl[s * d + q];
            if (!(Math.abs(got - want[q]) <= 1e-4 * mag + abs)) {
                throw new Falsified(TIME_INVARIANT, String.format(Locale.ROOT,
                        "dy_%d[%d]/dx_%d,%d = %.7g but the closed form gives %.7g", t, k, s, q, got, want[q]));
            }
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    /** {@value #SMOOTHING}. */
    public Verdict smoothing() {
        return property(SMOOTHING, "range(h) <= (1 - a_min^(T-1)) range(v) per channel on the mixer's transitions",
                (ws, len, scale, cov) -> {
            Mixer sampled = sample(ws);
            if (sampled instanceof ComplexEq1Terms) {
                throw new Outside("complex state: Theorem 4.2 bounds the ranges of real states");
            }
            DiagonalMixer m = diagonal(sampled);
            int d = m.width();
            Tensor x = input(ws, 1, len, d, scale);
            float[] a = termsOf(m, x)[0];
            int c = a.length / len;
            SplittableRandom rng = new SplittableRandom(ws + 17);
            float[] v = new float[len * c];
            double offset = 10 * (2 * rng.nextDouble() - 1);
            double maxAbs = 0;
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (Tensor.gaussian(rng) + offset);
                maxAbs = Math.max(maxAbs, Math.abs(v[k]));
            }
            float[] h;
            try (var s = GradMode.noGrad()) {
                Tensor at = Tensor.of(a.clone(), 1, len, c);
                Tensor vt = Tensor.of(v.clone(), 1, len, c);
                Tensor drive = Arith.mul(Arith.addScalar(Arith.neg(at), 1f), vt);
                h = Scan.diagonalStates(at, drive, Shapes.reshape(Shapes.slice(vt, 1, 0, 1), 1, c)).toArray();
            }
            double slack = 2e-6 * (len + 1) * maxAbs;
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (int i = 0; i < c; i++) {
                double aMin = Double.POSITIVE_INFINITY;
                for (int t = 1; t < len; t++) {
                    aMin = Math.min(aMin, a[t * c + i]);
                    hi = Math.max(hi, a[t * c + i]);
                }
                lo = Math.min(lo, aMin);
                double factor = 1 - Math.pow(aMin, len - 1);
                double rh = range(h, len, c, i);
                double rv = range(v, len, c, i);
                if (!(rh <= factor * rv + slack)) {
                    throw new Falsified(SMOOTHING, String.format(Locale.ROOT,
                            "channel %d: range(h) = %.7g > (1 - a_min^%d) range(v) = %.7g * %.7g", i, rh, len - 1, factor, rv));
                }
            }
            cov.add("a_min", lo);
            cov.add("A_max", hi);
        });
    }

    private static double range(float[] v, int len, int c, int i) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            lo = Math.min(lo, v[t * c + i]);
            hi = Math.max(hi, v[t * c + i]);
        }
        return hi - lo;
    }

    /** {@value #POLARIZATION}. */
    public Verdict polarization() {
        return property(POLARIZATION, "a = 1 channels sum their drive, a = 0 channels equal it", (ws, len, scale, cov) -> {
            Mixer sampled = sample(ws);
            Tensor x = input(ws, 1, len, sampled.width(), scale);
            float[] a;
            float[] g;
            float[] h;
            if (sampled instanceof ComplexEq1Terms cm) {
                // Constant channels of a complex mixer are real (a = 1 + 0i, 0 + 0i): checked on the real parts,
                // and their imaginary parts must stay 0.
                try (var s = GradMode.noGrad()) {
                    Tensor[] t = cm.complexTerms(x);
                    Scan.ComplexTensor hc = Scan.complexDiagonal(new Scan.ComplexTensor(t[0], t[1]),
                            new Scan.ComplexTensor(t[2], t[3]), null);
                    a = t[0].toArray();
                    float[] aIm = t[1].toArray();
                    for (int k = 0; k < a.length; k++) {
                        if (aIm[k] != 0f) {
                            a[k] = Float.NaN;                    // not a real constant channel
                        }
                    }
                    g = t[2].toArray();
                    h = hc.re().toArray();
                }
            } else {
                DiagonalMixer m = diagonal(sampled);
                float[][] ag = termsOf(m, x);
                a = ag[0];
                g = ag[1];
                try (var s = GradMode.noGrad()) {
                    DiagonalMixer.Terms t = m.terms(x);
                    h = DiagonalMixer.fusedScan(t.a(), t.bx()).toArray();
                }
            }
            int c = a.length / len;
            int ones = 0;
            int zeros = 0;
            for (int i = 0; i < c; i++) {
                boolean one = true;
                boolean zero = true;
                for (int t = 0; t < len; t++) {
                    one &= a[t * c + i] == 1f;
                    zero &= a[t * c + i] == 0f;
                }
                double sum = 0;
                double mag = 0;
                for (int t = 0; t < len; t++) {
                    int k = t * c + i;
                    sum += g[k];
                    mag += Math.abs(g[k]);
                    if (one && !(Math.abs(h[k] - sum) <= 1e-5 * mag + 1e-30)) {
                        throw new Falsified(POLARIZATION, String.format(Locale.ROOT,
                                "a = 1 channel %d: h_%d = %.7g but the sum of its drive is %.7g", i, t, h[k], sum));
                    }
                    if (zero && !(Math.abs(h[k] - g[k]) <= 1e-6 * Math.abs(g[k]) + 1e-30)) {
                        throw new Falsified(POLARIZATION, String.format(Locale.ROOT,
                                "a = 0 channel %d: h_%d = %.7g but g_%d = %.7g", i, t, h[k], t, g[k]));
                    }
                }
                ones += one ? 1 : 0;
                zeros += zero ? 1 : 0;
            }
            if (ones + zeros == 0) {
                throw new Outside("no constant channel (a = 1 or a = 0 at every step): the mixer is not polarized");
            }
            cov.add("a = 1 channels", ones);
            cov.add("a = 0 channels", zeros);
        });
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
