/* chain.c - chain replication (van Renesse & Schneider, "Chain Replication
 * for Supporting High Throughput and Availability", OSDI 2004): the
 * servers' side and the protocol's hooks; the master is in chain_master.c,
 * docs/protocols/chain.md tells it all.
 *
 * The servers form a chain. The head takes every update, orders it, applies
 * it and forwards it to its successor; each server does the same down the
 * chain; the tail applies it and answers the client (§2). Queries go to the
 * tail alone, which has exactly the updates that reached every server: so
 * the tail's answers are linearizable (§2, "strong consistency"). Each
 * server keeps what it forwarded until the tail's acknowledgement comes back
 * up the chain (§3, Sent_i); after a reconfiguration a server sends its new
 * successor everything (a snapshot of its history), so the successor ends
 * up with exactly the predecessor's updates in the predecessor's order -
 * the Update Propagation Invariant (§3): each server's history is a prefix
 * of its predecessor's. The cluster check verifies the consequence: the
 * tail has only what a head sent, in the order it was sent.
 *
 * Epochs number the chains the master makes; a server takes updates only
 * from its predecessor of the same epoch, so a deposed head cannot slip
 * updates into the new chain.
 *
 * The paper's master never suspects a live server. Ours can (a partition, a
 * slow node), and a tail removed without knowing it would go on answering
 * queries from a history the new tail has overtaken: stale reads. So the
 * tail answers clients only under a lease from the master (Gray & Cheriton
 * 1989), counted from before it asked, on its own clock, `lease_margin`
 * short of what the master counts; the master lets another server answer
 * only once that lease has run out (chain_master.c). `lease` 0 is the
 * paper's model: no lease, safe only while failures are fail-stop.
 *
 * Parameters: master (the last node), heartbeat (100ms), suspect_after
 * (300ms), batch (64), lease (500ms), lease_margin (150ms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/chain.h"

/* ---- configuration ------------------------------------------------------------------------ */

static int chain_configure(struct sim_params *p, void *config)
{
    struct chain_config *c = config;
    int nodes = sim_params_node_count(p);
    int rc = 0;
    if (nodes < 2 || nodes > CHAIN_MAX_NODES)
        return sim_param_error(p, "master", "chain replication needs 2 to %d nodes, not %d",
                               CHAIN_MAX_NODES, nodes);
    rc = rc ? rc : sim_param_node(p, "master", nodes - 1, &c->master);
    rc = rc ? rc : sim_param_duration(p, "heartbeat", 100 * SIM_MS, &c->heartbeat);
    rc = rc ? rc : sim_param_duration(p, "suspect_after", 300 * SIM_MS, &c->suspect_after);
    rc = rc ? rc : sim_param_int(p, "batch", 64, 1, 100000, &c->batch);
    rc = rc ? rc : sim_param_duration(p, "lease", 500 * SIM_MS, &c->lease);
    rc = rc ? rc : sim_param_duration(p, "lease_margin", 150 * SIM_MS, &c->lease_margin);
    if (!rc && c->heartbeat <= 0)
        rc = sim_param_error(p, "heartbeat", "must be above 0");
    if (!rc && c->suspect_after <= c->heartbeat)
        rc = sim_param_error(p, "suspect_after", "must be longer than the heartbeat period");
    if (!rc && c->lease != 0 && c->lease <= 2 * c->heartbeat)
        rc = sim_param_error(p, "lease",
                             "must be 0 (no lease) or longer than two heartbeat periods (renewals)");
    if (!rc && c->lease != 0 && (c->lease_margin < 0 || c->lease_margin >= c->lease - c->heartbeat))
        rc = sim_param_error(p, "lease_margin",
                             "must be at least 0 and leave more than one heartbeat of the lease to use");
    return rc;
}

/* ---- view and roles -------------------------------------------------------------------------- */

int chain_position(const struct chain_view *v, int node)
{
    for (int i = 0; i < v->count; i++)
        if (v->member[i] == node)
            return i;
    return -1;
}

bool chain_is_head(const struct chain_state *st)
{
    return st->view.count > 0 && st->view.member[0] == st->self;
}

static bool is_head(const struct chain_state *st)
{
    return chain_is_head(st);
}

static bool is_tail(const struct chain_state *st)
{
    return st->view.count > 0 && st->view.member[st->view.count - 1] == st->self;
}

bool chain_serving_tail(const struct chain_state *st)
{
    return is_tail(st) && st->synced && st->confirmed;
}

