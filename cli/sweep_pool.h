/* sweep_pool.h - a pool of forked worker processes that run numbered tasks
 * and send each result back through a pipe: the machinery under sweep and
 * compare. Tasks go out in ascending order, a few at a time, so one slow
 * task never holds up the rest; a worker that dies costs only the task it
 * was running, and a fresh worker takes over. */
#ifndef FAULTLINE_SWEEP_POOL_H
#define FAULTLINE_SWEEP_POOL_H

#include <stddef.h>
#include <stdint.h>

/* Runs task `task` (in a worker process, or here when jobs is 1) and
 * returns its result in *blob (malloc'd; the pool frees it) and *len. A NULL
 * blob with *len 0 is an empty result. */
typedef void (*sweep_pool_task_fn)(void *ctx, uint64_t task, void **blob, size_t *len);

/* Receives task `task`'s result, in this process, in no particular task
 * order. `died` is NULL, or says how the worker running the task died
 * ("killed by signal 11 (Segmentation fault)") and blob is then NULL.
 * Returns the new limit: tasks at or above it are no longer started
 * (UINT64_MAX: run every task); a limit never rises again. */
typedef uint64_t (*sweep_pool_result_fn)(void *ctx, uint64_t task, const void *blob, size_t len,
                                         const char *died);

struct sweep_pool_config {
    uint64_t ntasks;           /* tasks 0..ntasks-1 */
    int jobs;                  /* worker processes; <= 1: run here, in order */
    uint64_t chunk;            /* most tasks handed to a worker at once; 0: automatic */
    sweep_pool_task_fn run;
    sweep_pool_result_fn result;
    void *ctx;                 /* given to both; workers get a forked copy */
};

/* Runs every task below the limit and hands each result to cfg->result.
 * Returns 0; SIM_EIO when no worker can be started or a pipe fails (err
 * says why; results delivered so far stand); SIM_ENOMEM. Standard output
 * is flushed before each fork. */
int sweep_pool_run(const struct sweep_pool_config *cfg, char *err, size_t errcap);

#endif
