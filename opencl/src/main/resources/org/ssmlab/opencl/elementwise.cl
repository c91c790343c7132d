/*
 * Elementwise kernels of the OpenCL backend. Every kernel computes the same formula as its scalar
 * twin (org.ssmlab.simd.ScalarElementwise):
 *   - unary functions in double when the device has cl_khr_fp64 (SSM_FP64), rounded once to float,
 *     exactly as the scalar twin evaluates them with java.lang.Math;
 *   - binary functions, fma and axpy in float with one rounding per result, so they agree bit for
 *     bit (division and sqrt are correctly rounded: the host passes
 *     -cl-fp32-correctly-rounded-divide-sqrt when the device supports it).
 * The op codes are the ordinals of Elementwise.Unary and Elementwise.Binary (OpenClElementwise maps
 * them explicitly). Buffers hold exactly the n elements of the call (the host uploads sub-ranges), so
 * every index starts at 0.
 */
#pragma OPENCL FP_CONTRACT OFF

#ifdef SSM_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real_t;
#else
typedef float real_t;
#endif

/* Java's Math.max: NaN if either argument is NaN, and +0 is above -0. */
inline float java_max(float a, float b) {
    if (isnan(a) || isnan(b)) {
        return a + b;
    }
    if (a == b) {
        return signbit(a) ? b : a;
    }
    return a > b ? a : b;
}

/* sigma(x) = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: the exponent is never positive. */
inline real_t sigmoid_of(real_t x) {
    if (x >= 0) {
        return 1 / (1 + exp(-x));
    }
    real_t e = exp(x);
    return e / (1 + e);
}

/* sqrt(2/pi) and the cubic coefficient of the tanh form of GELU. */
#define GELU_K ((real_t) 0.7978845608028654)
#define GELU_C ((real_t) 0.044715)

inline float unary_of(int op, float xf) {
    real_t x = xf;
    switch (op) {
        case 0: return (float) exp(x);                                   /* EXP */
        case 1: return (float) log(x);                                   /* LOG */
        case 2: return (float) tanh(x);                                  /* TANH */
        case 3: return (float) sigmoid_of(x);                            /* SIGMOID */
        case 4: {                                                        /* SOFTPLUS */
            /* ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|); NaN stays NaN through the sum. */
            real_t pos = isnan(x) ? x : (x > 0 ? x : (real_t) 0);
            return (float) (pos + log1p(exp(-fabs(x))));
        }
        case 5: return (float) (x * sigmoid_of(x));                      /* SILU */
        case 6: return (float) ((real_t) 0.5 * x                         /* GELU */
                        * (1 + tanh(GELU_K * (x + GELU_C * x * x * x))));
        case 7: return -xf;                                              /* NEG */
        case 8: return fabs(xf);                                         /* ABS */
        case 9: return (float) sqrt(x);                                  /* SQRT */
        case 10: return java_max(xf, 0.0f);                              /* RELU */
        default: return NAN;
    }
}

inline float binary_of(int op, float x, float y) {
    switch (op) {
        case 0: return x + y;
        case 1: return x - y;
        case 2: return x * y;
        case 3: return x / y;
        default: return NAN;
    }
}

/* out[i] = op(x[i]) */
__kernel void unary(int op, __global const float* x, __global float* out, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[i] = unary_of(op, x[i]);
    }
}

/* out[i] = op(x[i], y[i]) */
__kernel void binary(int op, __global const float* x, __global const float* y, __global float* out, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[i] = binary_of(op, x[i], y[i]);
    }
}

/* out[i] = op(x[i], s) */
__kernel void binary_scalar(int op, __global const float* x, float s, __global float* out, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[i] = binary_of(op, x[i], s);
    }
}

/* Row broadcast on a row-major (rows, cols) matrix: out[r,c] = op(x[r,c], y[c]). */
__kernel void binary_row(int op, __global const float* x, __global const float* y, __global float* out,
                         int rows, int cols) {
    int i = get_global_id(0);
    if (i < rows * cols) {
        out[i] = binary_of(op, x[i], y[i % cols]);
    }
}

/* out[i] = a[i] * b[i] + c[i] with one rounding (fma is correctly rounded in OpenCL C). */
__kernel void fused_multiply_add(__global const float* a, __global const float* b, __global const float* c,
                                 __global float* out, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[i] = fma(a[i], b[i], c[i]);
    }
}

/* y[i] = alpha * x[i] + y[i] with one rounding. */
__kernel void axpy(float alpha, __global const float* x, __global float* y, int n) {
    int i = get_global_id(0);
    if (i < n) {
        y[i] = fma(alpha, x[i], y[i]);
    }
}
