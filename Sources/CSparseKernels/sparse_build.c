// Building a batch's sparse form: the CSR in the one pass over its pixel bytes the gather makes
// anyway, the CSC from the CSR (a pass over the ~38 K nonzeros of an MNIST batch, not its 200 K bytes),
// each with the batch's images split over the pool's threads (the other core would otherwise wait:
// on 2 threads the gather went from 0.15 to 0.09 ms a batch of 256 and the CSC from 0.08 to 0.05,
// Zen 2). Both give the very arrays a single thread makes, so nothing downstream depends on the split.
#include <string.h>
#include "include/sparse_kernels.h"

// Images per slice (but the last) when a build is split over the pool: the CSC is filled over the
// same slices as the CSR was built (same width, same granule), whose per-slice counts place it.
#define SK_BUILD_GRANULE 8

// (float)b / 255.0f for b = 0...255, evaluated by the compiler in float (correctly rounded, as the
// engine's `Float(byte) / 255`; the tests compare all 256).
#define SK_S1(b) (float)(b) / 255.0f
#define SK_S4(b) SK_S1(b), SK_S1(b + 1), SK_S1(b + 2), SK_S1(b + 3)
#define SK_S16(b) SK_S4(b), SK_S4(b + 4), SK_S4(b + 8), SK_S4(b + 12)
#define SK_S64(b) SK_S16(b), SK_S16(b + 16), SK_S16(b + 32), SK_S16(b + 48)
const float sk_pixel_scale[256] = {SK_S64(0), SK_S64(64), SK_S64(128), SK_S64(192)};

/// Appends pixel `column` of the current image: written always, kept (nnz and the column's count
/// advance) only when nonzero. Branch-free: which pixels of a word are lit is unpredictable, and
/// a branch per pixel cost more than twice the time. In bounds: nnz < pixels visited so far.
static inline void sk_append(uint8_t byte, int64_t column, int32_t *col_idx, float *values, int32_t *col_count,
                             int64_t *nnz) {
    const int lit = byte != 0;
    col_idx[*nnz] = (int32_t)column;
    values[*nnz] = sk_pixel_scale[byte];
    col_count[column] += lit;
    *nnz += lit;
}

/// Images [r0, r1) of the batch, their entries written from `base` on (row_ptr[r] = base + entries
/// before image r in the range; row_ptr[r1] is not written), and where each image's entries of each
/// pixel band start (row_band, all `bands + 1` of image r). `col_count` [in] is this range's own,
/// added to. Returns the range's entries. In bounds: its entries < pixels visited, and the range
/// owns (r1 - r0) * in slots from `base`.
static int64_t sk_build_rows(const uint8_t *pixels, int64_t in, const int32_t *indices, int64_t first, int32_t r0,
                             int32_t r1, int32_t *row_ptr, int32_t *row_band, int32_t *col_idx, float *values,
                             int32_t *col_count, float *dense, int64_t base) {
    const int32_t bands = sk_row_bands(in);
    int64_t nnz = base;
    for (int32_t r = r0; r < r1; r++) {
        row_ptr[r] = (int32_t)nnz;
        const uint8_t *image = pixels + (indices ? (int64_t)indices[r] : first + r) * in;
        // The image after next, from memory into cache while this one is scanned: the images of a
        // shuffled batch are scattered over the training set, and waiting for each from DRAM cost
        // about a fifth of the gather (0.19 against 0.15 ms a batch of 256, Zen 2).
        if (r + 2 < r1) {
            const uint8_t *ahead = pixels + (indices ? (int64_t)indices[r + 2] : first + r + 2) * in;
            for (int64_t o = 0; o < in; o += 64) __builtin_prefetch(ahead + o, 0, 0);
            __builtin_prefetch(ahead + in - 1, 0, 0);
        }
        float *x = dense ? dense + (int64_t)r * in : 0;
        int32_t *band = row_band + (int64_t)r * (bands + 1);
        for (int32_t t = 0; t < bands; t++) {
            band[t] = (int32_t)nnz;
            int64_t k = (int64_t)t * SK_ROW_BAND;
            const int64_t end = k + SK_ROW_BAND < in ? k + SK_ROW_BAND : in;
            // 8 bytes at a time (SK_ROW_BAND is a multiple of 8): many words of an MNIST image are
            // all zero (its border) and are skipped whole.
            for (; k + 8 <= end; k += 8) {
                uint64_t word;
                memcpy(&word, image + k, 8);
                if (word == 0) {
                    if (x) memset(x + k, 0, 8 * sizeof *x);
                    continue;
                }
                for (int64_t c = k; c < k + 8; c++) sk_append(image[c], c, col_idx, values, col_count, &nnz);
                if (x) for (int64_t c = k; c < k + 8; c++) x[c] = sk_pixel_scale[image[c]];
            }
            for (; k < end; k++) {
                sk_append(image[k], k, col_idx, values, col_count, &nnz);
                if (x) x[k] = sk_pixel_scale[image[k]];
            }
        }
        band[bands] = (int32_t)nnz;
    }
    return nnz - base;
}

