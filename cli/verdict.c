/* verdict.c - hands a run's history to the checkers (check/) and copies
 * their verdicts into the run result: linearizability with an explanation,
 * the stale-read count of the consistency report, and lost writes. */
#include "cli/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"

/* The checker's full explanation lists the whole linearizable prefix; a run
 * summary needs its end only: the last two ops placed, then the op that
 * cannot be placed and what runs concurrently with it. */
static void compact_explanation(const char *text, char *out, size_t cap)
{
    const char *head = strstr(text, "Longest linearizable prefix found:");
    const char *stuck = strstr(text, "Cannot be placed next:");
    if (!head || !stuck || stuck < head) {
        snprintf(out, cap, "%s", text);
        return;
    }
    long ops = strtol(head + strlen("Longest linearizable prefix found:"), NULL, 10);
    /* Step back over four non-blank lines (two ops, each with its state). */
    const char *from = stuck;
    int lines = 0;
    while (from > head && lines < 4) {
        const char *end = from - 1; /* the newline ending the line above */
        const char *start = end;
        while (start > head && start[-1] != '\n')
            start--;
        if (end > start) /* not blank */
            lines++;
        from = start;
    }
    snprintf(out, cap, "After %ld operations that linearize, ending with:\n%.*s%s", ops,
             (int)(stuck - from), from, stuck);
}

void verdict_check(const char *history, size_t len, const char *name, double timeout_s,
                   struct run_result *r)
{
    struct check_history h;
    char err[512];
    if (check_history_read_buffer(&h, name, history, len, CHECK_FORMAT_JSONL, err, sizeof err)) {
        /* Our own history should always parse; say so rather than guess. */
        r->linearizable = VERDICT_UNKNOWN;
        snprintf(r->lin_detail, sizeof r->lin_detail, "history could not be read: %s", err);
        return;
    }
    struct check_options opt = {0};
    opt.timeout_us = (int64_t)(timeout_s * 1e6);
    opt.max_bytes = (size_t)2 << 30; /* past 2 GiB of search memory: unknown */
    struct check_result res;
    if (check_linearizability(&h, &opt, &res, err, sizeof err) == 0) {
        switch (res.verdict) {
        case CHECK_LINEARIZABLE:
            r->linearizable = VERDICT_YES;
            break;
        case CHECK_NOT_LINEARIZABLE: {
            r->linearizable = VERDICT_NO;
            char *text = check_explain_text(&h, &res);
            if (text) {
                compact_explanation(text, r->lin_detail, sizeof r->lin_detail);
                free(text);
            }
            break;
        }
        default:
            r->linearizable = VERDICT_UNKNOWN;
            break;
        }
        check_result_close(&res);
    } else {
        r->linearizable = VERDICT_UNKNOWN;
        snprintf(r->lin_detail, sizeof r->lin_detail, "%s", err);
    }
    struct check_consistency cons;
    if (check_consistency_run(&h, &cons, err, sizeof err) == 0) {
        r->stale_reads = (int64_t)cons.stale_reads;
        check_consistency_close(&cons);
    }
    struct check_lost lost;
    if (check_lost_writes(&h, &lost, err, sizeof err) == 0 && lost.keys_judged > 0)
        r->lost_writes = (int64_t)lost.lost;
    check_history_close(&h);
}
