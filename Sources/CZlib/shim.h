// zlib; inflateInit2 is a macro that Swift does not import, so wrap it.
#ifndef MNIST_TUI_CZLIB_SHIM_H
#define MNIST_TUI_CZLIB_SHIM_H
#include <zlib.h>
/// inflateInit2 with windowBits 47: gzip or zlib header, detected automatically.
static inline int mnist_inflate_init_auto(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
#endif
