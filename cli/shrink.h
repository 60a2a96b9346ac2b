/* shrink.h - a failing seed reduced to a small scenario that still fails
 * the same way: the nemesis's faults are written out as an explicit
 * schedule (the nemesis removed), then the run is shortened, faults are
 * dropped (delta debugging) and clients removed, each step kept only when
 * the run still fails with the same invariant, verdict and expectations.
 * The result is an ordinary scenario file: `faultline run FILE` fails. */
#ifndef FAULTLINE_SHRINK_H
#define FAULTLINE_SHRINK_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/sweep.h"

struct shrink_options {
    const struct sweep_config *cfg;  /* scenario, failure rules, duration override */
    int max_runs;                    /* simulation runs allowed; 0: 400 */
    FILE *log;                       /* one line per step kept, or NULL */
};

struct shrink_result {
    struct scenario *sc;        /* the small failing scenario (owned) */
    uint64_t seed;
    struct sweep_seed original; /* how the seed failed at first */
    struct sweep_seed failure;  /* how the small scenario fails */
    bool nemesis_kept;          /* the nemesis's schedule did not replay as explicit
                                   faults: shrunk around the nemesis instead */
    int nemesis_faults;         /* faults the nemesis applied in the original run */
    int faults_before, faults_after;     /* explicit faults, nemesis's included */
    sim_time duration_before, duration_after;
    int clients_before, clients_after;
    int runs;                   /* simulation runs spent */
};

/* Shrinks seed `seed` of o->cfg->sc. Returns 0 and *out (free with
 * shrink_result_free); SIM_EINVAL when the seed does not fail, or fails
 * only by a run error (err says so); SIM_ENOMEM. */
int shrink_seed(const struct shrink_options *o, uint64_t seed, struct shrink_result *out,
                char *err, size_t errcap);
/* Frees the small scenario; the rest of *r is plain data. */
void shrink_result_free(struct shrink_result *r);

/* Writes the small scenario to `path` atomically. Returns 0 or a negative
 * SIM_E code with err naming the path and the reason. */
int shrink_write(const struct shrink_result *r, const char *path, char *err, size_t errcap);

/* A default file name for it: "<scenario name>-seed<N>-min.json". */
void shrink_default_path(const struct shrink_result *r, char *buf, size_t cap);

/* Prints what was removed, in a few lines ("23 faults -> 2, 10s -> 2.41s,
 * 3 clients -> 1, in 57 runs"). */
void shrink_print(FILE *out, const struct shrink_result *r);

#endif
