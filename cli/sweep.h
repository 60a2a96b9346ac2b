/* sweep.h - many seeds of one scenario: what makes a seed fail, the verdict
 * on one seed as plain fixed-size data (it travels through pipes between
 * worker processes and through MPI between ranks), and running a range of
 * seeds on worker processes. The report is in sweep_report.h; the command
 * in cmd_sweep.c; docs/compare-and-sweep.md tells it all. */
#ifndef FAULTLINE_SWEEP_H
#define FAULTLINE_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/runner.h"

/* Why a seed is reported. Everything but SWEEP_UNDECIDED is a failure. */
enum sweep_reason {
    SWEEP_VIOLATION = 1 << 0,        /* an invariant broke (the scenario does not expect it) */
    SWEEP_NOT_LINEARIZABLE = 1 << 1, /* the history is not linearizable and should be */
    SWEEP_EXPECT = 1 << 2,           /* another expectation of the scenario is not met */
    SWEEP_ERROR = 1 << 3,            /* the run itself failed (engine error, worker crashed) */
    SWEEP_UNDECIDED = 1 << 4,        /* not a failure: the checker ran out of budget */
};
#define SWEEP_FAILURE (SWEEP_VIOLATION | SWEEP_NOT_LINEARIZABLE | SWEEP_EXPECT | SWEEP_ERROR)

/* One seed's verdict. Plain data without pointers, the same layout on
 * every rank (MPI runs assume one architecture, as MPI_BYTE does). */
struct sweep_seed {
    uint64_t seed;
    uint32_t reasons;        /* enum sweep_reason bits; 0: passed */
    int32_t violations;      /* distinct invariant violations reported */
    int64_t fail_at;         /* time of the first violation, -1 when none */
    int32_t linearizable;    /* enum verdict */
    int32_t pad;
    char invariant[32];      /* the first violation's invariant, "" when none */
    char failed[96];         /* failed expectation keys, comma-separated */
    char detail[240];        /* one line: what broke, for people */
};

/* What a sweep runs and what counts as failing. */
struct sweep_config {
    const struct scenario *sc;       /* borrowed; outlives the sweep */
    const char *scenario_path;       /* as the user gave it, for reproduce commands */
    uint64_t first, last;            /* seeds, inclusive */
    int jobs;                        /* worker processes; 1: run in this process */
    bool stop_at_first;              /* stop once the lowest failing seed is known */
    bool require_linearizable;       /* a non-linearizable history fails even when the
                                        scenario's expect block does not say */
    sim_time duration;               /* > 0: instead of the scenario's */
    double check_timeout;            /* seconds of checker budget per seed; 0: 20 */
    /* MPI: this process runs chunk k of `chunk` seeds when k % stride ==
     * offset. stride 0 or 1: every seed. */
    uint64_t chunk;
    int stride, offset;
    /* Called (in this process) after each seed's verdict arrives; may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total, uint64_t failing);
    void *progress_ctx;
};

/* What this process found: the seeds that did not pass, ascending. */
struct sweep_outcome {
    uint64_t total;             /* seeds this process was given */
    uint64_t done;              /* verdicts received */
    uint64_t stop;              /* stop_at_first: the lowest failing seed found
                                   here (covers every seed of ours below it);
                                   else UINT64_MAX */
    struct sweep_seed *bad;     /* failing and undecided seeds, by seed (owned) */
    size_t nbad, capbad;
    double wall_seconds;
};

/* The runner options a sweep uses for one seed (no files, no trace hash,
 * the checker only when a verdict needs it). */
void sweep_run_options(const struct sweep_config *cfg, uint64_t seed, struct run_options *opt);

/* Judges a finished run against the scenario and `cfg` into *out (seed
 * included). Never fails. */
void sweep_judge(const struct sweep_config *cfg, uint64_t seed, const struct run_result *r,
                 struct sweep_seed *out);

/* Runs and judges one seed in this process. A run that cannot be made
 * (bad input) is judged SWEEP_ERROR with the message in detail. */
void sweep_one(const struct sweep_config *cfg, uint64_t seed, struct sweep_seed *out);

/* Runs the seeds of `cfg` this process is given, on cfg->jobs worker
 * processes (forked; 1: here), and fills *out (free with
 * sweep_outcome_free). A worker that dies takes only its current seed with
 * it: that seed is reported as SWEEP_ERROR with the signal, and a new
 * worker goes on. Returns 0, SIM_ENOMEM, or SIM_EIO when no worker process
 * can be started (err says why). */
int sweep_run(const struct sweep_config *cfg, struct sweep_outcome *out, char *err, size_t errcap);
/* Frees what the outcome holds and zeroes it; a zeroed outcome is fine. */
void sweep_outcome_free(struct sweep_outcome *o);

/* Adds a verdict to an outcome when it is not a pass. Returns 0 or SIM_ENOMEM. */
int sweep_outcome_add(struct sweep_outcome *o, const struct sweep_seed *s);
/* Sorts the outcome's seeds and, with stop_at_first, drops those above the
 * lowest failing seed `limit` (UINT64_MAX: none). */
void sweep_outcome_finish(struct sweep_outcome *o, uint64_t limit);

/* Number of seeds in the local share of cfg (all of first..last unless
 * stride > 1), and the i-th of them, ascending. */
uint64_t sweep_local_count(const struct sweep_config *cfg);
uint64_t sweep_local_seed(const struct sweep_config *cfg, uint64_t i);

/* True when s failed. */
bool sweep_failed(const struct sweep_seed *s);

/* Worker processes to use by default: the online cores (at least 1). */
int sweep_default_jobs(void);

#endif
