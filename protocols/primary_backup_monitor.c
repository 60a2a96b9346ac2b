/* primary_backup_monitor.c - primary-backup's monitor: the node that makes
 * views (who is primary, which backups must acknowledge), detects a failed
 * primary, picks the successor, and, in lease mode, grants leases.
 *
 * It plays the canon's central node (中心节点, 刘杰《分布式系统原理介绍》
 * §2.2-2.3) and PacificA's configuration manager (Lin et al. 2008, §3):
 *
 * - Failure detection. Heartbeat mode: the primary's REPLICATE messages are
 *   its heartbeat; silence for suspect_after starts a failover. The monitor
 *   cannot tell a dead primary from a cut link, so the old primary may go on
 *   serving: split brain. Lease mode (Gray & Cheriton 1989): the primary
 *   serves only while it holds a lease; the monitor counts `lease` from each
 *   grant and fails over only when that time has passed with no renewal.
 *   The primary counts lease - lease_margin from the moment it asked, on its
 *   own clock: the margin absorbs clock drift (Chubby, Burrows 2006, §2.8).
 *
 * - Choosing the successor: read the logs of the backups, take the most
 *   up to date (canon: "read R replicas, take the highest version"). The
 *   PROBE that asks also fences: a node that answered refuses the old view.
 *   In lease mode with sync or semi-sync replication the monitor waits until
 *   the answers cover every way the old view could have committed (all
 *   listed backups but need-1 of them), so the successor holds every
 *   acknowledged write; async promises nothing and loses them.
 *
 * - Backup list: in lease mode only the monitor changes it, on the
 *   primary's request (PacificA: reconfiguration goes through the
 *   configuration manager); in heartbeat mode the primary changes it alone. */
#include <stdio.h>
#include <string.h>

#include "protocols/primary_backup.h"

static pb_mask bit(int node)
{
    return (pb_mask)1 << node;
}

/* ---- leases ------------------------------------------------------------------------------ */

static void grant(struct sim_node *n, struct pb_state *st, int to, int64_t req)
{
    const struct pb_config *c = st->cfg;
    if (st->last_grant_to >= 0 && st->last_grant_to != to) {
        /* From the old primary's last grant to the new one's first: the
         * window in which nobody could be sure of being primary. */
        sim_time gap = sim_now(n) - st->last_grant_at;
        sim_note(n, "lease passes from %s to %s after %lldms", sim_node_name(n, st->last_grant_to),
                 sim_node_name(n, to), (long long)(gap / SIM_MS));
        sim_metric_add(n, "failover_gap_ms", gap / SIM_MS);
    }
    st->last_grant_to = to;
    st->last_grant_at = sim_now(n);
    st->lease_out = true;
    st->lease_holder = to;
    sim_cancel_timer(n, st->lease_timer);
    st->lease_timer = sim_set_timer(n, c->lease, PB_TIMER_MONITOR_LEASE, 0);
    if (to == st->self) {
        pb_lease_granted(n, st, req, st->view, st->members);
        return;
    }
    struct pb_lease_msg g = {st->view, req, st->members};
    sim_send(n, to, PB_MSG_LEASE_GRANT, &g, sizeof g);
}

/* A renewal from the primary (or from this node, when it is the primary).
 * The request carries the backup list the primary wants: a change makes a
 * new view with the same primary. */
static void lease_request(struct sim_node *n, struct pb_state *st, int from, int64_t view,
                          int64_t req, pb_mask want)
{
    if (st->probing || from != st->primary || view > st->view) {
        if (from != st->self) { /* not the primary of my view: tell it so */
            struct pb_view_msg v = {st->view, st->primary, 0, st->members};
            sim_send(n, from, PB_MSG_VIEW, &v, sizeof v);
        }
        return;
    }
    want &= ~bit(from);
    if (st->cfg->failover == PB_LEASE && want != st->members) {
        int added = pb_popcount(want & ~st->members), removed = pb_popcount(st->members & ~want);
        sim_note(n, "view %lld: backup list of %s changes (%d added, %d removed)",
                 (long long)st->view + 1, sim_node_name(n, from), added, removed);
        if (removed)
            sim_metric_add(n, "backups_dropped", removed);
        if (added)
            sim_metric_add(n, "backups_added", added);
        pb_adopt_view(n, st, st->view + 1, from, want);
    }
    grant(n, st, from, req);
}

