/* primary_backup.c - primary-backup replication with a heartbeat monitor.
 *
 * The primary orders client writes in a log and pushes each entry to every
 * backup in its list; an entry commits when every listed backup has it
 * (synchronous replication, Alsberg & Day 1976; the canon's 主从同步). A
 * backup that stops answering for replica_timeout is dropped from the list,
 * so writes stall, then go on without it. Reads are served by the primary
 * alone, from its committed state.
 *
 * Failover: one node is the monitor. The primary heartbeats to every node;
 * when the monitor hears nothing from the primary for suspect_after, it
 * starts a new view with another primary. The monitor cannot tell a dead
 * primary from a cut link: if the old primary is alive on the other side of
 * a partition it keeps serving, and there are two primaries (split brain,
 * 双主) until a message of the new view reaches it. Views number
 * configurations; a message from an older view is answered with the current
 * one, which is how a stale primary learns it was replaced and steps down.
 *
 * Recovery: the log is persisted (fsync before acknowledging), so a node
 * that restarts replays its own redo log; a backup that joins, or a primary
 * that stepped down, receives the whole log from the primary (state
 * transfer), which discards entries only it had (dirty data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

enum { MSG_HEARTBEAT, MSG_VIEW, MSG_REPLICATE, MSG_ACK, MSG_JOIN, MSG_STATE };
enum { TIMER_TICK };
enum { REPLICATION_SYNC };
enum { FAILOVER_HEARTBEAT };

struct pb_config {
    int replication;
    int failover;
    sim_time heartbeat;       /* primary heartbeat and retransmit period */
    sim_time suspect_after;   /* monitor: silence before failover */
    sim_time replica_timeout; /* primary: a backup this far behind is dropped */
    int monitor;
    int64_t batch;            /* entries per REPLICATE */
};

/* A log entry as stored and sent. */
struct pb_entry {
    struct sim_op op;
    int64_t view;             /* view in which the primary appended it */
};

struct pb_state {
    int nodes;                /* cluster size, for describe */
    int64_t view;
    int primary;              /* believed primary of `view`, -1 unknown */
    bool acting;              /* this node acts as primary */
    struct sim_sm *sm;
    struct pb_entry *log;
    uint8_t *mine;            /* per entry: appended here for a client waiting here */
    int64_t len, cap;
    int64_t commit;           /* entries known committed (applied) */
    /* primary only, one slot per node */
    uint8_t *member;
    int64_t *acked;           /* highest entry the backup has; -1 unknown */
    sim_time *behind_since;   /* local time it fell behind; 0 = caught up */
    /* monitor only */
    sim_time last_heartbeat;
};

struct hb_msg {
    int64_t view;
    int64_t len;
    int32_t member;           /* the receiver is in the primary's backup list */
};

struct view_msg {
    int64_t view;
    int32_t primary;
};

struct replicate_hdr {
    int64_t view;
    int64_t first;            /* index of the first entry carried (from 1) */
    int64_t count;
};

struct ack_msg {
    int64_t view;
    int64_t len;
};

/* ---- configuration --------------------------------------------------------------- */

static int pb_configure(struct sim_params *p, void *config)
{
    static const char *const replication[] = {"sync", NULL};
    static const char *const failover[] = {"heartbeat", NULL};
    struct pb_config *c = config;
    int rc = 0;
    rc = rc ? rc : sim_param_enum(p, "replication", replication, REPLICATION_SYNC, &c->replication);
    rc = rc ? rc : sim_param_enum(p, "failover", failover, FAILOVER_HEARTBEAT, &c->failover);
    rc = rc ? rc : sim_param_duration(p, "heartbeat", 100 * SIM_MS, &c->heartbeat);
    rc = rc ? rc : sim_param_duration(p, "suspect_after", 300 * SIM_MS, &c->suspect_after);
    rc = rc ? rc : sim_param_duration(p, "replica_timeout", 200 * SIM_MS, &c->replica_timeout);
    rc = rc ? rc : sim_param_node(p, "monitor", sim_params_node_count(p) - 1, &c->monitor);
    rc = rc ? rc : sim_param_int(p, "batch", 64, 1, 100000, &c->batch);
    if (!rc && c->heartbeat <= 0)
        rc = sim_param_error(p, "heartbeat", "must be above 0");
    if (!rc && c->suspect_after <= c->heartbeat)
        rc = sim_param_error(p, "suspect_after", "must be longer than the heartbeat period");
    return rc;
}

