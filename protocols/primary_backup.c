/* primary_backup.c - primary-backup replication (the canon's 主从/primary-
 * secondary, Alsberg & Day 1976): the protocol's hooks, roles, client
 * service and invariants. The redo log and its shipping are in
 * primary_backup_log.c, the monitor (views, failover, leases) in
 * primary_backup_monitor.c; docs/protocols/primary-backup.md tells it all.
 *
 * The primary orders client writes in a log and ships every entry to the
 * backups on its list. An entry commits - is applied and acknowledged - by
 * the replication mode: "sync" when every listed backup has it, "semi-sync"
 * when `acks` of them do (K of N, MySQL's semi-synchronous replication),
 * "async" at once, the backups following a heartbeat later. Reads are
 * served by the primary from its committed state.
 *
 * Failover is the monitor's: "heartbeat" promotes a backup when the
 * primary's heartbeats stop (and so can make two primaries), "lease" lets a
 * primary serve only while it holds a lease and promotes only after it ran
 * out (never two primaries while clocks drift less than the margin allows).
 *
 * Parameters: replication ("sync"), acks (1), failover ("heartbeat"),
 * heartbeat (100ms), suspect_after (300ms), lease (1s), lease_margin
 * (100ms), replica_timeout (200ms), monitor (the last node), batch (64). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/primary_backup.h"

int pb_popcount(pb_mask m)
{
    int k = 0;
    for (; m; m &= m - 1)
        k++;
    return k;
}

static pb_mask bit(int node)
{
    return (pb_mask)1 << node;
}

/* ---- configuration ------------------------------------------------------------------------ */

static int pb_configure(struct sim_params *p, void *config)
{
    static const char *const replication[] = {"sync", "async", "semi-sync", NULL};
    static const char *const failover[] = {"heartbeat", "lease", NULL};
    struct pb_config *c = config;
    int nodes = sim_params_node_count(p);
    int rc = 0;
    if (nodes > PB_MAX_NODES)
        return sim_param_error(p, "monitor", "primary-backup runs on at most %d nodes, not %d",
                               PB_MAX_NODES, nodes);
    rc = rc ? rc : sim_param_enum(p, "replication", replication, PB_SYNC, &c->replication);
    rc = rc ? rc : sim_param_int(p, "acks", 1, 1, nodes > 1 ? nodes - 1 : 1, &c->acks);
    rc = rc ? rc : sim_param_enum(p, "failover", failover, PB_HEARTBEAT, &c->failover);
    rc = rc ? rc : sim_param_duration(p, "heartbeat", 100 * SIM_MS, &c->heartbeat);
    rc = rc ? rc : sim_param_duration(p, "suspect_after", 300 * SIM_MS, &c->suspect_after);
    rc = rc ? rc : sim_param_duration(p, "lease", 1 * SIM_S, &c->lease);
    rc = rc ? rc : sim_param_duration(p, "lease_margin", 100 * SIM_MS, &c->lease_margin);
    rc = rc ? rc : sim_param_duration(p, "replica_timeout", 200 * SIM_MS, &c->replica_timeout);
    rc = rc ? rc : sim_param_node(p, "monitor", nodes - 1, &c->monitor);
    rc = rc ? rc : sim_param_int(p, "batch", 64, 1, 100000, &c->batch);
    if (!rc && c->heartbeat <= 0)
        rc = sim_param_error(p, "heartbeat", "must be above 0");
    if (!rc && c->suspect_after <= c->heartbeat)
        rc = sim_param_error(p, "suspect_after", "must be longer than the heartbeat period");
    if (!rc && c->replica_timeout < c->heartbeat)
        rc = sim_param_error(p, "replica_timeout", "must be at least the heartbeat period");
    if (!rc && c->lease <= 2 * c->heartbeat)
        rc = sim_param_error(p, "lease", "must be longer than two heartbeat periods (renewals)");
    if (!rc && c->lease_margin >= c->lease - c->heartbeat)
        rc = sim_param_error(p, "lease_margin",
                             "must leave more than one heartbeat of the lease to use");
    return rc;
}

/* ---- roles ---------------------------------------------------------------------------------- */

bool pb_serving(const struct pb_state *st)
{
    return st->acting && (st->cfg->failover == PB_HEARTBEAT || st->lease_valid);
}