static bool serving_tail(const struct chain_state *st)
{
    return chain_serving_tail(st);
}

static bool lease_held(const struct chain_state *st, sim_time now)
{
    return st->cfg->lease == 0 || (st->lease_granted > st->lease_ended &&
                                   now < st->lease_expiry && now >= st->clock_seen);
}

bool chain_answering(const struct chain_state *st, sim_time now)
{
    return serving_tail(st) && lease_held(st, now);
}

static bool answering(struct sim_node *n, const struct chain_state *st)
{
    return chain_answering(st, sim_now(n));
}

static void watch_clock(struct sim_node *n, struct chain_state *st);

static void set_synced(struct sim_node *n, struct chain_state *st, bool synced)
{
    st->synced = synced;
    sim_store_put_i64(n, "synced", synced);
}

/* ---- the log ------------------------------------------------------------------------------- */

static int reserve(struct chain_state *st, int64_t n)
{
    if (n <= st->cap)
        return 0;
    int64_t cap = st->cap ? st->cap : 64;
    while (cap < n)
        cap *= 2;
    struct chain_entry *log = realloc(st->log, (size_t)cap * sizeof *log);
    if (!log)
        return -1;
    st->log = log;
    st->cap = cap;
    return 0;
}

static void persist_entry(struct sim_node *n, int64_t index, const struct chain_entry *e)
{
    char key[32];
    snprintf(key, sizeof key, "e%lld", (long long)index);
    sim_store_put(n, key, e, sizeof *e);
}

static void apply(struct chain_state *st, int64_t index, struct sim_result *r)
{
    struct sim_result none;
    if (sim_sm_apply(st->sm, &st->log[index - 1].op, r ? r : &none) != SIM_OK && r)
        *r = (struct sim_result){.outcome = SIM_OUT_INFO};
}

/* A server that becomes the tail, or takes the lease again, answers the
 * clients of updates [from, len] that may not have been answered (the old
 * tail may have died first; this one held them without a lease). A result
 * needs the state as of its update, so this replays into a scratch machine;
 * it happens only at a reconfiguration or a lapsed lease. */
static void tail_answer(struct sim_node *n, struct chain_state *st, int64_t from)
{
    if (from > st->len || !answering(n, st))
        return;
    struct sim_sm *sm = sim_sm_create();
    if (!sm)
        return;
    for (int64_t i = 1; i <= st->len; i++) {
        struct sim_result r;
        if (sim_sm_apply(sm, &st->log[i - 1].op, &r) != SIM_OK)
            r = (struct sim_result){.outcome = SIM_OUT_INFO};
        if (i >= from)
            sim_reply(n, &st->log[i - 1].op, &r);
    }
    sim_sm_destroy(sm);
    if (st->len > st->acked)
        st->acked = st->len;
}

static void send_ack(struct sim_node *n, struct chain_state *st)
{
    if (st->pred < 0)
        return;
    /* Until it has its predecessor's state, what it holds does not count:
     * have = -1 asks for the snapshot. */
    struct chain_ack_msg a = {st->view.epoch, st->synced ? st->len : -1, st->acked, 0};
    sim_send(n, st->pred, CHAIN_MSG_ACK, &a, sizeof a);
}

static void send_entries(struct sim_node *n, struct chain_state *st, int type, int64_t first,
                         int64_t count)
{
    struct chain_forward_hdr h = {st->view.epoch, first, count, st->acked};
    size_t len = sizeof h + (size_t)count * sizeof(struct chain_entry);
    unsigned char *buf = malloc(len);
    if (!buf)
        return;
    memcpy(buf, &h, sizeof h);
    if (count)
        memcpy(buf + sizeof h, &st->log[first - 1], (size_t)count * sizeof(struct chain_entry));
    sim_send(n, st->succ, type, buf, len);
    free(buf);
}

/* Sends the successor what it lacks: everything, as a snapshot, when it is
 * new; else the updates after what it acknowledged. Only a server that has
 * its own predecessor's state passes anything on. */
static void push(struct sim_node *n, struct chain_state *st)
{
    if (st->succ < 0 || !st->synced)
        return;
    if (st->succ_len < 0) {
        send_entries(n, st, CHAIN_MSG_SNAPSHOT, 1, st->len);
        return;
    }
    if (st->succ_len >= st->len)
        return;
    int64_t count = st->len - st->succ_len;
    if (count > st->cfg->batch)
        count = st->cfg->batch;
    send_entries(n, st, CHAIN_MSG_FORWARD, st->succ_len + 1, count);
}

