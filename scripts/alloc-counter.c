// Counts heap allocations, for `mnist-tui-bench --count-allocations` (verifies that a training
// step allocates nothing). Build and use:
//
//   cc -O2 -shared -fPIC -o /tmp/alloc-counter.so scripts/alloc-counter.c
//   LD_PRELOAD=/tmp/alloc-counter.so .build/release/mnist-tui-bench --count-allocations
//
// It forwards to glibc's __libc_* entry points (no dlsym, which may itself allocate) and counts
// every call per thread and in total; the benchmark finds the counters with dlsym.
#include <stddef.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_long total_count;
static __thread long thread_count;

static inline void count(void) { thread_count++; atomic_fetch_add_explicit(&total_count, 1, memory_order_relaxed); }

void *malloc(size_t n) { count(); return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { count(); return __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { count(); return __libc_realloc(p, n); }
int posix_memalign(void **out, size_t alignment, size_t n) {
    count();
    void *p = __libc_memalign(alignment, n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
void *aligned_alloc(size_t alignment, size_t n) { count(); return __libc_memalign(alignment, n); }
void *memalign(size_t alignment, size_t n) { count(); return __libc_memalign(alignment, n); }

long mnist_alloc_count_total(void) { return atomic_load(&total_count); }
long mnist_alloc_count_thread(void) { return thread_count; }