/* ---- log and persistence ----------------------------------------------------------- */

static int log_reserve(struct pb_state *st, int64_t n)
{
    if (n <= st->cap)
        return 0;
    int64_t cap = st->cap ? st->cap : 64;
    while (cap < n)
        cap *= 2;
    struct pb_entry *log = realloc(st->log, (size_t)cap * sizeof *log);
    if (!log)
        return -1;
    st->log = log;
    uint8_t *mine = realloc(st->mine, (size_t)cap);
    if (!mine)
        return -1;
    st->mine = mine;
    st->cap = cap;
    return 0;
}

static void persist_entry(struct sim_node *n, int64_t index, const struct pb_entry *e)
{
    char key[32];
    snprintf(key, sizeof key, "e%lld", (long long)index);
    sim_store_put(n, key, e, sizeof *e);
}

static void persist_len(struct sim_node *n, int64_t len)
{
    sim_store_put_i64(n, "len", len);
}

static void persist_view(struct sim_node *n, const struct pb_state *st)
{
    sim_store_put_i64(n, "view", st->view);
    sim_store_put_i64(n, "primary", st->primary);
}

static void apply_upto(struct sim_node *n, struct pb_state *st, int64_t upto, bool reply)
{
    while (st->commit < upto) {
        int64_t i = st->commit++;
        struct sim_result r;
        if (sim_sm_apply(st->sm, &st->log[i].op, &r) != SIM_OK)
            r = (struct sim_result){.outcome = SIM_OUT_FAIL};
        if (reply && st->mine[i])
            sim_reply(n, &st->log[i].op, &r);
        st->mine[i] = 0;
    }
}

/* Replaces the whole log (state transfer) and rebuilds the state machine. */
static void install_log(struct sim_node *n, struct pb_state *st, const struct pb_entry *entries,
                        int64_t count)
{
    if (log_reserve(st, count) < 0)
        return;
    if (count) {
        memcpy(st->log, entries, (size_t)count * sizeof *entries);
        memset(st->mine, 0, (size_t)count);
    }
    st->len = count;
    sim_sm_destroy(st->sm);
    st->sm = sim_sm_create();
    st->commit = 0;
    apply_upto(n, st, count, false);
    for (int64_t i = 0; i < count; i++)
        persist_entry(n, i + 1, &entries[i]);
    persist_len(n, count);
    sim_store_sync(n);
}

/* ---- primary ------------------------------------------------------------------------- */

static void free_primary(struct pb_state *st)
{
    free(st->member);
    free(st->acked);
    free(st->behind_since);
    st->member = NULL;
    st->acked = NULL;
    st->behind_since = NULL;
    st->acting = false;
}

static void send_state(struct sim_node *n, struct pb_state *st, int to)
{
    size_t len = sizeof(struct replicate_hdr) + (size_t)st->len * sizeof(struct pb_entry);
    unsigned char *buf = malloc(len);
    if (!buf)
        return;
    struct replicate_hdr h = {st->view, 1, st->len};
    memcpy(buf, &h, sizeof h);
    if (st->len)
        memcpy(buf + sizeof h, st->log, (size_t)st->len * sizeof(struct pb_entry));
    sim_send(n, to, MSG_STATE, buf, len);
    free(buf);
}

