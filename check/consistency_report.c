/* consistency_report.c - the consistency report as text and as JSON: stale
 * reads with the inconsistency window, a table of session guarantees per
 * process, and each anomaly with the ops that show it. */
#include "check/check.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN_ANOMALIES 20  /* text shows the first this many; JSON shows all */

/* A gap for people: "300us", "175.3ms", "1.25s" when the history has
 * times (the checker sees histories only, so it keeps its own formatter),
 * "4 events" when it has only an order. */
static void gap_text(int64_t v, bool in_us, char *buf, size_t cap)
{
    if (!in_us)
        snprintf(buf, cap, "%" PRId64 " event%s", v, v == 1 ? "" : "s");
    else if (v < 1000 && v > -1000)
        snprintf(buf, cap, "%" PRId64 "us", v);
    else {
        bool sec = v >= 1000000 || v <= -1000000;
        snprintf(buf, cap, "%.3f", (double)v / (sec ? 1e6 : 1e3));
        char *end = buf + strlen(buf);
        while (end > buf && end[-1] == '0')
            *--end = '\0';
        if (end > buf && end[-1] == '.')
            *--end = '\0';
        snprintf(end, cap - (size_t)(end - buf), "%s", sec ? "s" : "ms");
    }
}

static void text_anomaly(struct check_buf *b, const struct check_history *h,
                         const struct check_consistency *c, const struct check_anomaly *a)
{
    char gap[32];
    gap_text(a->gap, c->window_in_us, gap, sizeof gap);
    check_buf_printf(b, "  %s: ", check_anomaly_name(a->kind));
    check_op_describe(h, &h->ops[a->read], b);
    switch (a->kind) {
    case CHECK_ANOMALY_STALE_READ:
        check_buf_printf(b, "\n    missed, though acknowledged %s before the read began: ", gap);
        break;
    case CHECK_ANOMALY_READ_YOUR_WRITES:
        check_buf_printf(b, "\n    missed its own process's acknowledged write: ");
        break;
    case CHECK_ANOMALY_MONOTONIC_READS:
        check_buf_printf(b, "\n    missed a write that an earlier read of its process saw: ");
        break;
    case CHECK_ANOMALY_MONOTONIC_WRITES:
        check_buf_printf(b, "\n    shows this write out of order with a later write of its process: ");
        break;
    }
    check_op_describe(h, &h->ops[a->write], b);
    if (a->kind == CHECK_ANOMALY_MONOTONIC_READS && a->other != CHECK_NEVER) {
        check_buf_printf(b, "\n    the earlier read: ");
        check_op_describe(h, &h->ops[a->other], b);
    } else if (a->kind == CHECK_ANOMALY_MONOTONIC_WRITES && a->other != CHECK_NEVER) {
        check_buf_printf(b, "\n    the later write: ");
        check_op_describe(h, &h->ops[a->other], b);
    }
    check_buf_printf(b, "\n");
}

char *check_consistency_text(const struct check_history *h, const struct check_consistency *c)
{
    struct check_buf b;
    check_buf_init(&b);
    check_buf_printf(&b, "%s: consistency of %zu ok reads\n", h->name, c->reads);
    check_buf_printf(&b, "stale reads: %zu", c->stale_reads);
    if (c->stale_reads > 0) {
        char window[32];
        gap_text(c->window, c->window_in_us, window, sizeof window);
        check_buf_printf(&b, "; inconsistency window at least %s (longest time from a "
                             "write's acknowledgement to the start of a read that missed it)",
                         window);
    }
    check_buf_printf(&b, "\n\nsession guarantees per process (violations):\n");
    check_buf_printf(&b, "  %10s %7s %7s %7s %17s %16s %17s\n", "process", "reads", "writes",
                     "stale", "read-your-writes", "monotonic-reads", "monotonic-writes");
    for (size_t i = 0; i < c->n_sessions; i++) {
        const struct check_session *s = &c->sessions[i];
        check_buf_printf(&b, "  %10" PRId64 " %7zu %7zu %7zu %17zu %16zu %17zu\n", s->process,
                         s->reads, s->writes, s->stale_reads, s->read_your_writes,
                         s->monotonic_reads, s->monotonic_writes);
    }
    if (c->n_anomalies > 0) {
        check_buf_printf(&b, "\nanomalies (%zu", c->n_anomalies);
        if (c->n_anomalies > SHOWN_ANOMALIES)
            check_buf_printf(&b, ", the first %d shown; --json lists all", SHOWN_ANOMALIES);
        check_buf_printf(&b, "):\n");
        for (size_t i = 0; i < c->n_anomalies && i < SHOWN_ANOMALIES; i++)
            text_anomaly(&b, h, c, &c->anomalies[i]);
    } else {
        check_buf_printf(&b, "\nno anomalies: every read saw every write acknowledged before it "
                             "began, and every session's guarantees held.\n");
    }
    return check_buf_take(&b);
}

cJSON *check_consistency_json(const struct check_history *h, const struct check_consistency *c)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    cJSON_AddNumberToObject(j, "reads", (double)c->reads);
    cJSON_AddNumberToObject(j, "stale_reads", (double)c->stale_reads);
    cJSON_AddNumberToObject(j, "window", (double)c->window);
    cJSON_AddStringToObject(j, "window_unit", c->window_in_us ? "us" : "events");
    cJSON *sessions = cJSON_AddArrayToObject(j, "sessions");
    for (size_t i = 0; i < c->n_sessions; i++) {
        const struct check_session *s = &c->sessions[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "process", (double)s->process);
        cJSON_AddNumberToObject(item, "reads", (double)s->reads);
        cJSON_AddNumberToObject(item, "writes", (double)s->writes);
        cJSON_AddNumberToObject(item, "stale_reads", (double)s->stale_reads);
        cJSON_AddNumberToObject(item, "read_your_writes", (double)s->read_your_writes);
        cJSON_AddNumberToObject(item, "monotonic_reads", (double)s->monotonic_reads);
        cJSON_AddNumberToObject(item, "monotonic_writes", (double)s->monotonic_writes);
        cJSON_AddItemToArray(sessions, item);
    }
    cJSON *anomalies = cJSON_AddArrayToObject(j, "anomalies");
    for (size_t i = 0; i < c->n_anomalies; i++) {
        const struct check_anomaly *a = &c->anomalies[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "kind", check_anomaly_name(a->kind));
        cJSON_AddItemToObject(item, "read", check_op_json(h, &h->ops[a->read]));
        cJSON_AddItemToObject(item, "write", check_op_json(h, &h->ops[a->write]));
        if (a->other != CHECK_NEVER)
            cJSON_AddItemToObject(item, "other", check_op_json(h, &h->ops[a->other]));
        else
            cJSON_AddNullToObject(item, "other");
        if (a->kind == CHECK_ANOMALY_STALE_READ)
            cJSON_AddNumberToObject(item, "gap", (double)a->gap);
        cJSON_AddItemToArray(anomalies, item);
    }
    return j;
}
