/* bench_raft.c - whole-engine throughput on 5-node Raft with tracing off and
 * a steady client load: message deliveries per wall second (DESIGN.md target:
 * at least 1 M/s) and simulated seconds per wall second. Cluster invariant
 * checks run after every event, as in every run. A second configuration
 * puts reads in the log: batching then carries many commands per message,
 * so events per second says more about it than deliveries.
 *
 * Usage: bench_raft [simulated-seconds (default 60)] [clients (default 20)] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocols/registry.h"
#include "sim/engine.h"
#include "sim/scenario.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(const char *label, const char *json, int repeat)
{
    char err[1024];
    struct scenario *sc = NULL;
    if (scenario_parse(json, strlen(json), label, &sc, err, sizeof err)) {
        fprintf(stderr, "bench_raft: %s\n", err);
        return 1;
    }
    double best = 0, sim_s = 0, ev_s = 0;
    uint64_t delivered = 0, events = 0, ops = 0;
    for (int k = 0; k < repeat; k++) {
        struct sim *s = NULL;
        struct sim_options opt = {0}; /* no trace file, no hash, no sink */
        if (sim_create(sc, protocol_find("raft"), &opt, &s, err, sizeof err)) {
            fprintf(stderr, "bench_raft: %s\n", err);
            scenario_free(sc);
            return 1;
        }
        double t0 = wall_now();
        int rc = sim_run(s);
        double wall = wall_now() - t0;
        const struct sim_stats *st = sim_get_stats(s);
        if (rc < 0 || sim_violation_count(s) > 0) {
            fprintf(stderr, "bench_raft: run failed (rc %d, %d violations)\n", rc,
                    sim_violation_count(s));
            sim_destroy(s);
            scenario_free(sc);
            return 1;
        }
        double rate = (double)st->messages_delivered / wall;
        if (rate > best) {
            best = rate;
            delivered = st->messages_delivered;
            events = st->events;
            ops = st->ops_ok;
            sim_s = (double)st->now / 1e6 / wall;
            ev_s = (double)st->events / wall;
        }
        sim_destroy(s);
    }
    printf("%-28s %10.0f deliveries/s  %10.0f events/s  %8.1f sim-s/wall-s"
           "  (%llu deliveries, %llu events, %llu ok ops; best of %d)\n",
           label, best, ev_s, sim_s, (unsigned long long)delivered, (unsigned long long)events,
           (unsigned long long)ops, repeat);
    scenario_free(sc);
    return 0;
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 60;
    int clients = argc > 2 ? atoi(argv[2]) : 20;
    if (seconds <= 0 || clients <= 0) {
        fprintf(stderr, "usage: bench_raft [simulated-seconds] [clients]\n");
        return 2;
    }
    char json[2048];
    int rc = 0;
    /* Closed-loop clients: each waits 5ms between operations, so the load is
     * steady and the log grows at a few thousand entries per second. */
    snprintf(json, sizeof json,
             "{\"name\": \"bench-raft\", \"protocol\": \"raft\", \"nodes\": 5, \"seed\": 1,"
             " \"duration\": \"%ds\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"5ms\"}},"
             " \"workload\": {\"clients\": %d, \"think\": \"5ms\", \"keys\": 8,"
             "   \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"timeout\": \"1s\"}}",
             seconds, clients);
    rc |= run("raft 5 nodes, ReadIndex", json, 3);
    snprintf(json, sizeof json,
             "{\"name\": \"bench-raft-log\", \"protocol\": \"raft\", \"nodes\": 5, \"seed\": 1,"
             " \"duration\": \"%ds\", \"params\": {\"reads\": \"log\"},"
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"5ms\"}},"
             " \"workload\": {\"clients\": %d, \"think\": \"5ms\", \"keys\": 8,"
             "   \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"timeout\": \"1s\"}}",
             seconds, clients);
    rc |= run("raft 5 nodes, reads in log", json, 3);
    return rc;
}
