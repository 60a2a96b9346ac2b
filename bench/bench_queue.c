/* bench_queue.c - event queue throughput with 1 000, 100 000 and 1 000 000
 * events pending: the classic hold model (pop the earliest, push one a
 * random delay later), so the queue size stays constant. Targets
 * (DESIGN.md): >= 10 M events/s at 100 000 pending, >= 3 M/s at 1 000 000. */
#include <stdio.h>

#include "bench/bench_util.h"
#include "sim/queue.h"
#include "sim/rng.h"

static void hold(size_t pending, long ops)
{
    struct queue q;
    queue_init(&q);
    struct rng r;
    rng_init(&r, 1, 1);
    for (size_t i = 0; i < pending; i++)
        queue_push(&q, (sim_time)rng_below(&r, 1000000), 1, 0, i);
    /* precomputed delays keep the PRNG out of the measurement */
    enum { NDELAY = 1 << 16 };
    static sim_time delays[NDELAY];
    for (int i = 0; i < NDELAY; i++)
        delays[i] = (sim_time)rng_below(&r, 1000000);
    struct event ev;
    double t0 = bench_now();
    for (long i = 0; i < ops; i++) {
        queue_pop(&q, &ev);
        queue_push(&q, ev.time + delays[i & (NDELAY - 1)], ev.kind, ev.node, ev.arg);
    }
    double dt = bench_now() - t0;
    printf("  %9zu pending: %6.2f M events/s (pop+push pairs %.1f M/s, %ld in %.3fs)\n", pending,
           (double)ops / dt / 1e6, (double)ops / dt / 1e6, ops, dt);
    queue_free(&q);
}

int main(void)
{
    printf("bench_queue: hold model, one event = one pop and one push\n");
    hold(1000, 20000000);
    hold(100000, 20000000);
    hold(1000000, 10000000);
    return 0;
}