bool pb_serving_at(const struct pb_state *st, sim_time now)
{
    return pb_serving(st) && (st->cfg->failover == PB_HEARTBEAT ||
                              (now < st->lease_expiry && now >= st->clock_seen));
}

/* Called first at every event. A lease's end is reckoned on this node's
 * clock from the moment it asked; if the clock has stepped back since (a
 * skew undone, an NTP step), that end lies further away than it should, and
 * on a paused node the timer, immune to the step, fires late too. So a step
 * back gives up the lease and every grant still to come for a request sent
 * before it. */
static void watch_clock(struct sim_node *n, struct pb_state *st)
{
    sim_time now = sim_now(n);
    if (now < st->clock_seen && st->cfg->failover == PB_LEASE) {
        if (st->acting && st->lease_valid) {
            sim_note(n, "its clock stepped back %lldms: gives up its lease",
                     (long long)((st->clock_seen - now) / SIM_MS));
            sim_metric_add(n, "leases_given_up", 1);
        }
        st->lease_valid = false;
        if (st->lease_ended < st->lease_req)
            st->lease_ended = st->lease_req;
    }
    st->clock_seen = now;
}

static void drop_waiting_reads(struct pb_state *st)
{
    free(st->reads);
    st->reads = NULL;
    st->nreads = st->capreads = 0;
}

static void step_down(struct sim_node *n, struct pb_state *st)
{
    sim_note(n, "stepping down: view %lld has primary %s", (long long)st->view,
             st->primary >= 0 ? sim_node_name(n, st->primary) : "(being chosen)");
    st->acting = false;
    st->ready = false;
    st->lease_valid = false;
    /* Clients waiting here will never hear: they time out (outcome unknown). */
    if (st->len)
        memset(st->mine, 0, (size_t)st->len);
    drop_waiting_reads(st);
}

static void become_primary(struct sim_node *n, struct pb_state *st)
{
    st->acting = true;
    st->ready = false;
    st->start_view = st->view;
    st->want = st->members;
    st->lease_valid = false;
    st->lease_granted = st->lease_ended = st->lease_req;
    for (int b = 0; b < st->nodes; b++) {
        st->match[b] = 0;
        st->next[b] = st->len + 1;
        st->behind_since[b] = 0;
    }
    /* Open the view with a no-op of its own: entries of earlier views commit
     * with it (Raft §5.4.2, §8). */
    struct pb_entry noop = {{.f = PB_NOOP}, st->view};
    st->noop_index = pb_log_append(n, st, &noop, false);
    sim_note(n, "%s becomes primary of view %lld (log %lld)", sim_node_name(n, st->self),
             (long long)st->view, (long long)st->len);
    for (int b = 0; b < st->nodes; b++)
        if (b != st->self)
            pb_send_replicate(n, st, b);
    pb_request_lease(n, st);
    pb_try_commit(n, st);
}

void pb_adopt_view(struct sim_node *n, struct pb_state *st, int64_t view, int primary,
                   pb_mask members)
{
    bool was_acting = st->acting;
    bool same_primary = st->primary == primary;
    st->view = view;
    st->primary = primary;
    st->members = members;
    pb_persist_view(n, st);
    if (st->is_monitor)
        st->silent_ticks = st->unleased_ticks = 0;
    if (was_acting && primary != st->self)
        step_down(n, st);
    else if (!was_acting && primary == st->self)
        become_primary(n, st);
    else if (was_acting && same_primary)
        pb_try_commit(n, st); /* a new backup list may let entries commit */
}

/* ---- leases (the primary's side) --------------------------------------------------------------- */

void pb_lease_granted(struct sim_node *n, struct pb_state *st, int64_t req, int64_t view,
                      pb_mask members)
{
    if (!st->acting || view < st->view)
        return;
    if (view > st->view)
        pb_adopt_view(n, st, view, st->self, members);
    else if (members != st->members) {
        st->members = members;
        pb_try_commit(n, st);
    }
    if (!st->acting || req <= st->lease_ended || req <= st->lease_granted)
        return; /* too late: that lease already ran out here */
    int slot = (int)(req % PB_LEASE_RING);
    if (st->sent_req[slot] != req)
        return;
    st->lease_expiry = st->sent_at[slot] + st->cfg->lease - st->cfg->lease_margin;
    if (!st->lease_valid)
        sim_note(n, "holds the lease (view %lld)", (long long)st->view);
    st->lease_granted = req;
    st->lease_valid = true;
    pb_serve_waiting_reads(n, st);
}

