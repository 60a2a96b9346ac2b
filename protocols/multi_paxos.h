/* multi_paxos.h - Multi-Paxos internals shared by protocols/multi_paxos*.c:
 * configuration, per-node state, wire formats and shared functions.
 *
 * Lamport, "Paxos Made Simple" (2001) §3 (implementing a state machine):
 * one Paxos instance per log slot; a distinguished proposer (the leader)
 * runs phase 1 once for every slot not known to be chosen, with one ballot,
 * and then only phase 2 for each new command, while it stays leader. A new
 * leader fills the gaps phase 1 reveals with no-ops (§3, "the leader ...
 * proposes ... a special no-op command"). Commands are applied in slot
 * order to the same register/key-value state machine every protocol uses.
 *
 * Files: multi_paxos.c (plug-in, params, clients, describe),
 * multi_paxos_acceptor.c (acceptor, learner, stable storage, applying),
 * multi_paxos_leader.c (failure detection, phase 1, phase 2, catch-up),
 * multi_paxos_check.c (cluster invariants). */
#ifndef FAULTLINE_PROTOCOLS_MULTI_PAXOS_H
#define FAULTLINE_PROTOCOLS_MULTI_PAXOS_H

#include "sim/sim.h"

/* Ballot = round * MULTI_PAXOS_MAX_NODES + node: unique per proposer. */
#define MULTI_PAXOS_MAX_NODES 64

struct multi_paxos_config {
    sim_time heartbeat;                  /* leader heartbeat and retransmit period */
    sim_time election_min, election_max; /* silence before a node runs phase 1 */
    int64_t batch;                       /* most slots in one Accept / Commit */
};

enum multi_paxos_role { MP_FOLLOWER, MP_CANDIDATE, MP_LEADER };
enum multi_paxos_kind { MP_NOOP = 0, MP_OP = 1 };

/* A command: a client operation or a no-op. */
struct multi_paxos_value {
    int32_t kind;
    int32_t pad;
    struct sim_op op;
};

/* An acceptor's record for one slot (as stored and sent in promises). */
struct multi_paxos_accepted {
    int64_t slot;
    int64_t ballot;                      /* 0: nothing accepted */
    struct multi_paxos_value value;
};

/* The client session that makes a retried command take effect once. */
struct multi_paxos_session {
    int32_t seq;
    int32_t outcome;
    int32_t has_value;
    int32_t pad;
    int64_t value;
};

/* The leader's view of one follower. */
struct multi_paxos_peer {
    sim_time sent_at;                    /* an Accept with commands in flight since */
    bool inflight;
    int64_t chosen;                      /* its chosen prefix, as last reported */
};

struct multi_paxos_state {
    int nodes, self;
    int role;                            /* enum multi_paxos_role */
    int leader;                          /* the leader we follow, -1 unknown */
    /* acceptor (persisted) */
    int64_t promised;
    struct multi_paxos_accepted *acc;    /* slot s at acc[s - 1]; ballot 0 = empty */
    int64_t nacc;                        /* slots with room in acc */
    int64_t max_accepted;                /* highest slot with an accepted value */
    /* learner: chosen values (persisted as they become known) */
    struct multi_paxos_value *log;       /* slot s at log[s - 1] */
    uint8_t *known;                      /* 1: log[s - 1] is chosen */
    uint8_t *mine;                       /* a client waits here for slot s */
    int64_t cap;                         /* room in log, known, mine, proposal arrays */
    int64_t chosen;                      /* every slot <= chosen is known chosen */
    int64_t applied;
    struct sim_sm *sm;
    struct multi_paxos_session *sessions;
    int nsessions;
    /* proposer / leader */
    int64_t ballot;                      /* our ballot as candidate or leader */
    int64_t seen_round;
    int64_t from_slot;                   /* phase 1 covers slots >= from_slot */
    uint64_t promised_by;
    struct multi_paxos_accepted *merged; /* candidate: best accepted per slot */
    int64_t nmerged;
    int64_t next_slot;                   /* leader: next free slot */
    struct multi_paxos_value *proposal;  /* leader: its value per slot */
    uint64_t *accepted_by;               /* leader: who accepted proposal[s] */
    uint8_t *from_client;                /* leader: proposal came from a client now */
    struct multi_paxos_peer *peers;
    /* timers */
    sim_time election_timeout, election_deadline;
    sim_timer election_timer, tick_timer;
    /* checker: slots touched by the current event */
    int64_t changed_lo, changed_hi;
};

enum multi_paxos_msg { MP_MSG_PREPARE, MP_MSG_PROMISE, MP_MSG_ACCEPT, MP_MSG_ACCEPTED,
                       MP_MSG_NACK, MP_MSG_COMMIT, MP_MSG_COUNT };
enum multi_paxos_timer { MP_TIMER_ELECTION, MP_TIMER_TICK };

struct multi_paxos_prepare { int64_t ballot; int64_t from_slot; };
/* Promise: followed by `count` struct multi_paxos_accepted. */
struct multi_paxos_promise { int64_t ballot; int64_t from_slot; int64_t count; };
/* Accept (count 0: a heartbeat): followed by `count` values for slots
 * first..first+count-1; `chosen` is the leader's chosen prefix. */
