/* sweep_report.h - what `faultline sweep` prints: how many seeds passed and
 * failed and why, each failing seed with the one-line command that
 * reproduces it; as text for people or as JSON. The report holds no wall
 * times, so one sweep gives the same report on any number of workers or
 * MPI ranks (timings go to standard error). */
#ifndef FAULTLINE_SWEEP_REPORT_H
#define FAULTLINE_SWEEP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/sweep.h"

struct cJSON;

struct sweep_report {
    const struct sweep_config *cfg;       /* the whole range (first..last) */
    const struct sweep_outcome *outcome;  /* every rank's seeds, merged and finished */
    const char *command;                  /* how to call faultline ("build/faultline") */
    int show;                             /* text: failing seeds listed; 0: 20; < 0: all */
};

/* Seeds the sweep covered: first..last, or first..the lowest failing seed
 * when it stopped there. */
uint64_t sweep_report_covered(const struct sweep_report *rep);
/* Number of failing seeds. */
uint64_t sweep_report_failures(const struct sweep_report *rep);

/* Writes into buf the command that reproduces `seed`
 * ("build/faultline run scenarios/x.json --seed 17"). */
void sweep_report_reproduce(const struct sweep_report *rep, uint64_t seed, char *buf, size_t cap);

/* Prints the report as text; `color` adds ANSI colours. */
void sweep_report_text(FILE *out, const struct sweep_report *rep, bool color);
/* The report as a JSON object (free with cJSON_Delete), or NULL when out
 * of memory. Layout in docs/compare-and-sweep.md. */
struct cJSON *sweep_report_json(const struct sweep_report *rep);

/* How to call this faultline in a command line: its path relative to the
 * working directory when inside it, else absolute; "faultline" when it
 * cannot be found. Writes into buf and returns it. */
const char *sweep_self_command(char *buf, size_t cap);
/* Appends `arg` to buf, single-quoted when the shell would split or
 * expand it. */
void sweep_shell_arg(char *buf, size_t cap, const char *arg);

#endif