void chain_adopt(struct sim_node *n, struct chain_state *st, const struct chain_view *v)
{
    if (v->epoch <= st->view.epoch || v->count < 0 || v->count > CHAIN_MAX_NODES)
        return;
    int old_pred = st->pred, old_succ = st->succ;
    /* A member of the previous epoch and of this one has missed nothing;
     * one that skipped an epoch may have been removed and re-added in
     * between, and its history is suspect. */
    bool was_member = chain_position(&st->view, st->self) >= 0 && v->epoch == st->view.epoch + 1;
    bool was_head = is_head(st), was_tail = is_tail(st);
    st->view = *v;
    if (!is_tail(st) && st->lease_ended < st->lease_req) {
        /* Not the tail of this chain: it gives up any lease it holds, so
         * that the master may grant the new tail one at once (it learns of
         * this from a PONG of this epoch). */
        st->lease_ended = st->lease_req;
    }
    sim_store_put(n, "view", &st->view, sizeof st->view);
    sim_store_sync(n);
    int pos = chain_position(v, st->self);
    st->pred = pos > 0 ? v->member[pos - 1] : -1;
    st->succ = pos >= 0 && pos < v->count - 1 ? v->member[pos + 1] : -1;
    if (pos < 0) {
        if (was_member)
            sim_note(n, "removed from the chain in epoch %lld", (long long)v->epoch);
        set_synced(n, st, false);
        sim_store_sync(n);
        return;
    }
    /* The head's state is the chain's. A head that skipped epochs and is
     * the head again was the head all along: the master appends servers at
     * the tail, and makes a server head only once it has said, in that very
     * epoch, that it has its predecessor's state - which a server that
     * skipped the epoch never did. (Waiting for a snapshot no one would
     * send, it used to stall the chain for good: soak seed 2218.) */
    if (pos == 0 && (was_head || (was_member && (st->synced || old_pred < 0))))
        set_synced(n, st, true);
    else if (!was_member || st->pred != old_pred)
        set_synced(n, st, false); /* wait for the new predecessor's snapshot */
    sim_store_sync(n);
    if (st->succ != old_succ || !was_member)
        st->succ_len = -1;
    if (!was_tail && serving_tail(st)) {
        sim_note(n, "now the tail (epoch %lld): answering for updates %lld..%lld%s",
                 (long long)v->epoch, (long long)st->acked + 1, (long long)st->len,
                 answering(n, st) ? "" : " once it holds the lease");
        tail_answer(n, st, st->acked + 1);
    }
    push(n, st);
    send_ack(n, st);
}

/* ---- updates flowing down --------------------------------------------------------------------- */

static bool from_pred(struct sim_node *n, struct chain_state *st, int from, int64_t epoch)
{
    if (epoch < st->view.epoch) /* a sender of an older chain: tell it */
        chain_send_view(n, from, &st->view);
    return epoch == st->view.epoch && from == st->pred;
}

