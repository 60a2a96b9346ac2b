/* raft.h - Raft's shared internals: configuration, per-node state, the log
 * entry and wire formats, and the functions the raft_*.c files share.
 *
 * Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm"
 * (USENIX ATC 2014); section numbers in comments refer to that paper, and
 * "dissertation §6.4" to Ongaro's PhD thesis (2014) for ReadIndex.
 *
 * Files: raft.c (plug-in, params, lifecycle, describe), raft_log.c (log,
 * stable storage, state machine, client sessions), raft_election.c (roles,
 * timers, RequestVote), raft_replication.c (AppendEntries, commit rule),
 * raft_client.c (client requests, ReadIndex), raft_check.c (cluster
 * invariants). Only protocols/raft*.c include this header. */
#ifndef FAULTLINE_PROTOCOLS_RAFT_H
#define FAULTLINE_PROTOCOLS_RAFT_H

#include "sim/sim.h"

/* Per-node fixed election timeouts ("election_timeout_n3") are read for the
 * first RAFT_FIXED_MAX nodes: enough to script any lesson by hand. */
#define RAFT_FIXED_MAX 16

enum raft_bug {
    RAFT_BUG_NONE,
    RAFT_BUG_COMMIT_OLD_TERM,  /* count replicas of earlier-term entries (Figure 8) */
    RAFT_BUG_NO_PERSIST_VOTE,  /* votedFor lives only in memory (§5.2, Figure 2)   */
    RAFT_BUG_STALE_ACK,        /* ReadIndex counts refusals of an earlier term's
                                * AppendEntries as acknowledgements (§6.4)        */
};

enum raft_reads {
    RAFT_READS_READ_INDEX,     /* dissertation §6.4: confirm leadership, no log entry */
    RAFT_READS_LOG,            /* a read is a log entry, answered when applied        */
};

struct raft_config {
    sim_time election_min, election_max;  /* randomized election timeout range (§5.2) */
    sim_time heartbeat;                   /* leader heartbeat / retransmit period      */
    int64_t batch;                        /* most entries in one AppendEntries         */
    int reads;                            /* enum raft_reads                           */
    bool noop;                            /* a new leader appends a no-op entry (§8)   */
    int bug;                              /* enum raft_bug                             */
    sim_time fixed_timeout[RAFT_FIXED_MAX]; /* > 0: this node's fixed election timeout */
};

enum raft_role { RAFT_FOLLOWER, RAFT_CANDIDATE, RAFT_LEADER };

enum raft_entry_kind { RAFT_ENTRY_NOOP = 0, RAFT_ENTRY_OP = 1 };

/* A log entry as stored and sent (plain data: memcpy in and out). */
struct raft_entry {
    int64_t term;
    int32_t kind;        /* enum raft_entry_kind */
    int32_t pad;
    struct sim_op op;    /* the client operation (zero for a no-op) */
};

/* What the state machine answered for a client's latest write, kept so a
 * retried operation is applied once and answered the same (§8). */
struct raft_session {
    int32_t seq;         /* the client's latest applied mutating op, 0 none */
    int32_t outcome;
    int32_t has_value;
    int32_t pad;
    int64_t value;
};

/* Leader's view of one follower (Figure 2: nextIndex, matchIndex). */
struct raft_peer {
    int64_t next;        /* next log index to send                          */
    int64_t match;       /* highest index known replicated                  */
    int64_t inflight;    /* seq of the AppendEntries awaited, 0 none        */
    sim_time sent_at;    /* local time it was sent                          */
    int64_t acked_seq;   /* highest seq of ours answered in this term (ReadIndex);
                          * never above raft_state.seq (checked) */
};

/* A read waiting for ReadIndex (dissertation §6.4). */
struct raft_read {
    struct sim_op op;
    int64_t seq;         /* AppendEntries sent after it have a larger seq */
    int64_t read_index;  /* -1 until the leader has a current-term commit */
};

