// ncurses, wide-character build. Swift 6 cannot read C mutable globals (stdscr, LINES, COLS,
// COLORS) and does not import the attribute macros, so they are exposed as inline functions.
#ifndef MNIST_TUI_CNCURSES_SHIM_H
#define MNIST_TUI_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#if defined(__APPLE__)
#include <curses.h>          /* macOS's ncurses is built with wide-character support */
#else
#include <ncursesw/curses.h> /* Debian: libncurses-dev, the wide-character build */
#endif

static inline WINDOW *mnist_stdscr(void) { return stdscr; }
static inline int mnist_lines(void) { return LINES; }
static inline int mnist_cols(void) { return COLS; }
static inline int mnist_colors(void) { return COLORS; }
static inline int mnist_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t mnist_a_bold(void) { return A_BOLD; }
static inline attr_t mnist_a_reverse(void) { return A_REVERSE; }
static inline attr_t mnist_a_dim(void) { return A_DIM; }
static inline attr_t mnist_a_underline(void) { return A_UNDERLINE; }
static inline attr_t mnist_a_normal(void) { return A_NORMAL; }
static inline int mnist_key_f(int n) { return KEY_F(n); }

// The C standard streams are mutable globals too; newterm needs them as FILE pointers.
static inline FILE *mnist_stdout(void) { return stdout; }
static inline FILE *mnist_stdin(void) { return stdin; }

/// Writes one wide character with attributes and a colour pair at (y, x) of stdscr.
/// `setcchar` + `mvwadd_wch` wrapped so Swift hands over a scalar and never builds a cchar_t.
/// Returns ERR at the bottom-right corner (the cursor cannot advance) although the cell is set.
static inline int mnist_put_cell(int y, int x, unsigned int ch, attr_t attrs, short pair) {
    wchar_t text[2] = { (wchar_t)ch, 0 };
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}
#endif
