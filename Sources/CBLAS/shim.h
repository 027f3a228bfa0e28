// CBLAS from the platform: Accelerate on macOS, OpenBLAS (Debian's libopenblas-dev) elsewhere.
// Linking is declared in Package.swift on the Engine target, per platform.
#ifndef MNIST_TUI_CBLAS_SHIM_H
#define MNIST_TUI_CBLAS_SHIM_H
#if defined(__APPLE__)
#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
static inline void mnist_blas_set_threads(int n) { (void)n; }
static inline const char *mnist_blas_description(void) { return "Accelerate"; }
#else
#include <cblas.h>
static inline void mnist_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline const char *mnist_blas_description(void) { return openblas_get_corename(); }
#endif
#endif
