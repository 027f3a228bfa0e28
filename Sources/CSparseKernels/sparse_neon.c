// arm64 variant: NEON, 4 lanes, fused multiply-adds (vfmaq_f32). Every arm64 CPU has NEON.
#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>
#include "sparse_variants.h"

static inline float32x4_t sk_neon_load_part(const float *p, int n) {
    float lanes[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; i++) lanes[i] = p[i];
    return vld1q_f32(lanes);
}

static inline void sk_neon_store_part(float *p, float32x4_t v, int n) {
    float lanes[4];
    vst1q_f32(lanes, v);
    for (int i = 0; i < n; i++) p[i] = lanes[i];
}

static inline float32x4_t sk_neon_relu(float32x4_t v) {
    const float32x4_t zero = vdupq_n_f32(0);
    return vbslq_f32(vcgtq_f32(v, zero), v, zero);  // NaN -> 0 (vmaxq_f32 would keep the NaN)
}

#define SK_NAME(x) sk_neon_##x
#define sk_vec float32x4_t
#define SK_LANES 4
#define SK_LOAD(p) vld1q_f32(p)
#define SK_STORE(p, v) vst1q_f32((p), (v))
#define SK_LOAD_PART(p, n) sk_neon_load_part((p), (n))
#define SK_STORE_PART(p, v, n) sk_neon_store_part((p), (v), (n))
#define SK_SET1(x) vdupq_n_f32(x)
#define SK_ZERO() vdupq_n_f32(0)
#define SK_ADD(a, b) vaddq_f32((a), (b))
#define SK_MUL(a, b) vmulq_f32((a), (b))
#define SK_FMA(a, b, c) vfmaq_f32((c), (a), (b))
#define SK_RELU(v) sk_neon_relu(v)
#include "sparse_kernel_body.h"

const sk_kernels sk_neon_kernels = {SK_KERNEL_NEON, "neon", sk_neon_forward, sk_neon_update, sk_neon_panel};
#endif
