// The kernel tables each variant file defines (internal to the target).
#ifndef MNIST_TUI_SPARSE_VARIANTS_H
#define MNIST_TUI_SPARSE_VARIANTS_H
#include "include/sparse_kernels.h"

extern const sk_kernels sk_scalar_kernels;
#if defined(__x86_64__)
extern const sk_kernels sk_avx2_kernels;
extern const sk_kernels sk_avx512_kernels;
#endif
#if defined(__aarch64__)
extern const sk_kernels sk_neon_kernels;
#endif
#endif
