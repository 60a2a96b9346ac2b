/* engine.h - driving a simulation: create it from a scenario and a protocol,
 * step or run it, read its statistics, violations, history and trace hash.
 * For the CLI, the viewer and tests; protocols never include this. */
#ifndef FAULTLINE_ENGINE_H
#define FAULTLINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/scenario.h"
#include "sim/sim.h"

struct sim;

struct sim_options {
    bool seed_set;        /* use `seed` instead of the scenario's */
    uint64_t seed;
    sim_time duration;    /* > 0: instead of the scenario's */
    FILE *trace;          /* trace lines are written here (caller owns it) */
    bool trace_hash;      /* compute the trace hash even without a file */
    /* Called with every trace line (ending in '\n'), e.g. by the viewer. */
    void (*trace_sink)(void *ctx, const char *line, size_t len);
    void *sink_ctx;
    /* How much of the story the timeline keeps: 0 faults, violations,
     * leader changes and captions; 1 also every role change (candidacies,
     * 2PC's blocked participants, backups); 2 also every protocol note. */
    int story;
};

struct sim_stats {
    uint64_t events;
    uint64_t messages_sent, messages_delivered, messages_duplicated;
    uint64_t dropped_loss, dropped_partition, dropped_down;
    uint64_t timers_fired;
    uint64_t faults_applied, faults_skipped, crashes, recoveries;
    /* Every invoked op ends as exactly one of ok, fail (a definite answer:
     * cas mismatch, abort...), refused (a fail the protocol marked as a
     * refusal, sim_result.refused) or info (unknown: timed out, or the run
     * ended first). Answered = ok + fail. */
    uint64_t ops_invoked, ops_ok, ops_fail, ops_refused, ops_info, retries, redirects;
    int max_leaders;              /* most nodes claiming leadership at once */
    sim_time max_leaders_at;
    sim_time last_fault_at;       /* -1: no fault */
    sim_time leader_after_fault;  /* first time >= last_fault_at with a leader; -1 never */
    sim_time last_apply_at;       /* the last fault applied (not a revert); -1: none */
    sim_time new_leader_after_apply; /* first time >= last_apply_at a node took a leader role; -1 */
    sim_time last_heal_at;        /* the last revert, recovery or heal; -1: none */
    sim_time leader_after_heal;   /* first time >= last_heal_at with a leader; -1 never */
    sim_time now;
};

/* How many distinct texts a violation keeps: the first and the next ones
 * that differ from every text kept before. */
#define SIM_VIOLATION_TEXTS 3

struct sim_violation_info {
    sim_time time;            /* first report */
    char invariant[32];
    int node;                 /* -1 when not one node's */
    char text[200];           /* first report's detail */
    uint64_t reports;         /* every report in the trace: each time the detail changed */
    int more_texts;           /* 0..SIM_VIOLATION_TEXTS-1 texts in more[] */
    char more[SIM_VIOLATION_TEXTS - 1][200]; /* the next distinct texts, in order */
};

enum sim_timeline_kind { TL_FAULT, TL_VIOLATION, TL_ROLE, TL_CAPTION, TL_SKIPPED, TL_NOTE };

struct sim_timeline_entry {
    sim_time time;
    enum sim_timeline_kind kind;
    char *text; /* whole, however long (a caption is never cut); owned by the sim */
};

struct sim_metric {
    char name[32];
    int64_t value;
};

/* Creates a simulation of `sc` (borrowed: it must outlive the sim) running
 * `proto`. Validates the scenario's params through the protocol. Returns 0
 * and *out, SIM_EINVAL with `err` naming the file, JSON path and what was
 * expected, or SIM_ENOMEM. Nothing has run yet: the first step boots nodes. */
int sim_create(const struct scenario *sc, const struct sim_protocol *proto,
               const struct sim_options *opt, struct sim **out, char *err, size_t errcap);
/* Frees the simulation (calling the protocol's crash hook on up nodes). */
void sim_destroy(struct sim *s);

/* Processes one event. Returns 1 when one ran, 0 when the run is over
 * (then sim_finish has been done), or a negative SIM_E code on a fatal error. */
int sim_step(struct sim *s);
/* Processes every event up to and including time t (or to the end).
 * Returns 0, or a negative SIM_E code. */
int sim_run_until(struct sim *s, sim_time t);
/* Runs to the end. Returns 0 or a negative SIM_E code. */
int sim_run(struct sim *s);
/* True once the run has ended. */
bool sim_done(const struct sim *s);
/* Simulated time of the last event processed. */
sim_time sim_clock(const struct sim *s);
/* Time of the next pending event, or SIM_TIME_NEVER. */
sim_time sim_next_time(const struct sim *s);
sim_time sim_end_time(const struct sim *s);
uint64_t sim_seed(const struct sim *s);

const struct sim_stats *sim_get_stats(const struct sim *s);
int sim_violation_count(const struct sim *s);
const struct sim_violation_info *sim_violation_get(const struct sim *s, int i);
int sim_timeline_count(const struct sim *s);
const struct sim_timeline_entry *sim_timeline_get(const struct sim *s, int i);
int sim_metric_count(const struct sim *s);
const struct sim_metric *sim_metric_get(const struct sim *s, int i);
/* Value of a metric, or 0 when never set. */
int64_t sim_metric_value(const struct sim *s, const char *name);

/* The client history so far as JSONL (the engine's buffer; valid until the
 * next step). */
const char *sim_history(const struct sim *s, size_t *len);
/* 64-bit FNV-1a hash of every trace byte so far (0 when tracing is off). */
uint64_t sim_trace_hash(const struct sim *s);
uint64_t sim_trace_bytes(const struct sim *s);

/* Live queries for the viewer. */
int sim_nodes(const struct sim *s);
bool sim_node_up(const struct sim *s, int node);
const char *sim_node_role(const struct sim *s, int node);   /* "down" when down */
/* Fills buf with the node's describe text; returns its length. */
size_t sim_node_describe(const struct sim *s, int node, char *buf, size_t cap);

/* Applies a fault now (the viewer's clicks): it is recorded with the current
 * time so that sim_recorded_faults can write it into a scenario that replays
 * the same run. "Now" is the first free microsecond after the last event
 * processed, or after f->at when that is later (the moment on the viewer's
 * screen). Returns 0 or SIM_EINVAL (err says why). The fault's pointers
 * are copied. */
int sim_inject(struct sim *s, const struct fault *f, char *err, size_t errcap);
int sim_recorded_count(const struct sim *s);
const struct fault *sim_recorded_get(const struct sim *s, int i);

/* The faults the nemesis applied so far, in order, each as the scheduled
 * fault that does the same (node ids, not roles; `duration` is its "for"):
 * a scenario listing them, without the nemesis, replays the same schedule.
 * The pointer is the engine's, valid until sim_destroy; NULL out of range. */
int sim_nemesis_count(const struct sim *s);
const struct fault *sim_nemesis_get(const struct sim *s, int i);

#endif