/* Sends backup `to` the entries after what it has, up to a batch. */
static void send_entries(struct sim_node *n, struct pb_state *st, int to)
{
    const struct pb_config *c = sim_config(n);
    int64_t first = st->acked[to] + 1;
    if (first > st->len)
        return;
    int64_t count = st->len - first + 1;
    if (count > c->batch)
        count = c->batch;
    size_t len = sizeof(struct replicate_hdr) + (size_t)count * sizeof(struct pb_entry);
    unsigned char *buf = malloc(len);
    if (!buf)
        return;
    struct replicate_hdr h = {st->view, first, count};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, &st->log[first - 1], (size_t)count * sizeof(struct pb_entry));
    sim_send(n, to, MSG_REPLICATE, buf, len);
    free(buf);
}

static void try_commit(struct sim_node *n, struct pb_state *st)
{
    int64_t upto = st->len;
    for (int b = 0; b < sim_node_count(n); b++)
        if (st->member[b] && st->acked[b] < upto)
            upto = st->acked[b] < 0 ? 0 : st->acked[b];
    if (upto > st->commit)
        apply_upto(n, st, upto, true);
}

static void become_primary(struct sim_node *n, struct pb_state *st, int old_primary)
{
    int count = sim_node_count(n), self = sim_self(n);
    st->member = calloc((size_t)count, 1);
    st->acked = calloc((size_t)count, sizeof *st->acked);
    st->behind_since = calloc((size_t)count, sizeof *st->behind_since);
    if (!st->member || !st->acked || !st->behind_since) {
        free_primary(st);
        return;
    }
    st->acting = true;
    /* Everything in our log is now committed in this view (Raft would call
     * this the new leader's log winning). */
    apply_upto(n, st, st->len, false);
    sim_note(n, "%s becomes primary of view %lld", sim_node_name(n, self), (long long)st->view);
    for (int b = 0; b < count; b++) {
        if (b == self || b == old_primary)
            continue;
        st->member[b] = 1;
        st->acked[b] = -1;
        st->behind_since[b] = sim_now(n);
        send_state(n, st, b);
    }
}

static void step_down(struct sim_node *n, struct pb_state *st)
{
    sim_note(n, "stepping down: view %lld has primary %s", (long long)st->view,
             st->primary >= 0 ? sim_node_name(n, st->primary) : "?");
    free_primary(st);
    /* Writes waiting here will never be answered: their clients time out. */
    if (st->len)
        memset(st->mine, 0, (size_t)st->len);
}

/* Moves to a newer view. */
static void adopt_view(struct sim_node *n, struct pb_state *st, int64_t view, int primary)
{
    int old = st->primary;
    bool was_acting = st->acting;
    st->view = view;
    st->primary = primary;
    persist_view(n, st);
    sim_store_sync(n);
    if (was_acting && primary != sim_self(n))
        step_down(n, st);
    if (!was_acting && primary == sim_self(n))
        become_primary(n, st, old);
    const struct pb_config *c = sim_config(n);
    if (sim_self(n) == c->monitor)
        st->last_heartbeat = sim_now(n);
}

static void drop_member(struct sim_node *n, struct pb_state *st, int b)
{
    st->member[b] = 0;
    sim_note(n, "dropping %s from the backup list: no answer for too long", sim_node_name(n, b));
    sim_metric_add(n, "backups_dropped", 1);
    try_commit(n, st);
}

static void primary_tick(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = sim_config(n);
    int count = sim_node_count(n), self = sim_self(n);
    sim_time now = sim_now(n);
    for (int b = 0; b < count; b++) {
        if (b == self)
            continue;
        struct hb_msg hb = {st->view, st->len, st->member[b]};
        sim_send(n, b, MSG_HEARTBEAT, &hb, sizeof hb);
        if (!st->member[b] || st->acked[b] >= st->len)
            continue;
        if (st->behind_since[b] && now - st->behind_since[b] > c->replica_timeout) {
            drop_member(n, st, b);
            continue;
        }
        if (!st->behind_since[b])
            st->behind_since[b] = now;
        if (st->acked[b] < 0)
            send_state(n, st, b);
        else
            send_entries(n, st, b);
    }
}

/* ---- monitor -------------------------------------------------------------------------- */