static void lease_end(struct sim_node *n, struct pb_state *st, int64_t req)
{
    if (req > st->lease_ended)
        st->lease_ended = req;
    if (!st->acting || req != st->lease_granted || !st->lease_valid)
        return;
    st->lease_valid = false;
    sim_note(n, "lease ran out unrenewed: stops serving");
    sim_metric_add(n, "leases_expired", 1);
}

/* ---- client service ---------------------------------------------------------------------------- */

static void serve_read(struct sim_node *n, struct pb_state *st, const struct sim_op *op)
{
    struct sim_result r;
    if (sim_sm_apply(st->sm, op, &r) != SIM_OK)
        r = (struct sim_result){.outcome = SIM_OUT_FAIL};
    sim_reply(n, op, &r);
}

void pb_serve_waiting_reads(struct sim_node *n, struct pb_state *st)
{
    if (!st->ready || !pb_serving_at(st, sim_now(n)))
        return;
    for (int i = 0; i < st->nreads; i++)
        serve_read(n, st, &st->reads[i]);
    st->nreads = 0;
}

static void wait_read(struct sim_node *n, struct pb_state *st, const struct sim_op *op)
{
    if (st->nreads == st->capreads) {
        int cap = st->capreads ? 2 * st->capreads : 16;
        struct sim_op *r = cap <= 4096 ? realloc(st->reads, (size_t)cap * sizeof *r) : NULL;
        if (!r) {
            sim_redirect(n, op, -1);
            return;
        }
        st->reads = r;
        st->capreads = cap;
    }
    st->reads[st->nreads++] = *op;
}

/* A retried write already in the log is not appended twice. */
static bool known_write(struct sim_node *n, struct pb_state *st, const struct sim_op *op)
{
    int64_t from = st->len > 256 ? st->len - 256 : 0;
    for (int64_t i = st->len - 1; i >= from; i--) {
        if (st->log[i].op.f == PB_NOOP || st->log[i].op.id != op->id)
            continue;
        if (i >= st->commit) {
            st->mine[i] = 1;
        } else {
            struct sim_result r = {.outcome = op->f == SIM_F_CAS ? SIM_OUT_INFO : SIM_OUT_OK};
            sim_reply(n, op, &r);
        }
        return true;
    }
    return false;
}

static void pb_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct pb_state *st = state;
    watch_clock(n, st);
    if (!st->acting) {
        sim_redirect(n, op, st->primary);
        return;
    }
    if (!pb_serving_at(st, sim_now(n))) { /* a primary without a lease serves nobody */
        sim_redirect(n, op, -1);
        return;
    }
    if (op->f == SIM_F_READ || op->f == SIM_F_GET) {
        if (st->ready)
            serve_read(n, st, op);
        else
            wait_read(n, st, op);
        return;
    }
    if (known_write(n, st, op))
        return;
    struct pb_entry e = {*op, st->view};
    if (!pb_log_append(n, st, &e, true))
        return;
    if (st->cfg->replication != PB_ASYNC) /* async ships on the next heartbeat */
        for (int b = 0; b < st->nodes; b++)
            if (b != st->self && st->next[b] == st->len)
                pb_send_replicate(n, st, b);
    pb_try_commit(n, st);
}

/* ---- the primary's heartbeat ---------------------------------------------------------------- */

