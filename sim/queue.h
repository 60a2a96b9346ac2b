/* queue.h - the event queue: a radix heap ordered by (time, seq).
 * `seq` is a counter taken at insert, so events at equal times run in
 * insertion order, always (libuv's timer tie-break). Owned by the engine
 * rather than taken from a library because its order is the determinism. */
#ifndef FAULTLINE_QUEUE_H
#define FAULTLINE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

struct event {
    sim_time time;
    uint64_t seq;
    uint32_t kind;  /* engine-defined event kind */
    int32_t node;   /* node (or client) the event concerns, or -1 */
    uint64_t arg;   /* kind-specific: message slot, timer slot, fault index... */
};

/* (time, seq) as one unsigned 128-bit number: time high, seq low. */
typedef unsigned __int128 queue_key;

struct queue_entry {
    queue_key key;
    uint32_t kind;
    int32_t node;
    uint64_t arg;
};

struct queue_bucket {
    struct queue_entry *v;
    size_t n, cap;
};

#define QUEUE_BUCKETS 129

struct queue {
    struct queue_bucket bucket[QUEUE_BUCKETS];
    uint64_t nonempty[3];  /* bit i: bucket i holds something */
    queue_key last;        /* the last key taken out (the radix origin) */
    size_t len;
    uint64_t next_seq;
};

/* Initialises an empty queue; no allocation until the first push. */
void queue_init(struct queue *q);
/* Frees the buckets; the queue may be initialised again. */
void queue_free(struct queue *q);
/* Inserts an event at `time` (>= 0). Returns its seq (always > 0), or 0
 * when out of memory (the queue is unchanged). Pushing earlier than the
 * last event taken out is allowed but costs a rebuild. */
uint64_t queue_push(struct queue *q, sim_time time, uint32_t kind, int32_t node, uint64_t arg);
/* Removes the earliest event into *out. Returns 1, or 0 when empty. */
int queue_pop(struct queue *q, struct event *out);
/* The earliest event's time, or SIM_TIME_NEVER when empty. */
sim_time queue_peek_time(struct queue *q);
/* True when an event is queued at exactly `time` (a linear scan). */
int queue_has_time(const struct queue *q, sim_time time);
static inline size_t queue_len(const struct queue *q) { return q->len; }

#endif