static void monitor_tick(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = sim_config(n);
    if (sim_now(n) - st->last_heartbeat <= c->suspect_after)
        return;
    /* Promote the lowest-numbered node that is neither the silent primary
     * nor (if possible) the monitor itself. */
    int count = sim_node_count(n), self = sim_self(n), pick = -1;
    for (int b = 0; b < count && pick < 0; b++)
        if (b != st->primary && b != self)
            pick = b;
    if (pick < 0)
        pick = self;
    sim_note(n, "no heartbeat from %s for %lldms: promoting %s (view %lld)",
             st->primary >= 0 ? sim_node_name(n, st->primary) : "?",
             (long long)((sim_now(n) - st->last_heartbeat) / SIM_MS), sim_node_name(n, pick),
             (long long)st->view + 1);
    sim_metric_add(n, "failovers", 1);
    struct view_msg v = {st->view + 1, pick};
    adopt_view(n, st, v.view, pick);
    sim_broadcast(n, MSG_VIEW, &v, sizeof v);
}

/* ---- hooks ----------------------------------------------------------------------------- */

static void pb_start(struct sim_node *n, void *state)
{
    struct pb_state *st = state;
    const struct pb_config *c = sim_config(n);
    st->nodes = sim_node_count(n);
    st->sm = sim_sm_create();
    /* Stable storage: the view and the redo log (empty at first boot). */
    st->view = sim_store_get_i64(n, "view", 1);
    st->primary = (int)sim_store_get_i64(n, "primary", 0);
    int64_t len = sim_store_get_i64(n, "len", 0);
    if (len > 0 && log_reserve(st, len) == 0) {
        for (int64_t i = 0; i < len; i++) {
            char key[32];
            size_t got = 0;
            snprintf(key, sizeof key, "e%lld", (long long)(i + 1));
            const void *e = sim_store_get(n, key, &got);
            if (!e || got != sizeof(struct pb_entry)) {
                len = i; /* the tail was never synced: replay what survived */
                break;
            }
            memcpy(&st->log[i], e, sizeof(struct pb_entry));
            st->mine[i] = 0;
        }
        st->len = len;
    }
    /* Replay the redo log into the state machine. */
    apply_upto(n, st, st->len, false);
    if (st->primary == sim_self(n))
        become_primary(n, st, -1);
    if (sim_self(n) == c->monitor)
        st->last_heartbeat = sim_now(n);
    sim_set_timer(n, c->heartbeat, TIMER_TICK, 0);
}

static void pb_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct pb_state *st = state;
    free_primary(st);
    sim_sm_destroy(st->sm);
    free(st->log);
    free(st->mine);
}

static void pb_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)kind;
    (void)arg;
    struct pb_state *st = state;
    const struct pb_config *c = sim_config(n);
    if (st->acting)
        primary_tick(n, st);
    if (sim_self(n) == c->monitor && !st->acting)
        monitor_tick(n, st);
    sim_set_timer(n, c->heartbeat, TIMER_TICK, 0);
}

static void on_replicate(struct sim_node *n, struct pb_state *st, int from, const void *body,
                         size_t len, bool full_state)
{
    struct replicate_hdr h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || len != sizeof h + (size_t)h.count * sizeof(struct pb_entry))
        return;
    if (h.view < st->view) { /* a stale primary: tell it the news */
        struct view_msg v = {st->view, st->primary};
        sim_send(n, from, MSG_VIEW, &v, sizeof v);
        return;
    }
    if (h.view > st->view || st->primary != from)
        adopt_view(n, st, h.view, from);
    const struct pb_entry *entries = (const struct pb_entry *)((const unsigned char *)body + sizeof h);
    struct pb_entry *copy = malloc((size_t)(h.count ? h.count : 1) * sizeof *copy);
    if (!copy)
        return;
    memcpy(copy, entries, (size_t)h.count * sizeof *copy);
    if (full_state) {
        install_log(n, st, copy, h.count);
    } else if (h.first <= st->len + 1) {
        int64_t end = h.first + h.count - 1;
        if (end > st->len && log_reserve(st, end) == 0) {
            for (int64_t i = st->len + 1; i <= end; i++) {
                st->log[i - 1] = copy[i - h.first];
                st->mine[i - 1] = 0;
                persist_entry(n, i, &st->log[i - 1]);
            }
            st->len = end;
            persist_len(n, end);
            sim_store_sync(n); /* durable before we acknowledge */
        }
    }
    free(copy);
    struct ack_msg a = {st->view, st->len};
    sim_send(n, from, MSG_ACK, &a, sizeof a);
}