struct raft_state {
    int nodes, self;
    /* persistent state on all servers (Figure 2), mirrored in stable storage */
    int64_t term;
    int voted_for;                 /* -1: none */
    struct raft_entry *log;        /* index i at log[i - 1] */
    uint64_t *chain;               /* chain[i-1]: hash of entries 1..i (checks) */
    uint8_t *mine;                 /* a client waits here for entry i's result */
    int64_t len, cap;
    /* volatile state on all servers */
    int role;                      /* enum raft_role */
    int leader;                    /* known leader of `term`, -1 unknown */
    int64_t commit, applied;
    struct sim_sm *sm;
    struct raft_session *sessions;
    int nsessions;
    sim_time election_timeout;     /* drawn at each role change (§5.2) */
    sim_time election_deadline;    /* local time the election timer expires */
    sim_timer election_timer;
    sim_timer tick_timer;          /* leader heartbeats, candidate vote retries */
    /* candidates */
    uint8_t *voted;                /* per node: 1 granted, 2 refused */
    int granted, answered;
    /* leaders */
    struct raft_peer *peers;
    int64_t seq;                   /* AppendEntries counter of this term */
    struct raft_read *reads;
    int nreads, capreads;
    /* for the cluster check: lowest log index changed in the current event */
    int64_t changed_from;
    /* scratch space: outgoing AppendEntries, match indexes for the commit rule */
    unsigned char *scratch;
    size_t scratch_cap;
    int64_t *matches;
};

/* ---- wire formats (all fields 8-byte aligned; bodies arrive unaligned) ---- */

enum raft_msg { RAFT_MSG_VOTE, RAFT_MSG_VOTE_REPLY, RAFT_MSG_APPEND, RAFT_MSG_APPEND_REPLY,
                RAFT_MSG_COUNT };
enum raft_timer { RAFT_TIMER_ELECTION, RAFT_TIMER_TICK };

struct raft_vote_msg {          /* RequestVote RPC (Figure 2) */
    int64_t term;
    int64_t last_index;
    int64_t last_term;
};

struct raft_vote_reply {
    int64_t term;
    int64_t granted;
};

struct raft_append_hdr {        /* AppendEntries RPC; `count` entries follow */
    int64_t term;
    int64_t prev_index;
    int64_t prev_term;
    int64_t commit;             /* leaderCommit */
    int64_t seq;                /* echoed in the reply */
    int64_t count;
};

struct raft_append_reply {
    int64_t term;               /* the replier's currentTerm */
    int64_t request_term;       /* the term of the AppendEntries answered */
    int64_t seq;
    int64_t success;
    int64_t match;              /* success: last index known to match */
    int64_t conflict;           /* failure: where the leader should retry (§5.3) */
};

/* ---- raft_log.c -------------------------------------------------------------- */

/* Term of entry `index` (0 for index 0 or out of range). */
int64_t raft_term_at(const struct raft_state *st, int64_t index);
/* Grows the log arrays to hold `n` entries; returns 0 or SIM_ENOMEM. */
int raft_log_reserve(struct raft_state *st, int64_t n);
/* Appends one entry (and computes its chain hash); not yet persisted.
 * Returns 0 or SIM_ENOMEM. */
int raft_log_append(struct raft_state *st, const struct raft_entry *e, bool mine);
/* Drops entries after `len` (volatile only). */
void raft_log_truncate(struct raft_state *st, int64_t len);
/* Writes entries from..len and the length to stable storage (not synced). */
void raft_persist_log(struct sim_node *n, struct raft_state *st, int64_t from);
/* Writes currentTerm and votedFor (votedFor skipped under no_persist_vote). */
void raft_persist_vote(struct sim_node *n, struct raft_state *st);
/* Loads term, vote and log from stable storage into a zeroed state. Returns
 * 0 or SIM_ENOMEM. */
int raft_load(struct sim_node *n, struct raft_state *st);
/* Applies committed entries to the state machine in log order; the leader
 * answers the clients waiting on them. */
void raft_apply(struct sim_node *n, struct raft_state *st);
/* The chain hash step shared with the checker. */
uint64_t raft_chain_next(uint64_t prev, const struct raft_entry *e);
/* The session of `client`, or NULL when it never wrote. */
const struct raft_session *raft_session_find(const struct raft_state *st, int32_t client);
/* The result a session remembers, as the state machine gave it. */
void raft_session_result(const struct raft_session *s, struct sim_result *r);
/* Frees everything the log module allocated. */
void raft_log_free(struct raft_state *st);
/* "write 12", "cas 3->5 k1", "no-op"... into buf. */
void raft_entry_text(const struct raft_entry *e, char *buf, size_t cap);

/* ---- raft_election.c ---------------------------------------------------------- */

