/* compare_report.h - what `faultline compare` prints: one row per protocol
 * as an aligned text table (mean ± spread over seeds), CSV or JSON, the
 * recovery after each fault side by side, and the chart of ok operations
 * over time with the faults marked (drawn by viz/plot). */
#ifndef FAULTLINE_COMPARE_REPORT_H
#define FAULTLINE_COMPARE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/compare.h"

struct cJSON;

/* Prints the table, the rows' params and the recovery after each fault. */
void compare_report_text(FILE *out, const struct compare *cmp, bool color);
/* Prints the same table as CSV with a header line: raw numbers, one line
 * per row, mean and sd columns for each measure. */
void compare_report_csv(FILE *out, const struct compare *cmp);
/* The whole comparison as a JSON object, every run included (free with
 * cJSON_Delete), or NULL when out of memory. */
struct cJSON *compare_report_json(const struct compare *cmp);
/* What the chart counts: writes (write, cas, put, append; the default, as
 * a write stall is what a partition shows), reads (read, get) or both. */
enum compare_plot_ops { COMPARE_OPS_WRITE, COMPARE_OPS_READ, COMPARE_OPS_ALL };

/* "write", "read" or "all" into *out. Returns 0, or SIM_EINVAL with err
 * saying what --ops takes. */
int compare_plot_ops_parse(const char *text, enum compare_plot_ops *out, char *err, size_t errcap);

/* Draws the ok operations of kind `ops` completed so far over time, one
 * line per row (the mean over seeds), the first seed's faults marked, as a
 * PNG at `path`. Returns 0 or a negative SIM_E code with err. */
int compare_report_plot(const struct compare *cmp, const char *path, enum compare_plot_ops ops,
                        char *err, size_t errcap);

#endif
