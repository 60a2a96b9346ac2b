/* order.h - a model's order constraints inside the linearizability search.
 * The model states pairs (a takes effect before b in every linearization;
 * model.h, the order hook); they are checked against real time once, then
 * kept as a count per op of the ops it still waits for. A pair that real
 * time contradicts, or that lies on a cycle of pairs and real time, proves
 * that the key is not linearizable: such pairs are not enforced, so that
 * the search still reaches the point where the model itself fails, which
 * is what the explanation shows. */
#ifndef FAULTLINE_CHECK_ORDER_H
#define FAULTLINE_CHECK_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK_ORDER_OPEN UINT32_MAX  /* return rank of an op that never returned */

struct check_order {
    size_t n;
    uint32_t *waiting;      /* op k: ops that must come before it, still to place */
    uint32_t *after_start;  /* op k's followers: after[after_start[k] .. after_start[k + 1]) */
    uint32_t *after;
    bool *never;            /* op k: closed, and a pair (k, k) says it can never take effect */
    bool refuted;           /* the pairs and real time prove that no linearization exists */
};

/* Prepares o for n search ops (numbered 0..n-1) and n_pairs pairs:
 * pairs[2i] must take effect before pairs[2i + 1] (a pair (a, a): a never
 * can). call_rank[k] and return_rank[k] are the positions of op k's call
 * and return among all 2n entries in history order (return_rank
 * CHECK_ORDER_OPEN for an open op). Returns 0 or CHECK_ERR_NOMEM (o can
 * then still be closed). The arrays are borrowed for the call only. */
int check_order_init(struct check_order *o, size_t n, const uint32_t *pairs, size_t n_pairs,
                     const uint32_t *call_rank, const uint32_t *return_rank);

/* Frees what o holds. Safe after a failed init, and on a zeroed o (which
 * stands for no constraints at all). */
void check_order_close(struct check_order *o);

/* The search asks these at every step, so they are inline. */

/* True when every op that must come before op k is placed. */
static inline bool check_order_ready(const struct check_order *o, uint32_t k)
{
    return o->waiting == NULL || o->waiting[k] == 0;
}

/* True when op k returned and a pair (k, k) says it can never take effect. */
static inline bool check_order_never(const struct check_order *o, uint32_t k)
{
    return o->never != NULL && o->never[k];
}

/* Op k was placed (linearized) / taken back. Cannot fail. */
static inline void check_order_place(struct check_order *o, uint32_t k)
{
    if (o->after_start != NULL)
        for (uint32_t i = o->after_start[k]; i < o->after_start[k + 1]; i++)
            o->waiting[o->after[i]]--;
}

static inline void check_order_unplace(struct check_order *o, uint32_t k)
{
    if (o->after_start != NULL)
        for (uint32_t i = o->after_start[k]; i < o->after_start[k + 1]; i++)
            o->waiting[o->after[i]]++;
}

#endif
