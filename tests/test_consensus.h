/* test_consensus.h - fixture shared by the consensus tests (raft, paxos,
 * multi-paxos): run a scenario given as JSON text with a seed, read its
 * verdicts, find the first completed operation after a time in the
 * history, and sweep seeds under a random nemesis with the checks every
 * sweep makes (no invariant broken, history linearizable, liveness after
 * the last fault). Header-only: each test file is its own executable. */
#ifndef FAULTLINE_TEST_CONSENSUS_H
#define FAULTLINE_TEST_CONSENSUS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runner.h"
#include "sim/engine.h"
#include "sim/scenario.h"

/* One run: the scenario (owned) and the runner's result (owned). */
struct crun {
    struct scenario *sc;
    struct run_result r;
};

/* Parses `json` and runs it with `seed` (0: the scenario's own). Fails the
 * test on bad input. Free with crun_free. */
static inline void crun_json(struct crun *cr, const char *json, uint64_t seed, bool check)
{
    char err[1024];
    memset(cr, 0, sizeof *cr);
    cr_assert_eq(scenario_parse(json, strlen(json), "test.json", &cr->sc, err, sizeof err), 0,
                 "%s", err);
    struct run_options opt = {.seed_set = seed != 0, .seed = seed, .no_trace_hash = true,
                              .no_check = !check};
    cr_assert_eq(runner_run(cr->sc, &opt, &cr->r, err, sizeof err), 0, "%s", err);
}

static inline void crun_free(struct crun *cr)
{
    runner_result_free(&cr->r);
    scenario_free(cr->sc);
}

/* The first violation as "invariant: text", or "" when none. */
static inline const char *crun_violation(const struct crun *cr, char *buf, size_t cap)
{
    buf[0] = '\0';
    const struct sim_violation_info *v = sim_violation_get(cr->r.sim, 0);
    if (v)
        snprintf(buf, cap, "%s at %.3fs: %s", v->invariant, (double)v->time / 1e6, v->text);
    return buf;
}

/* Time of the first history line of `type` ("ok") at or after `from`, or -1. */
static inline sim_time crun_first_completion(const struct crun *cr, const char *type,
                                             sim_time from)
{
    size_t len;
    const char *h = sim_history(cr->r.sim, &len);
    char want[32];
    snprintf(want, sizeof want, "\"type\":\"%s\"", type);
    for (const char *line = h; line < h + len;) {
        const char *end = memchr(line, '\n', (size_t)(h + len - line));
        if (!end)
            end = h + len;
        const char *t = strstr(line, "\"time\":");
        if (t && t < end && strstr(line, want) && strstr(line, want) < end) {
            sim_time at = strtoll(t + 7, NULL, 10);
            if (at >= from)
                return at;
        }
        line = end + 1;
    }
    return -1;
}

/* What one nemesis sweep checks and how long liveness may take. */
struct sweep {
    const char *protocol;
    const char *params;       /* JSON object text, or NULL */
    const char *workload;     /* JSON object text */
    int nodes;
    uint64_t first_seed, seeds;
    bool leader;              /* the protocol has leaders: one must exist after healing */
    sim_time live_within;     /* after the last fault: a leader and an ok operation by then */
};

/* Builds the sweep's scenario: for 4s the nemesis runs every kind of fault
 * (crash and recover losing unsynced writes, weighted up; every partition
 * mode; clock, slow nodes, flapping links, loss, duplication; latency
 * jitter reorders), then 3s of calm to see the cluster recover. */
static inline void sweep_json(const struct sweep *sw, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"name\": \"sweep\", \"protocol\": \"%s\", %s%s%s \"nodes\": %d, \"duration\": \"7s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"12ms\"}},"
             " \"workload\": %s,"
             " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"30ms\", \"max\": \"250ms\"},"
             "   \"duration\": {\"min\": \"20ms\", \"max\": \"700ms\"}, \"lose_unsynced\": true,"
             "   \"faults\": {\"crash\": 3, \"partition\": 1, \"isolate\": 1, \"oneway\": 1,"
             "     \"bridge\": 1, \"clock\": 1, \"slow\": 1, \"flap\": 1, \"loss\": 1,"
             "     \"duplicate\": 1}}}",
             sw->protocol, sw->params ? "\"params\": " : "", sw->params ? sw->params : "",
             sw->params ? "," : "", sw->nodes, sw->workload);
}

