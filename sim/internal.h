/* internal.h - the engine's own view of one simulation (struct sim) and the
 * functions its modules share: engine.c (loop, checks), node.c (services a
 * protocol calls), net.c (links, partitions), fault.c (schedule, nemesis),
 * workload.c (clients, history), trace.c (trace lines), trigger.c (faults and
 * captions set off by events). Not for protocols
 * (they see sim.h) nor for the CLI (it sees engine.h). */
#ifndef FAULTLINE_SIM_INTERNAL_H
#define FAULTLINE_SIM_INTERNAL_H

#include <stdio.h>

#include "sim/engine.h"
#include "sim/jbuf.h"
#include "sim/queue.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/storage.h"

/* ---- events ------------------------------------------------------------------ */

enum ev_kind {
    EV_DELIVER = 1,      /* arg: message slot; node: destination          */
    EV_TIMER,            /* arg: timer slot | stamp << 32; node            */
    EV_CLIENT_REQUEST,   /* arg: message slot carrying a struct sim_op     */
    EV_CLIENT_REPLY,     /* arg: message slot carrying a struct reply      */
    EV_CLIENT_INVOKE,    /* node: client index                             */
    EV_CLIENT_TIMEOUT,   /* node: client index; arg: op id << 8 | attempt  */
    EV_CLIENT_RESEND,    /* node: client index; arg: op id << 8 | attempt  */
    EV_FAULT,            /* arg: index into scenario faults                */
    EV_FAULT_REVERT,     /* arg: index into sim->applied                   */
    EV_NEMESIS,          /* the nemesis picks and applies its next fault   */
    EV_FLAP,             /* arg: block id whose link toggles               */
    EV_CAPTION,          /* arg: caption index                             */
    EV_INJECT,           /* arg: index into sim->recorded (interactive)    */
    EV_BOOT,             /* node: boots for the first time                 */
    EV_END,              /* the run's duration is over                     */
    EV_TRIGGER,          /* arg: index into sim->firings (sim/trigger.c)    */
};
/* Set on node events that already waited for a slow node's handler. */
#define EV_ADMITTED 0x100u
#define EV_KIND_MASK 0xffu

/* ---- messages in flight ------------------------------------------------------ */

enum msg_kind { MSG_PROTOCOL, MSG_CLIENT_REQUEST, MSG_CLIENT_REPLY };

#define MSG_INLINE 48

struct msg {
    uint64_t id;
    sim_time sent, arrive;
    int32_t from, to;      /* node ids; client index for client traffic */
    int32_t type;
    uint32_t len;
    uint8_t kind;          /* enum msg_kind */
    uint8_t lost;          /* 1: lost on the way (decided at send); 2: dropped by hand */
    uint8_t dup;           /* a duplicate copy */
    uint8_t live;          /* in flight (slot in use) */
    int32_t next_free;
    unsigned char *heap;   /* body when len > MSG_INLINE */
    unsigned char inl[MSG_INLINE];
};

static inline unsigned char *msg_body(struct msg *m)
{
    return m->len > MSG_INLINE ? m->heap : m->inl;
}

/* A client reply as it travels in a message body. */
struct reply {
    uint64_t op_id;
    int32_t outcome;       /* enum sim_outcome */
    int32_t redirect;      /* 1: not an outcome, go to `leader` */
    int32_t leader;
    int32_t has_value;
    int32_t refused;       /* sim_result.refused */
    int32_t reserved;      /* zero: no uninitialised padding in messages */
    int64_t value;
    uint64_t list_len;
    /* followed by list_len int64 tokens */
};

/* ---- nodes ------------------------------------------------------------------------ */

struct timer_slot {
    uint32_t gen;          /* bumped when the slot is freed: stale handles no-op */
    uint8_t live;
    int32_t kind;
    uint64_t arg;
    sim_time local_due;    /* on the node's clock */
    uint32_t stamp;        /* bumped at each (re)schedule; the event carries it */
    int32_t next_free;
};

struct clock {
    sim_time base_real, base_local;
    int64_t ppm;           /* drift: local runs (1e6 + ppm) / 1e6 as fast */
};

struct node {
    void *state;
    bool up;
    struct rng rng;
    struct clock clock;
    sim_time slow_delay, busy_until;
    struct timer_slot *timers;
    int32_t ntimers, captimers, free_timer;
    int32_t live_timers;
    struct store *store;   /* created at first write */
    const char *role;      /* last role seen (static string), NULL when down */
    sim_time role_since;   /* when it took that role */
    bool leader;           /* role counts as a leader */
    char *desc;            /* last describe text emitted (tracing only) */
};

