/* trigger.h - event triggers (scenario format version 2): faults and captions
 * that fire on an event (a role taken, a message sent or delivered, a note,
 * a violation, another fault) instead of at a time. The engine offers each
 * event as it processes it; a match is queued at now + delay like any other
 * event, so the same scenario and seed still give the same trace. Engine
 * modules only (sim/internal.h); protocols and the CLI never see this. */
#ifndef FAULTLINE_TRIGGER_H
#define FAULTLINE_TRIGGER_H

#include <stddef.h>

#include "sim/internal.h"

/* Collects the scenario's triggers and checks the names they use against the
 * protocol: message types (its message_name hook) and roles (its `roles`
 * list, when it gives one). Returns 0, SIM_ENOMEM, or SIM_EINVAL with `err`
 * as "file: faults[2].on.deliver: unknown message type ..." (the loader's
 * format). Called once by sim_create; trigger_free releases what it keeps. */
int trigger_init(struct sim *s, char *err, size_t errcap);
void trigger_free(struct sim *s);

/* The events. Each is cheap when no trigger waits for its kind (callers test
 * s->trig_want[kind] first). Borrowed strings live only for the call. */
/* Node `node` now holds `role` ("down" when it crashed). */
void trigger_role(struct sim *s, int node, const char *role);
/* A protocol message of `type` was sent (TRIG_SEND) or delivered (TRIG_DELIVER). */
void trigger_message(struct sim *s, enum trigger_kind kind, int from, int to, int type);
/* Node `node` wrote a protocol note. */
void trigger_note(struct sim *s, int node, const char *text);
/* Invariant `invariant` was reported (a trace line), blaming `node` or -1. */
void trigger_violation(struct sim *s, const char *invariant, int node);
/* A fault of `kind` was applied: `index` its place in the file's faults
 * (-1: nemesis or interactive), `node` the node it hit or -1. */
void trigger_fault(struct sim *s, enum fault_kind kind, int index, int node);

/* Runs the firing an EV_TRIGGER event names: applies the fault (with "$node"
 * resolved) or shows the caption; its trace line carries "on". */
void trigger_fire(struct sim *s, uint64_t firing);
/* At the end of the run: a trace line and a timeline entry for every trigger
 * that never fired. */
void trigger_finish(struct sim *s);

#endif