/* Seeds per sweep: `dflt`, or FAULTLINE_SWEEP_SEEDS from the environment
 * for a deeper run by hand (FAULTLINE_SWEEP_SEEDS=10000 ./test_raft_nemesis). */
static inline uint64_t sweep_seeds(uint64_t dflt)
{
    const char *env = getenv("FAULTLINE_SWEEP_SEEDS");
    long long n = env ? atoll(env) : 0;
    return n > 0 ? (uint64_t)n : dflt;
}

/* Runs the sweep; every seed must keep every invariant, give a
 * linearizable history, and recover after the last fault. Returns the
 * worst time from the last fault to the first ok operation after it. */
static inline sim_time sweep_run(const struct sweep *sw)
{
    char json[4096];
    sweep_json(sw, json, sizeof json);
    sim_time worst = 0;
    int bad = 0;
    uint64_t seeds = sweep_seeds(sw->seeds);
    for (uint64_t seed = sw->first_seed; seed < sw->first_seed + seeds; seed++) {
        struct crun cr;
        crun_json(&cr, json, seed, true);
        const struct sim_stats *st = sim_get_stats(cr.r.sim);
        char v[400];
        if (sim_violation_count(cr.r.sim) > 0) {
            cr_log_error("%s n=%d seed %llu: %s", sw->protocol, sw->nodes,
                         (unsigned long long)seed, crun_violation(&cr, v, sizeof v));
            bad++;
        }
        if (cr.r.linearizable != VERDICT_YES) {
            cr_log_error("%s n=%d seed %llu: history not linearizable (%d): %s", sw->protocol,
                         sw->nodes, (unsigned long long)seed, (int)cr.r.linearizable, cr.r.lin_detail);
            bad++;
        }
        sim_time last = st->last_fault_at;
        if (sw->leader && (st->leader_after_fault < 0 || st->leader_after_fault - last > sw->live_within)) {
            cr_log_error("%s n=%d seed %llu: no leader within %lldms of the last fault at %.3fs",
                         sw->protocol, sw->nodes, (unsigned long long)seed,
                         (long long)(sw->live_within / SIM_MS), (double)last / 1e6);
            bad++;
        }
        sim_time ok = crun_first_completion(&cr, "ok", last);
        if (ok < 0 || ok - last > sw->live_within) {
            cr_log_error("%s n=%d seed %llu: no operation completed within %lldms of the last "
                         "fault at %.3fs", sw->protocol, sw->nodes, (unsigned long long)seed,
                         (long long)(sw->live_within / SIM_MS), (double)last / 1e6);
            bad++;
        } else if (ok - last > worst) {
            worst = ok - last;
        }
        crun_free(&cr);
        if (bad > 5)
            break;
    }
    cr_expect_eq(bad, 0, "%s on %d nodes: %d failures (see above)", sw->protocol, sw->nodes, bad);
    return worst;
}

/* True when the run reported invariant `name` (any invariant when NULL). */
static inline bool crun_reported(const struct crun *cr, const char *name)
{
    for (int i = 0; i < sim_violation_count(cr->r.sim); i++)
        if (!name || strcmp(sim_violation_get(cr->r.sim, i)->invariant, name) == 0)
            return true;
    return false;
}

/* Runs `json` over seeds 1..max_seeds and returns the first seed for which
 * invariant `name` (any, when NULL) is reported, 0 if none; *hits counts
 * the seeds that report it. */
static inline uint64_t hunt_bug(const char *json, uint64_t max_seeds, const char *name, int *hits)
{
    uint64_t first = 0;
    *hits = 0;
    for (uint64_t seed = 1; seed <= max_seeds; seed++) {
        struct crun cr;
        crun_json(&cr, json, seed, false);
        if (crun_reported(&cr, name)) {
            (*hits)++;
            if (!first)
                first = seed;
        }
        crun_free(&cr);
    }
    return first;
}

#endif
