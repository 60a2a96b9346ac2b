/* bench_scale.c - a 100 000-node heartbeat scenario: every node pings its
 * ring successor once a second for 10 simulated seconds. Reports wall time
 * and memory per node (target <= 2 KB per idle node). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "protocols/registry.h"
#include "sim/engine.h"
#include "sim/scenario.h"

int main(int argc, char **argv)
{
    int nodes = argc > 1 ? atoi(argv[1]) : 100000;
    char json[512];
    snprintf(json, sizeof json,
             "{\"name\":\"scale\",\"protocol\":\"echo\",\"nodes\":%d,\"duration\":\"10s\","
             "\"params\":{\"interval\":\"1s\",\"ring\":true}}",
             nodes);
    char err[512];
    struct scenario *sc;
    if (scenario_parse(json, strlen(json), "scale.json", &sc, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    long long base = bench_peak_rss();
    struct sim_options opt = {0};
    struct sim *s;
    double t0 = bench_now();
    if (sim_create(sc, protocol_find("echo"), &opt, &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    /* boot every node and let the first heartbeats go out */
    sim_run_until(s, 0);
    long long after_boot = bench_peak_rss();
    sim_run(s);
    double dt = bench_now() - t0;
    long long peak = bench_peak_rss();
    const struct sim_stats *st = sim_get_stats(s);
    printf("bench_scale: %d nodes, heartbeat every 1s, 10s simulated\n", nodes);
    printf("  wall time            %.2fs (%.1f M events/s)\n", dt, (double)st->events / dt / 1e6);
    printf("  messages delivered   %llu\n", (unsigned long long)st->messages_delivered);
    printf("  memory per node      %.0f bytes after boot, %.0f bytes at peak (target <= 2048)\n",
           (double)(after_boot - base) / nodes, (double)(peak - base) / nodes);
    sim_destroy(s);
    scenario_free(sc);
    return 0;
}
