/* queue.h - the event queue: a 4-ary min-heap ordered by (time, seq).
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

struct queue {
    struct event *heap;
    size_t len;
    size_t cap;
    uint64_t next_seq;
};

/* Initialises an empty queue; no allocation until the first push. */
void queue_init(struct queue *q);
/* Frees the heap; the queue may be initialised again. */
void queue_free(struct queue *q);
/* Inserts an event at `time`. Returns its seq (always > 0), or 0 when out of
 * memory (the queue is unchanged). */
uint64_t queue_push(struct queue *q, sim_time time, uint32_t kind, int32_t node, uint64_t arg);
/* Removes the earliest event into *out. Returns 1, or 0 when empty. */
int queue_pop(struct queue *q, struct event *out);
/* The earliest event without removing it, or NULL when empty. Borrowed until
 * the next push or pop. */
const struct event *queue_peek(const struct queue *q);
/* True when an event is queued at exactly `time` (a linear scan). */
int queue_has_time(const struct queue *q, sim_time time);
static inline size_t queue_len(const struct queue *q) { return q->len; }

#endif
