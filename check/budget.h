/* budget.h - the limits a check runs under: wall time, memory, and search
 * steps (the step limit is deterministic, for tests and reproducible runs).
 * Past any of them the verdict is "unknown", never a guess. */
#ifndef FAULTLINE_CHECK_BUDGET_H
#define FAULTLINE_CHECK_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum check_limit {
    CHECK_LIMIT_NONE = 0,  /* within budget */
    CHECK_LIMIT_TIME,      /* the timeout passed */
    CHECK_LIMIT_MEMORY,    /* the search's tables outgrew max_bytes */
    CHECK_LIMIT_STEPS,     /* max_steps search steps were taken */
};

struct check_budget {
    int64_t deadline_ns;   /* CLOCK_MONOTONIC deadline; 0: no time limit */
    size_t max_bytes;      /* 0: no memory limit */
    uint64_t max_steps;    /* 0: no step limit */
    uint64_t steps;        /* steps taken so far */
    enum check_limit hit;  /* the first limit reached, or CHECK_LIMIT_NONE */
};

/* Starts a budget of timeout_us microseconds of wall time from now, at most
 * max_bytes of search memory and max_steps steps (0 means no limit for
 * each). Cannot fail. */
void check_budget_start(struct check_budget *b, int64_t timeout_us, size_t max_bytes,
                        uint64_t max_steps);

/* Counts one search step with bytes_in_use of search memory. Returns true
 * while within budget; false once a limit is hit (b->hit says which, and
 * stays set). The clock is read only every 1024 steps. */
bool check_budget_step(struct check_budget *b, size_t bytes_in_use);

/* Returns the static name of a limit: "none", "time", "memory", "steps". */
const char *check_limit_name(enum check_limit limit);

#endif
