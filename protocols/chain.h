/* chain.h - what the chain replication files share: configuration, per-node
 * state, wire formats, and the functions each file exports (chain_ prefix).
 * The protocol is described at the top of chain.c and in
 * docs/protocols/chain.md. */
#ifndef FAULTLINE_CHAIN_H
#define FAULTLINE_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

#define CHAIN_MAX_NODES 16
/* Renewal requests (PONGs) a server remembers: a grant for an older one is
 * ignored (it is long out of date). */
#define CHAIN_LEASE_RING 32

enum chain_msg {
    CHAIN_MSG_CONFIG,    /* master -> all, every heartbeat: the chain of this epoch
                            and the tail's lease (any node, to a stale sender: the chain) */
    CHAIN_MSG_PONG,      /* node -> master: alive (the epoch it knows); asks for a lease */
    CHAIN_MSG_FORWARD,   /* predecessor -> successor: updates, in order             */
    CHAIN_MSG_SNAPSHOT,  /* predecessor -> a new successor: its whole history       */
    CHAIN_MSG_ACK,       /* successor -> predecessor: what I have, what the tail has */
    CHAIN_MSG_COUNT
};

enum chain_timer {
    CHAIN_TIMER_TICK,       /* heartbeat: pings, pongs, resends */
    CHAIN_TIMER_LEASE_END,  /* server: the lease asked for by PONG `arg` runs out */
    CHAIN_TIMER_COUNT
};

struct chain_config {
    int master;               /* node id of the master */
    sim_time heartbeat;       /* master pings; nodes resend */
    sim_time suspect_after;   /* master: silence before a node is removed */
    int64_t batch;            /* updates per FORWARD */
    sim_time lease;           /* the tail answers only under a lease this long; 0: no lease */
    sim_time lease_margin;    /* the tail stops this much earlier than the master counts */
};

/* The chain of one epoch: members in order, head first. */
struct chain_view {
    int64_t epoch;
    int32_t count;
    int8_t member[CHAIN_MAX_NODES];
};

struct chain_entry {
    struct sim_op op;         /* the update, as the head received it */
};

struct chain_state {
    const struct chain_config *cfg;
    int nodes, self;
    bool is_master;
    /* ---- every chain node ---- */
    struct chain_view view;
    int pred, succ;           /* -1 at the head / at the tail / when not a member */
    bool synced;              /* has this epoch's state from its predecessor (or is head) */
    bool confirmed;           /* heard the master since it started: its view is current */
    struct chain_entry *log;  /* the updates it has, in the head's order (persisted) */
    int64_t len, cap;
    struct sim_sm *sm;        /* the updates applied */
    int64_t acked;            /* updates known to have reached the tail */
    int64_t succ_len;         /* successor has this many; -1 unknown (snapshot due) */
    /* ---- every chain node: the tail's lease (lease > 0) ---- */
    int64_t boot;             /* incarnation (persisted): high half of request numbers */
    int64_t lease_req;        /* last renewal request (PONG) sent */
    int64_t sent_req[CHAIN_LEASE_RING];  /* recent requests and when they left */
    sim_time sent_at[CHAIN_LEASE_RING];
    int64_t lease_granted;    /* newest request granted */
    int64_t lease_ended;      /* newest request whose lease ran out (or was given up) */
    sim_time lease_expiry;    /* the granted lease's end on this node's clock */
    sim_time clock_seen;      /* its clock at its last event: a step back voids the lease */
    /* ---- master ---- */
    int64_t ticks;
    int64_t heard[CHAIN_MAX_NODES];  /* tick of each node's last PONG */
    bool ready[CHAIN_MAX_NODES];     /* its last PONG, of this epoch, said it has its state */
    int64_t last_req[CHAIN_MAX_NODES];  /* newest renewal request heard from each node */
    int64_t req_tick[CHAIN_MAX_NODES];  /* ... and the tick it arrived in */
    int lease_to;             /* node of the last grant, -1 none */
    int64_t lease_tick;       /* tick the request it granted last arrived in: that lease
                                 ends within `lease` of it */
};

/* CONFIG: the chain, and the master's grant of the tail's lease. */
struct chain_config_msg {
    struct chain_view view;
    int32_t lease_to;         /* the tail of view granted a lease; -1: no grant */
    int32_t pad;
    int64_t lease_req;        /* for its renewal request number ... */
};

struct chain_forward_hdr {    /* FORWARD and SNAPSHOT; entries follow */
    int64_t epoch;
    int64_t first;            /* index of the first entry carried (from 1) */
    int64_t count;
    int64_t acked;            /* SNAPSHOT: what the tail is known to have */
};

struct chain_ack_msg {        /* ACK and PONG */
    int64_t epoch;
    int64_t have;             /* the sender's log length */
    int64_t acked;            /* updates known at the tail */
    int64_t req;              /* PONG: renewal request number (0 in an ACK) */
};

/* ---- chain_master.c ---- */

void chain_master_start(struct sim_node *n, struct chain_state *st);
void chain_master_tick(struct sim_node *n, struct chain_state *st);
void chain_master_pong(struct sim_node *n, struct chain_state *st, int from,
                       const struct chain_ack_msg *pong);
/* Sends `v` as a CONFIG message to `to` (-1: everyone), granting no lease. */
void chain_send_view(struct sim_node *n, int to, const struct chain_view *v);

/* ---- chain_check.c ---- */

/* Checker memory for the invariant (chain_check.c). */
struct sent_pair;
struct chain_ghost {
    uint64_t *committed;      /* per index: op id the tails hold there */
    int64_t cap;
    struct sent_pair *sent;   /* every (position, update) a head put in its history */
    int64_t nsent, capsent;
    int64_t head_seen[CHAIN_MAX_NODES], tail_seen[CHAIN_MAX_NODES];
};

void chain_check_cluster(struct sim_cluster *c, void *ghost);
void chain_ghost_free(void *ghost);

/* ---- chain.c ---- */

/* This server heads the chain of its view. */
bool chain_is_head(const struct chain_state *st);
/* This server is the tail, has its predecessor's state and a confirmed
 * view: what it holds is what the chain acknowledges. */
bool chain_serving_tail(const struct chain_state *st);
/* ... and, at local time `now`, it holds the lease (when leases are on): it
 * answers clients. The lease holds only while its timer has not run out
 * (immune to clock jumps) and the clock says so too (a paused node, whose
 * timers fire late, does not answer on an expired lease), and the clock has
 * not stepped back since the node last looked (a step back while it is
 * paused would fool both: the node gives its lease up when it sees one). */
bool chain_answering(const struct chain_state *st, sim_time now);

/* Adopts a newer view: roles, predecessor, successor (persisted). */
void chain_adopt(struct sim_node *n, struct chain_state *st, const struct chain_view *v);
/* Position of `node` in the view, or -1. */
int chain_position(const struct chain_view *v, int node);

#endif
