/* twopc.h - what the atomic-commit files share (two-phase commit, "2pc",
 * and three-phase commit, "3pc", which is 2PC with a pre-commit phase and a
 * termination protocol): configuration, per-node state, durable records,
 * wire formats, and the functions the files export to each other (twopc_
 * prefix). docs/protocols/2pc.md and 3pc.md describe the protocols.
 *
 * How client operations become transactions: the workload has no
 * transaction operation, so every write (write, cas, put, append) on key k
 * is one transaction that writes k on `spread` participants - the replicas
 * of k, participants k, k+1, ... (mod P) - all or none. Reads (read, get)
 * are served by a participant holding k from its committed data, waiting
 * while a prepared transaction holds k's lock. */
#ifndef FAULTLINE_TWOPC_H
#define FAULTLINE_TWOPC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

#define TWOPC_MAX_NODES 64
typedef uint64_t twopc_mask;

/* Transaction states, as logged (Gray 1978; Bernstein, Hadzilacos &
 * Goodman 1987, ch. 7). INIT is "never heard of it". */
enum twopc_txstate {
    TWOPC_INIT = 0,
    TWOPC_WAIT,       /* coordinator: PREPARE sent, collecting votes          */
    TWOPC_READY,      /* participant: voted yes, holds locks, uncertain       */
    TWOPC_PRECOMMIT,  /* 3PC: everyone voted yes; commit unless told otherwise */
    TWOPC_COMMIT,
    TWOPC_ABORT,
};

enum twopc_msg {
    TWOPC_MSG_PREPARE,        /* coordinator -> participant: vote on this transaction */
    TWOPC_MSG_VOTE,           /* participant -> coordinator: yes / no                  */
    TWOPC_MSG_PRECOMMIT,      /* 3PC coordinator -> participant                        */
    TWOPC_MSG_PRECOMMIT_ACK,  /* 3PC participant -> coordinator                        */
    TWOPC_MSG_DECISION,       /* commit / abort, to a participant                      */
    TWOPC_MSG_DECISION_ACK,   /* participant -> coordinator: applied                   */
    TWOPC_MSG_DECISION_REQ,   /* READY participant -> coordinator: what was decided?   */
    TWOPC_MSG_STATE_REQ,      /* participant -> participant: what is your state?       */
    TWOPC_MSG_STATE_REPLY,    /* its state                                             */
    TWOPC_MSG_COUNT
};

enum twopc_timer {
    TWOPC_TIMER_VOTES,     /* coordinator: votes (or 3PC pre-commit acks) overdue */
    TWOPC_TIMER_DECIDE,    /* coordinator: decision record forced (decision_delay) */
    TWOPC_TIMER_RESEND,    /* coordinator: resend the outcome to who has not acked */
    TWOPC_TIMER_UNCERTAIN, /* participant: no outcome yet: ask / terminate         */
    TWOPC_TIMER_TERMINATE, /* participant: time to decide from the answers         */
    TWOPC_TIMER_COUNT
};

struct twopc_config {
    int phases;               /* 2 or 3 */
    int coordinator;          /* node id */
    int64_t spread;           /* participants each transaction writes */
    sim_time vote_timeout;    /* coordinator: abort when votes are missing this long */
    sim_time decision_timeout;/* participant: uncertain this long, it asks (2PC) or terminates (3PC) */
    sim_time decision_delay;  /* coordinator: time to force the decision record to disk */
    sim_time retry;           /* resend period of outcomes and questions */
    bool cooperative;         /* 2PC: uncertain participants also ask each other */
};

/* A durable transaction record (key "c<txid>" at the coordinator, "t<txid>"
 * at a participant). */
struct twopc_record {
    int64_t txid;
    int32_t state;            /* enum twopc_txstate */
    int32_t ended;            /* coordinator: every participant acknowledged the outcome */
    twopc_mask participants;
    struct sim_op op;
};

/* The coordinator's volatile view of a transaction in progress. */
struct twopc_ctx {
    struct twopc_record rec;
    twopc_mask yes;           /* voted yes */
    twopc_mask acked;         /* acknowledged the pre-commit (3PC) or the outcome */
    bool client_waiting;      /* the client that asked waits for the outcome here */
    bool cas_mismatch;        /* a participant voted no because the cas failed */
    sim_time decided_at;      /* local time of the outcome */
    sim_timer timer;
};

/* A participant's volatile view of a transaction it voted yes on. */
struct twopc_part {
    struct twopc_record rec;
    sim_timer timer;
    int rounds;               /* questions asked so far */
    bool blocked;             /* counted in the "blocked" metric */
    sim_time blocked_since;   /* local time */
    bool terminating;         /* collecting states for the termination protocol */
    twopc_mask answered;
    int32_t answers[TWOPC_MAX_NODES];
};

