/* sim.h - the engine as a protocol sees it: identity, time, messages, timers,
 * stable storage, randomness, clients, invariant reports and the plug-in vtable.
 *
 * A protocol includes this header and nothing else of the engine. Everything
 * a node can observe goes through these calls, which is what keeps a run
 * deterministic: the same scenario and seed give the same trace, byte for
 * byte. Protocols must never call time(), rand(), getenv() or keep globals.
 *
 * Handles (struct sim_node *, struct sim_cluster *, struct sim_describe *,
 * struct sim_params *) are borrowed: valid only during the hook call that
 * received them. */
#ifndef FAULTLINE_SIM_H
#define FAULTLINE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- time ----------------------------------------------------------------- */

/* Simulated time: an integer count of microseconds. Never floating point. */
typedef int64_t sim_time;
#define SIM_US ((sim_time)1)
#define SIM_MS ((sim_time)1000)
#define SIM_S ((sim_time)1000000)
#define SIM_TIME_NEVER INT64_MAX

/* ---- errors --------------------------------------------------------------- */

enum sim_err {
    SIM_OK = 0,
    SIM_EINVAL = -1,  /* bad argument or bad input (scenario, params) */
    SIM_ENOMEM = -2,  /* allocation failed */
    SIM_EIO = -3,     /* a file could not be read or written */
    SIM_ENOENT = -4,  /* no such thing (key, node, protocol) */
    SIM_ERANGE = -5,  /* a value outside its allowed range */
    SIM_EDOWN = -6,   /* the node is down */
};

/* Returns a static English description of an error code; never NULL. */
const char *sim_strerror(int err);

/* ---- opaque handles -------------------------------------------------------- */

struct sim_node;      /* one node's view of the engine, during a hook */
struct sim_cluster;   /* read-only view of every node, for cluster checks */
struct sim_describe;  /* a builder for the text the viewer shows */
struct sim_params;    /* the scenario's "params" object, for configure */

/* ---- identity -------------------------------------------------------------- */

/* This node's id, 0..sim_node_count()-1. Node i is named "n<i+1>". */
int sim_self(const struct sim_node *n);
/* Number of nodes in the cluster. */
int sim_node_count(const struct sim_node *n);
/* The protocol's configuration as filled by its configure hook (read-only,
 * shared by all nodes), or NULL when config_size is 0. */
const void *sim_config(const struct sim_node *n);
/* "n1", "n2", ... for a node id; a static "?" when out of range. */
const char *sim_node_name(const struct sim_node *n, int node);

/* ---- time and randomness --------------------------------------------------- */

/* This node's local clock: true time bent by its drift and shifted by its
 * skew (scenario "clock" faults). Nodes never see true time. */
sim_time sim_now(const struct sim_node *n);

/* Next 64 random bits from this node's own stream (derived from the seed). */
uint64_t sim_random(struct sim_node *n);
/* Uniform integer in [0, bound); bound must be > 0. */
uint64_t sim_random_below(struct sim_node *n, uint64_t bound);
/* Uniform duration in [lo, hi] (inclusive); lo <= hi. */
sim_time sim_random_between(struct sim_node *n, sim_time lo, sim_time hi);

/* ---- messages ---------------------------------------------------------------- */

/* Sends a message of protocol-defined `type` with a copy of `len` bytes of
 * `body` to node `to` (not to itself). The network may delay, lose,
 * duplicate or reorder it, or drop it at a partition. Returns 0, or
 * SIM_EINVAL for a bad destination. The body is copied: the caller keeps
 * ownership of its buffer. */
int sim_send(struct sim_node *n, int to, int type, const void *body, size_t len);
/* Sends the same message to every other node. Returns 0 or a SIM_E code. */
int sim_broadcast(struct sim_node *n, int type, const void *body, size_t len);

/* ---- timers -------------------------------------------------------------------- */

/* A timer handle; 0 is never a valid handle. */
typedef uint64_t sim_timer;

/* Arms a timer that calls the protocol's timer hook with (kind, arg) after
 * `delay` of this node's local time (so clock drift stretches or shrinks
 * it). delay >= 0. Timers die with the node at a crash. Returns the handle. */
sim_timer sim_set_timer(struct sim_node *n, sim_time delay, int kind, uint64_t arg);
/* Cancels a pending timer. Cancelling 0, a fired or a cancelled timer is a
 * harmless no-op. */