// MARK: Split over the pool's threads

typedef struct {
    const uint8_t *pixels;
    int64_t in, first;
    const int32_t *indices;
    int32_t *row_ptr, *row_band, *col_idx;
    float *values, *dense;
    int32_t *slice_counts;
    int64_t *slice_nnz;
    int32_t *slice_rows;
} sk_build_job;

static void sk_build_slice(const void *raw, int32_t slice, int64_t begin, int64_t end) {
    const sk_build_job *j = raw;
    int32_t *counts = j->slice_counts + slice * j->in;
    memset(counts, 0, (size_t)j->in * sizeof *counts);
    j->slice_rows[slice] = (int32_t)end;
    j->slice_nnz[slice] = sk_build_rows(j->pixels, j->in, j->indices, j->first, (int32_t)begin, (int32_t)end,
                                        j->row_ptr, j->row_band, j->col_idx, j->values, counts, j->dense,
                                        begin * j->in);
}

int64_t sk_build_csr_parallel(sk_pool *pool, const uint8_t *pixels, int64_t in, const int32_t *indices,
                              int64_t first, int32_t batch, int32_t *row_ptr, int32_t *row_band, int32_t *col_idx,
                              float *values, int32_t *col_count, int32_t *slice_counts, int32_t *slice_rows,
                              float *dense) {
    const int32_t threads = sk_pool_threads(pool), bands = sk_row_bands(in);
    int64_t slice_nnz[threads];
    for (int32_t s = 0; s < threads; s++) slice_rows[s] = -1;
    const sk_build_job job = {pixels, in, first, indices, row_ptr, row_band, col_idx, values, dense,
                              slice_counts, slice_nnz, slice_rows};
    sk_pool_run(pool, sk_build_slice, &job, batch, SK_BUILD_GRANULE);
    // Each slice wrote from its own first slot (begin * in) on; close the gaps, in slice order, so
    // the CSR is the very one the single-threaded build makes.
    memset(col_count, 0, (size_t)in * sizeof *col_count);
    int64_t nnz = 0;
    int32_t begin = 0;
    for (int32_t s = 0; s < threads && slice_rows[s] >= 0; s++) {
        const int64_t base = (int64_t)begin * in, shift = base - nnz;
        if (shift > 0) {
            memmove(col_idx + nnz, col_idx + base, (size_t)slice_nnz[s] * sizeof *col_idx);
            memmove(values + nnz, values + base, (size_t)slice_nnz[s] * sizeof *values);
            for (int32_t r = begin; r < slice_rows[s]; r++) {
                row_ptr[r] -= (int32_t)shift;
                for (int32_t t = 0; t <= bands; t++) row_band[(int64_t)r * (bands + 1) + t] -= (int32_t)shift;
            }
        }
        const int32_t *counts = slice_counts + s * in;
        for (int64_t k = 0; k < in; k++) col_count[k] += counts[k];
        nnz += slice_nnz[s];
        begin = slice_rows[s];
    }
    row_ptr[batch] = (int32_t)nnz;
    return nnz;
}