static void primary_tick(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = st->cfg;
    st->ticks++;
    /* One change of the backup list at a time: until the monitor confirms
     * the list asked for, it may hold either, and commits must satisfy both
     * (asking for a third would leave one unguarded). */
    bool may_change = st->want == st->members;
    for (int b = 0; b < st->nodes; b++) {
        if (b == st->self)
            continue;
        if (!may_change) {
            if (st->match[b] < st->len && !st->behind_since[b])
                st->behind_since[b] = st->ticks;
        } else if (st->match[b] < st->len) {
            if (!st->behind_since[b])
                st->behind_since[b] = st->ticks;
            bool listed = (st->want & bit(b)) != 0;
            if (listed && (st->ticks - st->behind_since[b]) * c->heartbeat > c->replica_timeout) {
                sim_note(n, "%s has made no progress for %lldms: dropping it from the backup list%s",
                         sim_node_name(n, b),
                         (long long)((st->ticks - st->behind_since[b]) * c->heartbeat / SIM_MS),
                         c->failover == PB_LEASE ? " (asking the monitor)" : "");
                st->want &= ~bit(b);
                if (c->failover == PB_HEARTBEAT) {
                    st->members = st->want;
                    sim_metric_add(n, "backups_dropped", 1);
                }
            }
        } else if (!(st->want & bit(b)) && st->match[b] >= st->noop_index) {
            /* Off the list, it has replayed the primary's log up to the end
             * (the canon's 追齐 catch-up): back on the list. */
            sim_note(n, "%s has caught up (log %lld): adding it to the backup list%s",
                     sim_node_name(n, b), (long long)st->len,
                     c->failover == PB_LEASE ? " (asking the monitor)" : "");
            sim_metric_add(n, "catch_ups", 1);
            st->want |= bit(b);
            if (c->failover == PB_HEARTBEAT) {
                st->members = st->want;
                sim_metric_add(n, "backups_added", 1);
            }
        }
        pb_send_replicate(n, st, b); /* entries it lacks, or a bare heartbeat */
    }
    pb_request_lease(n, st);
    pb_try_commit(n, st);
}

/* ---- hooks ------------------------------------------------------------------------------------ */

static void pb_start(struct sim_node *n, void *state)
{
    struct pb_state *st = state;
    const struct pb_config *c = sim_config(n);
    st->cfg = c;
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->is_monitor = st->self == c->monitor;
    st->clock_seen = sim_now(n);
    st->sm = sim_sm_create();
    pb_log_load(n, st);
    if (st->is_monitor)
        pb_monitor_start(n, st);
    if (st->primary == st->self)
        become_primary(n, st);
    sim_set_timer(n, c->heartbeat, PB_TIMER_TICK, 0);
}

static void pb_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct pb_state *st = state;
    sim_sm_destroy(st->sm);
    free(st->log);
    free(st->mine);
    free(st->reads);
}

static void pb_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    struct pb_state *st = state;
    watch_clock(n, st);
    switch (kind) {
    case PB_TIMER_TICK:
        if (st->acting)
            primary_tick(n, st);
        if (st->is_monitor)
            pb_monitor_tick(n, st);
        sim_set_timer(n, st->cfg->heartbeat, PB_TIMER_TICK, 0);
        break;
    case PB_TIMER_LEASE_END:
        lease_end(n, st, (int64_t)arg);
        break;
    case PB_TIMER_MONITOR_LEASE:
        pb_monitor_lease_timer(n, st);
        break;
    case PB_TIMER_PROBE:
        pb_monitor_probe_timer(n, st);
        break;
    default:
        break;
    }
}

static void on_view(struct sim_node *n, struct pb_state *st, const void *body, size_t len)
{
    struct pb_view_msg v;
    if (len != sizeof v)
        return;
    memcpy(&v, body, sizeof v);
    if (v.primary < -1 || v.primary >= st->nodes)
        return;
    if (v.view > st->view || (v.view == st->view && st->primary < 0 && v.primary >= 0))
        pb_adopt_view(n, st, v.view, v.primary, v.members);
}

static void on_probe(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len)
{
    struct pb_probe_msg p;
    if (len != sizeof p)
        return;
    memcpy(&p, body, sizeof p);
    if (p.view < st->view)
        return;
    if (p.view > st->view) /* promise: nothing from an older view from now on */
        pb_adopt_view(n, st, p.view, -1, st->members);
    struct pb_probe_msg a = {st->view, pb_last_view(st), st->len};
    sim_send(n, from, PB_MSG_PROBE_ACK, &a, sizeof a);
}

static void on_lease_grant(struct sim_node *n, struct pb_state *st, const void *body, size_t len)
{
    struct pb_lease_msg g;
    if (len != sizeof g)
        return;
    memcpy(&g, body, sizeof g);
    pb_lease_granted(n, st, g.req, g.view, g.members);
}