static void pb_message(struct sim_node *n, void *state, int from, int type, const void *body,
                       size_t len)
{
    struct pb_state *st = state;
    const struct pb_config *c = sim_config(n);
    switch (type) {
    case MSG_HEARTBEAT: {
        struct hb_msg hb;
        if (len != sizeof hb)
            return;
        memcpy(&hb, body, sizeof hb);
        if (hb.view < st->view) {
            struct view_msg v = {st->view, st->primary};
            sim_send(n, from, MSG_VIEW, &v, sizeof v);
            return;
        }
        if (hb.view > st->view || st->primary != from)
            adopt_view(n, st, hb.view, from);
        if (sim_self(n) == c->monitor)
            st->last_heartbeat = sim_now(n);
        if (!hb.member && !st->acting) {
            struct ack_msg j = {st->view, st->len};
            sim_send(n, from, MSG_JOIN, &j, sizeof j);
        }
        return;
    }
    case MSG_VIEW: {
        struct view_msg v;
        if (len != sizeof v)
            return;
        memcpy(&v, body, sizeof v);
        if (v.view > st->view)
            adopt_view(n, st, v.view, v.primary);
        return;
    }
    case MSG_REPLICATE:
    case MSG_STATE:
        on_replicate(n, st, from, body, len, type == MSG_STATE);
        return;
    case MSG_ACK: {
        struct ack_msg a;
        if (len != sizeof a || !st->acting)
            return;
        memcpy(&a, body, sizeof a);
        if (a.view != st->view || !st->member[from])
            return;
        if (a.len > st->acked[from]) {
            st->acked[from] = a.len > st->len ? st->len : a.len;
            st->behind_since[from] = st->acked[from] >= st->len ? 0 : sim_now(n);
        }
        try_commit(n, st);
        if (st->acked[from] < st->len)
            send_entries(n, st, from);
        return;
    }
    case MSG_JOIN: {
        struct ack_msg j;
        if (len != sizeof j || !st->acting)
            return;
        memcpy(&j, body, sizeof j);
        if (j.view != st->view || st->member[from])
            return;
        st->member[from] = 1;
        st->acked[from] = -1;
        st->behind_since[from] = sim_now(n);
        sim_note(n, "%s joins the backup list", sim_node_name(n, from));
        send_state(n, st, from);
        return;
    }
    default:
        return;
    }
}

static void pb_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct pb_state *st = state;
    if (!st->acting) {
        sim_redirect(n, op, st->primary);
        return;
    }
    if (op->f == SIM_F_READ || op->f == SIM_F_GET) {
        struct sim_result r;
        if (sim_sm_apply(st->sm, op, &r) != SIM_OK)
            r = (struct sim_result){.outcome = SIM_OUT_FAIL};
        sim_reply(n, op, &r);
        return;
    }
    if (log_reserve(st, st->len + 1) < 0)
        return;
    struct pb_entry e = {*op, st->view};
    st->log[st->len] = e;
    st->mine[st->len] = 1;
    st->len++;
    persist_entry(n, st->len, &e);
    persist_len(n, st->len);
    sim_store_sync(n);
    sim_time now = sim_now(n);
    for (int b = 0; b < sim_node_count(n); b++) {
        if (!st->member[b])
            continue;
        if (!st->behind_since[b])
            st->behind_since[b] = now;
        if (st->acked[b] == st->len - 1)
            send_entries(n, st, b);
    }
    try_commit(n, st);
}

