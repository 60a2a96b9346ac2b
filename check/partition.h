/* partition.h - splitting a history's ops by key, keys in order of first
 * appearance: each key is one object, checked on its own. */
#ifndef FAULTLINE_CHECK_PARTITION_H
#define FAULTLINE_CHECK_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "check/history.h"

/* Key i holds the op indices members[start[i] .. start[i+1]), in history order. */
struct check_partition {
    size_t n_keys;
    uint32_t *key_of;    /* key string id of key i (CHECK_NO_STRING: the unnamed key) */
    size_t *start;       /* n_keys + 1 offsets into members */
    uint32_t *members;   /* every op index, grouped by key */
};

/* Groups h's ops by key into *p. Returns 0 or CHECK_ERR_NOMEM (p then holds
 * nothing). Free with check_partition_close. */
int check_partition_by_key(const struct check_history *h, struct check_partition *p);

/* Frees what p holds. Safe on a zeroed partition. */
void check_partition_close(struct check_partition *p);

#endif
