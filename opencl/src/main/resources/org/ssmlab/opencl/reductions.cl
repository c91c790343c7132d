/*
 * Reductions of the OpenCL backend: the same sums as the scalar twin
 * (org.ssmlab.simd.ScalarReductions), accumulated in double when the device has cl_khr_fp64
 * (SSM_FP64), else in float; only the order of the additions differs (a tree per work-group).
 *
 * Every kernel reduces in local memory with a power-of-two work-group size L:
 *     s[l] = item l's strided partial;   for h = L/2, L/4, ..., 1:  s[l] = s[l] (+) s[l + h]  for l < h
 * so s[0] holds the group's result after log2(L) barriers.
 *
 * Kinds: 0 = sum x, 1 = sum x^2, 2 = sum x*y, 3 = max x (Java's Math.max: NaN wins, +0 above -0).
 */
#pragma OPENCL FP_CONTRACT OFF

#ifdef SSM_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#define ACC_NEG_INF (-(double) INFINITY)
#else
typedef float acc_t;
#define ACC_NEG_INF (-INFINITY)
#endif

#define KIND_SUM 0
#define KIND_SUM_SQUARES 1
#define KIND_DOT 2
#define KIND_MAX 3

inline acc_t java_max(acc_t a, acc_t b) {
    if (isnan(a) || isnan(b)) {
        return a + b;
    }
    if (a == b) {
        return signbit(a) ? b : a;
    }
    return a > b ? a : b;
}

inline acc_t identity_of(int kind) {
    return kind == KIND_MAX ? ACC_NEG_INF : (acc_t) 0;
}

inline acc_t combine(int kind, acc_t a, acc_t b) {
    return kind == KIND_MAX ? java_max(a, b) : a + b;
}

/* The term element i contributes: x, x^2 or x*y (a product of two floats is exact in double). */
inline acc_t term_of(int kind, __global const float* x, __global const float* y, int i) {
    acc_t xi = x[i];
    switch (kind) {
        case KIND_SUM_SQUARES: return xi * xi;
        case KIND_DOT: return xi * (acc_t) y[i];
        default: return xi;
    }
}

/* Tree reduction of scratch[0 .. L) into scratch[0]; every item of the group must call it. */
inline void reduce_local(int kind, __local acc_t* scratch) {
    int l = get_local_id(0);
    for (int h = get_local_size(0) / 2; h > 0; h /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < h) {
            scratch[l] = combine(kind, scratch[l], scratch[l + h]);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
}

/*
 * Stage one of a whole-range reduction: group g writes partial[g], the reduction of the elements
 * i = g*L + l, i + G*L, i + 2*G*L, ... (G groups). The host combines the G partials.
 */
__kernel void reduce_partial(int kind, __global const float* x, __global const float* y, int n,
                             __global acc_t* partial, __local acc_t* scratch) {
    int l = get_local_id(0);
    int stride = get_global_size(0);
    acc_t acc = identity_of(kind);
    for (int i = get_global_id(0); i < n; i += stride) {
        acc = combine(kind, acc, term_of(kind, x, y, i));
    }
    scratch[l] = acc;
    reduce_local(kind, scratch);
    if (l == 0) {
        partial[get_group_id(0)] = scratch[0];
    }
}

/* One group per row of a row-major (rows, cols) matrix: out[r] = reduction of row r (kinds 0, 1, 3). */
__kernel void reduce_rows(int kind, __global const float* x, __global float* out, int cols,
                          __local acc_t* scratch) {
    int r = get_group_id(0);
    int l = get_local_id(0);
    __global const float* row = x + (long) r * cols;
    acc_t acc = identity_of(kind);
    for (int c = l; c < cols; c += get_local_size(0)) {
        acc = combine(kind, acc, term_of(kind, row, row, c));
    }
    scratch[l] = acc;
    reduce_local(kind, scratch);
    if (l == 0) {
        out[r] = (float) scratch[0];
    }
}

/*
 * Stable softmax (logSoftmax = 0) or log-softmax (logSoftmax = 1) of each row, one group per row:
 *     m = max_c x_c,   s = sum_c e^(x_c - m)  (s >= 1, every exponent <= 0),
 *     softmax_c = e^(x_c - m) / s,   logSoftmax_c = (x_c - m) - ln s.
 * A row whose max is -inf is uniform by definition (1/cols, or -ln cols), as in the scalar twin.
 */
__kernel void softmax_rows(int logSoftmax, __global const float* x, __global float* out, int cols,
                           __local acc_t* scratch) {
    int r = get_group_id(0);
    int l = get_local_id(0);
    int size = get_local_size(0);
    __global const float* row = x + (long) r * cols;
    __global float* dst = out + (long) r * cols;

    acc_t m = ACC_NEG_INF;
    for (int c = l; c < cols; c += size) {
        m = java_max(m, (acc_t) row[c]);
    }
    scratch[l] = m;
    reduce_local(KIND_MAX, scratch);
    m = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);   /* everyone has read scratch[0] before it is reused */

    /* Every item reaches every barrier: the all -inf case is a flag, not an early return. */
    int uniform = m == ACC_NEG_INF;
    acc_t s = 0;
    if (!uniform) {
        for (int c = l; c < cols; c += size) {
            s += exp((acc_t) row[c] - m);
        }
    }
    scratch[l] = s;
    reduce_local(KIND_SUM, scratch);
    s = scratch[0];
    acc_t logS = log(s);
    for (int c = l; c < cols; c += size) {
        acc_t shifted = (acc_t) row[c] - m;
        if (uniform) {
            dst[c] = logSoftmax ? (float) -log((acc_t) cols) : 1.0f / (float) cols;
        } else {
            dst[c] = logSoftmax ? (float) (shifted - logS) : (float) (exp(shifted) / s);
        }
    }
}
