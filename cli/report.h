/* report.h - printing one run's summary, as text for people or as JSON. */
#ifndef FAULTLINE_REPORT_H
#define FAULTLINE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/runner.h"

/* Prints the readable summary; `color` adds ANSI colours (for a terminal). */
void report_text(FILE *out, const struct scenario *sc, const struct run_result *r, bool color);
/* Prints the same facts as one JSON object. */
void report_json(FILE *out, const struct scenario *sc, const struct run_result *r);

#endif