/* ---- network ------------------------------------------------------------------------ */

enum block_kind { BLOCK_GROUPS, BLOCK_CUT };

/* An active partition or cut. */
struct block {
    int id;
    enum block_kind kind;
    bool active;           /* a flapping block toggles this */
    bool flapping;
    sim_time period;
    int *group;            /* BLOCK_GROUPS: group per node; -1 bridges to all */
    uint8_t *from, *to;    /* BLOCK_CUT: membership per node */
    bool both;
};

struct fifo_entry {
    uint64_t key;          /* from << 32 | to, + 1 (0 = empty) */
    sim_time last;
};

struct net {
    struct block *blocks;
    int nblocks, capblocks;
    int next_block_id;
    double drop_override;      /* < 0: none (fault "drop") */
    double duplicate_override; /* < 0: none */
    struct fifo_entry *fifo;
    size_t fifo_cap, fifo_used;
};

/* ---- faults applied (for revert and the record) ------------------------------------ */

struct applied {
    enum fault_kind kind;
    int node;              /* resolved target, or -1 */
    int block_id;          /* partition / cut / isolate / flap */
    int64_t ppm;           /* clock: the rate it set */
    sim_time skew;         /* clock: the jump it made (undone at revert) */
    sim_time delay;        /* slow: the delay it set */
    double probability;    /* drop, duplicate: the rate it set */
    char what[112];        /* a network fault in words, for its heal ("link n1 -> n2") */
    bool from_nemesis;
    bool reverted;
};

/* ---- clients -------------------------------------------------------------------------- */

struct client {
    int process;           /* history process id; += clients after an info */
    int32_t seq;           /* operations invoked so far */
    bool busy;
    struct sim_op op;
    int attempt;
    int target;            /* node the client talks to */
    int redirects;
    sim_time invoked_at;
    sim_time next_arrival; /* open loop */
    int64_t *last_seen;    /* per key: last value read or written (cas) */
    bool *seen;
};

struct workload {
    struct client *clients;
    int nclients;
    uint64_t next_op_id;
    int64_t next_value;
    struct jbuf history;
    uint64_t history_index;
    struct jbuf line;
};

/* ---- violations, timeline, metrics ------------------------------------------------ */

struct vrec {
    struct sim_violation_info info;
    char last_text[200];
};

/* ---- the simulation ------------------------------------------------------------------ */

struct sim {
    const struct scenario *sc;
    const struct sim_protocol *proto;
    void *config;
    void *ghost;
    uint64_t seed;
    sim_time now, end;
    bool finished;
    int error;             /* first fatal error (SIM_ENOMEM), sticky */

    struct node *nodes;
    char (*names)[12];     /* "n1".."nN" */
    int n;
    struct queue q;
    struct rng rng_net, rng_faults, rng_workload, rng_nemesis;

    struct msg *msgs;
    int32_t nmsgs, capmsgs, free_msg;
    uint64_t next_msg_id;

    struct net net;
    struct workload wl;

    struct applied *applied;
    int napplied, capapplied;
    int nemesis_down;      /* nodes the nemesis holds down */
    int nemesis_block;     /* block id the nemesis holds, or -1 */

    /* tracing: trace_on when a file, a hash or a sink wants lines */
    bool trace_on;
    int story;  /* sim_options.story: what the timeline keeps */
    FILE *trace_fp;
    struct jbuf tline;
    uint64_t trace_hash;
    uint64_t trace_bytes;
    void (*trace_sink)(void *ctx, const char *line, size_t len);
    void *sink_ctx;

    int current_node;      /* node whose hook is running, or -1 */
    int last_node;         /* node that handled the last event */

    struct sim_stats stats;
    int leaders;           /* nodes whose role counts as leader now */
    struct vrec *violations;
    int nviolations, capviolations;
    struct sim_timeline_entry *timeline;
    int ntimeline, captimeline;
    struct sim_metric *metrics;
    int nmetrics, capmetrics;
    struct fault *recorded;   /* faults injected interactively (sim_inject) */
    int nrecorded, caprecorded;
    struct fault *nemesis_log; /* faults the nemesis applied, in order (sim_nemesis_get) */
    int nnemesis_log, capnemesis_log;

