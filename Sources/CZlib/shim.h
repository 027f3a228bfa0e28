// zlib; inflateInit2 and deflateInit2 are macros that Swift does not import, so wrap them.
#ifndef MNIST_TUI_CZLIB_SHIM_H
#define MNIST_TUI_CZLIB_SHIM_H
#include <zlib.h>
/// inflateInit2 with windowBits 47: gzip or zlib header, detected automatically.
static inline int mnist_inflate_init_auto(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
/// deflateInit2 writing a gzip stream (windowBits 31) at `level` (0-9), e.g. for test fixtures.
static inline int mnist_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
