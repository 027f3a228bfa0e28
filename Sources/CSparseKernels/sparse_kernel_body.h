// The kernels' body, written once and instantiated per instruction set (sparse_x86.c,
// sparse_neon.c, sparse_scalar.c), which define before including it:
//
//   SK_NAME(x)               a per-variant name for x
//   sk_vec, SK_LANES         the vector type and its float lanes
//   SK_LOAD(p), SK_STORE(p, v)                 full vectors, unaligned
//   SK_LOAD_PART(p, n), SK_STORE_PART(p, v, n) the first n lanes only (others read as 0, not written)
//   SK_SET1(x), SK_ZERO(), SK_ADD(a, b), SK_MUL(a, b)
//   SK_FMA(a, b, c)          a·b + c (fused where the instruction set has it)
//   SK_RELU(v)               max(v, 0) with NaN -> 0
//
// A register block is up to SK_BLOCK vectors of one output row. The forward pass runs a group of
// SK_FORWARD_GROUP images through one block, band of pixels by band of pixels (SK_ROW_BAND), each
// image's partial sums waiting in its row of Z1 between bands, so the rows of the packed panel of
// W0 a band reads are reread by the group's images while they are near the core. The update runs
// every input row through one block of dZ1 (packed, batch x block width), band of images by band of
// images (SK_IMAGE_BAND), each row's partial sums waiting in a scratch panel between bands, so the
// part of the dZ1 panel a band reads stays near the core. Either way each output element is
// summed in the same order as without bands (bias first, then pixels ascending; images ascending).
// Not a public header: it is included by the variant files only.

#define SK_BLOCK 8  // the most vectors a register block holds (the remainder switch goes to 7)
#ifndef SK_FORWARD_VECTORS
#define SK_FORWARD_VECTORS 8
#endif
// Zen 2, AVX2, MNIST, hidden 512, 2 threads, per batch of 256: groups of 16 images ran the banded
// forward pass in 0.47 ms, 8 in 0.49, 32 in 0.49; bands of 192 pixels in 0.47, 128 in 0.48, 64 in
// 0.55, 784 (none) in 0.52.
#ifndef SK_FORWARD_GROUP
#define SK_FORWARD_GROUP 16
#endif
// The update's block: 8 AVX2 vectors (64 floats) with bands of 128 images ran 0.41 ms a batch, with
// bands of 64 0.44, without bands 0.61; 4 vectors (the block before bands) 0.49 without bands, 0.50
// with bands of 128, 0.56 with 64 (Zen 2, as above). The bands pay only with the wider block.
#ifndef SK_UPDATE_VECTORS
#define SK_UPDATE_VECTORS 8
#endif

/// Copies `rows` x `width` floats from `src` (row stride `ld`) into `panel` (row stride `pld`).
/// A column panel of a row-major matrix whose rows are a power of two apart (512 floats = 2 KB)
/// falls into a few cache sets and thrashes even L2; packed, it is contiguous and stays in L2.
static inline void SK_NAME(pack)(const float *src, int64_t ld, int64_t rows, int64_t width, float *panel, int64_t pld) {
    for (int64_t r = 0; r < rows; r++) memcpy(panel + r * pld, src + r * ld, (size_t)width * sizeof(float));
}

