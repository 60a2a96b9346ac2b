/* scenario.h - a scenario file in memory: cluster, network, workload, faults,
 * nemesis, captions and expectations. The loader (scenario.c) is strict:
 * every error names the file, the JSON path and what was expected. */
#ifndef FAULTLINE_SCENARIO_H
#define FAULTLINE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

struct cJSON;

/* ---- network --------------------------------------------------------------- */

enum latency_dist {
    LAT_CONSTANT,     /* a = value                               */
    LAT_UNIFORM,      /* a = min, b = max                        */
    LAT_EXPONENTIAL,  /* a = mean (above the floor), c = floor   */
    LAT_NORMAL,       /* a = mean, b = stddev, c = floor         */
};

struct latency {
    enum latency_dist dist;
    sim_time a, b, c;
};

/* Link settings; each has_ flag says the scenario set that field (per-link
 * overrides apply only what they set). */
struct link_cfg {
    bool has_latency, has_drop, has_duplicate;
    struct latency latency;
    double drop;       /* probability a message is lost */
    double duplicate;  /* probability a message is delivered twice */
};

/* A node set: a list of node ids, or every node when all is set. */
struct node_set {
    bool all;
    int *nodes;
    int count;
};

struct link_override {
    struct node_set from, to;
    struct link_cfg cfg;
};

struct network_cfg {
    struct link_cfg link;          /* default for node-to-node links */
    struct link_cfg clients;       /* client <-> node links */
    bool fifo;                     /* per-link FIFO delivery (TCP-like) */
    struct link_override *links;
    int link_count;
};

/* ---- faults ---------------------------------------------------------------- */

enum fault_kind {
    FAULT_CRASH,         /* target; lose_unsynced; duration = recover after   */
    FAULT_RECOVER,       /* target                                            */
    FAULT_PARTITION,     /* groups (+ optional bridge node); duration         */
    FAULT_ISOLATE,       /* target cut from every other node; duration        */
    FAULT_CUT,           /* links from -> to (both: symmetric); duration      */
    FAULT_HEAL,          /* removes every partition, isolation, cut and flap  */
    FAULT_FLAP,          /* link a <-> b cut and restored every period        */
    FAULT_CLOCK,         /* target drift (ppm) and/or skew; duration          */
    FAULT_SLOW,          /* target handles every event `delay` late           */
    FAULT_DROP,          /* network-wide loss probability; duration           */
    FAULT_DUPLICATE,     /* network-wide duplication probability; duration    */
    FAULT_DROP_MESSAGE,  /* the in-flight message with id msg_id is lost      */
    FAULT_KIND_COUNT
};

/* A fault's target: a node id, or a role resolved when the fault fires. */
struct fault_target {
    int node;         /* >= 0: this node; -1: resolve role; TARGET_EVENT_NODE: "$node" */
    char role[32];    /* "leader", "primary", ... when node == -1 */
};

/* "$node": the node of the event that triggered the fault (format version 2). */
#define TARGET_EVENT_NODE (-2)

/* ---- event triggers (format version 2: "on") --------------------------------------- */

/* What a fault or caption with "on" waits for. TRIG_NONE: it is anchored to
 * its time ("at") alone, as in version 1. */
enum trigger_kind {
    TRIG_NONE = 0,
    TRIG_ROLE,       /* a node took role `name` (in term `term` when has_term)     */
    TRIG_SEND,       /* a node sent a message of type `name`                        */
    TRIG_DELIVER,    /* a message of type `name` was delivered                      */
    TRIG_NOTE,       /* a protocol note whose text contains `name`                  */
    TRIG_VIOLATION,  /* invariant `name` was reported ("" = any invariant)          */
    TRIG_FAULT,      /* a fault was applied: of fault_kind, or the file's faults[fault_index] */
    TRIG_KIND_COUNT
};

struct trigger {
    enum trigger_kind kind;
    char name[64];       /* role, message type, note text, invariant or fault kind */
    int node;            /* the event's node, or -1 for any: the node whose role
                            changed, the sender (send), the receiver (deliver), the
                            node that wrote the note, was blamed or was hit */
    int peer;            /* send: the receiver; deliver: the sender; -1 any */
    bool has_term;
    int64_t term;        /* role: the term the node's describe hook reports */
    int fault_kind;      /* TRIG_FAULT: an enum fault_kind, or -1 for any */
    int fault_index;     /* TRIG_FAULT: position in the file's "faults", or -1 */
    int64_t count;       /* fire at the count-th matching event (>= 1) */
    bool every;          /* "repeat": "every": again at every count-th match */
    sim_time delay;      /* fire this long after the event */
};

