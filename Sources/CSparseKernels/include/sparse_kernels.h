// Sparse-input kernels for the first layer (issue 12), in the llm.c manner: plain C over
// caller-owned buffers, nothing allocated. An MNIST image has ~150 nonzero pixels of 784, so a
// kernel that walks only those does about a quarter of the dense GEMM's work.
//
// Shapes (row-major throughout):
//   pixels   [images, in] bytes            W0  [in, hidden]  (a row = one pixel's weights)
//   X        [batch, in] = byte / 255 (the dense path's values, bit for bit), held sparse as
//     CSR    row_ptr [batch + 1], col_idx / values [nnz]    (per image: its nonzero pixels)
//     CSC    col_ptr [in + 1],    row_idx / values [nnz]    (per pixel: the images it is lit in)
//   Z1, dZ1  [batch, hidden]        b0, db0  [hidden]
//
// Every kernel computes the output columns [col_begin, col_end) only, so callers split the work
// over threads by columns: each output element is then computed by the same operations in the
// same order whatever the split, and the result does not depend on the thread count.
#ifndef MNIST_TUI_SPARSE_KERNELS_H
#define MNIST_TUI_SPARSE_KERNELS_H
#include <stdint.h>

/// The kernels walk a batch in bands, so that what a pass rereads stays near the core:
///   forward  pixels in bands of SK_ROW_BAND (W0's packed panel rows for one band are reread by
///            every image of a group of images before the next band: row_band [batch, row_bands + 1]
///            gives where each image's entries of band t start);
///   update   images in bands of SK_IMAGE_BAND (dZ1's packed panel rows for one band are reread by
///            every pixel before the next band: col_band [image_bands + 1, in] gives where each
///            pixel's entries of band t start).
/// Measured on Zen 2 (AVX2, MNIST batches of 256, hidden 512, 2 threads): the forward pass 0.54 ->
/// 0.47 ms, the update 0.49 -> 0.41 ms, against one band each. A band changes where partial sums
/// wait (in Z1's row, or in the update's scratch), never the order of the additions: the results
/// are the same bits.
#define SK_ROW_BAND 192
#define SK_IMAGE_BAND 128

static inline int32_t sk_row_bands(int64_t in) { return (int32_t)((in + SK_ROW_BAND - 1) / SK_ROW_BAND); }
/// At least one band each (an empty batch still runs the update's last band: W0 = beta·W0).
static inline int32_t sk_image_bands(int32_t batch) {
    return batch > SK_IMAGE_BAND ? (batch + SK_IMAGE_BAND - 1) / SK_IMAGE_BAND : 1;
}

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Building the sparse batch (portable; no SIMD variants needed)

/// `sk_pixel_scale[b] == (float)b / 255.0f`, the value the dense gather computes (`Float(b) / 255`).
extern const float sk_pixel_scale[256];

/// A batch's shape without building it: per input column the OR of its bytes over the batch
/// (`col_or` [in], overwritten; nonzero = an active column) and, returned, its nonzero pixel count
/// (nnz). Images as in `sk_build_csr_parallel`. What the density rule needs, from a cheap pass, for gathers
/// that expect the batch to go dense (the dense gather then reads the same bytes, now in cache).
int64_t sk_survey(const uint8_t *pixels, int64_t in, const int32_t *indices, int64_t first, int32_t batch,
                  uint8_t *col_or);

/// The dense fallback from the CSR (a pass over the nonzeros): `out[r, slot(k)] = X[r, k]`, zero
/// elsewhere, out [batch, width]; slot(k) = column_slot[k] (a compaction: k's index among the
/// active columns, width = their count) or k itself when `column_slot` is NULL (width = in).
void sk_csr_to_dense(int32_t batch, const int32_t *row_ptr, const int32_t *col_idx, const float *values,
                     const int32_t *column_slot, int64_t width, float *out);

// MARK: Kernels (one table per instruction set)

/// `Z1[b, j] = b0[j] + Σ_p values[p] · W0[col_idx[p], j]` over image b's nonzeros, for j in
/// [col_begin, col_end); then `max(·, 0)` (NaN -> 0, as the engine's ReLU) when `relu` is nonzero.
/// Image b's entries are found through `row_band` as `sk_build_csr_parallel` makes it (its first and
/// last entries are row_ptr[b] and row_ptr[b + 1]). `scratch` holds in x `panel` floats (the packed
/// panel of W0), one per concurrent call.
typedef void (*sk_forward_fn)(int32_t batch, int64_t in, const int32_t *row_band, const int32_t *col_idx,
                              const float *values, const float *w, int64_t ldw, const float *bias, float *z,
                              int64_t ldz, int64_t col_begin, int64_t col_end, int32_t relu, float *scratch);

/// `W0[k, j] = beta · W0[k, j] + alpha · Σ_b X[b, k] · dZ1[b, j]` for every row k in [0, in) and j in
/// [col_begin, col_end): the fused SGD step (alpha = -lr, beta = 1 - lr·weightDecay; rows no image
/// lights are then left untouched when beta == 1) or the gradient (alpha = 1, beta = 0; W0 is then
/// not read, so it may hold garbage). When `db` is not NULL, also
/// `db[j] = beta · db[j] + alpha · Σ_b dZ1[b, j]` (the bias of the same step).
/// `col_band` as `sk_build_csc_parallel` makes it. `scratch` holds (batch + in) x `panel` floats (the
/// packed panel of dZ1, and the sums of the bands so far), one per concurrent call.
typedef void (*sk_update_fn)(int32_t batch, int64_t in, const int32_t *col_ptr, const int32_t *col_band,
                             const int32_t *row_idx,
                             const float *values, const float *dz, int64_t lddz, float *w, int64_t ldw,
                             float *db, float alpha, float beta, int64_t col_begin, int64_t col_end,
                             float *scratch);

