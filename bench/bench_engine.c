/* bench_engine.c - the whole engine on the ping protocol: 5 nodes, each
 * keeping a window of pings in flight, tracing off. Reports message
 * deliveries per second of wall time (target >= 2 M/s) and simulated
 * seconds per wall second. Also the same with the trace hashed, to show
 * what tracing costs. */
#include <stdio.h>
#include <string.h>

#include "bench/bench_util.h"
#include "protocols/registry.h"
#include "sim/engine.h"
#include "sim/scenario.h"

static void run(const char *label, bool trace, const char *json)
{
    char err[512];
    struct scenario *sc;
    if (scenario_parse(json, strlen(json), "bench.json", &sc, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    struct sim_options opt = {.trace_hash = trace};
    struct sim *s;
    if (sim_create(sc, protocol_find(sc->protocol), &opt, &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    double t0 = bench_now();
    sim_run(s);
    double dt = bench_now() - t0;
    const struct sim_stats *st = sim_get_stats(s);
    printf("  %-26s %6.2f M deliveries/s  %6.2f M events/s  %7.1f sim-s per wall-s  (%llu deliveries in %.2fs)\n",
           label, (double)st->messages_delivered / dt / 1e6, (double)st->events / dt / 1e6,
           (double)sim_end_time(s) / 1e6 / dt, (unsigned long long)st->messages_delivered, dt);
    sim_destroy(s);
    scenario_free(sc);
}

int main(void)
{
    const char *ping =
        "{\"name\":\"bench\",\"protocol\":\"echo\",\"nodes\":5,\"duration\":\"60s\","
        "\"params\":{\"interval\":\"0\",\"window\":16},"
        "\"network\":{\"latency\":{\"dist\":\"uniform\",\"min\":\"1ms\",\"max\":\"5ms\"}}}";
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench_engine: echo protocol, 5 nodes, 16 pings in flight per node\n");
    run("tracing off", false, ping);
    run("trace hashed (no file)", true, ping);
    /* timer-driven pings (no window: a windowed chain never ends, so ticks
     * and duplicates would multiply the load without bound) */
    const char *timed =
        "{\"name\":\"bench\",\"protocol\":\"echo\",\"nodes\":5,\"duration\":\"60s\","
        "\"params\":{\"interval\":\"50us\"},"
        "\"network\":{\"latency\":{\"dist\":\"exponential\",\"mean\":\"2ms\",\"floor\":\"1ms\"},\"duplicate\":0.01}}";
    run("timers, exp latency, 1% dup", false, timed);
    return 0;
}
