// The kernels split over threads: a pool of worker threads made once (SparseInput's init), woken per
// call, so a training step creates no thread and allocates nothing (Dispatch's concurrentPerform
// allocates on every call). Each slice is a multiple of `granule` (16 floats = a 64-byte cache line
// for the kernels' columns: no two threads write one line) but the last; the caller runs slice 0.
//
// A step makes a dozen calls a few hundred microseconds apart (the first layer's kernels and, on
// two threads or more, the hidden layers' GEMMs split by rows). Waking a sleeping thread through a
// futex and having the scheduler place it costs tens of microseconds each time, so a worker spins
// (pauses, then yields) for SK_SPIN_ROUNDS after its slice before it sleeps on the condition
// variable, and the caller spins likewise for the workers to finish. When no call comes for longer
// (between runs, while paused) the workers sleep, so an idle program uses no CPU.
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "include/sparse_kernels.h"

// About 100-300 us of waiting: pause instructions first, then sched_yield (so on oversubscribed
// cores a waiting thread hands its core over, to the very thread it waits for as often as not).
#define SK_SPIN_ROUNDS 8192
#define SK_PAUSE_ROUNDS 4096

static inline void sk_cpu_relax(int round) {
    if (round >= SK_PAUSE_ROUNDS && round % 16 == 0) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

struct sk_pool {
    int32_t threads;
    pthread_t *workers;
    pthread_mutex_t mutex;
    pthread_cond_t start, done;
    _Atomic uint64_t generation;  // bumped per call; a worker runs once per new value
    _Atomic int32_t pending;      // workers still running the current call
    _Atomic int32_t sleepers;     // workers asleep on `start` (or about to be)
    _Atomic int32_t caller_asleep;  // the caller asleep on `done` (or about to be)
    _Atomic int32_t stop;
    // The current call (written before `generation` is bumped, read after it is seen).
    sk_slice_fn fn;
    const void *job;
    int64_t width, step;
};

typedef struct {
    sk_pool *pool;
    int32_t slice;
} sk_worker_arg;

static void sk_run_slice(sk_pool *pool, int32_t slice) {
    const int64_t begin = slice * pool->step < pool->width ? slice * pool->step : pool->width;
    const int64_t end = begin + pool->step < pool->width ? begin + pool->step : pool->width;
    if (begin < end) pool->fn(pool->job, slice, begin, end);
}

/// Waits until `generation` differs from `seen` (or stop): spins, then sleeps. The sleeper count is
/// raised before the last check, under the mutex the caller takes to broadcast, so no wake is lost
/// (sequentially consistent atomics: a caller that bumped after that check sees the sleeper).
static uint64_t sk_wait_for_call(sk_pool *pool, uint64_t seen) {
    for (int i = 0; i < SK_SPIN_ROUNDS; i++) {
        const uint64_t now = atomic_load(&pool->generation);
        if (now != seen || atomic_load(&pool->stop)) return now;
        sk_cpu_relax(i);
    }
    pthread_mutex_lock(&pool->mutex);
    atomic_fetch_add(&pool->sleepers, 1);
    while (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stop))
        pthread_cond_wait(&pool->start, &pool->mutex);
    atomic_fetch_sub(&pool->sleepers, 1);
    pthread_mutex_unlock(&pool->mutex);
    return atomic_load(&pool->generation);
}

static void *sk_worker(void *raw) {
    sk_worker_arg *arg = raw;
    sk_pool *pool = arg->pool;
    const int32_t slice = arg->slice;
    free(arg);
    uint64_t seen = 0;
    for (;;) {
        seen = sk_wait_for_call(pool, seen);
        if (atomic_load(&pool->stop)) break;
        sk_run_slice(pool, slice);
        if (atomic_fetch_sub(&pool->pending, 1) == 1 && atomic_load(&pool->caller_asleep)) {
            pthread_mutex_lock(&pool->mutex);
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->mutex);
        }
    }
    return 0;
}

sk_pool *sk_pool_create(int32_t threads) {
    sk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return 0;
    pool->threads = threads > 1 ? threads : 1;
    pthread_mutex_init(&pool->mutex, 0);
    pthread_cond_init(&pool->start, 0);
    pthread_cond_init(&pool->done, 0);
    if (pool->threads > 1) {
        pool->workers = calloc((size_t)pool->threads - 1, sizeof *pool->workers);
        if (!pool->workers) { pool->threads = 1; return pool; }
        for (int32_t i = 1; i < pool->threads; i++) {
            sk_worker_arg *arg = malloc(sizeof *arg);
            if (arg) { arg->pool = pool; arg->slice = i; }
            if (!arg || pthread_create(&pool->workers[i - 1], 0, sk_worker, arg) != 0) {
                // Fewer threads than asked: the ones started keep their slices, the rest run on 1.
                free(arg);
                pool->threads = i;
                break;
            }
        }
    }
    return pool;
}

