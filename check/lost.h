/* lost.h - acknowledged writes missing from the final state of a key-value
 * history: the "lost writes" of asynchronous replication and of failover. */
#ifndef FAULTLINE_CHECK_LOST_H
#define FAULTLINE_CHECK_LOST_H

#include <stddef.h>
#include <stdint.h>

#include "check/history.h"

#define CHECK_LOST_NAMED 8 /* lost appends kept by op index, to be named */

struct check_lost {
    size_t keys_judged;     /* keys with a final get to judge against */
    size_t appends_judged;  /* acknowledged appends that could be judged */
    size_t lost;            /* ... missing from their key's final get */
    uint32_t first_lost;    /* op index of the first lost append, or CHECK_NEVER */
    /* op indexes of the first lost appends, in history order, to name them
     * (their key and token: h->ops[i].key, h->ops[i].arg.str) */
    uint32_t lost_ops[CHECK_LOST_NAMED];
    size_t n_lost_ops;      /* min(lost, CHECK_LOST_NAMED) */
};

/* Counts lost writes in a key-value history. Positions are line order (real
 * time). For each key, the final get g is its ok get with the latest
 * completion. An ok append a is judged when it completed before g was
 * invoked, its value is a string, and no put p on the key could take effect
 * after a and before g: none that did not fail with p.invoke_pos <
 * g.complete_pos and (p.complete_pos > a.invoke_pos, or p is info or never
 * completed). Such a put may legitimately overwrite a, even one invoked
 * just before a. A judged append is lost when its value (a token such as
 * "v17;") is not part of the string g returned. Returns 0 and fills *out;
 * CHECK_ERR_INPUT with a message in err when h is not a key-value history
 * (no get, put or append, or a register op); CHECK_ERR_NOMEM. Linear in the
 * ops however many keys (three passes, per-key state in a table), plus the
 * search of each judged token in g's string. h is only borrowed. */
int check_lost_writes(const struct check_history *h, struct check_lost *out, char *err,
                      size_t err_len);

#endif