void pb_on_lease_req(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len)
{
    struct pb_lease_msg r;
    if (len != sizeof r || !st->is_monitor)
        return;
    memcpy(&r, body, sizeof r);
    lease_request(n, st, from, r.view, r.req, r.members);
}

void pb_request_lease(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = st->cfg;
    if (!st->acting || c->failover != PB_LEASE)
        return;
    int64_t req = ++st->lease_req;
    st->sent_req[req % PB_LEASE_RING] = req;
    st->sent_at[req % PB_LEASE_RING] = sim_now(n);
    /* Counted from before the request leaves, on this node's clock. */
    sim_set_timer(n, c->lease - c->lease_margin, PB_TIMER_LEASE_END, (uint64_t)req);
    if (st->is_monitor) {
        lease_request(n, st, st->self, st->view, req, st->want);
        return;
    }
    struct pb_lease_msg r = {st->view, req, st->want};
    sim_send(n, c->monitor, PB_MSG_LEASE_REQ, &r, sizeof r);
}

/* ---- failover ------------------------------------------------------------------------------ */

static void record_answer(struct pb_state *st, int node, int64_t last_view, int64_t len)
{
    st->answered |= bit(node);
    st->probe_last_view[node] = last_view;
    st->probe_len[node] = len;
}

static void send_probes(struct sim_node *n, struct pb_state *st)
{
    struct pb_probe_msg p = {st->view, 0, 0};
    for (int b = 0; b < st->nodes; b++)
        if (b != st->self && !(st->answered & bit(b)))
            sim_send(n, b, PB_MSG_PROBE, &p, sizeof p);
    sim_cancel_timer(n, st->probe_timer);
    st->probe_timer = sim_set_timer(n, st->cfg->heartbeat, PB_TIMER_PROBE, 0);
}

/* Starts replacing the primary: a new view number, promised by every node
 * that answers the probe, before anyone is named primary of it. */
static void start_failover(struct sim_node *n, struct pb_state *st, const char *why)
{
    if (st->probing)
        return;
    if (st->primary >= 0) {
        st->old_primary = st->primary;
        st->old_members = st->members;
    } else { /* restarted in the middle of a failover */
        st->old_primary = (int)sim_store_get_i64(n, "old_primary", -1);
        st->old_members = st->members;
    }
    sim_store_put_i64(n, "old_primary", st->old_primary);
    sim_note(n, "%s: failing over, probing the backups for view %lld", why,
             (long long)st->view + 1);
    pb_adopt_view(n, st, st->view + 1, -1, st->old_members);
    st->probing = true;
    st->answered = 0;
    record_answer(st, st->self, pb_last_view(st), st->len);
    send_probes(n, st);
}

void pb_on_probe_ack(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len)
{
    (void)n;
    struct pb_probe_msg p;
    if (len != sizeof p || !st->probing)
        return;
    memcpy(&p, body, sizeof p);
    if (p.view == st->view)
        record_answer(st, from, p.last_view, p.len);
}

/* Is `a` a better successor than `b`? More up to date first (the view of the
 * last entry, then the length: Raft §5.4.1), then the old primary, then not
 * the monitor, then the lower id. */
static bool better(const struct pb_state *st, int a, int b)
{
    if (st->probe_last_view[a] != st->probe_last_view[b])
        return st->probe_last_view[a] > st->probe_last_view[b];
    if (st->probe_len[a] != st->probe_len[b])
        return st->probe_len[a] > st->probe_len[b];
    if ((a == st->old_primary) != (b == st->old_primary))
        return a == st->old_primary;
    if ((a == st->self) != (b == st->self))
        return b == st->self;
    return a < b;
}

