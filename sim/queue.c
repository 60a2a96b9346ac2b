/* queue.c - 4-ary min-heap of events keyed by (time, seq). A 4-ary heap has
 * half the depth of a binary one and its children share a cache line, which
 * is what keeps a million pending events fast. */
#include "sim/queue.h"

#include <stdlib.h>

static inline int before(const struct event *a, const struct event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void queue_init(struct queue *q)
{
    q->heap = NULL;
    q->len = 0;
    q->cap = 0;
    q->next_seq = 1;
}

void queue_free(struct queue *q)
{
    free(q->heap);
    queue_init(q);
}

uint64_t queue_push(struct queue *q, sim_time time, uint32_t kind, int32_t node, uint64_t arg)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        struct event *heap = realloc(q->heap, cap * sizeof *heap);
        if (!heap)
            return 0;
        q->heap = heap;
        q->cap = cap;
    }
    struct event ev = {time, q->next_seq++, kind, node, arg};
    struct event *h = q->heap;
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&ev, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = ev;
    return ev.seq;
}

int queue_pop(struct queue *q, struct event *out)
{
    if (q->len == 0)
        return 0;
    struct event *h = q->heap;
    *out = h[0];
    struct event last = h[--q->len];
    size_t n = q->len, i = 0;
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= n)
            break;
        size_t best = first;
        size_t end = first + 4 < n ? first + 4 : n;
        for (size_t c = first + 1; c < end; c++)
            if (before(&h[c], &h[best]))
                best = c;
        if (!before(&h[best], &last))
            break;
        h[i] = h[best];
        i = best;
    }
    if (n > 0)
        h[i] = last;
    return 1;
}

const struct event *queue_peek(const struct queue *q)
{
    return q->len ? &q->heap[0] : NULL;
}

int queue_has_time(const struct queue *q, sim_time time)
{
    for (size_t i = 0; i < q->len; i++)
        if (q->heap[i].time == time)
            return 1;
    return 0;
}