/* ---- checks and description ------------------------------------------------------------ */

static void pb_check_cluster(struct sim_cluster *c, void *ghost)
{
    (void)ghost;
    int first = -1;
    for (int i = 0; i < sim_cluster_size(c); i++) {
        const struct pb_state *st = sim_cluster_state(c, i);
        if (!st || !st->acting)
            continue;
        if (first < 0) {
            first = i;
            continue;
        }
        const struct pb_state *f = sim_cluster_state(c, first);
        sim_violation(c, "split-brain", i,
                      "more than one primary: %s (view %lld) and %s (view %lld) both accept writes",
                      sim_cluster_node_name(c, first), (long long)f->view,
                      sim_cluster_node_name(c, i), (long long)st->view);
        return;
    }
}

static const char *pb_role(const void *state)
{
    const struct pb_state *st = state;
    return st->acting ? "primary" : "backup";
}

static void pb_describe(const void *state, struct sim_describe *d)
{
    const struct pb_state *st = state;
    sim_describe_term(d, st->view);
    sim_describe_text(d, "view %lld · log %lld · commit %lld", (long long)st->view,
                      (long long)st->len, (long long)st->commit);
    if (st->acting) {
        sim_describe_text(d, " · backups");
        int listed = 0;
        for (int b = 0; b < st->nodes; b++)
            if (st->member[b]) {
                sim_describe_text(d, " n%d", b + 1);
                listed++;
            }
        if (!listed)
            sim_describe_text(d, " none");
    }
    int64_t tail[16];
    int tn = 0;
    for (int64_t i = st->len > 16 ? st->len - 16 : 0; i < st->len; i++)
        tail[tn++] = st->log[i].view;
    sim_describe_log(d, st->len, st->commit, tail, tn);
}

static const char *pb_message_name(int type)
{
    static const char *const names[] = {"Heartbeat", "View", "Replicate", "Ack", "Join", "State"};
    return type >= 0 && type < 6 ? names[type] : "?";
}

static const char *pb_timer_name(int kind)
{
    return kind == TIMER_TICK ? "tick" : "?";
}

static void pb_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    if ((type == MSG_REPLICATE || type == MSG_STATE) && len >= sizeof(struct replicate_hdr)) {
        struct replicate_hdr h;
        memcpy(&h, body, sizeof h);
        sim_describe_text(d, "view %lld, entries %lld..%lld", (long long)h.view,
                          (long long)h.first, (long long)(h.first + h.count - 1));
    } else if (type == MSG_HEARTBEAT && len == sizeof(struct hb_msg)) {
        struct hb_msg hb;
        memcpy(&hb, body, sizeof hb);
        sim_describe_text(d, "view %lld, log %lld", (long long)hb.view, (long long)hb.len);
    } else if (type == MSG_VIEW && len == sizeof(struct view_msg)) {
        struct view_msg v;
        memcpy(&v, body, sizeof v);
        sim_describe_text(d, "view %lld, primary n%d", (long long)v.view, v.primary + 1);
    } else if ((type == MSG_ACK || type == MSG_JOIN) && len == sizeof(struct ack_msg)) {
        struct ack_msg a;
        memcpy(&a, body, sizeof a);
        sim_describe_text(d, "view %lld, has %lld", (long long)a.view, (long long)a.len);
    }
}

const struct sim_protocol primary_backup_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "primary-backup",
    .summary = "primary-backup replication, synchronous, with heartbeat failover by a monitor",
    .config_size = sizeof(struct pb_config),
    .state_size = sizeof(struct pb_state),
    .configure = pb_configure,
    .start = pb_start,
    .crash = pb_crash,
    .message = pb_message,
    .timer = pb_timer,
    .client_request = pb_client_request,
    .check_cluster = pb_check_cluster,
    .describe = pb_describe,
    .role = pb_role,
    .message_name = pb_message_name,
    .timer_name = pb_timer_name,
    .message_describe = pb_message_describe,
};
