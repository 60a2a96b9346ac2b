/* compare.h - one scenario's network, faults and nemesis run against
 * several protocols, seed by seed, measured the same way: availability,
 * throughput, latency, messages per operation, time to recover after each
 * fault, and safety. The rows are built here (compare.c), each run measured
 * in compare_measure.c, printed by compare_report.c; the command is
 * cmd_compare.c and docs/compare-and-sweep.md tells it all. */
#ifndef FAULTLINE_COMPARE_H
#define FAULTLINE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/runner.h"

struct cJSON;

/* One fault of the schedule (or its end) and how long the clients waited
 * after it for service. */
struct compare_fault {
    sim_time at;
    sim_time recover;      /* until the first op invoked at or after `at` completed ok;
                              -1: none did by the end; -2: no op was invoked after it */
    char text[96];         /* the timeline's words: "partition [n1] | [n2 n3]" */
    /* A scheduled fault that names a role ("isolate": "leader") hits the
     * node holding it in this protocol's own run, or nothing at all. */
    char role[32];         /* the role it named; "" for a node, a nemesis fault or an end */
    char kind[16];         /* with role: the fault's name ("isolate") */
    char target[16];       /* with role: the node it hit ("n3"); "" when skipped */
    bool skipped;          /* the engine skipped it (text says why); never recovers */
    bool end;              /* with role: the end (heal, recover) of the role fault */
};

/* One protocol, one seed: what was measured. */
struct compare_run {
    int row;
    uint64_t seed;
    bool error;                         /* the run could not be made */
    char error_text[256];
    sim_time from, to;                  /* the workload's window */
    uint64_t ops_invoked, ops_ok, ops_fail, ops_refused, ops_info;
    uint64_t writes_invoked, writes_ok; /* write, cas, put, append */
    uint64_t writes_answered;           /* writes ok or definitely failed (not refused) */
    sim_time longest_gap, longest_gap_at;             /* no op completed ok */
    sim_time longest_write_gap, longest_write_gap_at; /* no write completed ok */
    sim_time p50, p99;                  /* latency of ok ops; -1 when none */
    uint64_t messages;                  /* node-to-node messages sent */
    int violations;                     /* distinct invariant violations */
    char invariant[32];                 /* the first one's name */
    int linearizable;                   /* enum verdict */
    int64_t stale_reads, lost_writes;   /* -1: not measured */
    int64_t blocked;                    /* the protocol's "blocked" metric at the end */
    int max_leaders;
    uint64_t schedule_hash;             /* the faults the nemesis applied, fingerprinted */
    int nemesis_faults;
    struct compare_fault *faults;       /* owned */
    int nfaults;
    uint32_t *buckets;                  /* ok completions per `bucket` of time (owned) */
    uint32_t *write_buckets;            /* the writes among them (owned, nbuckets long) */
    int nbuckets;
    sim_time bucket;
};

/* Mean and spread of one number over seeds (n 0: never measured). */
struct compare_stat {
    double mean, sd, min, max;
    int n;
};

struct compare_row {
    char label[128];              /* as given: "primary-backup:failover=lease" */
    char protocol[32];
    struct cJSON *params;         /* the params it runs with (owned; NULL: defaults) */
    bool scenario_params;         /* the scenario's own params are among them */
    struct scenario *sc;          /* the scenario as this row runs it (owned) */
    struct compare_run *runs;     /* one per seed, by seed (owned) */
    int nruns;
    /* over seeds */
    struct compare_stat availability, write_availability, longest_gap, longest_write_gap,
        throughput, p50, p99, msgs_per_op, recover_worst, violations, stale_reads, lost_writes,
        blocked;
    int seeds_violating, seeds_linearizable, seeds_not_linearizable, seeds_unknown, errors;
    int never_recovered;          /* faults after which nothing succeeded, over all seeds */
};

struct compare {
    const struct scenario *sc;    /* borrowed */
    const char *scenario_path;
    uint64_t first, last;         /* seeds */
    struct compare_row *rows;     /* owned */
    int nrows;
    bool same_schedule;           /* every row saw the same nemesis faults, seed by seed */
    sim_time bucket;
    double wall_seconds;
};

struct compare_options {
    const char *protocols;        /* "raft,primary-backup:failover=lease" or "all" */
    const struct cJSON *params_file; /* {"raft": {...}, "label": {...}}, or NULL */
    bool seeds_given;
    uint64_t first, last;         /* with seeds_given; else the scenario's seed */
    int jobs;                     /* worker processes; 1: here */
    sim_time duration;            /* > 0: instead of the scenario's */
    double check_timeout;         /* seconds per run; 0: 20 */
    void (*progress)(void *ctx, uint64_t done, uint64_t total, uint64_t failing);
    void *progress_ctx;
    void (*note)(void *ctx, const char *text); /* rows skipped under "all"; may be NULL */
    void *note_ctx;
};

/* Builds the rows of `protocols` for scenario `sc` (borrowed; it must
 * outlive *cmp) and checks that each can run (protocol known, params
 * valid). Returns 0 and *cmp (free with compare_free); SIM_EINVAL with err
 * naming the row, and the file, JSON path and what was expected. */
int compare_prepare(const struct scenario *sc, const char *path, const struct compare_options *o,
                    struct compare *cmp, char *err, size_t errcap);

/* Runs every row for every seed on o->jobs worker processes and fills the
 * runs and the statistics. Returns 0, or SIM_EIO/SIM_ENOMEM with err. A run
 * that fails on its own is kept as an error in its row. */
int compare_run(struct compare *cmp, const struct compare_options *o, char *err, size_t errcap);

/* Frees the rows, their scenarios, params and runs (not cmp->sc, which is
 * borrowed) and zeroes *cmp; a zeroed comparison is fine. */
void compare_free(struct compare *cmp);

/* Measures one finished run of `sc` into *out (free with
 * compare_run_clear): history-derived numbers, the faults and recovery,
 * completions per `bucket`. *out must start zeroed (row and seed may be
 * set). Returns 0 or SIM_ENOMEM. (compare_measure.c) */
int compare_measure(const struct scenario *sc, const struct run_result *r, sim_time bucket,
                    struct compare_run *out);
void compare_run_clear(struct compare_run *run);

/* A run flattened into one buffer and back, for worker pipes. Returns a
 * malloc'd buffer and its length / 0, or NULL / SIM_ENOMEM or SIM_EINVAL
 * for a malformed buffer. (compare_measure.c) */
void *compare_run_pack(const struct compare_run *run, size_t *len);
int compare_run_unpack(const void *buf, size_t len, struct compare_run *out);

/* A plot-friendly bucket width for a run of `duration`: 10ms, 20ms, 50ms,
 * ... so that a run spans 60..150 buckets. */
sim_time compare_bucket_for(sim_time duration);

#endif
