/* bench_sweep.c - seeds per second of `faultline sweep` on a 5-node Raft
 * scenario of 10 simulated seconds with a nemesis of every fault kind and
 * a steady client load, on 1 worker process and on 2 (the figure);
 * once judging invariants only (the sweep's default for a scenario that
 * does not ask for linearizability), once also checking every history
 * (--linearizable). The sweep's verdicts must agree across worker counts.
 *
 * Usage: bench_sweep [seeds (default 400)] [max workers (default 2)] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "cli/sweep.h"

static const char *const raft5 =
    "{\"name\": \"bench-sweep-raft5\", \"protocol\": \"raft\", \"nodes\": 5, \"duration\": \"10s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"12ms\"}},"
    " \"workload\": {\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
    "   \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\", \"retries\": 1},"
    " \"nemesis\": {\"until\": \"8s\", \"interval\": {\"min\": \"100ms\", \"max\": \"500ms\"},"
    "   \"duration\": {\"min\": \"50ms\", \"max\": \"1s\"}, \"lose_unsynced\": true,"
    "   \"faults\": {\"crash\": 3, \"partition\": 1, \"isolate\": 1, \"oneway\": 1,"
    "     \"bridge\": 1, \"clock\": 1, \"slow\": 1, \"flap\": 1, \"loss\": 1, \"duplicate\": 1}},"
    " \"expect\": {\"violations\": \"none\"}}";

static int bench(const struct scenario *sc, uint64_t seeds, int jobs, bool linearizable,
                 size_t *failing)
{
    struct sweep_config c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.first = 1;
    c.last = seeds;
    c.jobs = jobs;
    c.require_linearizable = linearizable;
    struct sweep_outcome out;
    char err[512];
    double t0 = bench_now();
    if (sweep_run(&c, &out, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        return 1;
    }
    double dt = bench_now() - t0;
    size_t bad = 0;
    for (size_t i = 0; i < out.nbad; i++)
        bad += sweep_failed(&out.bad[i]);
    printf("  %-28s %d worker%s  %6llu seeds in %6.2fs  %8.1f seeds/s  (%zu failing)\n",
           linearizable ? "invariants + linearizable" : "invariants", jobs, jobs == 1 ? " " : "s",
           (unsigned long long)out.done, dt, (double)out.done / dt, bad);
    *failing = bad;
    sweep_outcome_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seeds = argc > 1 ? strtoull(argv[1], NULL, 10) : 400;
    int max_jobs = argc > 2 ? atoi(argv[2]) : 2;
    if (seeds < 1 || max_jobs < 1) {
        fprintf(stderr, "usage: bench_sweep [seeds] [max workers]\n");
        return 2;
    }
    char err[1024];
    struct scenario *sc;
    if (scenario_parse(raft5, strlen(raft5), "bench", &sc, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        return 1;
    }
    printf("sweep: raft, 5 nodes, 10 simulated seconds, nemesis of every kind, 60 ops/s; %d cores online\n",
           sweep_default_jobs());
    int rc = 0;
    for (int lin = 0; lin <= 1 && !rc; lin++) {
        size_t first_failing = 0;
        for (int jobs = 1; jobs <= max_jobs && !rc; jobs++) {
            size_t failing;
            rc = bench(sc, seeds, jobs, lin == 1, &failing);
            if (!rc && jobs > 1 && failing != first_failing) {
                fprintf(stderr, "bench_sweep: %zu failing on %d workers, %zu on 1\n", failing, jobs,
                        first_failing);
                rc = 1;
            }
            first_failing = failing;
        }
    }
    scenario_free(sc);
    return rc;
}
