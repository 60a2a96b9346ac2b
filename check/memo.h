/* memo.h - the search's memory of configurations already explored (Lowe,
 * "Testing for linearizability", 2017, §4), with subsumption for open ops.
 *
 * A configuration is (closed ops linearized, open ops linearized, state).
 * Open (info) ops have no deadline, so leaving one unlinearized never
 * forbids anything: (C, O, s) can do all that (C, O', s) can when O ⊆ O'.
 * The memo therefore groups configurations by (C, s) and keeps, per group,
 * the open-op sets seen; a new configuration is "covered" when some kept
 * set is a subset of its own. With no open ops this is plain memoization.
 * Groups live in one arena, open sets in another; the table holds 32 bits
 * of hash and the group number per slot, so most misses touch no record. */
#ifndef FAULTLINE_CHECK_MEMO_H
#define FAULTLINE_CHECK_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "check/model.h"

struct check_memo {
    const struct check_model *model;
    size_t closed_words;     /* 64-bit words of a closed-op set */
    size_t open_words;       /* 64-bit words of an open-op set (0: no open ops) */
    size_t group_size;       /* bytes of a group: first member, closed set, state */
    size_t member_size;      /* bytes of a member: next member, open set */
    unsigned char *groups;
    size_t n_groups, groups_cap;
    unsigned char *members;
    size_t n_members, members_cap;
    uint64_t *slots;         /* hash high 32 bits << 32 | group + 1; 0 when empty */
    size_t n_slots;          /* a power of two */
};

/* Prepares an empty memo for closed-op sets of closed_words words, open-op
 * sets of open_words words and states of model m. Returns 0 or
 * CHECK_ERR_NOMEM (m is borrowed for the memo's life). */
int check_memo_init(struct check_memo *memo, size_t closed_words, size_t open_words,
                    const struct check_model *m);

/* Frees the memo's memory. */
void check_memo_close(struct check_memo *memo);

/* Records configuration (closed, open, state), whose hash covers closed and
 * state only. Returns 1 when it is new, 0 when a recorded configuration
 * covers it (same closed set and state, open set a subset), or
 * CHECK_ERR_NOMEM. open is ignored (may be NULL) when open_words is 0. The
 * sets and state are copied. */
int check_memo_insert(struct check_memo *memo, uint64_t hash, const uint64_t *closed,
                      const uint64_t *open, const void *state);

/* Returns the configurations recorded (group members). */
size_t check_memo_count(const struct check_memo *memo);

/* Returns the bytes the memo holds (for memory budgets and reports). */
size_t check_memo_bytes(const struct check_memo *memo);

#endif