static void pb_message(struct sim_node *n, void *state, int from, int type, const void *body,
                       size_t len)
{
    struct pb_state *st = state;
    if (from < 0 || from >= st->nodes)
        return;
    watch_clock(n, st);
    switch (type) {
    case PB_MSG_REPLICATE:
        pb_on_replicate(n, st, from, body, len);
        break;
    case PB_MSG_ACK:
    case PB_MSG_NACK:
        pb_on_ack(n, st, from, body, len, type == PB_MSG_NACK);
        break;
    case PB_MSG_VIEW:
        on_view(n, st, body, len);
        break;
    case PB_MSG_PROBE:
        on_probe(n, st, from, body, len);
        break;
    case PB_MSG_PROBE_ACK:
        pb_on_probe_ack(n, st, from, body, len);
        break;
    case PB_MSG_LEASE_REQ:
        pb_on_lease_req(n, st, from, body, len);
        break;
    case PB_MSG_LEASE_GRANT:
        on_lease_grant(n, st, body, len);
        break;
    default:
        break;
    }
}

/* ---- invariants --------------------------------------------------------------------------------- */

/* Checker memory: every entry ever committed by a primary, by index, so that
 * a later primary committing something else there is caught. */
struct pb_ghost {
    struct pb_entry *committed;
    int64_t len, cap;
    int64_t checked[PB_MAX_NODES];  /* per node: commit index already compared */
};

static void check_commits(struct sim_cluster *c, struct pb_ghost *g, int node,
                          const struct pb_state *st)
{
    if (st->commit < g->checked[node])
        g->checked[node] = st->commit; /* restarted or rolled back */
    /* Only a primary that serves speaks for the cluster; a restarted one
     * without a lease commits nothing a client sees. */
    if (!pb_serving(st))
        return;
    for (int64_t i = g->checked[node]; i < st->commit; i++) {
        const struct pb_entry *e = &st->log[i];
        if (i < g->len) {
            const struct pb_entry *was = &g->committed[i];
            if (was->view != e->view || was->op.id != e->op.id)
                sim_violation(c, "commit-lost", node,
                              "entry %lld was committed as op %llu (view %lld); %s now commits "
                              "%s (view %lld) in its place",
                              (long long)i + 1, (unsigned long long)was->op.id,
                              (long long)was->view, sim_cluster_node_name(c, node),
                              e->op.f == PB_NOOP ? "its view-opening no-op" : "another op",
                              (long long)e->view);
            continue;
        }
        if (g->len == g->cap) {
            int64_t cap = g->cap ? 2 * g->cap : 256;
            struct pb_entry *m = realloc(g->committed, (size_t)cap * sizeof *m);
            if (!m)
                return;
            g->committed = m;
            g->cap = cap;
        }
        g->committed[g->len++] = *e;
    }
    g->checked[node] = st->commit;
}

static void pb_check_cluster(struct sim_cluster *c, void *ghost)
{
    struct pb_ghost *g = ghost;
    int first = -1, size = sim_cluster_size(c);
    for (int i = 0; i < size; i++) {
        const struct pb_state *st = sim_cluster_state(c, i);
        if (!st)
            continue;
        if (i == sim_cluster_last_node(c))
            check_commits(c, g, i, st);
        if (!pb_serving_at(st, sim_cluster_now(c, i)))
            continue;
        if (first < 0) {
            first = i;
            continue;
        }
        const struct pb_state *f = sim_cluster_state(c, first);
        sim_violation(c, "split-brain", i,
                      "more than one primary serves: %s (view %lld) and %s (view %lld)%s",
                      sim_cluster_node_name(c, first), (long long)f->view,
                      sim_cluster_node_name(c, i), (long long)st->view,
                      st->cfg->failover == PB_LEASE ? ", each holding a lease by its own clock"
                                                    : "");
    }
}

static void pb_ghost_free(void *ghost)
{
    struct pb_ghost *g = ghost;
    free(g->committed);
}

/* ---- description ----------------------------------------------------------------------------- */

/* Every role pb_role returns (for scenario triggers). */
static const char *const pb_roles[] = {"primary", "waiting", "monitor", "backup", NULL};