struct fault {
    sim_time at;
    sim_time duration;       /* "for": revert after this long; 0 = never */
    enum fault_kind kind;
    struct fault_target target;
    bool lose_unsynced;      /* crash: unsynced stable writes are lost */
    /* partition */
    int **groups;            /* groups[g] lists group_sizes[g] node ids */
    int *group_sizes;
    int group_count;
    int bridge;              /* node connected to every group, or -1 */
    /* cut, flap */
    struct node_set from, to;
    bool both;
    sim_time period;         /* flap */
    /* clock */
    bool has_drift, has_skew;
    int64_t drift_ppm;       /* +50000: the clock runs 5% fast */
    sim_time skew;           /* the clock jumps by this much */
    /* slow */
    sim_time delay;
    /* drop, duplicate */
    double probability;
    /* drop_message */
    uint64_t msg_id;
    char path[32];           /* "faults[3]", for messages */
    /* version 2: fire on an event; `at` then means "not before" */
    struct trigger on;
    int index;               /* position in the file's "faults" (they are kept sorted by time) */
};

/* ---- nemesis: seeded random faults ------------------------------------------ */

enum nemesis_kind {
    NEM_CRASH,      /* crash a random up node (within max_down), recover later */
    NEM_PARTITION,  /* random halves                                           */
    NEM_ISOLATE,    /* isolate one random node                                 */
    NEM_ONEWAY,     /* cut one random direction between random halves          */
    NEM_BRIDGE,     /* two halves with one bridge node between                 */
    NEM_CLOCK,      /* random drift and skew on one node                       */
    NEM_SLOW,       /* one node handles events late                            */
    NEM_FLAP,       /* one link flaps                                          */
    NEM_LOSS,       /* network-wide message loss                               */
    NEM_DUPLICATE,  /* network-wide duplication                                */
    NEM_KIND_COUNT
};

struct nemesis_cfg {
    bool enabled;
    sim_time start, until;             /* active window */
    sim_time interval_min, interval_max;
    sim_time duration_min, duration_max;
    double weight[NEM_KIND_COUNT];
    int max_down;                      /* at most this many nodes down at once */
    bool lose_unsynced;
    int64_t drift_max_ppm;
    sim_time skew_max;
    sim_time slow_max;
    double loss_max;
    double duplicate_max;
    sim_time flap_period;
};

/* ---- workload ---------------------------------------------------------------- */

enum workload_model { MODEL_REGISTER, MODEL_KV };

/* How a client picks the node it talks to. */
enum {
    CONNECT_STICKY = -1,  /* a random node, kept while it answers; follows redirects */
    CONNECT_RANDOM = -2,  /* a random node for every operation (a load balancer) */
};

struct workload_cfg {
    int clients;                /* 0: no clients */
    bool closed;                /* closed loop (think time) vs open loop (rate) */
    double rate;                /* open loop: operations per second, all clients */
    sim_time think;             /* closed loop: pause between operations */
    int keys;
    enum workload_model model;
    double mix[6];              /* weight per enum sim_op_f */
    sim_time timeout;           /* per attempt */
    int attempts;               /* 1 = no retry */
    sim_time retry_backoff;
    sim_time redirect_backoff;  /* wait before retrying after "I don't know the leader" */
    sim_time start, stop;       /* operations are invoked in [start, stop) */
    int connect;                /* CONNECT_STICKY, CONNECT_RANDOM, or a node id */
};

/* ---- expectations ------------------------------------------------------------ */

enum expect_violations { EXPECT_UNSET, EXPECT_NONE, EXPECT_SOME, EXPECT_LIST };

struct metric_expect {
    char name[32];
    bool has_min, has_max;
    int64_t min, max;
};

/* What "leader_within" counts from. The plain string form is LEADER_FROM_ANY:
 * the last fault event, applied or healed, where a leader that held its
 * role at that moment counts as at once. The object form names one:
 * {"after": "fault"} counts from the last fault applied to the first node
 * that took a leader role after it (a new leader: failover);
 * {"after": "heal"} counts from the last heal (a fault's revert, a
 * recovery, "heal") to the first moment a node held a leader role. */
enum leader_from { LEADER_FROM_ANY = 0, LEADER_FROM_FAULT, LEADER_FROM_HEAL };