void sim_cancel_timer(struct sim_node *n, sim_timer timer);

/* ---- stable storage ------------------------------------------------------------ */

/* Stable storage survives crashes; volatile state (the protocol's state
 * struct) does not. Writes are buffered until sim_store_sync(): a crash
 * with "lose_unsynced" discards what was written since the last sync; any
 * other crash keeps every write (as if the disk were always synced).
 * Keys are NUL-terminated strings of at most 63 bytes. */

/* Stores a copy of `len` bytes under `key`, replacing any previous value.
 * Returns 0, SIM_EINVAL for a bad key, SIM_ENOMEM. */
int sim_store_put(struct sim_node *n, const char *key, const void *data, size_t len);
/* Deletes `key`. Returns 0, or SIM_ENOENT when it was absent. */
int sim_store_delete(struct sim_node *n, const char *key);
/* Makes every write so far durable (an fsync). */
void sim_store_sync(struct sim_node *n);
/* The stored value of `key` and its length, or NULL when absent. The pointer
 * is the engine's and stays valid until the next store call on this node. */
const void *sim_store_get(struct sim_node *n, const char *key, size_t *len);
/* Convenience wrappers for one int64: put returns as sim_store_put; get
 * returns `dflt` when the key is absent or not 8 bytes long. */
int sim_store_put_i64(struct sim_node *n, const char *key, int64_t value);
int64_t sim_store_get_i64(struct sim_node *n, const char *key, int64_t dflt);

/* ---- client operations -------------------------------------------------------- */

/* Workload clients send operations to nodes; a protocol serves them and
 * answers with sim_reply() (or sim_redirect()). Register operations hold
 * integers; key-value operations hold lists of integer tokens that the
 * history renders as strings ("v12;v30;"): put replaces the list with one
 * token, append adds one, get returns the list. */
enum sim_op_f {
    SIM_F_READ = 0,   /* register read                        */
    SIM_F_WRITE = 1,  /* register write(value)                */
    SIM_F_CAS = 2,    /* register cas(value -> value2)        */
    SIM_F_GET = 3,    /* kv get                               */
    SIM_F_PUT = 4,    /* kv put(token value)                  */
    SIM_F_APPEND = 5, /* kv append(token value)               */
};

/* A client operation. Plain data without pointers: protocols may copy it
 * into messages and logs with memcpy. (client, seq) identifies the
 * operation across retries, for protocols that deduplicate. */
struct sim_op {
    uint64_t id;     /* engine-wide operation id; the same on every retry  */
    int32_t client;  /* client number, 0..clients-1                         */
    int32_t seq;     /* this client's operation number, from 1              */
    int32_t f;       /* enum sim_op_f                                       */
    int32_t key;     /* key number, 0..keys-1                               */
    int64_t value;   /* write/put/append: the value; cas: expected value    */
    int64_t value2;  /* cas: the new value                                  */
};

enum sim_outcome {
    SIM_OUT_OK = 0,   /* it happened; result in the reply                   */
    SIM_OUT_FAIL = 1, /* it certainly did not happen (e.g. cas mismatch)    */
    SIM_OUT_INFO = 2, /* unknown: it may or may not have happened           */
};

/* The result of an operation. For read: has_value/value (absent = never
 * written). For get: list/list_len (list may be NULL when empty or absent).
 *
 * A fail is either an answer or a refusal. An answer is the system's
 * definite "no" to the operation itself: a cas whose expected value
 * differs, a write to a Paxos decree already decided otherwise, a 2PC
 * transaction that aborted. A refusal (refused = true) says the system
 * would not or could not serve it now: too few replicas reachable, an
 * operation it does not support. Both mean "certainly did not happen" to
 * the history checker; the run summary counts answers as available and
 * refusals as not. refused is ignored unless outcome is SIM_OUT_FAIL. */
struct sim_result {
    int outcome;            /* enum sim_outcome */
    bool has_value;
    int64_t value;
    const int64_t *list;    /* borrowed */
    size_t list_len;
    bool refused;           /* a fail that is a refusal, not an answer */
};

/* Answers operation `op` (as received in client_request). The reply travels
 * back to the client over the network. The client takes the first answer to
 * its current operation and ignores later ones. `result` is copied. */