/* Votes or replicas that make a majority of the cluster. */
int raft_majority(const struct raft_state *st);
/* Steps down to follower of `term` (>= current), persisting a newer term. */
void raft_become_follower(struct sim_node *n, struct raft_state *st, int64_t term);
/* Pushes the election deadline one timeout into the future (§5.2). */
void raft_touch_election(struct sim_node *n, struct raft_state *st);
/* Arms the election timer for a freshly started or recovered node. */
void raft_start_timers(struct sim_node *n, struct raft_state *st);
/* Timer hooks: the election timeout (§5.2) and the leader's heartbeat /
 * candidate's vote-retry tick. */
void raft_on_election_timer(struct sim_node *n, struct raft_state *st);
void raft_on_tick(struct sim_node *n, struct raft_state *st);
/* RequestVote and its reply (Figure 2); the message is a validated copy. */
void raft_on_vote(struct sim_node *n, struct raft_state *st, int from,
                  const struct raft_vote_msg *m);
void raft_on_vote_reply(struct sim_node *n, struct raft_state *st, int from,
                        const struct raft_vote_reply *m);
/* Frees candidate and leader memory. */
void raft_election_free(struct raft_state *st);

/* ---- raft_replication.c -------------------------------------------------------- */

/* Sends follower `to` the entries it lacks (up to a batch), or an empty
 * AppendEntries when it has them all or one is already in flight and
 * `heartbeat` is set. */
void raft_send_append(struct sim_node *n, struct raft_state *st, int to, bool heartbeat);
/* Sends every follower what it needs now (after an append or a tick). */
void raft_replicate(struct sim_node *n, struct raft_state *st, bool heartbeat);
/* Sorts v[0..n) in decreasing order and returns its k-th largest (k >= 1). */
int64_t raft_kth_largest(int64_t *v, int n, int k);
/* §5.3, §5.4.2: moves the commit index to the highest entry of this term
 * on a majority (any entry under bug commit_old_term), then applies. */
void raft_advance_commit(struct sim_node *n, struct raft_state *st);
/* AppendEntries as received (body borrowed, maybe unaligned; malformed
 * bodies are ignored) and its reply (a validated copy). */
void raft_on_append(struct sim_node *n, struct raft_state *st, int from, const void *body,
                    size_t len);
void raft_on_append_reply(struct sim_node *n, struct raft_state *st, int from,
                          const struct raft_append_reply *m);

/* ---- raft_client.c --------------------------------------------------------------- */

/* The client_request hook: redirect, append, answer from a session, or
 * start a ReadIndex read. `op` is borrowed. */
void raft_client_request(struct sim_node *n, void *state, const struct sim_op *op);
/* Answers ReadIndex reads whose index is applied and leadership confirmed. */
void raft_serve_reads(struct sim_node *n, struct raft_state *st);
/* Leadership lost: pending reads go back to their clients as redirects. */
void raft_drop_reads(struct sim_node *n, struct raft_state *st);

/* ---- raft_check.c ------------------------------------------------------------------ */

/* Checker memory: what every node's log ever held, per (index, term); the
 * leader seen for each term; every entry ever committed, in index order. */
struct raft_ghost_slot {
    int64_t index, term;        /* index 0: empty slot */
    uint64_t chain;
    int32_t node;               /* first node seen holding it */
    int32_t pad;
    struct raft_entry entry;
};

struct raft_ghost_commit {
    struct raft_entry entry;
    uint64_t chain;
    int64_t commit_term;        /* term of the node that first committed it */
    sim_time at;
    int32_t node;
    int32_t pad;
};

struct raft_ghost {
    int nodes;
    int32_t *leader_of_term;    /* node + 1, 0 none; indexed by term */
    int64_t term_cap;
    struct raft_ghost_commit *committed;  /* index i at [i - 1] */
    int64_t ncommitted, capcommitted;
    struct raft_ghost_slot *by_index;     /* first (index, term) seen, at [index - 1] */
    int64_t cap_by_index;
    struct raft_ghost_slot *table;        /* the others: open addressing on (index, term) */
    size_t table_cap, table_used;
    int64_t *seen_commit;       /* per node: commit index last checked */
    int64_t *vote_term;         /* per node: the term of the vote last seen */
    int32_t *vote_for;          /* per node: whom it voted for then, -1 none */
};

/* The check_cluster and ghost_free hooks. */
void raft_check_cluster(struct sim_cluster *c, void *ghost);
void raft_ghost_free(void *ghost);

#endif