/// One register block of the forward pass: `nvec` vectors from column j, the last of them holding
/// `tail` lanes when `partial` (both constants after inlining, so `acc` lives in registers).
/// `panel` receives W0[:, j ..< j + width], packed.
static inline __attribute__((always_inline)) void SK_NAME(forward_block)(
    int32_t batch, int64_t in, const int32_t *row_band, const int32_t *col_idx, const float *values,
    const float *w0, int64_t ldw, const float *bias, float *z, int64_t ldz, int64_t j,
    const int nvec, const int partial, int tail, int32_t relu, float *panel)
{
    const int64_t ldp = (int64_t)nvec * SK_LANES;
    SK_NAME(pack)(w0 + j, ldw, in, ldp - (partial ? SK_LANES - tail : 0), panel, ldp);
    const float *w = panel;
    const int32_t bands = sk_row_bands(in);
    for (int32_t g0 = 0; g0 < batch; g0 += SK_FORWARD_GROUP) {
        const int32_t g1 = g0 + SK_FORWARD_GROUP < batch ? g0 + SK_FORWARD_GROUP : batch;
        for (int32_t t = 0; t < bands; t++) {
            const int first = t == 0, last = t == bands - 1;
            for (int32_t b = g0; b < g1; b++) {
                const int32_t *band = row_band + (int64_t)b * (bands + 1);
                int32_t e = band[t];
                const int32_t end = band[t + 1];
                // A band with none of the image's pixels leaves its sums as they are (but the first
                // band writes the bias, and the last applies the ReLU).
                if (e == end && !first && !last) continue;
                float *zr = z + (int64_t)b * ldz + j;
                const float *start = first ? bias + j : zr;
                sk_vec acc[SK_BLOCK];
                for (int v = 0; v < nvec; v++) {
                    const float *p = start + v * SK_LANES;
                    acc[v] = (partial && v == nvec - 1) ? SK_LOAD_PART(p, tail) : SK_LOAD(p);
                }
                for (; e < end; e++) {
                    const sk_vec x = SK_SET1(values[e]);
                    const float *wr = w + (int64_t)col_idx[e] * ldp;
                    for (int v = 0; v < nvec; v++) {
                        const float *p = wr + v * SK_LANES;
                        acc[v] = SK_FMA(x, (partial && v == nvec - 1) ? SK_LOAD_PART(p, tail) : SK_LOAD(p), acc[v]);
                    }
                }
                for (int v = 0; v < nvec; v++) {
                    const sk_vec out = (relu && last) ? SK_RELU(acc[v]) : acc[v];
                    if (partial && v == nvec - 1) SK_STORE_PART(zr + v * SK_LANES, out, tail);
                    else SK_STORE(zr + v * SK_LANES, out);
                }
            }
        }
    }
}

/// `out = beta·old + alpha·acc` as the BLAS convention has it (beta == 0: old is not read).
static inline __attribute__((always_inline)) sk_vec SK_NAME(scale_add)(sk_vec acc, const float *p, int partial,
                                                                        int tail, float alpha, float beta) {
    if (beta == 0.0f) return SK_MUL(SK_SET1(alpha), acc);
    const sk_vec old = partial ? SK_LOAD_PART(p, tail) : SK_LOAD(p);
    return SK_FMA(SK_SET1(alpha), acc, beta == 1.0f ? old : SK_MUL(SK_SET1(beta), old));
}

/// One register block of the update: every row of W0 over `nvec` vectors from column j.
/// `panel` receives dZ1[:, j ..< j + width], packed, followed by the rows' sums so far [in, width].
static inline __attribute__((always_inline)) void SK_NAME(update_block)(
    int32_t batch, int64_t in, const int32_t *col_ptr, const int32_t *col_band, const int32_t *row_idx,
    const float *values, const float *dz1, int64_t lddz1, float *w, int64_t ldw, float *db, float alpha,
    float beta, int64_t j, const int nvec, const int partial, int tail, float *panel)
{
    const int64_t lddz = (int64_t)nvec * SK_LANES;
    SK_NAME(pack)(dz1 + j, lddz1, batch, lddz - (partial ? SK_LANES - tail : 0), panel, lddz);
    const float *dz = panel;
    float *sums = panel + (int64_t)batch * lddz;
    const int32_t bands = sk_image_bands(batch);
    for (int32_t t = 0; t < bands; t++) {
        const int first = t == 0, last = t == bands - 1;
        const int32_t *starts = col_band + (int64_t)t * in, *ends = col_band + (int64_t)(t + 1) * in;
        for (int64_t k = 0; k < in; k++) {
            // No image lights pixel k: its row keeps its value.
            if (last && col_ptr[k] == col_ptr[k + 1] && beta == 1.0f) continue;
            int32_t e = starts[k];
            const int32_t end = ends[k];
            if (e == end && !first && !last) continue;  // the sums stay as they are
            float *sr = sums + k * lddz;
            sk_vec acc[SK_BLOCK];
            for (int v = 0; v < nvec; v++) acc[v] = first ? SK_ZERO() : SK_LOAD(sr + v * SK_LANES);
            for (; e < end; e++) {
                const sk_vec x = SK_SET1(values[e]);
                const float *dzr = dz + (int64_t)row_idx[e] * lddz;
                for (int v = 0; v < nvec; v++) {
                    const float *p = dzr + v * SK_LANES;
                    acc[v] = SK_FMA(x, (partial && v == nvec - 1) ? SK_LOAD_PART(p, tail) : SK_LOAD(p), acc[v]);
                }
            }
            if (!last) {
                for (int v = 0; v < nvec; v++) SK_STORE(sr + v * SK_LANES, acc[v]);
                continue;
            }
            float *wr = w + k * ldw + j;
            for (int v = 0; v < nvec; v++) {
                const int part = partial && v == nvec - 1;
                const sk_vec out = SK_NAME(scale_add)(acc[v], wr + v * SK_LANES, part, tail, alpha, beta);
                if (part) SK_STORE_PART(wr + v * SK_LANES, out, tail);
                else SK_STORE(wr + v * SK_LANES, out);
            }
        }
    }
    if (db == 0) return;
    sk_vec acc[SK_BLOCK];
    for (int v = 0; v < nvec; v++) acc[v] = SK_ZERO();
    for (int32_t b = 0; b < batch; b++) {
        const float *dzr = dz + (int64_t)b * lddz;
        for (int v = 0; v < nvec; v++) {
            const float *p = dzr + v * SK_LANES;
            acc[v] = SK_ADD(acc[v], (partial && v == nvec - 1) ? SK_LOAD_PART(p, tail) : SK_LOAD(p));
        }
    }
    for (int v = 0; v < nvec; v++) {
        const int part = partial && v == nvec - 1;
        const sk_vec out = SK_NAME(scale_add)(acc[v], db + j + v * SK_LANES, part, tail, alpha, beta);
        if (part) SK_STORE_PART(db + j + v * SK_LANES, out, tail);
        else SK_STORE(db + j + v * SK_LANES, out);
    }
}

