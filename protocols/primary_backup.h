/* primary_backup.h - what the primary-backup files share: configuration,
 * per-node state, wire formats and the functions each file exports to the
 * others (pb_ prefix). The protocol itself is described in
 * docs/protocols/primary-backup.md and at the top of primary_backup.c. */
#ifndef FAULTLINE_PRIMARY_BACKUP_H
#define FAULTLINE_PRIMARY_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

/* Membership is a bitmask: primary-backup runs on at most 64 nodes. */
#define PB_MAX_NODES 64
typedef uint64_t pb_mask;
/* Renewal requests remembered by the primary (a grant for an older one is
 * ignored: it is long out of date). */
#define PB_LEASE_RING 32

enum pb_msg {
    PB_MSG_REPLICATE,   /* primary -> every node: entries (maybe none) + commit; the heartbeat */
    PB_MSG_ACK,         /* backup -> primary: my log matches yours up to `index` */
    PB_MSG_NACK,        /* backup -> primary: mismatch; my log has `index` entries */
    PB_MSG_VIEW,        /* monitor (or any node, to a stale sender): the current view */
    PB_MSG_PROBE,       /* monitor -> all: a new view is coming; stop taking older ones */
    PB_MSG_PROBE_ACK,   /* node -> monitor: my log's last view and length */
    PB_MSG_LEASE_REQ,   /* primary -> monitor: renew my lease; the backup list I want */
    PB_MSG_LEASE_GRANT, /* monitor -> primary: granted for request `req` (+ the view) */
    PB_MSG_COUNT
};

enum pb_timer {
    PB_TIMER_TICK,         /* heartbeat period: replicate, renew, monitor checks */
    PB_TIMER_LEASE_END,    /* primary: lease of request `arg` runs out (lease - margin) */
    PB_TIMER_MONITOR_LEASE,/* monitor: the lease it granted last runs out (lease) */
    PB_TIMER_PROBE,        /* monitor: time to decide a failover from probe answers */
    PB_TIMER_COUNT
};

enum pb_replication { PB_SYNC, PB_ASYNC, PB_SEMI_SYNC };
enum pb_failover { PB_HEARTBEAT, PB_LEASE };

struct pb_config {
    int replication;          /* enum pb_replication */
    int64_t acks;             /* semi-sync: backups that must have an entry (K) */
    int failover;             /* enum pb_failover */
    sim_time heartbeat;       /* primary heartbeat, retransmit and lease renewal period */
    sim_time suspect_after;   /* heartbeat failover: monitor's silence threshold */
    sim_time lease;           /* lease failover: lease length, as the monitor counts it */
    sim_time lease_margin;    /* the primary stops this much earlier (drift safety margin) */
    sim_time replica_timeout; /* primary: a backup this long behind is dropped */
    int monitor;              /* node id of the monitor (lease granter, view maker) */
    int64_t batch;            /* entries per REPLICATE */
};

/* A log entry as stored and sent. op.f < 0 marks the no-op a new primary
 * appends to open its view (Raft §5.4.2: earlier entries commit with it). */
struct pb_entry {
    struct sim_op op;
    int64_t view;             /* view in which the primary appended it */
};
#define PB_NOOP (-1)

struct pb_state {
    int nodes, self;
    const struct pb_config *cfg;
    /* ---- every node: view and redo log (persisted) ---- */
    int64_t view;             /* highest view known or promised */
    int primary;              /* primary of `view`; -1 while a failover is being decided */
    pb_mask members;          /* backup list of `view` */
    struct sim_sm *sm;        /* state machine = log[0, commit) applied */
    struct pb_entry *log;
    uint8_t *mine;            /* per entry: a client waits for it at this node */
    int64_t len, cap;
    int64_t commit;           /* entries committed and applied */

    /* ---- primary (volatile) ---- */
    bool acting;              /* this node is the primary of `view` */
    bool ready;               /* its view-opening no-op has committed: reads may be served */
    int64_t noop_index;       /* index (1-based) of that no-op */
    int64_t start_view;       /* view in which it became primary */
    pb_mask want;             /* backup list it wants (lease: pending at the monitor) */
    int64_t match[PB_MAX_NODES];  /* highest index known to match ours, per node */
    int64_t next[PB_MAX_NODES];   /* next index to send, per node */
    sim_time behind_since[PB_MAX_NODES]; /* tick count when it fell behind; 0 caught up */
    int64_t ticks;            /* heartbeat ticks so far (a clock immune to skew) */
    bool lease_valid;         /* lease mode: it holds a lease (its timer has not run out) */
    sim_time lease_expiry;    /* ... and the same end on its clock, checked when serving */
    sim_time clock_seen;      /* its clock at its last event: a step back voids the lease */
    int64_t sent_req[PB_LEASE_RING];  /* recent renewal requests and when they left */
    sim_time sent_at[PB_LEASE_RING];
    int64_t lease_req;        /* last renewal request number */
    int64_t lease_granted;    /* newest request granted */
    int64_t lease_ended;      /* newest request whose lease time ran out */
    struct sim_op *reads;     /* reads waiting for `ready` */
    int nreads, capreads;