static void on_entries(struct sim_node *n, struct chain_state *st, int from, int type,
                       const void *body, size_t len)
{
    struct chain_forward_hdr h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || h.first < 1 || len != sizeof h + (size_t)h.count * sizeof(struct chain_entry))
        return;
    if (!from_pred(n, st, from, h.epoch))
        return;
    const unsigned char *src = (const unsigned char *)body + sizeof h;
    int64_t before = st->len;
    if (type == CHAIN_MSG_SNAPSHOT && st->synced) {
        /* A copy of a snapshot already taken (duplicated or overtaken by
         * the forwards after it): within an epoch the predecessor's history
         * only grows, so it can only add to what is here. */
        type = CHAIN_MSG_FORWARD;
    }
    if (type == CHAIN_MSG_SNAPSHOT) {
        /* Joining: exactly the predecessor's history; anything else here -
         * updates from an older chain that never reached its tail - is
         * dirty, and goes. */
        int64_t same = 0;
        while (same < before && same < h.count) {
            struct chain_entry e;
            memcpy(&e, src + (size_t)same * sizeof e, sizeof e);
            if (e.op.id != st->log[same].op.id)
                break;
            same++;
        }
        if (same < before) {
            sim_note(n, "discarding %lld update%s its predecessor never had", (long long)(before - same),
                     before - same == 1 ? "" : "s");
            sim_metric_add(n, "dirty_discarded", before - same);
        }
        if (reserve(st, h.count) < 0)
            return;
        memcpy(st->log, src, (size_t)h.count * sizeof(struct chain_entry));
        for (int64_t i = same; i < h.count; i++)
            persist_entry(n, i + 1, &st->log[i]);
        st->len = h.count;
        sim_sm_destroy(st->sm);
        st->sm = sim_sm_create();
        for (int64_t i = 1; i <= st->len; i++)
            apply(st, i, NULL);
        sim_note(n, "has its predecessor's %lld updates: in the chain", (long long)st->len);
        set_synced(n, st, true);
        if (h.acked > st->acked)
            st->acked = h.acked;
        if (st->acked > st->len)
            st->acked = st->len;
        sim_store_put_i64(n, "len", st->len);
        sim_store_sync(n);
        tail_answer(n, st, st->acked + 1);
        st->succ_len = -1; /* pass the snapshot on */
    } else {
        if (!st->synced)
            return;
        if (h.first > st->len + 1) { /* a gap: say what we have */
            send_ack(n, st);
            return;
        }
        for (int64_t k = 0; k < h.count; k++) {
            int64_t index = h.first + k;
            if (index <= st->len)
                continue; /* have it: the histories are prefixes of each other */
            if (reserve(st, index) < 0)
                return;
            memcpy(&st->log[index - 1], src + (size_t)k * sizeof(struct chain_entry),
                   sizeof(struct chain_entry));
            persist_entry(n, index, &st->log[index - 1]);
            st->len = index;
        }
        if (st->len > before) {
            sim_store_put_i64(n, "len", st->len);
            sim_store_sync(n); /* durable before it goes on */
            /* Answered in order: if some earlier update still waits (its
             * lease lapsed, and a jump back of its clock revived it), they
             * all go out from where the answers stopped. */
            bool answers = answering(n, st), caught_up = st->acked >= before;
            for (int64_t i = before + 1; i <= st->len; i++) {
                struct sim_result r;
                apply(st, i, &r);
                if (answers && caught_up) /* the update has reached every server */
                    sim_reply(n, &st->log[i - 1].op, &r);
            }
            if (answers && caught_up)
                st->acked = st->len;
            else
                tail_answer(n, st, st->acked + 1);
        }
    }
    push(n, st);
    send_ack(n, st);
}

static void on_ack(struct sim_node *n, struct chain_state *st, int from, const void *body,
                   size_t len)
{
    struct chain_ack_msg a;
    if (len != sizeof a)
        return;
    memcpy(&a, body, sizeof a);
    if (a.epoch != st->view.epoch || from != st->succ || a.have > st->len)
        return;
    /* The successor knows best what it has (an older answer arriving late
     * only makes us send again what it already holds, which it skips). */
    st->succ_len = a.have < 0 ? -1 : a.have;
    if (st->succ_len < 0) {
        push(n, st); /* it waits for a snapshot */
        return;
    }
    int64_t acked = a.acked < st->len ? a.acked : st->len;
    bool more = acked > st->acked;
    if (more)
        st->acked = acked;
    if (st->succ_len < st->len)
        push(n, st);
    if (more)
        send_ack(n, st);
}

/* ---- clients ------------------------------------------------------------------------------- */

static void chain_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct chain_state *st = state;
    if (!st->is_master)
        watch_clock(n, st);
    bool read = op->f == SIM_F_READ || op->f == SIM_F_GET;
    int head = st->view.count ? st->view.member[0] : -1;
    int tail = st->view.count ? st->view.member[st->view.count - 1] : -1;
    if (read) {
        if (!answering(n, st)) { /* not the tail, or without its lease */
            sim_redirect(n, op, tail == st->self ? -1 : tail);
            return;
        }
        struct sim_result r;
        if (sim_sm_apply(st->sm, op, &r) != SIM_OK)
            r = (struct sim_result){.outcome = SIM_OUT_FAIL};
        sim_reply(n, op, &r); /* queries at the tail (§2) */
        return;
    }
    if (!is_head(st) || !st->confirmed) {
        sim_redirect(n, op, head == st->self ? -1 : head);
        return;
    }
    /* A retried update already in the chain is not applied twice. */
    for (int64_t i = st->len; i > 0 && i > st->len - 256; i--) {
        if (st->log[i - 1].op.id != op->id)
            continue;
        if (i <= st->acked) {
            struct sim_result r = {.outcome = op->f == SIM_F_CAS ? SIM_OUT_INFO : SIM_OUT_OK};
            sim_reply(n, op, &r);
        }
        return;
    }
    if (reserve(st, st->len + 1) < 0)
        return;
    st->log[st->len].op = *op;
    st->len++;
    persist_entry(n, st->len, &st->log[st->len - 1]);
    sim_store_put_i64(n, "len", st->len);
    sim_store_sync(n);
    struct sim_result r;
    apply(st, st->len, &r);
    if (answering(n, st)) { /* a chain of one: the head is the tail */
        if (st->acked == st->len - 1) {
            sim_reply(n, op, &r);
            st->acked = st->len;
        } else {
            tail_answer(n, st, st->acked + 1);
        }
    }
    if (st->succ_len == st->len - 1)
        push(n, st);
}

