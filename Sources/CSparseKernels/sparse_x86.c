// x86-64 variants: AVX-512F and AVX2 + FMA, each compiled for its instruction set through a target
// attribute on its functions (no global compiler flags: the package may not use unsafeFlags), and
// chosen at run time by sparse_dispatch.c. Both fuse every multiply-add, lane by lane in the same
// order, so on a CPU that has both they give the same bits.
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>
#include "sparse_variants.h"

// MARK: AVX-512F: 16 lanes, partial vectors through masks.
#pragma clang attribute push(__attribute__((target("avx512f,fma"))), apply_to = function)
#define SK_NAME(x) sk_avx512_##x
#define sk_vec __m512
#define SK_LANES 16
#define SK_MASK(n) ((__mmask16)((1u << (n)) - 1u))
#define SK_LOAD(p) _mm512_loadu_ps(p)
#define SK_STORE(p, v) _mm512_storeu_ps((p), (v))
#define SK_LOAD_PART(p, n) _mm512_maskz_loadu_ps(SK_MASK(n), (p))
#define SK_STORE_PART(p, v, n) _mm512_mask_storeu_ps((p), SK_MASK(n), (v))
#define SK_SET1(x) _mm512_set1_ps(x)
#define SK_ZERO() _mm512_setzero_ps()
#define SK_ADD(a, b) _mm512_add_ps((a), (b))
#define SK_MUL(a, b) _mm512_mul_ps((a), (b))
#define SK_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define SK_RELU(v) _mm512_max_ps((v), _mm512_setzero_ps())  // (NaN, 0) -> 0: maxps returns its second operand
#include "sparse_kernel_body.h"
#undef SK_NAME
#undef SK_LANES
#undef SK_MASK
#undef SK_LOAD
#undef SK_STORE
#undef SK_LOAD_PART
#undef SK_STORE_PART
#undef SK_SET1
#undef SK_ZERO
#undef SK_ADD
#undef SK_MUL
#undef SK_FMA
#undef SK_RELU
#undef sk_vec
#pragma clang attribute pop

const sk_kernels sk_avx512_kernels = {SK_KERNEL_AVX512, "avx512", sk_avx512_forward, sk_avx512_update, sk_avx512_panel};

// MARK: AVX2 + FMA: 8 lanes, partial vectors through vmaskmov.
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
static inline __m256i sk_avx2_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define SK_NAME(x) sk_avx2_##x
#define sk_vec __m256
#define SK_LANES 8
#define SK_LOAD(p) _mm256_loadu_ps(p)
#define SK_STORE(p, v) _mm256_storeu_ps((p), (v))
#define SK_LOAD_PART(p, n) _mm256_maskload_ps((p), sk_avx2_mask(n))
#define SK_STORE_PART(p, v, n) _mm256_maskstore_ps((p), sk_avx2_mask(n), (v))
#define SK_SET1(x) _mm256_set1_ps(x)
#define SK_ZERO() _mm256_setzero_ps()
#define SK_ADD(a, b) _mm256_add_ps((a), (b))
#define SK_MUL(a, b) _mm256_mul_ps((a), (b))
#define SK_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define SK_RELU(v) _mm256_max_ps((v), _mm256_setzero_ps())  // (NaN, 0) -> 0, as above
#include "sparse_kernel_body.h"
#pragma clang attribute pop

const sk_kernels sk_avx2_kernels = {SK_KERNEL_AVX2, "avx2", sk_avx2_forward, sk_avx2_update, sk_avx2_panel};
#endif
