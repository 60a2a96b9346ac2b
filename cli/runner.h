/* runner.h - one run of a scenario, end to end: create the simulation, run
 * it, write trace and history files atomically, check the history, and
 * evaluate the scenario's "expect" block. Shared by run, sweep and compare. */
#ifndef FAULTLINE_RUNNER_H
#define FAULTLINE_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"
#include "sim/scenario.h"

struct run_options {
    bool seed_set;
    uint64_t seed;
    sim_time duration;          /* > 0 overrides the scenario's */
    const char *trace_path;     /* NULL: no trace file */
    const char *history_path;   /* NULL: no history file */
    bool no_trace_hash;         /* skip hashing (sweeps that need speed) */
    bool no_check;              /* skip the history checker */
    double check_timeout;       /* seconds of checker budget; 0 = default */
    int story;                  /* sim_options.story: -v 1, -vv 2 */
};

#define RUN_LOST_NAMED 5 /* lost appends named in lost_named at most */

enum verdict { VERDICT_NOT_CHECKED = -1, VERDICT_NO = 0, VERDICT_YES = 1, VERDICT_UNKNOWN = 2 };

struct expect_check {
    char key[32];               /* the expect key, e.g. "max_leaders" */
    bool ok;
    char detail[200];           /* "expected 2, got 2" */
};

struct run_result {
    struct sim *sim;            /* owned; the finished simulation */
    uint64_t trace_hash;
    double wall_seconds;
    enum verdict linearizable;
    char lin_detail[1024];      /* the checker's explanation when not linearizable */
    double check_seconds;
    int64_t stale_reads;        /* -1: not computed */
    int64_t lost_writes;        /* -1: not computed */
    char lost_named[160];       /* the first lost appends, "k2 v141, k2 v143" */
    struct expect_check checks[32];
    int ncheck;
    bool has_expect;
    bool expect_ok;
    int story;                  /* what the timeline keeps (run_options.story) */
};

/* Runs `sc` (borrowed) with `opt`. Returns 0 and fills *out (free with
 * runner_result_free) whether or not the expectations hold; SIM_EINVAL for
 * bad input (unknown protocol, bad params) with `err` set; SIM_EIO when an
 * output file cannot be written (nothing half-written is left behind);
 * SIM_ENOMEM. */
int runner_run(const struct scenario *sc, const struct run_options *opt, struct run_result *out,
               char *err, size_t errcap);
void runner_result_free(struct run_result *r);

/* The share of invoked client ops the system answered: ok, or a definite
 * fail (a cas mismatch, an abort), not a refusal nor an unknown outcome.
 * Returns 0..1, or -1 when no op was invoked (0 of 0). */
double runner_answered(const struct sim_stats *x);
/* The same as text, "99.1%" or "–" for 0 of 0, in buf; returns buf. */
const char *runner_answered_text(const struct sim_stats *x, char *buf, size_t cap);

/* A scenario named on the command line: `arg` itself when that file exists
 * or names a directory part; otherwise a bare lesson name ("2pc-blocked",
 * "2pc-blocked.json") found among the shipped lessons (runner_scenario_dir),
 * so lessons run from any directory. Returns `arg` or a path in a buffer
 * that the next call overwrites; never NULL. A name that matches nothing
 * comes back unchanged, and loading it reports the file as missing. */
const char *runner_resolve_scenario(const char *arg);
/* Finds the default scenario file; returns a static path or NULL. */
const char *runner_default_scenario(void);
/* Finds the scenarios directory; returns a static path or NULL. */
const char *runner_scenario_dir(void);
/* Lists the *.json files in `dir` as full paths, sorted by name. Returns
 * how many and sets *out (free it with runner_free_list), or -1 when the
 * directory cannot be read or memory runs out (*out is then NULL). */
int runner_list_scenarios(const char *dir, char ***out);
void runner_free_list(char **paths, int n);

#endif