/* ---- the tail's lease ------------------------------------------------------------------------ */

/* Every PONG asks for the lease, numbered (the incarnation in the high half,
 * so a grant meant for an earlier life never matches) and remembered with
 * the moment it left, on this node's clock: a grant for it holds for
 * lease - lease_margin from then, both by a timer (immune to clock jumps)
 * and by the clock (immune to pauses). */
static void send_pong(struct sim_node *n, struct chain_state *st)
{
    const struct chain_config *c = st->cfg;
    int64_t req = ++st->lease_req;
    struct chain_ack_msg p = {st->view.epoch, st->synced ? st->len : -1, st->acked, req};
    if (c->lease > 0) {
        st->sent_req[req % CHAIN_LEASE_RING] = req;
        st->sent_at[req % CHAIN_LEASE_RING] = sim_now(n);
        sim_set_timer(n, c->lease - c->lease_margin, CHAIN_TIMER_LEASE_END, (uint64_t)req);
    }
    sim_send(n, c->master, CHAIN_MSG_PONG, &p, sizeof p);
}

/* The master granted the lease for request `req` to the tail of epoch
 * `epoch`. */
static void lease_granted(struct sim_node *n, struct chain_state *st, int64_t epoch, int64_t req)
{
    const struct chain_config *c = st->cfg;
    if (c->lease == 0 || epoch != st->view.epoch || !is_tail(st) || req <= st->lease_granted ||
        req <= st->lease_ended)
        return; /* not for this chain, or that lease already ran out here */
    int slot = (int)(req % CHAIN_LEASE_RING);
    if (st->sent_req[slot] != req)
        return; /* long out of date */
    bool held = lease_held(st, sim_now(n));
    st->lease_granted = req;
    st->lease_expiry = st->sent_at[slot] + c->lease - c->lease_margin;
    if (!held && lease_held(st, sim_now(n)))
        sim_note(n, "holds the tail's lease (epoch %lld)", (long long)st->view.epoch);
    tail_answer(n, st, st->acked + 1);
}

/* Called first at every event of a server. A lease's end is reckoned on
 * this node's clock from the moment it asked; if the clock has stepped back
 * since (a skew fault undone, an NTP step), that end lies further away than
 * it should, and on a paused node the timer, which is immune to the step,
 * fires late too. So a step back gives up every lease asked for before it. */
static void watch_clock(struct sim_node *n, struct chain_state *st)
{
    sim_time now = sim_now(n);
    if (now < st->clock_seen && st->lease_ended < st->lease_req) {
        if (st->lease_granted > st->lease_ended && serving_tail(st)) {
            sim_note(n, "its clock stepped back %lldms: gives up the tail's lease",
                     (long long)((st->clock_seen - now) / SIM_MS));
            sim_metric_add(n, "leases_given_up", 1);
        }
        st->lease_ended = st->lease_req;
    }
    st->clock_seen = now;
}

static void lease_end(struct sim_node *n, struct chain_state *st, int64_t req)
{
    bool held = st->lease_granted > st->lease_ended;
    if (req > st->lease_ended)
        st->lease_ended = req;
    if (held && st->lease_granted <= st->lease_ended && serving_tail(st)) {
        sim_note(n, "the tail's lease ran out unrenewed: stops answering");
        sim_metric_add(n, "leases_expired", 1);
    }
}

/* ---- hooks ---------------------------------------------------------------------------------- */