int64_t sk_survey(const uint8_t *pixels, int64_t in, const int32_t *indices, int64_t first, int32_t batch,
                  uint8_t *col_or) {
    memset(col_or, 0, (size_t)in);
    int64_t nnz = 0;
    for (int32_t r = 0; r < batch; r++) {
        const uint8_t *image = pixels + (indices ? (int64_t)indices[r] : first + r) * in;
        int32_t lit = 0;  // per image, so the compiler keeps narrow vector lanes
        for (int64_t k = 0; k < in; k++) {
            col_or[k] |= image[k];
            lit += image[k] != 0;
        }
        nnz += lit;
    }
    return nnz;
}

void sk_csr_to_dense(int32_t batch, const int32_t *row_ptr, const int32_t *col_idx, const float *values,
                     const int32_t *column_slot, int64_t width, float *out) {
    memset(out, 0, (size_t)batch * (size_t)width * sizeof *out);
    for (int32_t r = 0; r < batch; r++) {
        float *row = out + (int64_t)r * width;
        for (int32_t e = row_ptr[r]; e < row_ptr[r + 1]; e++) {
            row[column_slot ? column_slot[col_idx[e]] : col_idx[e]] = values[e];
        }
    }
}

typedef struct {
    int64_t in;
    const int32_t *row_ptr, *col_idx;
    const float *values;
    int32_t *row_idx, *col_band;
    float *csc_values;
    int32_t *cursors;
} sk_csc_job;

static void sk_csc_slice(const void *raw, int32_t slice, int64_t begin, int64_t end) {
    const sk_csc_job *j = raw;
    int32_t *cursor = j->cursors + slice * j->in;
    for (int32_t r = (int32_t)begin; r < (int32_t)end; r++) {
        // An image band starts here: each column's next slot is where its entries of the band start.
        if (r > 0 && r % SK_IMAGE_BAND == 0) {
            memcpy(j->col_band + (int64_t)(r / SK_IMAGE_BAND) * j->in, cursor, (size_t)j->in * sizeof *cursor);
        }
        for (int32_t e = j->row_ptr[r]; e < j->row_ptr[r + 1]; e++) {
            const int32_t at = cursor[j->col_idx[e]]++;
            j->row_idx[at] = r;
            j->csc_values[at] = j->values[e];
        }
    }
}

int32_t sk_build_csc_parallel(sk_pool *pool, int32_t batch, int64_t in, const int32_t *row_ptr,
                              const int32_t *col_idx, const float *values, const int32_t *slice_counts,
                              const int32_t *slice_rows, int32_t *col_ptr, int32_t *col_band, int32_t *row_idx,
                              float *csc_values, int32_t *cursors) {
    const int32_t threads = sk_pool_threads(pool), bands = sk_image_bands(batch);
    int32_t active = 0, offset = 0;
    for (int64_t k = 0; k < in; k++) {
        col_ptr[k] = offset;
        // Slice s starts column k's list after the images of the slices before it (whose counts
        // it adds up), so each column lists its images in increasing order, as the serial build.
        int32_t count = 0;
        for (int32_t s = 0; s < threads && slice_rows[s] >= 0; s++) {
            cursors[s * in + k] = offset + count;
            count += slice_counts[s * in + k];
        }
        offset += count;
        active += count != 0;
    }
    col_ptr[in] = offset;
    memcpy(col_band, col_ptr, (size_t)in * sizeof *col_ptr);                              // band 0 starts
    memcpy(col_band + (int64_t)bands * in, col_ptr + 1, (size_t)in * sizeof *col_ptr);  // the last ends
    const sk_csc_job job = {in, row_ptr, col_idx, values, row_idx, col_band, csc_values, cursors};
    sk_pool_run(pool, sk_csc_slice, &job, batch, SK_BUILD_GRANULE);
    return active;
}
