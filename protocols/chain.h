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

enum chain_msg {
    CHAIN_MSG_CONFIG,    /* master -> all, every heartbeat: the chain of this epoch */
    CHAIN_MSG_PONG,      /* node -> master: alive (and the epoch it knows)          */
    CHAIN_MSG_FORWARD,   /* predecessor -> successor: updates, in order             */
    CHAIN_MSG_SNAPSHOT,  /* predecessor -> a new successor: its whole history       */
    CHAIN_MSG_ACK,       /* successor -> predecessor: what I have, what the tail has */
    CHAIN_MSG_COUNT
};

enum chain_timer { CHAIN_TIMER_TICK, CHAIN_TIMER_COUNT };

struct chain_config {
    int master;               /* node id of the master */
    sim_time heartbeat;       /* master pings; nodes resend */
    sim_time suspect_after;   /* master: silence before a node is removed */
    int64_t batch;            /* updates per FORWARD */
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
    /* ---- master ---- */
    int64_t ticks;
    int64_t heard[CHAIN_MAX_NODES];  /* tick of each node's last PONG */
    bool ready[CHAIN_MAX_NODES];     /* its last PONG, of this epoch, said it has its state */
};

struct chain_forward_hdr {    /* FORWARD and SNAPSHOT; entries follow */
    int64_t epoch;
    int64_t first;            /* index of the first entry carried (from 1) */
    int64_t count;
    int64_t acked;            /* SNAPSHOT: what the tail is known to have */
};

struct chain_ack_msg {
    int64_t epoch;
    int64_t have;             /* the sender's log length */
    int64_t acked;            /* updates known at the tail */
};

/* ---- chain_master.c ---- */

void chain_master_start(struct sim_node *n, struct chain_state *st);
void chain_master_tick(struct sim_node *n, struct chain_state *st);
void chain_master_pong(struct chain_state *st, int from, const struct chain_ack_msg *pong);

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
 * view: it answers clients. */
bool chain_serving_tail(const struct chain_state *st);

/* Adopts a newer view: roles, predecessor, successor (persisted). */
void chain_adopt(struct sim_node *n, struct chain_state *st, const struct chain_view *v);
/* Position of `node` in the view, or -1. */
int chain_position(const struct chain_view *v, int node);

#endif
