// The portable variant: one float at a time, for CPUs with none of the vector variants. Multiply and
// add stay separate (no contraction), so it gives the same bits with any compiler and target.
#include <string.h>
#include "sparse_variants.h"

#pragma clang fp contract(off)

static inline float sk_scalar_relu(float v) { return v > 0 ? v : 0; }  // NaN -> 0

#define SK_NAME(x) sk_scalar_##x
#define sk_vec float
#define SK_LANES 1
#define SK_LOAD(p) (*(p))
#define SK_STORE(p, v) (*(p) = (v))
#define SK_LOAD_PART(p, n) ((void)(n), *(p))
#define SK_STORE_PART(p, v, n) ((void)(n), *(p) = (v))
#define SK_SET1(x) (x)
#define SK_ZERO() 0.0f
#define SK_ADD(a, b) ((a) + (b))
#define SK_MUL(a, b) ((a) * (b))
#define SK_FMA(a, b, c) ((a) * (b) + (c))
#define SK_RELU(v) sk_scalar_relu(v)
#include "sparse_kernel_body.h"

const sk_kernels sk_scalar_kernels = {SK_KERNEL_SCALAR, "scalar", sk_scalar_forward, sk_scalar_update, sk_scalar_panel};
