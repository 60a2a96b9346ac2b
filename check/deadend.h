/* deadend.h - dead-end pruning for the linearizability search: counts, for
 * each state some op needs (a read's value) or makes (a write's), the ops
 * still to place that need it and that can make it. A configuration is dead
 * when an op still to place needs a state other than the current one that
 * no op still to place can make: nothing can ever make that op legal. Only
 * for models with the needs_makes hook (model.h); a no-op otherwise. */
#ifndef FAULTLINE_CHECK_DEADEND_H
#define FAULTLINE_CHECK_DEADEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/history.h"
#include "check/model.h"

struct check_deadend {
    bool on;                    /* the model offers needs_makes */
    const struct check_model *model;
    size_t n_ops, n_closed;
    uint32_t *need, *make;      /* per search op: state id, or UINT32_MAX */
    uint32_t *needers, *makers; /* per state id: ops still to place */
    size_t n_states, starved;   /* states with needers but no makers */
    unsigned char *states;      /* state id -> state */
    uint64_t *hashes;           /* state id -> hash */
    uint32_t *slots;            /* open addressing: state id + 1 */
    size_t n_slots;
};

/* Prepares d for the n search ops whose history indices are ops[] (the
 * first n_closed have a known outcome; only those need anything). Returns
 * 0 or CHECK_ERR_NOMEM. h and ops are borrowed until check_deadend_close. */
int check_deadend_init(struct check_deadend *d, const struct check_model *m,
                       const struct check_history *h, const uint32_t *ops, size_t n,
                       size_t n_closed);

/* Frees what d holds. Safe after a failed init. */
void check_deadend_close(struct check_deadend *d);

/* Search op k was placed (linearized) / taken back. Cannot fail. */
void check_deadend_place(struct check_deadend *d, uint32_t k);
void check_deadend_unplace(struct check_deadend *d, uint32_t k);

/* True when, in state, some op still to place can never become legal. */
bool check_deadend_stuck(const struct check_deadend *d, const void *state);

/* When stuck: the search op (among ops[0..n_closed), not set in
 * closed_bits) that can never be placed: of those needing a starved state
 * other than the current one, the first to return. UINT32_MAX if none. */
uint32_t check_deadend_culprit(const struct check_deadend *d, const void *state,
                               const struct check_history *h, const uint32_t *ops,
                               const uint64_t *closed_bits);

#endif
