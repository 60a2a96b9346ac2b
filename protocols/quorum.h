/* quorum.h - what the quorum (leaderless N/W/R) files share: configuration,
 * versions and sibling sets, per-node state, wire formats, and the
 * functions each file exports (quorum_ prefix). The protocol is described
 * at the top of quorum.c and in docs/protocols/quorum.md. */
#ifndef FAULTLINE_QUORUM_H
#define FAULTLINE_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* Vector clocks have one entry per node: quorum runs on at most 16 nodes. */
#define QUORUM_MAX_NODES 16

enum quorum_resolve { QUORUM_LWW, QUORUM_VECTOR_CLOCK };

enum quorum_msg {
    QUORUM_MSG_READ,        /* coordinator -> replica: send me your versions of key  */
    QUORUM_MSG_READ_REPLY,  /* replica -> coordinator: its sibling set                */
    QUORUM_MSG_WRITE,       /* coordinator -> replica: merge these versions in        */
    QUORUM_MSG_WRITE_ACK,   /* replica -> coordinator: stored (durably)               */
    QUORUM_MSG_COUNT
};

enum quorum_timer { QUORUM_TIMER_REQUEST, QUORUM_TIMER_COUNT };

struct quorum_config {
    int64_t n, w, r;          /* replicas per key, write quorum, read quorum */
    int resolve;              /* enum quorum_resolve */
    sim_time request_timeout; /* coordinator gives up on a quorum after this */
    bool read_repair;
};

/* The version stamp. LWW orders by (ts, node, counter): ts is the
 * coordinator's clock when it wrote. Vector clocks: (node, counter) is the
 * version's own event, its dot, and vc the events it has seen, its causal
 * context (dotted version vectors, Preguiça et al. 2010; Almeida et al.
 * 2014). A version supersedes another whose dot its context contains; ts
 * then only orders siblings for display and for a register read. */
struct quorum_clock {
    int64_t ts;
    int32_t node;
    int32_t pad;
    int64_t counter;          /* per coordinator, never reused (persisted) */
    uint32_t vc[QUORUM_MAX_NODES];
};

struct quorum_version {
    struct quorum_clock clock;
    int64_t *tokens;          /* the value: a list of tokens (a register holds one) */
    int32_t len;
};

/* A sibling set: LWW keeps one version, vector clocks every version no other
 * one descends from (concurrent writes). */
struct quorum_set {
    struct quorum_version *v;
    int n, cap;
};

/* A request this node coordinates. */
struct quorum_req {
    uint64_t id;
    struct sim_op op;
    bool writing;             /* phase: false reading (R), true writing (W) */
    bool answered;            /* the client has its answer */
    int replies, acks;
    uint32_t replied_mask;    /* replicas that answered the read */
    struct quorum_set seen;   /* merge of the read answers */
    struct quorum_set per[QUORUM_MAX_NODES]; /* each replica's answer, for read repair */
    sim_timer timer;
};

struct quorum_state {
    const struct quorum_config *cfg;
    int nodes, self;
    struct quorum_set *keys;  /* replica data per key */
    int nkeys;
    int64_t counter;          /* LWW tie-breaker of versions written here */
    uint64_t next_req;
    struct quorum_req *reqs;
    int nreqs, capreqs;
    struct sim_op *queue;     /* vector clocks: writes waiting for an earlier one on their key */
    int nqueue, capqueue;
};

/* ---- quorum_store.c: versions, merging, persistence, wire format ---- */

/* Order of two versions: 1 a newer, -1 b newer, 0 equal, 2 concurrent
 * (vector clocks only; LWW is total). */
int quorum_compare(const struct quorum_config *c, const struct quorum_clock *a,
                   const struct quorum_clock *b);
/* Merges version v into set s (copying its tokens): LWW keeps the newer,
 * vector clocks drop what v supersedes and keep v unless superseded.
 * Returns 1 when s changed, 0 when v was superseded (or already there),
 * -1 when out of memory. `discarded`, when not NULL, is set when LWW drops
 * the arriving v, superseded by a larger timestamp, although v holds tokens
 * the kept version lacks: if v was the newer write, it is silently lost. */
int quorum_set_merge(const struct quorum_config *c, struct quorum_set *s,
                     const struct quorum_version *v, bool *discarded);
void quorum_set_free(struct quorum_set *s);
/* Is v in s, or superseded by something in s? */
bool quorum_set_covers(const struct quorum_config *c, const struct quorum_set *s,
                       const struct quorum_version *v);
/* The value a client sees: LWW the newest version; vector clocks the
 * client-side merge of the siblings (the union of their tokens, newest
 * first by ts). Fills a malloc'd list (caller frees) and its length;
 * returns false when the set is empty. */
bool quorum_set_value(const struct quorum_set *s, int64_t **tokens, int32_t *len);
/* The replica's set for `key`, grown as needed; NULL when out of memory. */
struct quorum_set *quorum_key(struct quorum_state *st, int key);
/* Persists / loads one key's set (key "k<key>"). */
void quorum_persist(struct sim_node *n, struct quorum_state *st, int key);
void quorum_load(struct sim_node *n, struct quorum_state *st);
/* Serialises (key, set) into a malloc'd buffer after a header of `hdr`
 * bytes copied from `head`; returns its length, 0 when out of memory. */
size_t quorum_encode(const void *head, size_t hdr, const struct quorum_set *s,
                     unsigned char **out);
/* Parses what quorum_encode wrote after `hdr` bytes; returns 0 or -1 when
 * malformed or out of memory (then out holds nothing). */
int quorum_decode(const unsigned char *body, size_t len, size_t hdr, struct quorum_set *out);

/* ---- wire headers ---- */

struct quorum_read_msg {
    uint64_t req;
    int32_t key;
    int32_t pad;
};

struct quorum_write_hdr {     /* followed by an encoded set */
    uint64_t req;             /* 0: a read repair, no acknowledgement wanted */
    int32_t key;
    int32_t pad;
};

#endif