static void chain_start(struct sim_node *n, void *state)
{
    struct chain_state *st = state;
    const struct chain_config *c = sim_config(n);
    st->cfg = c;
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->is_master = st->self == c->master;
    st->pred = st->succ = -1;
    if (st->is_master) {
        chain_master_start(n, st);
    } else {
        st->sm = sim_sm_create();
        int64_t len = sim_store_get_i64(n, "len", 0);
        if (len > 0 && reserve(st, len) == 0) {
            for (int64_t i = 0; i < len; i++) {
                char key[32];
                size_t got = 0;
                snprintf(key, sizeof key, "e%lld", (long long)(i + 1));
                const void *e = sim_store_get(n, key, &got);
                if (!e || got != sizeof(struct chain_entry)) {
                    len = i;
                    break;
                }
                memcpy(&st->log[i], e, sizeof(struct chain_entry));
            }
            st->len = len;
            for (int64_t i = 1; i <= st->len; i++)
                apply(st, i, NULL);
        }
        /* The chain it last knew; the master's next heartbeat says more. */
        struct chain_view v = {0};
        size_t got = 0;
        const void *sv = sim_store_get(n, "view", &got);
        if (sv && got == sizeof v)
            memcpy(&v, sv, sizeof v);
        else { /* first boot: every node but the master, in id order */
            v.epoch = 1;
            for (int m = 0; m < st->nodes; m++)
                if (m != c->master)
                    v.member[v.count++] = (int8_t)m;
        }
        /* Back in the chain it was in: its durable history is a prefix of
         * its predecessor's (every update was synced before it went on), so
         * it may carry on; its successor gets a snapshot, being unknown. */
        st->view = v;
        int pos = chain_position(&v, st->self);
        st->pred = pos > 0 ? v.member[pos - 1] : -1;
        st->succ = pos >= 0 && pos < v.count - 1 ? v.member[pos + 1] : -1;
        st->synced = pos == 0 || (pos > 0 && sim_store_get_i64(n, "synced", 1));
        st->succ_len = -1;
        st->boot = sim_store_get_i64(n, "boot", 0) + 1;
        sim_store_put_i64(n, "boot", st->boot);
        sim_store_sync(n);
        st->lease_req = st->lease_granted = st->lease_ended = st->boot << 32;
        st->clock_seen = sim_now(n);
        send_pong(n, st); /* alive: the master may grant the lease a heartbeat sooner */
    }
    sim_set_timer(n, c->heartbeat, CHAIN_TIMER_TICK, 0);
}

static void chain_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct chain_state *st = state;
    sim_sm_destroy(st->sm);
    free(st->log);
}

static void chain_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    struct chain_state *st = state;
    if (!st->is_master)
        watch_clock(n, st);
    if (kind == CHAIN_TIMER_LEASE_END) {
        lease_end(n, st, (int64_t)arg);
        return;
    }
    if (st->is_master) {
        chain_master_tick(n, st);
    } else {
        send_pong(n, st);
        push(n, st);
        send_ack(n, st);
    }
    sim_set_timer(n, st->cfg->heartbeat, CHAIN_TIMER_TICK, 0);
}

static void chain_message(struct sim_node *n, void *state, int from, int type, const void *body,
                          size_t len)
{
    struct chain_state *st = state;
    if (from < 0 || from >= st->nodes)
        return;
    if (!st->is_master)
        watch_clock(n, st);
    switch (type) {
    case CHAIN_MSG_CONFIG: {
        struct chain_config_msg m;
        if (len != sizeof m || st->is_master)
            return;
        memcpy(&m, body, sizeof m);
        chain_adopt(n, st, &m.view);
        /* Only the master's word confirms that a view is current, and
         * only the master grants leases. */
        if (from != st->cfg->master || m.view.epoch < st->view.epoch)
            return;
        if (!st->confirmed) {
            st->confirmed = true;
            tail_answer(n, st, st->acked + 1); /* restarted as the tail, and still it */
        }
        if (m.lease_to == st->self)
            lease_granted(n, st, m.view.epoch, m.lease_req);
        return;
    }
    case CHAIN_MSG_PONG: {
        struct chain_ack_msg p;
        if (len != sizeof p || !st->is_master)
            return;
        memcpy(&p, body, sizeof p);
        chain_master_pong(n, st, from, &p);
        return;
    }
    case CHAIN_MSG_FORWARD:
    case CHAIN_MSG_SNAPSHOT:
        if (!st->is_master)
            on_entries(n, st, from, type, body, len);
        return;
    case CHAIN_MSG_ACK:
        if (!st->is_master)
            on_ack(n, st, from, body, len);
        return;
    default:
        return;
    }
}

