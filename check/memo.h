/* memo.h - the search's memory of configurations already explored: a hash
 * set of (set of linearized ops as a bitset, model state) pairs (Lowe,
 * "Testing for linearizability", 2017, §4). Records live in one arena; the
 * table holds 32 bits of hash and the record number per slot, so most
 * misses never touch a record. */
#ifndef FAULTLINE_CHECK_MEMO_H
#define FAULTLINE_CHECK_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "check/model.h"

struct check_memo {
    const struct check_model *model;
    size_t words;         /* 64-bit words of one bitset */
    size_t record_size;   /* bytes of one record: bitset, then state */
    unsigned char *records;
    size_t n_records, records_cap;
    uint64_t *slots;      /* hash high 32 bits << 32 | record + 1; 0 when empty */
    size_t n_slots;       /* a power of two */
};

/* Prepares an empty set for bitsets of `words` words and states of model m.
 * Returns 0 or CHECK_ERR_NOMEM (m is borrowed for the memo's life). */
int check_memo_init(struct check_memo *memo, size_t words, const struct check_model *m);

/* Frees the memo's memory. */
void check_memo_close(struct check_memo *memo);

/* Adds (bits, state) under hash, unless present. Returns 1 when added, 0
 * when it was there already, CHECK_ERR_NOMEM. bits and state are copied. */
int check_memo_insert(struct check_memo *memo, uint64_t hash, const uint64_t *bits,
                      const void *state);

/* Returns the bytes the memo holds (for memory budgets and reports). */
size_t check_memo_bytes(const struct check_memo *memo);

#endif
