// Choosing a kernel variant at run time from what the CPU (and OS) support.
#include "sparse_variants.h"

const sk_kernels *sk_kernels_for(sk_kernel_id id) {
    switch (id) {
    case SK_KERNEL_SCALAR:
        return &sk_scalar_kernels;
#if defined(__x86_64__)
    case SK_KERNEL_AVX2:
        // __builtin_cpu_supports also checks that the OS saves the wider registers (XGETBV).
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &sk_avx2_kernels : 0;
    case SK_KERNEL_AVX512:
        return __builtin_cpu_supports("avx512f") ? &sk_avx512_kernels : 0;
#endif
#if defined(__aarch64__)
    case SK_KERNEL_NEON:
        return &sk_neon_kernels;
#endif
    default:
        return 0;
    }
}

const sk_kernels *sk_kernels_best(void) {
    static const sk_kernel_id preference[] = {SK_KERNEL_AVX512, SK_KERNEL_AVX2, SK_KERNEL_NEON};
    for (unsigned i = 0; i < sizeof preference / sizeof preference[0]; i++) {
        const sk_kernels *kernels = sk_kernels_for(preference[i]);
        if (kernels) return kernels;
    }
    return &sk_scalar_kernels;
}
