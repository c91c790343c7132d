package org.ssmlab.ssm.core;

/**
 * Running-maximum shifts for recurrences that sum exponentials (RWKV-4's wkv, the attentive state
 * update). Summing e^{k_s} directly overflows for large k; instead each state is kept scaled by
 * e^{-m_t} with m_t a running maximum, so every exponential has a non-positive argument.
 *
 * <p>The shifts are computed from detached values and enter the graph as constants. That is exact,
 * not an approximation: the quantities the layers output are ratios in which the scale e^{-m_t}
 * cancels identically, so their derivative with respect to m is zero.
 */
public final class RunningMax {

    /** Stands for "no previous step": e^{NONE + finite} is exactly 0 in float. */
    public static final float NONE = -1e30f;

    private RunningMax() {
    }

    /**
     * m_t = max(m_{t-1} - decay_c, k_t) per (batch, channel), m before the first step = NONE, over
     * k (batch, L, C); decay may be null (no decay). Returns m (batch, L, C).
     */
    public static float[] decayed(float[] k, float[] decay, int batch, int len, int channels) {
        float[] m = new float[k.length];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                float prev = NONE;
                for (int t = 0; t < len; t++) {
                    int i = (b * len + t) * channels + c;
                    float carried = prev == NONE ? NONE : prev - (decay == null ? 0f : decay[c]);
                    prev = Math.max(carried, k[i]);
                    m[i] = prev;
                }
            }
        }
        return m;
    }

    /** m_{t-1} for every t (NONE at t = 0), over (batch, L, C). */
    public static float[] previous(float[] m, int batch, int len, int channels) {
        float[] p = new float[m.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len; t++) {
                for (int c = 0; c < channels; c++) {
                    int i = (b * len + t) * channels + c;
                    p[i] = t == 0 ? NONE : m[i - channels];
                }
            }
        }
        return p;
    }

    /**
     * prev - next elementwise, the exponent of a rescaling e^{prev - next}; NONE where there is no
     * previous step (so the rescaled term is exactly 0).
     */
    public static float[] shift(float[] prev, float[] next) {
        float[] out = new float[prev.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = prev[i] == NONE ? NONE : prev[i] - next[i];
        }
        return out;
    }

    /**
     * The recurrent state of num = Σ_s e^{-decay (t-s)} e^{k_s} v_s and den = Σ_s e^{-decay (t-s)} e^{k_s},
     * kept scaled by e^{-m} with the shift m: the recurrent twin of the scans the layers run in parallel mode.
     */
    public static final class Sums implements RecurrentState {
        final float[] num;
        final float[] den;
        final float[] m;

        public Sums(int size) {
            num = new float[size];
            den = new float[size];
            m = new float[size];
            java.util.Arrays.fill(m, NONE);
        }

        /** One step at index i: m' = max(m - decay, k), then num ← e^{-decay + m - m'} num + e^{k - m'} v (den with 1). */
        public void accumulate(int i, double decay, float k, float v) {
            float prev = m[i];
            float next = prev == NONE ? k : (float) Math.max(prev - decay, k);
            double a = prev == NONE ? 0 : Math.exp(-decay + prev - next);
            double ek = Math.exp(k - next);
            num[i] = (float) (a * num[i] + ek * v);
            den[i] = (float) (a * den[i] + ek);
            m[i] = next;
        }

        /** num scaled by e^{-m}. */
        public float num(int i) {
            return num[i];
        }

        /** den scaled by e^{-m}. */
        public float den(int i) {
            return den[i];
        }

        /** The shift m (NONE before the first step). */
        public float shift(int i) {
            return m[i];
        }
    }
}