/// Calls BLOCK(j, nvec, partial, tail) over [col_begin, col_end): full blocks, then one block for the
/// rest with constant vector counts (a switch, so each case inlines with `acc` in registers).
#define SK_OVER_BLOCKS(BLOCK, FULL)                                                              \
    do {                                                                                         \
        int64_t j = col_begin;                                                                   \
        for (; j + (FULL) * SK_LANES <= col_end; j += (FULL) * SK_LANES)                         \
            BLOCK(j, (FULL), 0, SK_LANES);                                                       \
        const int64_t rest = col_end - j;                                                        \
        if (rest <= 0) break;                                                                    \
        const int nvec = (int)((rest + SK_LANES - 1) / SK_LANES);                                \
        const int tail = (int)(rest - (int64_t)(nvec - 1) * SK_LANES);                           \
        switch (nvec) {                                                                          \
        case 1: BLOCK(j, 1, 1, tail); break;                                                     \
        case 2: BLOCK(j, 2, 1, tail); break;                                                     \
        case 3: BLOCK(j, 3, 1, tail); break;                                                     \
        case 4: BLOCK(j, 4, 1, tail); break;                                                     \
        case 5: BLOCK(j, 5, 1, tail); break;                                                     \
        case 6: BLOCK(j, 6, 1, tail); break;                                                     \
        default: BLOCK(j, 7, 1, tail); break;                                                    \
        }                                                                                        \
    } while (0)

static void SK_NAME(forward)(int32_t batch, int64_t in, const int32_t *row_band, const int32_t *col_idx,
                             const float *values, const float *w, int64_t ldw, const float *bias, float *z,
                             int64_t ldz, int64_t col_begin, int64_t col_end, int32_t relu, float *scratch) {
#define SK_FORWARD_BLOCK(j, nvec, partial, tail) \
    SK_NAME(forward_block)(batch, in, row_band, col_idx, values, w, ldw, bias, z, ldz, j, nvec, partial, tail, relu, scratch)
    SK_OVER_BLOCKS(SK_FORWARD_BLOCK, SK_FORWARD_VECTORS);
#undef SK_FORWARD_BLOCK
}

static void SK_NAME(update)(int32_t batch, int64_t in, const int32_t *col_ptr, const int32_t *col_band,
                            const int32_t *row_idx, const float *values, const float *dz, int64_t lddz, float *w,
                            int64_t ldw, float *db, float alpha, float beta, int64_t col_begin, int64_t col_end,
                            float *scratch) {
#define SK_UPDATE_BLOCK(j, nvec, partial, tail) \
    SK_NAME(update_block)(batch, in, col_ptr, col_band, row_idx, values, dz, lddz, w, ldw, db, alpha, beta, j, nvec, partial, tail, scratch)
    SK_OVER_BLOCKS(SK_UPDATE_BLOCK, SK_UPDATE_VECTORS);
#undef SK_UPDATE_BLOCK
}

/// Columns of the widest register block: the scratch a call needs is (rows) x this.
enum { SK_NAME(panel) = SK_BLOCK * SK_LANES };

#undef SK_OVER_BLOCKS
#undef SK_BLOCK
