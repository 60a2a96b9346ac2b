/* linear.h - the linearizability search over the operations of one key:
 * Wing & Gong's backtracking with Lowe's just-in-time linearization and
 * memoization of (linearized set, state), on a doubly linked list of call
 * and return entries that are lifted out and put back (as in Porcupine). */
#ifndef FAULTLINE_CHECK_LINEAR_H
#define FAULTLINE_CHECK_LINEAR_H

#include <stddef.h>
#include <stdint.h>

#include "check/budget.h"
#include "check/history.h"
#include "check/model.h"

enum check_verdict {
    CHECK_LINEARIZABLE = 0,
    CHECK_NOT_LINEARIZABLE = 1,
    CHECK_UNKNOWN = 2,  /* a budget ran out first */
};

/* What one search found. When not linearizable, the deepest point the search
 * reached: the longest linearizable prefix it built, and the op whose
 * return came before it could be placed. */
struct check_linear_outcome {
    enum check_verdict verdict;
    uint32_t *prefix;      /* history op indices in linearization order (owned) */
    size_t prefix_len;
    uint32_t blocked;      /* history op index that could not be placed, or CHECK_NEVER */
    uint64_t steps;        /* search steps taken */
    size_t configurations; /* distinct (set, state) pairs memoized */
    size_t peak_bytes;     /* memory of the search's tables at the end */
};

/* Searches for a linearization of the n ops at history indices ops[] (one
 * key, increasing order, fail ops already left out) under model m, within
 * budget (shared across calls; its step count grows). The model's order
 * constraints, if any, come in after order_after steps (0: a default that
 * grows with n; 1: from the start). Fills *out (free with
 * check_linear_outcome_close). Returns 0 — the verdict is in out — or
 * CHECK_ERR_NOMEM (a model's own failure included); out then holds nothing. */
int check_linear_search(const struct check_model *m, const struct check_history *h,
                        const uint32_t *ops, size_t n, struct check_budget *budget,
                        uint64_t order_after, struct check_linear_outcome *out);

/* Frees what an outcome holds. Safe on a zeroed outcome. */
void check_linear_outcome_close(struct check_linear_outcome *out);

#endif