    /* ---- monitor (volatile) ---- */
    bool is_monitor;
    int64_t silent_ticks;     /* heartbeat mode: ticks without news from the primary */
    int64_t unleased_ticks;   /* lease mode: ticks the primary of this view has held no lease */
    bool lease_out;           /* lease mode: a lease it granted may still run */
    sim_timer lease_timer;
    int lease_holder;
    int last_grant_to;        /* node of the last grant, and when (monitor's clock) */
    sim_time last_grant_at;
    bool probing;
    int old_primary;          /* primary and backups of the view being replaced */
    pb_mask old_members;
    pb_mask answered;
    int64_t probe_last_view[PB_MAX_NODES];
    int64_t probe_len[PB_MAX_NODES];
    sim_timer probe_timer;
};

/* ---- wire formats ---- */

struct pb_replicate_hdr {
    int64_t view;
    int64_t prev_index;       /* entry before the first carried (0: none) */
    int64_t prev_view;        /* its view */
    int64_t commit;           /* primary's commit index */
    int64_t count;            /* entries that follow */
};

struct pb_index_msg {         /* ACK and NACK */
    int64_t view;
    int64_t index;
};

struct pb_view_msg {
    int64_t view;
    int32_t primary;
    int32_t pad;
    pb_mask members;
};

struct pb_probe_msg {
    int64_t view;
    int64_t last_view;        /* PROBE_ACK: view of the last log entry */
    int64_t len;              /* PROBE_ACK: log length */
};

struct pb_lease_msg {
    int64_t view;
    int64_t req;
    pb_mask members;          /* REQ: the list wanted; GRANT: the view's list */
};

/* ---- primary_backup_log.c: the redo log, persistence, replication ---- */

/* Grows the log arrays to hold n entries. Returns 0 or -1 when out of memory. */
int pb_log_reserve(struct pb_state *st, int64_t n);
/* Appends one entry, persisted and synced. Returns its 1-based index, or 0
 * when out of memory. */
int64_t pb_log_append(struct sim_node *n, struct pb_state *st, const struct pb_entry *e,
                      bool mine);
/* Loads view and log from stable storage and replays it (redo). */
void pb_log_load(struct sim_node *n, struct pb_state *st);
/* Persists view, primary and backup list, then syncs. */
void pb_persist_view(struct sim_node *n, const struct pb_state *st);
/* Applies log[commit, upto) to the state machine; answers waiting clients
 * when `reply`. */
void pb_apply_upto(struct sim_node *n, struct pb_state *st, int64_t upto, bool reply);
/* View of the last entry (0 when the log is empty). */
int64_t pb_last_view(const struct pb_state *st);
/* Primary: sends node `to` what it lacks (or an empty heartbeat). */
void pb_send_replicate(struct sim_node *n, struct pb_state *st, int to);
/* Backup: handles REPLICATE from `from`. */
void pb_on_replicate(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len);
/* Primary: handles ACK / NACK. */
void pb_on_ack(struct sim_node *n, struct pb_state *st, int from, const void *body, size_t len,
               bool nack);
/* Backups of list `m` that must hold an entry before it commits: all of
 * them (sync), min(acks, |m|) (semi-sync), none (async). */
int pb_need(const struct pb_config *c, pb_mask m);
/* Primary: commits what the replication rule allows, answering clients. */
void pb_try_commit(struct sim_node *n, struct pb_state *st);

/* ---- primary_backup_monitor.c: views, failover, leases ---- */

void pb_monitor_start(struct sim_node *n, struct pb_state *st);
void pb_monitor_tick(struct sim_node *n, struct pb_state *st);
/* The monitor heard from the primary of its view (heartbeat mode). */
void pb_monitor_heard_primary(struct pb_state *st, int from);
void pb_on_probe_ack(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len);
void pb_on_lease_req(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len);
void pb_monitor_lease_timer(struct sim_node *n, struct pb_state *st);
void pb_monitor_probe_timer(struct sim_node *n, struct pb_state *st);

/* ---- primary_backup.c: roles ---- */

/* Moves to view (view, primary, members): persists it, steps down or takes
 * over as primary as it says. */
void pb_adopt_view(struct sim_node *n, struct pb_state *st, int64_t view, int primary,
                   pb_mask members);
/* Primary: renews its lease now (lease mode). */
void pb_request_lease(struct sim_node *n, struct pb_state *st);
/* Primary: a lease grant for request `req` arrived (or was made locally). */
void pb_lease_granted(struct sim_node *n, struct pb_state *st, int64_t req, int64_t view,
                      pb_mask members);
/* Serves the reads waiting for the primary to be ready. */
void pb_serve_waiting_reads(struct sim_node *n, struct pb_state *st);
/* This node acts as primary and its lease timer (lease mode) has not run
 * out: what its role shows. */
bool pb_serving(const struct pb_state *st);
/* ... and, at local time `now`, its lease has not ended by its clock either:
 * what decides whether it serves a client. The timer is immune to clock
 * jumps, the clock to pauses of a slow node; the lease holds only while
 * both say so, and while the clock has not stepped back since the node last
 * looked (a step back during a pause would fool both: the node gives its
 * lease up when it sees one). */
bool pb_serving_at(const struct pb_state *st, sim_time now);
/* Number of set bits. */
int pb_popcount(pb_mask m);

#endif