void sim_reply(struct sim_node *n, const struct sim_op *op, const struct sim_result *result);
/* Tells the client to send `op` to node `leader` instead (-1: "not me, and
 * I don't know who"): it does not count as an outcome. */
void sim_redirect(struct sim_node *n, const struct sim_op *op, int leader);

/* The register/key-value state machine every protocol replicates, so that
 * every protocol serves the same operations with the same semantics. */
struct sim_sm;
/* Returns a new empty state machine, or NULL when out of memory. */
struct sim_sm *sim_sm_create(void);
/* Frees it; NULL is allowed. */
void sim_sm_destroy(struct sim_sm *sm);
/* Returns a deep copy, or NULL when out of memory. */
struct sim_sm *sim_sm_clone(const struct sim_sm *sm);
/* Applies `op` and fills `out` (its list points into the machine and is
 * valid until the next call on it). Reads and gets change nothing; cas
 * fails (SIM_OUT_FAIL) when the value differs. Returns 0 or SIM_ENOMEM. */
int sim_sm_apply(struct sim_sm *sm, const struct sim_op *op, struct sim_result *out);
/* A hash of the whole contents: equal machines hash equal. */
uint64_t sim_sm_hash(const struct sim_sm *sm);
/* Number of operations that changed state so far. */
uint64_t sim_sm_applied(const struct sim_sm *sm);

/* ---- trace, metrics, invariants ---------------------------------------------- */

/* Writes a protocol note into the trace ("promoted n2 after 3 missed
 * heartbeats"). printf-style; long text is truncated. */
