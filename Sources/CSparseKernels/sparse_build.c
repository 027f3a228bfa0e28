// Building a batch's sparse form: the CSR in the one pass over its pixel bytes the gather makes
// anyway, the CSC from the CSR (a pass over the ~38 K nonzeros of an MNIST batch, not its 200 K bytes).
#include <string.h>
#include "include/sparse_kernels.h"

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

int64_t sk_build_csr(const uint8_t *pixels, int64_t in, const int32_t *indices, int64_t first, int32_t batch,
                     int32_t *row_ptr, int32_t *col_idx, float *values, int32_t *col_count, float *dense) {
    memset(col_count, 0, (size_t)in * sizeof *col_count);
    int64_t nnz = 0;
    for (int32_t r = 0; r < batch; r++) {
        row_ptr[r] = (int32_t)nnz;
        const uint8_t *image = pixels + (indices ? (int64_t)indices[r] : first + r) * in;
        float *x = dense ? dense + (int64_t)r * in : 0;
        int64_t k = 0;
        // 8 bytes at a time: many words of an MNIST image are all zero (its border) and are skipped whole.
        for (; k + 8 <= in; k += 8) {
            uint64_t word;
            memcpy(&word, image + k, 8);
            if (word == 0) {
                if (x) memset(x + k, 0, 8 * sizeof *x);
                continue;
            }
            for (int64_t c = k; c < k + 8; c++) sk_append(image[c], c, col_idx, values, col_count, &nnz);
            if (x) for (int64_t c = k; c < k + 8; c++) x[c] = sk_pixel_scale[image[c]];
        }
        for (; k < in; k++) {
            sk_append(image[k], k, col_idx, values, col_count, &nnz);
            if (x) x[k] = sk_pixel_scale[image[k]];
        }
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

int32_t sk_build_csc(int32_t batch, int64_t in, const int32_t *row_ptr, const int32_t *col_idx,
                     const float *values, const int32_t *col_count, int32_t *col_ptr, int32_t *row_idx,
                     float *csc_values, int32_t *cursor) {
    int32_t active = 0, offset = 0;
    for (int64_t k = 0; k < in; k++) {
        col_ptr[k] = offset;
        cursor[k] = offset;
        offset += col_count[k];
        active += col_count[k] != 0;
    }
    col_ptr[in] = offset;
    // Images in increasing order, so each column lists its images in order (a fixed summation order).
    for (int32_t r = 0; r < batch; r++) {
        for (int32_t e = row_ptr[r]; e < row_ptr[r + 1]; e++) {
            const int32_t slot = cursor[col_idx[e]]++;
            row_idx[slot] = r;
            csc_values[slot] = values[e];
        }
    }
    return active;
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