static const char *pb_role(const void *state)
{
    const struct pb_state *st = state;
    if (st->acting)
        return pb_serving(st) ? "primary" : "waiting";
    return st->is_monitor ? "monitor" : "backup";
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
            if (st->members & bit(b)) {
                sim_describe_text(d, " n%d", b + 1);
                listed++;
            }
        if (!listed)
            sim_describe_text(d, " none");
        if (st->want != st->members)
            sim_describe_text(d, " (change asked)");
        if (st->cfg->failover == PB_LEASE)
            sim_describe_text(d, st->lease_valid ? " · lease held" : " · no lease");
    } else if (st->primary < 0) {
        sim_describe_text(d, " · primary being chosen");
    }
    if (st->is_monitor && st->probing)
        sim_describe_text(d, " · probing");
    int64_t tail[16];
    int tn = 0;
    for (int64_t i = st->len > 16 ? st->len - 16 : 0; i < st->len; i++)
        tail[tn++] = st->log[i].view;
    sim_describe_log(d, st->len, st->commit, tail, tn);
}

static const char *pb_message_name(int type)
{
    static const char *const names[PB_MSG_COUNT] = {
        "Replicate", "Ack", "Nack", "View", "Probe", "ProbeAck", "LeaseReq", "LeaseGrant"};
    return type >= 0 && type < PB_MSG_COUNT ? names[type] : "?";
}

static const char *pb_timer_name(int kind)
{
    static const char *const names[PB_TIMER_COUNT] = {"tick", "lease-end", "monitor-lease",
                                                      "probe"};
    return kind >= 0 && kind < PB_TIMER_COUNT ? names[kind] : "?";
}

static void pb_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    if (type == PB_MSG_REPLICATE && len >= sizeof(struct pb_replicate_hdr)) {
        struct pb_replicate_hdr h;
        memcpy(&h, body, sizeof h);
        if (h.count)
            sim_describe_text(d, "view %lld, entries %lld..%lld, commit %lld", (long long)h.view,
                              (long long)h.prev_index + 1, (long long)(h.prev_index + h.count),
                              (long long)h.commit);
        else
            sim_describe_text(d, "view %lld, heartbeat, commit %lld", (long long)h.view,
                              (long long)h.commit);
    } else if ((type == PB_MSG_ACK || type == PB_MSG_NACK) && len == sizeof(struct pb_index_msg)) {
        struct pb_index_msg a;
        memcpy(&a, body, sizeof a);
        sim_describe_text(d, "view %lld, %s %lld", (long long)a.view,
                          type == PB_MSG_ACK ? "matches up to" : "has", (long long)a.index);
    } else if (type == PB_MSG_VIEW && len == sizeof(struct pb_view_msg)) {
        struct pb_view_msg v;
        memcpy(&v, body, sizeof v);
        sim_describe_text(d, "view %lld, primary n%d", (long long)v.view, v.primary + 1);
    } else if ((type == PB_MSG_PROBE || type == PB_MSG_PROBE_ACK) &&
               len == sizeof(struct pb_probe_msg)) {
        struct pb_probe_msg p;
        memcpy(&p, body, sizeof p);
        if (type == PB_MSG_PROBE)
            sim_describe_text(d, "view %lld coming", (long long)p.view);
        else
            sim_describe_text(d, "view %lld, log %lld (last view %lld)", (long long)p.view,
                              (long long)p.len, (long long)p.last_view);
    } else if ((type == PB_MSG_LEASE_REQ || type == PB_MSG_LEASE_GRANT) &&
               len == sizeof(struct pb_lease_msg)) {
        struct pb_lease_msg l;
        memcpy(&l, body, sizeof l);
        sim_describe_text(d, "view %lld, request %lld", (long long)l.view, (long long)l.req);
    }
}

const struct sim_protocol primary_backup_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "primary-backup",
    .summary = "primary-backup replication: sync, semi-sync or async; heartbeat or lease failover",
    .config_size = sizeof(struct pb_config),
    .state_size = sizeof(struct pb_state),
    .ghost_size = sizeof(struct pb_ghost),
    .configure = pb_configure,
    .start = pb_start,
    .crash = pb_crash,
    .message = pb_message,
    .timer = pb_timer,
    .client_request = pb_client_request,
    .check_cluster = pb_check_cluster,
    .ghost_free = pb_ghost_free,
    .describe = pb_describe,
    .role = pb_role,
    .roles = pb_roles,
    .message_name = pb_message_name,
    .timer_name = pb_timer_name,
    .message_describe = pb_message_describe,
    .epoch = "view",
};