/* Each field is unset (-1, or the UNSET enum) unless the scenario gave it. */
struct expect_cfg {
    enum expect_violations violations;
    char **violation_names;
    int violation_count;
    int linearizable;              /* -1 unset, 0 false, 1 true */
    int64_t ok_ops_at_least;       /* -1 unset */
    double availability_at_least;  /* < 0 unset */
    int64_t lost_writes;           /* -1 unset, -2 "some", else exact */
    int64_t stale_reads;           /* -1 unset, -2 "some", else exact */
    int64_t blocked_at_end;        /* -1 unset, -2 "some", else exact */
    sim_time leader_within;        /* -1 unset */
    enum leader_from leader_from;  /* what leader_within counts from */
    int max_leaders;               /* -1 unset */
    struct metric_expect *metrics;
    int metric_count;
};

struct caption {
    sim_time at;             /* with a trigger: not before this time */
    char *text;              /* "$node" stands for the event's node when triggered */
    struct trigger on;       /* TRIG_NONE: shown at `at` */
};

/* ---- the scenario ------------------------------------------------------------ */

struct scenario {
    char *file;              /* path it was loaded from (for messages) */
    char *name, *title, *lesson;
    char *protocol;
    struct cJSON *params;    /* owned; NULL when absent */
    int nodes;
    uint64_t seed;
    sim_time duration;
    bool lose_unsynced;      /* "storage": every crash loses unsynced writes */
    struct network_cfg network;
    struct workload_cfg workload;
    struct fault *faults;    /* sorted by time, stable */
    int fault_count;
    struct nemesis_cfg nemesis;
    struct caption *captions;
    int caption_count;
    struct expect_cfg expect;
    int version;             /* the file's "version" (1 when absent; 2 needed for "on") */
};

/* Loads and validates a scenario file. Returns 0 and a new scenario in *out
 * (free with scenario_free), SIM_EIO when the file cannot be read, or
 * SIM_EINVAL for bad content; on error `err` holds "file: path: what was
 * expected" (or "file:line:col: ..." for malformed JSON). */
int scenario_load(const char *path, struct scenario **out, char *err, size_t errcap);
/* Same, from text in memory; `name` stands for the file in messages. */
int scenario_parse(const char *text, size_t len, const char *name, struct scenario **out,
                   char *err, size_t errcap);
/* Frees a scenario and everything it owns; NULL is allowed. */
void scenario_free(struct scenario *sc);

/* Parses "10ms", "1.5s", "250us", "0" (and "-200ms" when allow_negative).
 * Returns 0, or SIM_EINVAL when malformed or out of range. */
int scenario_parse_duration(const char *s, bool allow_negative, sim_time *out);
/* Formats a duration compactly in one unit ("2.41s", "175.3ms", "12us"; never
 * "175300us") into buf. */
void scenario_format_duration(sim_time t, char *buf, size_t cap);
/* Formats a time as seconds with millisecond precision ("2.412s"). */
void scenario_format_time(sim_time t, char *buf, size_t cap);
/* Plain words for a fault, shared by the run's timeline (sim/fault.c) and
 * the viewer (viz/frame.c) so that one fault is called one thing in both.
 * Each writes into buf, truncated at cap. A clock: its rate (ppm fast), the
 * jump made now and its offset from true time ("clock of n2 runs 0.50% fast,
 * jumps back 1s"; "clock of n2 restored" when both are 0 again). */
void scenario_describe_clock(const char *node, int64_t drift_ppm, sim_time jump, sim_time offset,
                             char *buf, size_t cap);
/* "n2 turns slow: 50ms per event", or for 0 "n2 runs at normal speed again". */
void scenario_describe_slow(const char *node, sim_time delay, char *buf, size_t cap);
/* "network loses 20% of messages" (duplicates), or for 0 "network loss ends". */
void scenario_describe_rate(bool loss, double probability, char *buf, size_t cap);
/* Node id for "n<k>" within 1..nodes, or -1. */
int scenario_node_id(const char *name, int nodes);
/* The fault kind's name as scenario files spell it ("crash", "partition"). */
const char *scenario_fault_name(enum fault_kind kind);
/* The fault kind for a name as scenario files spell it, or -1. */
int scenario_fault_kind(const char *name);
/* The trigger kind's key in an "on" object ("role", "send", "deliver"...). */
const char *scenario_trigger_name(enum trigger_kind kind);
/* True when the trigger's event names a node that "$node" can stand for:
 * every kind but a fault of a network-wide kind (partition, heal...). */
bool scenario_trigger_has_node(const struct trigger *t, const struct scenario *sc);
/* The nemesis kind's name ("crash", "oneway"...). */
const char *scenario_nemesis_name(enum nemesis_kind kind);

#endif