    /* event triggers (sim/trigger.c); all empty for a version-1 scenario */
    struct trig *trigs;        /* every fault and caption with "on" */
    int ntrigs;
    struct firing *firings;    /* matches waiting in the queue (EV_TRIGGER) */
    int nfirings, capfirings;
    bool trig_want[TRIG_KIND_COUNT]; /* some trigger waits for events of this kind */
    int fault_source;          /* file index of the scenario fault firing now, or -1 */
    char cause[128];           /* what set off the fault or caption firing now: the */
    char tl_cause[128];        /* next trace line and timeline entry say so ("on") */
};

/* The handle a protocol hook receives. */
struct sim_node {
    struct sim *sim;
    int id;
};

struct sim_cluster {
    struct sim *sim;
};

struct sim_describe {
    struct jbuf text;
    bool has_term;
    int64_t term;
    bool has_log;
    int64_t log_len, commit;
    int64_t tail[16];
    int tail_n;
};

/* engine.c */
void sim_fatal(struct sim *s, int err);
/* Re-reads a node's role after it handled something; updates leader counts. */
void sim_update_role(struct sim *s, int node);
void sim_timeline_add(struct sim *s, enum sim_timeline_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Runs the protocol hooks that start, recover or crash node `id`. */
void sim_node_boot(struct sim *s, int id, bool recovering);
void sim_node_halt(struct sim *s, int id, bool lose_unsynced);
/* Role update, node check and state trace after node `id` handled something. */
void sim_after_node_event(struct sim *s, int id);

/* node.c */
sim_time node_local_time(const struct node *nd, sim_time real);
/* Real time at which the node's clock shows `local` (on the current rate). */
sim_time node_real_time(const struct node *nd, sim_time real_now, sim_time local);
void node_set_clock(struct sim *s, int id, int64_t ppm, sim_time skew);
void node_cancel_all_timers(struct sim *s, int id);
/* Fires the timer an EV_TIMER event names (arg: slot | stamp << 32).
 * Returns 0 when it fired, -1 when it was stale (cancelled, rescheduled). */
int node_fire_timer(struct sim *s, int id, uint64_t arg);
int32_t msg_alloc(struct sim *s);
void msg_free(struct sim *s, int32_t slot);
/* Sends a message (protocol or client traffic) through the network. */
int net_send(struct sim *s, enum msg_kind kind, int from, int to, int type, const void *body,
             size_t len);

/* net.c */
int net_init(struct sim *s);
void net_free(struct sim *s);
bool net_blocked(const struct sim *s, int from, int to);
sim_time net_latency(struct sim *s, int from, int to, bool client, double *drop, double *dup);
sim_time net_fifo_arrival(struct sim *s, int from, int to, sim_time arrive);
int net_add_groups(struct sim *s, int *group, bool flapping, sim_time period);
int net_add_cut(struct sim *s, uint8_t *from, uint8_t *to, bool both, bool flapping,
                sim_time period);
/* Removes one block (id) or all (id < 0). */
void net_remove(struct sim *s, int id);
struct block *net_find(struct sim *s, int id);

/* fault.c */
int fault_schedule(struct sim *s);
void fault_fire(struct sim *s, const struct fault *f, bool from_nemesis);
void fault_revert(struct sim *s, int applied_index);
void fault_nemesis(struct sim *s);
void fault_flap(struct sim *s, int block_id);
/* Frees what a deep copy of a fault (nemesis_log) owns, not the struct. */
void fault_copy_free(struct fault *f);

/* workload.c */
int workload_init(struct sim *s);
void workload_free(struct sim *s);
void workload_invoke(struct sim *s, int client);
void workload_request_arrived(struct sim *s, struct msg *m);
void workload_reply_arrived(struct sim *s, struct msg *m);
void workload_timeout(struct sim *s, int client, uint64_t token);
void workload_resend(struct sim *s, int client, uint64_t token);
void workload_finish(struct sim *s);

/* engine.c: shows a caption now (timeline and trace). */
void sim_caption(struct sim *s, const char *text);

/* fault.c: a fault that cannot apply now, with the reason (trace and timeline). */
void fault_skip(struct sim *s, const struct fault *f, const char *why);

/* trigger.c: see sim/trigger.h */

/* trace.c */
/* Begins a trace line {"t":now,"ev":ev ...; returns the line buffer, or NULL
 * when tracing is off (then write nothing). End it with trace_commit. */
struct jbuf *trace_begin(struct sim *s, const char *ev);
void trace_commit(struct sim *s);
void trace_header(struct sim *s);
/* Emits a "state" line when the node's description changed. */
void trace_node_state(struct sim *s, int node);

#endif