void pb_monitor_probe_timer(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = st->cfg;
    if (!st->probing)
        return;
    st->probe_timer = 0;
    bool safe = c->failover == PB_LEASE && c->replication != PB_ASYNC;
    if (safe && !(st->old_primary >= 0 && (st->answered & bit(st->old_primary)))) {
        /* Every commit of the old view reached `need` listed backups: the
         * answers must include all of them but need-1. */
        int listed = pb_popcount(st->old_members);
        int have = pb_popcount(st->answered & st->old_members);
        if (have < listed - pb_need(c, st->old_members) + 1) {
            sim_note(n, "failover waits: %d of %d listed backups answered, %d needed", have,
                     listed, listed - pb_need(c, st->old_members) + 1);
            sim_metric_add(n, "failover_waits", 1);
            send_probes(n, st);
            return;
        }
    }
    int pick = -1;
    for (int b = 0; b < st->nodes; b++)
        if ((st->answered & bit(b)) && (pick < 0 || better(st, b, pick)))
            pick = b;
    pb_mask members = st->old_members;
    if (st->old_primary >= 0)
        members |= bit(st->old_primary);
    members &= ~bit(pick);
    st->probing = false;
    sim_note(n, "view %lld: %s is the most up-to-date (log %lld, last view %lld): promoted",
             (long long)st->view, sim_node_name(n, pick), (long long)st->probe_len[pick],
             (long long)st->probe_last_view[pick]);
    sim_metric_add(n, "failovers", 1);
    struct pb_view_msg v = {st->view, pick, 0, members};
    pb_adopt_view(n, st, st->view, pick, members);
    sim_broadcast(n, PB_MSG_VIEW, &v, sizeof v);
}

void pb_monitor_lease_timer(struct sim_node *n, struct pb_state *st)
{
    st->lease_timer = 0;
    st->lease_out = false;
    if (st->probing || st->primary < 0 || st->lease_holder != st->primary)
        return;
    char why[96];
    snprintf(why, sizeof why, "the lease of %s ran out unrenewed",
             sim_node_name(n, st->lease_holder));
    start_failover(n, st, why);
}

/* ---- ticks, start ---------------------------------------------------------------------------- */

/* Lease mode: the primary this monitor named holds no lease from it - just
 * promoted, or re-promoted after its lease ran out. The VIEW that named it
 * went out once and may have been lost, or it crashed between answering the
 * probe and hearing the news: tell it again every heartbeat. A primary that
 * has not taken its lease within a whole lease of being named never served
 * (it serves only under a lease) and may be down for good: fail over again,
 * or the cluster would wait for it forever. */
static void unleased_primary(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = st->cfg;
    if (st->primary != st->self) {
        struct pb_view_msg v = {st->view, st->primary, 0, st->members};
        sim_send(n, st->primary, PB_MSG_VIEW, &v, sizeof v);
    }
    st->unleased_ticks++;
    if (st->lease_out || st->unleased_ticks * c->heartbeat < c->lease)
        return;
    char why[112];
    snprintf(why, sizeof why, "%s, primary of view %lld, has taken no lease for %lldms",
             sim_node_name(n, st->primary), (long long)st->view,
             (long long)(st->unleased_ticks * c->heartbeat / SIM_MS));
    start_failover(n, st, why);
}

void pb_monitor_heard_primary(struct pb_state *st, int from)
{
    if (from == st->primary)
        st->silent_ticks = 0;
}

void pb_monitor_tick(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = st->cfg;
    if (st->probing)
        return;
    if (c->failover == PB_LEASE) {
        /* A view without a primary (restarted mid-failover) once no lease runs. */
        if (st->primary < 0) {
            if (!st->lease_out)
                start_failover(n, st, "no primary");
            return;
        }
        if (st->lease_out && st->lease_holder == st->primary) {
            st->unleased_ticks = 0; /* its lease timer watches it */
            return;
        }
        unleased_primary(n, st);
        return;
    }
    if (st->primary == st->self)
        return;
    if (st->primary < 0) {
        start_failover(n, st, "no primary");
        return;
    }
    st->silent_ticks++;
    if (st->silent_ticks * c->heartbeat >= c->suspect_after) {
        char why[96];
        snprintf(why, sizeof why, "no heartbeat from %s for %lldms",
                 sim_node_name(n, st->primary),
                 (long long)(st->silent_ticks * c->heartbeat / SIM_MS));
        start_failover(n, st, why);
    }
}

void pb_monitor_start(struct sim_node *n, struct pb_state *st)
{
    const struct pb_config *c = st->cfg;
    st->old_primary = -1;
    st->lease_holder = -1;
    st->last_grant_to = -1;
    if (c->failover != PB_LEASE)
        return;
    /* After a restart a lease granted before the crash may still run: count
     * a whole lease before replacing its holder (the monitor does not know
     * when it granted last). */
    if (sim_store_get_i64(n, "monitor_booted", 0)) {
        st->lease_out = true;
        st->lease_holder = st->primary;
        st->lease_timer = sim_set_timer(n, c->lease, PB_TIMER_MONITOR_LEASE, 0);
    }
    sim_store_put_i64(n, "monitor_booted", 1);
    sim_store_sync(n);
}
