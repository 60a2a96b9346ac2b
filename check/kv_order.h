/* kv_order.h - order constraints of one kv key, read off its gets' strings.
 * A get returns the value of the last put before it (or the initial "")
 * followed by the strings of the appends since, in order. When a get's
 * string splits into a put value and append strings in one way only, every
 * linearization places that put, then those appends in that order, then
 * the get; and the ops from one put to the next form a stretch (an epoch)
 * that real time may order wholly before another. The kv model hands the
 * pairs to the search (model.h, the order hook). */
#ifndef FAULTLINE_CHECK_KV_ORDER_H
#define FAULTLINE_CHECK_KV_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "check/history.h"

/* Finds, among the n ops at history indices ops[] (one key, fail ops left
 * out), pairs (a, b) such that a takes effect before b in every
 * linearization where every closed op takes effect legally; a pair (g, g)
 * says that get g can never be legal (no put value and appends make its
 * string). Stores a malloc'd array of 2 * *n_pairs history indices (a, b,
 * a, b, ...) in *pairs, which the caller frees (NULL when there are none).
 * Returns 0 or CHECK_ERR_NOMEM (*pairs is then NULL). Work is bounded:
 * past a limit it finds fewer pairs, never wrong ones. */
int check_kv_order_find(const struct check_history *h, const uint32_t *ops, size_t n,
                        uint32_t **pairs, size_t *n_pairs);

#endif
