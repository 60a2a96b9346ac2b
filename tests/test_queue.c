/* test_queue.c - the event queue orders by (time, insertion sequence). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sim/queue.h"
#include "sim/rng.h"

Test(queue, pops_in_time_order)
{
    struct queue q;
    queue_init(&q);
    sim_time times[] = {50, 10, 40, 30, 20, 0, 60};
    for (int i = 0; i < 7; i++)
        cr_assert_gt(queue_push(&q, times[i], 1, i, 0), 0);
    struct event ev;
    sim_time last = -1;
    int n = 0;
    while (queue_pop(&q, &ev)) {
        cr_expect_geq(ev.time, last);
        last = ev.time;
        n++;
    }
    cr_expect_eq(n, 7);
    queue_free(&q);
}

Test(queue, equal_times_pop_in_insertion_order)
{
    struct queue q;
    queue_init(&q);
    for (int i = 0; i < 1000; i++)
        queue_push(&q, 100 + (i % 3), 1, i, (uint64_t)i);
    struct event ev;
    int64_t last_arg[3] = {-1, -1, -1};
    sim_time last_time = 0;
    while (queue_pop(&q, &ev)) {
        cr_assert_geq(ev.time, last_time);
        last_time = ev.time;
        int slot = (int)(ev.time - 100);
        cr_expect_gt((int64_t)ev.arg, last_arg[slot], "tie broken out of insertion order");
        last_arg[slot] = (int64_t)ev.arg;
    }
    queue_free(&q);
}

static int cmp_event(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

Test(queue, matches_a_sorted_reference_under_random_interleaving)
{
    struct queue q;
    queue_init(&q);
    struct rng r;
    rng_init(&r, 42, 1);
    size_t cap = 200000, nref = 0;
    struct event *ref = malloc(cap * sizeof *ref);
    struct event *popped = malloc(cap * sizeof *popped);
    size_t npopped = 0;
    sim_time now = 0;
    /* hold model: pushes at now + random delay, interleaved with pops */
    for (int i = 0; i < 100000; i++) {
        sim_time t = now + (sim_time)rng_below(&r, 1000);
        uint64_t seq = queue_push(&q, t, 1, 0, 0);
        ref[nref++] = (struct event){t, seq, 1, 0, 0};
        if (rng_below(&r, 3) == 0) {
            struct event ev;
            cr_assert(queue_pop(&q, &ev));
            cr_assert_geq(ev.time, now);
            now = ev.time;
            popped[npopped++] = ev;
        }
    }
    struct event ev;
    while (queue_pop(&q, &ev))
        popped[npopped++] = ev;
    cr_assert_eq(npopped, nref);
    /* every pop was the minimum at its moment, so the pop sequence, with
     * later pushes never earlier than their push time, sorts equal */
    qsort(ref, nref, sizeof *ref, cmp_event);
    struct event *sorted = malloc(npopped * sizeof *sorted);
    memcpy(sorted, popped, npopped * sizeof *sorted);
    qsort(sorted, npopped, sizeof *sorted, cmp_event);
    for (size_t i = 0; i < nref; i++)
        cr_assert_eq(sorted[i].seq, ref[i].seq);
    for (size_t i = 1; i < npopped; i++)
        cr_assert_geq(popped[i].time, popped[i - 1].time);
    free(ref);
    free(popped);
    free(sorted);
    queue_free(&q);
}

Test(queue, finds_events_at_an_exact_time)
{
    struct queue q;
    queue_init(&q);
    queue_push(&q, 5, 1, 0, 0);
    queue_push(&q, 9, 1, 0, 0);
    cr_expect(queue_has_time(&q, 9));
    cr_expect_not(queue_has_time(&q, 7));
    queue_free(&q);
}

Test(queue, push_earlier_than_the_last_pop_still_orders_correctly)
{
    /* the viewer may peek (which advances the queue's origin) and then
     * inject an event before the peeked one */
    struct queue q;
    queue_init(&q);
    for (int i = 0; i < 100; i++)
        queue_push(&q, 1000 + i * 10, 1, i, 0);
    struct event ev;
    cr_assert(queue_pop(&q, &ev));
    cr_expect_eq(ev.time, 1000);
    cr_expect_eq(queue_peek_time(&q), 1010);
    queue_push(&q, 1001, 2, -1, 0);
    cr_assert(queue_pop(&q, &ev));
    cr_expect_eq(ev.time, 1001);
    cr_expect_eq(ev.kind, 2);
    sim_time last = 1001;
    int n = 0;
    while (queue_pop(&q, &ev)) {
        cr_expect_gt(ev.time, last);
        last = ev.time;
        n++;
    }
    cr_expect_eq(n, 99);
    queue_free(&q);
}

Test(queue, peek_does_not_remove)
{
    struct queue q;
    queue_init(&q);
    cr_expect_eq(queue_peek_time(&q), SIM_TIME_NEVER);
    queue_push(&q, 7, 1, 0, 0);
    queue_push(&q, 3, 1, 0, 0);
    cr_expect_eq(queue_peek_time(&q), 3);
    cr_expect_eq(queue_len(&q), 2);
    struct event ev;
    queue_pop(&q, &ev);
    cr_expect_eq(ev.time, 3);
    cr_expect_eq(queue_peek_time(&q), 7);
    queue_free(&q);
}