struct twopc_decided {        /* for the checker: a participant's outcome */
    int64_t txid;
    bool commit;
};

struct twopc_state {
    const struct twopc_config *cfg;
    int nodes, self;
    bool is_coordinator;
    /* ---- coordinator ---- */
    int64_t next_txid;
    struct twopc_ctx *txs;    /* undecided or unacknowledged transactions */
    int ntxs, captxs;
    struct sim_op *queue;     /* writes waiting for their key to be free */
    int nqueue, capqueue;
    int64_t commits, aborts;
    /* ---- participant ---- */
    struct sim_sm *sm;        /* committed data */
    int64_t applied;          /* transactions committed here (durable count) */
    int64_t max_txid;         /* highest transaction id with a record here */
    struct twopc_part *parts; /* voted yes, outcome unknown */
    int nparts, capparts;
    int64_t *lock;            /* per key: txid holding it, 0 free */
    int nlocks;
    struct sim_op *reads;     /* reads waiting for a lock */
    int nreads, capreads;
    struct twopc_decided *decided;  /* outcomes reached here since start */
    int ndecided, capdecided;
};

/* ---- wire formats ---- */

struct twopc_prepare_msg {
    int64_t txid;
    twopc_mask participants;
    struct sim_op op;
};

struct twopc_txid_msg {       /* VOTE, PRECOMMIT(_ACK), DECISION(_ACK/_REQ), STATE_* */
    int64_t txid;
    int32_t value;            /* VOTE: 1 yes, 0 no, 2 no (cas mismatch);
                                 DECISION: 1 commit, 0 abort; STATE_REPLY: state */
    int32_t pad;
};

/* ---- twopc.c: hooks shared by both protocols ---- */

int twopc_configure_common(struct sim_params *p, struct twopc_config *c, int phases);
void twopc_start(struct sim_node *n, void *state);
void twopc_crash(struct sim_node *n, void *state);
void twopc_message(struct sim_node *n, void *state, int from, int type, const void *body,
                   size_t len);
void twopc_timer(struct sim_node *n, void *state, int kind, uint64_t arg);
void twopc_client_request(struct sim_node *n, void *state, const struct sim_op *op);
void twopc_describe(const void *state, struct sim_describe *d);
const char *twopc_role(const void *state);
const char *twopc_message_name(int type);
const char *twopc_timer_name(int kind);
void twopc_message_describe(int type, const void *body, size_t len, struct sim_describe *d);
/* Participant number i (0-based) of the transaction on key `key`. */
int twopc_replica(const struct twopc_state *st, int key, int i);
/* The participants writing key `key`. */
twopc_mask twopc_replicas(const struct twopc_state *st, int key);
/* Durable record of `txid` under key prefix `prefix` ('c' or 't'); false when absent. */
bool twopc_load(struct sim_node *n, char prefix, int64_t txid, struct twopc_record *out);
void twopc_save(struct sim_node *n, char prefix, const struct twopc_record *rec, bool sync);
const char *twopc_state_name(int state);

/* ---- twopc_coordinator.c ---- */

void twopc_coord_start(struct sim_node *n, struct twopc_state *st);
void twopc_coord_request(struct sim_node *n, struct twopc_state *st, const struct sim_op *op);
void twopc_coord_message(struct sim_node *n, struct twopc_state *st, int from, int type,
                         const struct twopc_txid_msg *m);
void twopc_coord_timer(struct sim_node *n, struct twopc_state *st, int kind, int64_t txid);
void twopc_coord_free(struct twopc_state *st);

/* ---- twopc_participant.c ---- */

void twopc_part_start(struct sim_node *n, struct twopc_state *st);
void twopc_part_prepare(struct sim_node *n, struct twopc_state *st, int from,
                        const struct twopc_prepare_msg *m);
void twopc_part_message(struct sim_node *n, struct twopc_state *st, int from, int type,
                        const struct twopc_txid_msg *m);
void twopc_part_timer(struct sim_node *n, struct twopc_state *st, int kind, int64_t txid);
void twopc_part_read(struct sim_node *n, struct twopc_state *st, const struct sim_op *op);
/* At a crash: takes this node's blocked transactions and locks out of the metrics. */
void twopc_part_crash(struct sim_node *n, struct twopc_state *st);
void twopc_part_free(struct twopc_state *st);

/* ---- twopc_check.c: atomicity across participants ---- */

/* Checker memory: per transaction, the participants seen committing it and
 * those seen aborting it; per node, how many of its outcomes were read. */
struct twopc_outcomes {
    twopc_mask committed, aborted;
};
struct twopc_ghost {
    struct twopc_outcomes *by_txid;
    int64_t cap;
    int seen[TWOPC_MAX_NODES];
};

void twopc_check_cluster(struct sim_cluster *c, void *ghost);
void twopc_ghost_free(void *ghost);

#endif
