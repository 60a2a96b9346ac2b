/* paxos.h - single-decree Paxos internals shared by protocols/paxos*.c:
 * configuration, per-node state, wire formats and shared functions.
 *
 * Lamport, "Paxos Made Simple" (2001); section numbers in comments refer
 * to it (§2.2 choosing a value, §2.3 learning a chosen value, §2.4
 * progress, §2.5 implementation). Each register key is its own
 * single-decree instance: the first value chosen for a key is its value
 * forever, which is all a single decree can promise.
 *
 * Files: paxos.c (plug-in, params, clients, describe), paxos_acceptor.c
 * (acceptor and learner, stable storage), paxos_proposer.c (the two
 * phases, ballots, backoff), paxos_check.c (cluster invariants). */
#ifndef FAULTLINE_PROTOCOLS_PAXOS_H
#define FAULTLINE_PROTOCOLS_PAXOS_H

#include "sim/sim.h"

/* Ballots are round * PAXOS_MAX_NODES + proposer id: unique per proposer
 * (§2.5, "different proposers choose their numbers from disjoint sets"),
 * and acceptor sets fit a 64-bit mask. */
#define PAXOS_MAX_NODES 64

enum paxos_bug {
    PAXOS_BUG_NONE,
    PAXOS_BUG_NO_PERSIST_PROMISE, /* acceptors forget their promises at a crash */
};

struct paxos_config {
    int proposers;           /* nodes n1..nP propose; every node accepts and learns */
    sim_time backoff;        /* base of the randomized exponential backoff (§2.4) */
    sim_time retry;          /* a phase without a majority by then is restarted */
    int bug;                 /* enum paxos_bug */
};

enum paxos_phase { PAXOS_IDLE, PAXOS_PREPARE, PAXOS_ACCEPT, PAXOS_BACKOFF };

/* One single-decree instance (one register key) on one node. */
struct paxos_instance {
    /* acceptor (§2.2), mirrored in stable storage */
    int64_t promised;            /* highest ballot promised (or accepted) */
    int64_t accepted_ballot;     /* 0: nothing accepted */
    struct sim_op accepted;      /* the value: a client's write */
    /* learner (§2.3) */
    bool learned;
    struct sim_op value;
    /* proposer (§2.2) */
    int phase;                   /* enum paxos_phase */
    int64_t ballot;
    bool has_own;                /* a client write this proposer puts forward */
    struct sim_op own;
    int64_t best_ballot;         /* highest accepted ballot among the promises */
    struct sim_op best;
    struct sim_op proposal;      /* the value of phase 2 */
    uint64_t promised_by, accepted_by;
    int attempts;                /* preemptions in a row (backoff exponent) */
    sim_timer timer;             /* retry or backoff */
    struct sim_op *pending;      /* client operations waiting for the decision */
    int npending, cappending;
};

struct paxos_state {
    int nodes, self;
    bool proposer;               /* this node is one of n1..nP */
    int64_t round;               /* highest round this proposer used (persisted) */
    int64_t seen_round;          /* highest round seen in any ballot */
    struct paxos_instance *inst; /* indexed by key */
    int ninst;
    int changed_key;             /* for the checker: key touched by the event; -2 all */
};

enum paxos_msg { PAXOS_MSG_PREPARE, PAXOS_MSG_PROMISE, PAXOS_MSG_ACCEPT, PAXOS_MSG_ACCEPTED,
                 PAXOS_MSG_NACK, PAXOS_MSG_DECIDE, PAXOS_MSG_COUNT };
enum paxos_timer { PAXOS_TIMER_RETRY, PAXOS_TIMER_BACKOFF };

/* One wire format for every message; unused fields are zero. */
struct paxos_msg_body {
    int64_t key;
    int64_t ballot;              /* prepare, promise, accept, accepted, nack */
    int64_t other;               /* promise: accepted ballot; nack: promised ballot */
    struct sim_op value;         /* promise: accepted value; accept, decide: value */
};

/* ---- paxos_acceptor.c ---------------------------------------------------------- */

/* The instance for `key`, created (zeroed) on first use; NULL when out of
 * memory or the key is negative. Marks it changed for the checker. */
struct paxos_instance *paxos_instance(struct paxos_state *st, int64_t key);
/* Loads every instance this node's disk knows. Returns 0 or SIM_ENOMEM. */
int paxos_load(struct sim_node *n, struct paxos_state *st);
/* Handles a Prepare or Accept at this node's acceptor and returns the
 * answer to send back (Promise, Accepted or Nack) in *reply. */
int paxos_acceptor_handle(struct sim_node *n, struct paxos_state *st, int type,
                          const struct paxos_msg_body *m, struct paxos_msg_body *reply);
/* The learner learns the chosen value of `key` and answers waiting clients. */
void paxos_learn(struct sim_node *n, struct paxos_state *st, int64_t key, const struct sim_op *v);
/* Answers one client operation from a learned value. */
void paxos_answer(struct sim_node *n, const struct paxos_instance *in, const struct sim_op *op);
/* "2.n1" for a ballot, into buf. */
void paxos_ballot_text(int64_t ballot, char *buf, size_t cap);
/* "write 5" for a value. */
void paxos_value_text(const struct sim_op *v, char *buf, size_t cap);

/* ---- paxos_proposer.c ---------------------------------------------------------- */

/* True when `node` is one of the proposers n1..nP. */
bool paxos_is_proposer(struct sim_node *n, int node);
/* A client operation at a proposer that has not learned the value yet. */
void paxos_propose(struct sim_node *n, struct paxos_state *st, int64_t key,
                   const struct sim_op *op);
/* A Promise, Accepted, Nack or Decide for this node's proposer or
 * learner (a validated copy), from another node or from itself. */
void paxos_on_reply(struct sim_node *n, struct paxos_state *st, int from, int type,
                    const struct paxos_msg_body *m);
/* The retry and backoff timers of instance `key`. */
void paxos_on_timer(struct sim_node *n, struct paxos_state *st, int kind, int64_t key);
/* Sends a message to `to`, or handles it locally when `to` is this node. */
void paxos_send(struct sim_node *n, struct paxos_state *st, int to, int type,
                const struct paxos_msg_body *m);

/* ---- paxos_check.c ----------------------------------------------------------------- */

struct paxos_ghost_ballot {
    int64_t ballot;
    struct sim_op value;
    uint64_t acceptors;          /* every acceptor that ever accepted it */
};

struct paxos_ghost_key {
    bool chosen;
    int64_t chosen_ballot;
    struct sim_op chosen_value;
    sim_time chosen_at;
    uint64_t chosen_by;
    struct paxos_ghost_ballot *ballots;
    int nballots, capballots;
    uint64_t *proposed;          /* op ids proposers put forward for this key */
    int nproposed, capproposed;
    int64_t *seen_accepted;      /* per node: accepted ballot last seen */
    uint64_t *seen_learned;      /* per node: learned op id last seen (0 none) */
    uint64_t *seen_own;          /* per node: own proposal op id last seen */
    int64_t *max_promised;       /* per node: highest ballot it ever promised */
};

struct paxos_ghost {
    int nodes;
    struct paxos_ghost_key *keys;
    int nkeys;
};

/* The check_cluster and ghost_free hooks. */
void paxos_check_cluster(struct sim_cluster *c, void *ghost);
void paxos_ghost_free(void *ghost);

#endif