/* ---- description ---------------------------------------------------------------------------- */

/* Every role chain_role returns (for scenario triggers). */
static const char *const chain_roles[] = {"master", "standby", "joining", "recovering", "head-tail", "head", "tail", "middle", NULL};

static const char *chain_role(const void *state)
{
    const struct chain_state *st = state;
    if (st->is_master)
        return "master";
    if (chain_position(&st->view, st->self) < 0)
        return "standby";
    if (!st->synced)
        return "joining";
    if (!st->confirmed)
        return "recovering";
    if (is_head(st) && is_tail(st))
        return "head-tail";
    return is_head(st) ? "head" : is_tail(st) ? "tail" : "middle";
}

static void chain_describe(const void *state, struct sim_describe *d)
{
    const struct chain_state *st = state;
    sim_describe_term(d, st->view.epoch);
    sim_describe_text(d, "epoch %lld ·", (long long)st->view.epoch);
    for (int i = 0; i < st->view.count; i++)
        sim_describe_text(d, "%s n%d", i ? " ->" : "", st->view.member[i] + 1);
    if (st->is_master)
        return;
    sim_describe_text(d, " · history %lld · at tail %lld", (long long)st->len,
                      (long long)st->acked);
    if (st->cfg->lease > 0 && is_tail(st))
        sim_describe_text(d, st->lease_granted > st->lease_ended ? " · lease held" : " · no lease");
    int64_t tail[16];
    int tn = 0;
    for (int64_t i = st->len > 16 ? st->len - 16 : 0; i < st->len; i++)
        tail[tn++] = st->view.epoch;
    sim_describe_log(d, st->len, st->acked, tail, tn);
}

static const char *chain_message_name(int type)
{
    static const char *const names[CHAIN_MSG_COUNT] = {"Config", "Pong", "Forward", "Snapshot",
                                                       "Ack"};
    return type >= 0 && type < CHAIN_MSG_COUNT ? names[type] : "?";
}

static const char *chain_timer_name(int kind)
{
    return kind == CHAIN_TIMER_TICK ? "tick" : kind == CHAIN_TIMER_LEASE_END ? "lease-end" : "?";
}

static void chain_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    if ((type == CHAIN_MSG_FORWARD || type == CHAIN_MSG_SNAPSHOT) &&
        len >= sizeof(struct chain_forward_hdr)) {
        struct chain_forward_hdr h;
        memcpy(&h, body, sizeof h);
        if (h.count)
            sim_describe_text(d, "epoch %lld, updates %lld..%lld", (long long)h.epoch,
                              (long long)h.first, (long long)(h.first + h.count - 1));
        else
            sim_describe_text(d, "epoch %lld, nothing new", (long long)h.epoch);
    } else if ((type == CHAIN_MSG_ACK || type == CHAIN_MSG_PONG) &&
               len == sizeof(struct chain_ack_msg)) {
        struct chain_ack_msg a;
        memcpy(&a, body, sizeof a);
        sim_describe_text(d, "epoch %lld, has %lld, tail has %lld", (long long)a.epoch,
                          (long long)a.have, (long long)a.acked);
    } else if (type == CHAIN_MSG_CONFIG && len == sizeof(struct chain_config_msg)) {
        struct chain_config_msg m;
        memcpy(&m, body, sizeof m);
        sim_describe_text(d, "epoch %lld, %d servers", (long long)m.view.epoch, m.view.count);
        if (m.lease_to >= 0)
            sim_describe_text(d, ", lease to n%d", m.lease_to + 1);
    }
}

const struct sim_protocol chain_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "chain",
    .summary = "chain replication: updates at the head, queries at the tail, a master reconfigures",
    .config_size = sizeof(struct chain_config),
    .state_size = sizeof(struct chain_state),
    .ghost_size = sizeof(struct chain_ghost),
    .configure = chain_configure,
    .start = chain_start,
    .crash = chain_crash,
    .message = chain_message,
    .timer = chain_timer,
    .client_request = chain_client_request,
    .check_cluster = chain_check_cluster,
    .ghost_free = chain_ghost_free,
    .describe = chain_describe,
    .role = chain_role,
    .roles = chain_roles,
    .message_name = chain_message_name,
    .timer_name = chain_timer_name,
    .message_describe = chain_message_describe,
    .epoch = "epoch",
};