struct multi_paxos_accept { int64_t ballot; int64_t first; int64_t count; int64_t chosen; };
struct multi_paxos_accepted_msg { int64_t ballot; int64_t first; int64_t count; int64_t chosen; };
struct multi_paxos_nack { int64_t ballot; int64_t promised; };
/* Commit: chosen values for slots first..first+count-1 (catch-up). */
struct multi_paxos_commit { int64_t first; int64_t count; };

/* ---- multi_paxos_acceptor.c ------------------------------------------------------- */

/* Grow the per-slot arrays (log, known, mine, proposal, accepted_by,
 * from_client) or the acceptor's array to hold `slots`, zero-filled.
 * Return 0 or SIM_ENOMEM (the arrays stay as they were). */
int multi_paxos_reserve(struct multi_paxos_state *st, int64_t slots);
int multi_paxos_acc_reserve(struct multi_paxos_state *st, int64_t slots);
/* Marks `slot` changed by the current event, for the checker. */
void multi_paxos_touch(struct multi_paxos_state *st, int64_t slot);
/* Loads promise, accepted values and the chosen log from stable storage
 * and replays the chosen log. Returns 0 or SIM_ENOMEM. */
int multi_paxos_load(struct sim_node *n, struct multi_paxos_state *st);
/* Writes the promised ballot (not synced). */
void multi_paxos_persist_promise(struct sim_node *n, struct multi_paxos_state *st);
/* Accepts `value` for `slot` at `ballot` in memory; persist_accepted then
 * writes the blocks holding slots lo..hi (not synced). */
void multi_paxos_accept_slot(struct sim_node *n, struct multi_paxos_state *st, int64_t slot,
                             int64_t ballot, const struct multi_paxos_value *value);
void multi_paxos_persist_accepted(struct sim_node *n, struct multi_paxos_state *st, int64_t lo,
                                  int64_t hi);
/* The learner: slot is chosen with value; applies what became contiguous. */
void multi_paxos_learn(struct sim_node *n, struct multi_paxos_state *st, int64_t slot,
                       const struct multi_paxos_value *value);
/* Acceptor handlers: Prepare (a validated copy), Accept and Commit as
 * received (body borrowed, maybe unaligned; malformed ones are ignored). */
void multi_paxos_on_prepare(struct sim_node *n, struct multi_paxos_state *st, int from,
                            const struct multi_paxos_prepare *m);
void multi_paxos_on_accept(struct sim_node *n, struct multi_paxos_state *st, int from,
                           const void *body, size_t len);
void multi_paxos_on_commit(struct sim_node *n, struct multi_paxos_state *st, const void *body,
                           size_t len);
/* "put 5 k1", "no-op" / "2.n3" into buf. */
void multi_paxos_value_text(const struct multi_paxos_value *v, char *buf, size_t cap);
void multi_paxos_ballot_text(int64_t ballot, char *buf, size_t cap);
/* Frees everything the state holds and zeroes it (the crash hook). */
void multi_paxos_free(struct multi_paxos_state *st);

/* ---- multi_paxos_leader.c ------------------------------------------------------------ */

/* Arms the election timer of a node that just started. */
void multi_paxos_start_timers(struct sim_node *n, struct multi_paxos_state *st);
/* A leader (or a candidate, leader -1) was heard: push the deadline back. */
void multi_paxos_heard_leader(struct sim_node *n, struct multi_paxos_state *st, int leader);
/* A higher ballot exists: stop leading or campaigning. */
void multi_paxos_step_down(struct sim_node *n, struct multi_paxos_state *st, int64_t ballot);
/* Timer hooks: leader silence (runs phase 1) and the heartbeat tick. */
void multi_paxos_on_election_timer(struct sim_node *n, struct multi_paxos_state *st);
void multi_paxos_on_tick(struct sim_node *n, struct multi_paxos_state *st);
/* Proposer handlers: Promise as received (body borrowed), Accepted and
 * Nack as validated copies. */
void multi_paxos_on_promise(struct sim_node *n, struct multi_paxos_state *st, int from,
                            const void *body, size_t len);
void multi_paxos_on_accepted(struct sim_node *n, struct multi_paxos_state *st, int from,
                             const struct multi_paxos_accepted_msg *m);
void multi_paxos_on_nack(struct sim_node *n, struct multi_paxos_state *st,
                         const struct multi_paxos_nack *m);
/* Leader: a client command takes the next slot (phase 2 only). */
void multi_paxos_propose(struct sim_node *n, struct multi_paxos_state *st,
                         const struct sim_op *op);

/* ---- multi_paxos_check.c --------------------------------------------------------------- */

struct multi_paxos_ghost_ballot {
    int64_t ballot;
    struct multi_paxos_value value;
    uint64_t acceptors;
};

struct multi_paxos_ghost_slot {
    bool chosen;
    int64_t chosen_ballot;
    struct multi_paxos_value chosen_value;
    sim_time chosen_at;
    struct multi_paxos_ghost_ballot *ballots;
    int nballots, capballots;
    int64_t *seen_accepted;              /* per node */
    uint8_t *seen_learned;               /* per node */
};

struct multi_paxos_ghost {
    int nodes;
    struct multi_paxos_ghost_slot *slots; /* slot s at [s - 1] */
    int64_t nslots;
    uint64_t *proposed;                  /* open-addressed set of client op ids */
    size_t proposed_cap, proposed_used;
};

/* The check_cluster and ghost_free hooks. */
void multi_paxos_check_cluster(struct sim_cluster *c, void *ghost);
void multi_paxos_ghost_free(void *ghost);

#endif