typedef enum {
    SK_KERNEL_SCALAR = 0,  ///< portable C (any CPU)
    SK_KERNEL_AVX2 = 1,    ///< x86-64 AVX2 + FMA
    SK_KERNEL_AVX512 = 2,  ///< x86-64 AVX-512F
    SK_KERNEL_NEON = 3,    ///< arm64 NEON
} sk_kernel_id;

typedef struct {
    sk_kernel_id id;
    const char *name;  ///< "scalar", "avx2", "avx512", "neon"
    sk_forward_fn forward;
    sk_update_fn update;
    int32_t panel;     ///< columns per register block (the packed panel of W0 / dZ1 a pass keeps in L2)
} sk_kernels;

/// The kernels for `id`, or NULL when this build or this CPU cannot run them.
const sk_kernels *sk_kernels_for(sk_kernel_id id);

/// The fastest variant this CPU runs (AVX-512 > AVX2 > scalar on x86-64, NEON on arm64).
const sk_kernels *sk_kernels_best(void);

// MARK: Threads

/// A pool of `threads - 1` worker threads (the caller is the first); made once, nothing allocated
/// per call. NULL when out of memory. Fewer threads may start than asked (`sk_pool_threads`).
typedef struct sk_pool sk_pool;
sk_pool *sk_pool_create(int32_t threads);
void sk_pool_destroy(sk_pool *pool);
int32_t sk_pool_threads(const sk_pool *pool);

/// One slice of a pool call: the range [begin, end) of the call's width, slice index `slice`.
typedef void (*sk_slice_fn)(const void *job, int32_t slice, int64_t begin, int64_t end);

/// Runs `fn(job, i, begin_i, end_i)` over [0, width) cut into at most `sk_pool_threads` slices, each a
/// multiple of `granule` but the last, on the pool (the caller runs slice 0); returns when all are done.
/// Slices run concurrently: `fn` must write disjoint memory per slice. The hidden layers' GEMMs use it
/// too (split by batch rows), so one set of threads serves the whole step.
void sk_pool_run(sk_pool *pool, sk_slice_fn fn, const void *job, int64_t width, int64_t granule);

/// One pass over the bytes of a batch, its images split over the pool: the CSR of X, the start of
/// each image's entries in each pixel band, `row_band` [batch, sk_row_bands(in) + 1], and per input
/// column how many images have it nonzero, `col_count` [in] (the active columns a compacted dense
/// fallback keeps: col_count[k] != 0); when `dense` is not NULL, also X itself [batch, in] for the
/// dense fallback. Image `r` of the batch is image `indices[r]` of `pixels` (or `first + r` when
/// `indices` is NULL). Returns nnz (= row_ptr[batch]). Also per slice (at most `sk_pool_threads`):
/// its column counts, `slice_counts` [threads, in], and its last image + 1, `slice_rows` [threads]
/// (-1 for slices that did not run), which `sk_build_csc_parallel` needs. col_idx and values hold
/// batch * in entries (each slice writes from its own first slot on before the gaps are closed).
/// The result does not depend on the pool's thread count.
int64_t sk_build_csr_parallel(sk_pool *pool, const uint8_t *pixels, int64_t in, const int32_t *indices,
                              int64_t first, int32_t batch, int32_t *row_ptr, int32_t *row_band, int32_t *col_idx,
                              float *values, int32_t *col_count, int32_t *slice_counts, int32_t *slice_rows,
                              float *dense);

/// The CSC of a batch built by `sk_build_csr_parallel` on the same pool (a pass over the nnz
/// entries, not over the bytes, its images split over the pool the same way), each column's images
/// in increasing order, and the start of each column's entries in each image band, `col_band`
/// [sk_image_bands(batch) + 1, in]. `cursors` [threads, in] is scratch. Returns the number of
/// active columns (nonzero in some image).
int32_t sk_build_csc_parallel(sk_pool *pool, int32_t batch, int64_t in, const int32_t *row_ptr,
                              const int32_t *col_idx, const float *values, const int32_t *slice_counts,
                              const int32_t *slice_rows, int32_t *col_ptr, int32_t *col_band, int32_t *row_idx,
                              float *csc_values, int32_t *cursors);

/// `kernels->forward` over the columns [0, width) split in `sk_pool_threads` slices; slice i uses
/// `panels + i * panel_floats` as its scratch (panel_floats >= in * kernels->panel).
void sk_forward_parallel(sk_pool *pool, const sk_kernels *kernels, int32_t batch, int64_t in, const int32_t *row_band,
                         const int32_t *col_idx, const float *values, const float *w, int64_t ldw, const float *bias,
                         float *z, int64_t ldz, int64_t width, int32_t relu, float *panels, int64_t panel_floats);

/// `kernels->update` likewise (panel_floats >= (batch + in) * kernels->panel).
void sk_update_parallel(sk_pool *pool, const sk_kernels *kernels, int32_t batch, int64_t in, const int32_t *col_ptr,
                        const int32_t *col_band, const int32_t *row_idx, const float *values, const float *dz, int64_t lddz, float *w,
                        int64_t ldw, float *db, float alpha, float beta, int64_t width, float *panels,
                        int64_t panel_floats);

#ifdef __cplusplus
}
#endif
#endif