void sim_note(struct sim_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes a duration for people, one unit per magnitude ("1.5s", "175.3ms",
 * "40us"), into buf (truncated at cap), for notes and describe text. */
void sim_format_duration(sim_time t, char *buf, size_t cap);

/* Adds `delta` to a named cluster-wide counter shown in the summary and
 * available to the scenario's "expect": {"metrics": ...}. Name: a static
 * string of at most 31 bytes. */
void sim_metric_add(struct sim_node *n, const char *name, int64_t delta);

/* Reports a broken invariant from check_node. `invariant` is a short stable
 * name ("split-brain", "election-safety"); the detail says what broke. */
void sim_node_violation(struct sim_node *n, const char *invariant, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Cluster view for check_cluster: the number of nodes, each node's volatile
 * state (NULL while it is down), its stable storage, the configuration, the
 * true simulated time, and the node that handled the last event (-1 when
 * the last event was not a node's, e.g. a fault). */
int sim_cluster_size(const struct sim_cluster *c);
const void *sim_cluster_state(const struct sim_cluster *c, int node);
const void *sim_cluster_config(const struct sim_cluster *c);
sim_time sim_cluster_time(const struct sim_cluster *c);
/* Node `node`'s local clock now (what sim_now would return on it), so a
 * check can compare a lease expiry in that node's time with the truth. */
sim_time sim_cluster_now(const struct sim_cluster *c, int node);
int sim_cluster_last_node(const struct sim_cluster *c);
const char *sim_cluster_node_name(const struct sim_cluster *c, int node);
/* Reads a node's stable storage (durable or not yet synced), as sim_store_get. */
const void *sim_cluster_store_get(const struct sim_cluster *c, int node, const char *key,
                                  size_t *len);
/* Reports a broken cluster invariant; `node` is the node most to blame or -1. */
void sim_violation(struct sim_cluster *c, const char *invariant, int node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- describe: what the viewer shows of a node ----------------------------- */

/* Appends printf-style text ("term 3 · commit 6") to the description. */
void sim_describe_text(struct sim_describe *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The node's term, epoch or ballot, drawn prominently. */
void sim_describe_term(struct sim_describe *d, int64_t term);
/* A log strip: `len` entries in all, `commit` of them committed, and the
 * terms of the last `tail_n` entries (tail_n <= 16 are kept). */
void sim_describe_log(struct sim_describe *d, int64_t len, int64_t commit,
                      const int64_t *tail_terms, int tail_n);

/* ---- parameters: the scenario's "params" object --------------------------- */

/* Each reader takes the parameter `key`, or the default when it is absent,
 * checks type and range, and returns 0 or SIM_EINVAL after recording an
 * error that names the scenario file, the JSON path and what was expected.
 * After configure returns, any key it did not read is reported as unknown. */
int sim_param_duration(struct sim_params *p, const char *key, sim_time dflt, sim_time *out);
int sim_param_int(struct sim_params *p, const char *key, int64_t dflt, int64_t min,
                  int64_t max, int64_t *out);
int sim_param_double(struct sim_params *p, const char *key, double dflt, double min,
                     double max, double *out);
int sim_param_bool(struct sim_params *p, const char *key, bool dflt, bool *out);
/* choices: NULL-terminated; *out is the index of the chosen string. */
int sim_param_enum(struct sim_params *p, const char *key, const char *const *choices,
                   int dflt, int *out);
/* A node name ("n3"); *out is its id. dflt may be -1 (none). */
int sim_param_node(struct sim_params *p, const char *key, int dflt, int *out);
/* The cluster size, so configure can validate node-dependent values. */
int sim_params_node_count(const struct sim_params *p);
/* Records a custom validation error for `key` ("must be at most nodes-1"). */
int sim_param_error(struct sim_params *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the plug-in ------------------------------------------------------------- */

#define SIM_PROTOCOL_VERSION 1

/* A protocol: version and name first, then sizes, then hooks. The engine
 * allocates config_size bytes once (filled by configure), state_size bytes
 * per node (zeroed before start and before recover), and ghost_size bytes
 * for the cluster checker (zeroed once). NULL hooks have the defaults given. */
struct sim_protocol {
    int version;          /* SIM_PROTOCOL_VERSION */
    const char *name;     /* the scenario's "protocol" string */
    const char *summary;  /* one line for `faultline --help` and docs */
    size_t config_size;
    size_t state_size;
    size_t ghost_size;

    /* Reads params into config. NULL: the protocol takes no params. */
    int (*configure)(struct sim_params *params, void *config);
    /* A node boots for the first time. Required. */
    void (*start)(struct sim_node *n, void *state);
    /* A node restarts after a crash with zeroed state; only stable storage
     * remains. NULL: start is called. */
    void (*recover)(struct sim_node *n, void *state);
    /* The node's volatile state is about to be discarded: at a crash, and
     * at the end of the simulation. Free what start/recover allocated. NULL:
     * nothing to free. Must not send or set timers. */
    void (*crash)(struct sim_node *n, void *state);
    /* A message arrived from node `from`. Required. */
    void (*message)(struct sim_node *n, void *state, int from, int type, const void *body,
                    size_t len);
    /* A timer set with sim_set_timer fired. NULL: no timers used. */
    void (*timer)(struct sim_node *n, void *state, int kind, uint64_t arg);
    /* A client operation arrived. NULL: every operation is refused (a fail
     * with refused set). */
    void (*client_request)(struct sim_node *n, void *state, const struct sim_op *op);

    /* Per-node invariant check after each event the node handled. */
    void (*check_node)(struct sim_node *n, const void *state);
    /* Cluster invariant check after every event; ghost is checker memory
     * that persists across calls (e.g. the leader seen for each term). */
    void (*check_cluster)(struct sim_cluster *c, void *ghost);
    /* Frees what check_cluster allocated inside ghost. */
    void (*ghost_free)(void *ghost);

    /* Short text for the viewer: role aside, term, log, commit point. */
    void (*describe)(const void *state, struct sim_describe *d);
    /* The node's role as a static string ("leader", "follower", "primary",
     * "backup", "candidate"...). "leader" and "primary" count as leaders
     * for max_leaders and leader_within. NULL: every node is "node". */
    const char *(*role)(const void *state);
    /* Static name of a message type / timer kind, for trace and viewer. */
    const char *(*message_name)(int type);
    const char *(*timer_name)(int kind);
    /* Short text about one message ("term 3, entries 4..6"). Optional. */
    void (*message_describe)(int type, const void *body, size_t len, struct sim_describe *d);
    /* What this protocol calls the number given to sim_describe_term:
     * "term", "ballot", "view", "epoch". Written in the trace header so
     * the viewer says "ballot 3" for Paxos. NULL: "term". */
    const char *epoch;
    /* Every string the role hook can return, NULL-terminated, so that a
     * scenario's event trigger ("on": {"role": ...}) naming another role is
     * an error. NULL: role names in triggers are not checked. */
    const char *const *roles;
};

#endif
