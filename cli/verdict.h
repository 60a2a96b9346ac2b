/* verdict.h - the bridge between a run's client history and the checkers
 * in check/: the checkers read the history text, as they read any other. */
#ifndef FAULTLINE_VERDICT_H
#define FAULTLINE_VERDICT_H

#include <stddef.h>

#include "cli/runner.h"

/* Checks the JSONL `history` (len bytes; `name` names it in messages) for
 * linearizability within `timeout_s` seconds, and counts stale reads and
 * lost writes; fills r->linearizable, r->lin_detail, r->stale_reads and
 * r->lost_writes. Never fails: what cannot be decided stays unknown. */
void verdict_check(const char *history, size_t len, const char *name, double timeout_s,
                   struct run_result *r);

#endif
