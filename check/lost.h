/* lost.h - acknowledged writes missing from the final state of a key-value
 * history: the "lost writes" of asynchronous replication and of failover. */
#ifndef FAULTLINE_CHECK_LOST_H
#define FAULTLINE_CHECK_LOST_H

#include <stddef.h>
#include <stdint.h>

#include "check/history.h"

struct check_lost {
    size_t keys_judged;     /* keys with a final get to judge against */
    size_t appends_judged;  /* acknowledged appends that could be judged */
    size_t lost;            /* ... missing from their key's final get */
    uint32_t first_lost;    /* op index of the first lost append, or CHECK_NEVER */
};

/* Counts lost writes in a key-value history. For each key, the final get is
 * its last ok get (latest completion). An append is lost when it completed
 * ok before that get was invoked, its value (a token such as "v17;") is not
 * part of what the get returned, and no put on the key (one that may have
 * happened: not a fail) was invoked after the append was, since a put may
 * legitimately overwrite it. Returns 0 and fills *out, or CHECK_ERR_INPUT
 * with a message in err when h is not a key-value history (no get, put or
 * append). h is only borrowed. */
int check_lost_writes(const struct check_history *h, struct check_lost *out, char *err,
                      size_t err_len);

#endif