void sk_pool_destroy(sk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->mutex);
    for (int32_t i = 1; i < pool->threads; i++) pthread_join(pool->workers[i - 1], 0);
    free(pool->workers);
    pthread_cond_destroy(&pool->start);
    pthread_cond_destroy(&pool->done);
    pthread_mutex_destroy(&pool->mutex);
    free(pool);
}

int32_t sk_pool_threads(const sk_pool *pool) { return pool->threads; }

void sk_pool_run(sk_pool *pool, sk_slice_fn fn, const void *job, int64_t width, int64_t granule) {
    if (granule < 1) granule = 1;
    int64_t slices = (width + granule - 1) / granule;
    if (slices > pool->threads) slices = pool->threads;
    if (slices <= 1) {
        if (width > 0) fn(job, 0, 0, width);
        return;
    }
    pool->fn = fn;
    pool->job = job;
    pool->width = width;
    pool->step = ((width + slices - 1) / slices + granule - 1) / granule * granule;
    atomic_store(&pool->pending, pool->threads - 1);
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->start);
        pthread_mutex_unlock(&pool->mutex);
    }
    sk_run_slice(pool, 0);
    for (int i = 0; i < SK_SPIN_ROUNDS && atomic_load(&pool->pending) > 0; i++) sk_cpu_relax(i);
    if (atomic_load(&pool->pending) > 0) {
        pthread_mutex_lock(&pool->mutex);
        atomic_store(&pool->caller_asleep, 1);
        while (atomic_load(&pool->pending) > 0) pthread_cond_wait(&pool->done, &pool->mutex);
        atomic_store(&pool->caller_asleep, 0);
        pthread_mutex_unlock(&pool->mutex);
    }
}

// MARK: The kernels as pool jobs

typedef struct {
    const sk_kernels *kernels;
    int32_t batch;
    int64_t in;
    const int32_t *row_band, *col_idx;
    const float *values, *w, *bias;
    int64_t ldw, ldz;
    float *z, *panels;
    int64_t panel_floats;
    int32_t relu;
} sk_forward_job;

static void sk_forward_slice(const void *raw, int32_t slice, int64_t begin, int64_t end) {
    const sk_forward_job *j = raw;
    j->kernels->forward(j->batch, j->in, j->row_band, j->col_idx, j->values, j->w, j->ldw, j->bias, j->z, j->ldz, begin,
                        end, j->relu, j->panels + slice * j->panel_floats);
}

void sk_forward_parallel(sk_pool *pool, const sk_kernels *kernels, int32_t batch, int64_t in, const int32_t *row_band,
                         const int32_t *col_idx, const float *values, const float *w, int64_t ldw, const float *bias,
                         float *z, int64_t ldz, int64_t width, int32_t relu, float *panels, int64_t panel_floats) {
    const sk_forward_job job = {kernels, batch, in, row_band, col_idx, values, w, bias, ldw, ldz, z, panels,
                                panel_floats, relu};
    sk_pool_run(pool, sk_forward_slice, &job, width, 16);
}

typedef struct {
    const sk_kernels *kernels;
    int32_t batch;
    int64_t in;
    const int32_t *col_ptr, *col_band, *row_idx;
    const float *values, *dz;
    int64_t lddz, ldw;
    float *w, *db, *panels;
    float alpha, beta;
    int64_t panel_floats;
} sk_update_job;

static void sk_update_slice(const void *raw, int32_t slice, int64_t begin, int64_t end) {
    const sk_update_job *j = raw;
    j->kernels->update(j->batch, j->in, j->col_ptr, j->col_band, j->row_idx, j->values, j->dz, j->lddz, j->w, j->ldw, j->db,
                       j->alpha, j->beta, begin, end, j->panels + slice * j->panel_floats);
}

void sk_update_parallel(sk_pool *pool, const sk_kernels *kernels, int32_t batch, int64_t in, const int32_t *col_ptr,
                        const int32_t *col_band, const int32_t *row_idx, const float *values, const float *dz, int64_t lddz, float *w,
                        int64_t ldw, float *db, float alpha, float beta, int64_t width, float *panels,
                        int64_t panel_floats) {
    const sk_update_job job = {kernels, batch, in, col_ptr, col_band, row_idx, values, dz, lddz, ldw, w, db, panels,
                               alpha, beta, panel_floats};
    sk_pool_run(pool, sk_update_slice, &job, width, 16);
}
