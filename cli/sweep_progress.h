/* sweep_progress.h - progress of a long run of seeds on standard error: a
 * bar redrawn in place on a terminal, a plain line every tenth otherwise
 * (logs, CI), and the rate in seeds per second. */
#ifndef FAULTLINE_SWEEP_PROGRESS_H
#define FAULTLINE_SWEEP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sweep_progress {
    FILE *out;            /* borrowed */
    bool tty;             /* redraw a bar in place */
    bool quiet;           /* print nothing */
    const char *what;     /* "seeds", "runs" */
    char label[64];       /* prefix, e.g. "rank 0 of 4: " */
    double t0, last;      /* wall clock: start, last drawn */
    int tenth;            /* plain mode: tenths already reported */
    bool drawn;           /* a bar is on screen */
    bool hide_failing;    /* the count of failing items means nothing here */
};

/* Starts measuring now; `what` names the unit ("seeds"). `out` is borrowed. */
void sweep_progress_init(struct sweep_progress *p, FILE *out, bool quiet, const char *what);
/* The progress callback of struct sweep_config (ctx: a struct sweep_progress). */
void sweep_progress_update(void *ctx, uint64_t done, uint64_t total, uint64_t failing);
/* Clears the bar and prints "N seeds in T s: R seeds/s on J workers". */
void sweep_progress_end(struct sweep_progress *p, uint64_t done, int jobs);
/* Seconds since init. */
double sweep_progress_elapsed(const struct sweep_progress *p);

#endif
