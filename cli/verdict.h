/* verdict.h - the bridge between a run's client history and the checkers
 * in check/: the checkers read the history text, as they read any other. */
#ifndef FAULTLINE_VERDICT_H
#define FAULTLINE_VERDICT_H

#include <stddef.h>

#include "cli/runner.h"

/* Checks the JSONL `history` (len bytes; `name` names it in messages) for
 * linearizability within `timeout_s` seconds, and counts stale reads and
 * lost writes; fills r->linearizable, r->lin_detail, r->stale_reads,
 * r->lost_writes and r->lost_named. Never fails: what cannot be decided stays unknown. */
void verdict_check(const char *history, size_t len, const char *name, double timeout_s,
                   struct run_result *r);

/* Copies `in` to `out` (cap bytes, always NUL-terminated) with each long
 * quoted value shortened in its middle. A ';'-separated list keeps its
 * first three and last two tokens and, between them, the few tokens that
 * some other long list in `in` lacks, so that values which differ still
 * look different: "v1;v2;v3;…;v134;v135;…;v145;v149;" beside
 * "v1;v2;v3;…;v145;v149;". Other long text keeps its two ends. Short values
 * and the text around them are unchanged; the result is never longer. */
void verdict_abbreviate_values(const char *in, char *out, size_t cap);

#endif
