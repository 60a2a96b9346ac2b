/* multi_paxos_leader.c - the Multi-Paxos distinguished proposer (Lamport
 * 2001, §3): a node that stops hearing a leader for a randomized timeout
 * runs phase 1 once, with one ballot, for every slot it does not know to be
 * chosen; it re-proposes the highest-ballot value the promises report for
 * each slot and fills gaps with no-ops; then, as leader, it runs only
 * phase 2 for each new command, batching slots per follower and
 * retransmitting what is not accepted, and brings lagging learners up to
 * date with the chosen values they miss. */
#include <stdlib.h>
#include <string.h>

#include "protocols/multi_paxos.h"

static int majority(const struct multi_paxos_state *st)
{
    return st->nodes / 2 + 1;
}

static int count(uint64_t set)
{
    int k = 0;
    for (; set; set &= set - 1)
        k++;
    return k;
}

static uint64_t bit(int node)
{
    return (uint64_t)1 << node;
}

/* ---- timers ------------------------------------------------------------------------------ */

static void draw_timeout(struct sim_node *n, struct multi_paxos_state *st)
{
    const struct multi_paxos_config *cfg = sim_config(n);
    st->election_timeout = sim_random_between(n, cfg->election_min, cfg->election_max);
}

static void arm_election(struct sim_node *n, struct multi_paxos_state *st)
{
    sim_time wait = st->election_deadline - sim_now(n);
    st->election_timer = sim_set_timer(n, wait > 0 ? wait : 0, MP_TIMER_ELECTION, 0);
}

static void arm_tick(struct sim_node *n, struct multi_paxos_state *st)
{
    const struct multi_paxos_config *cfg = sim_config(n);
    if (!st->tick_timer)
        st->tick_timer = sim_set_timer(n, cfg->heartbeat, MP_TIMER_TICK, 0);
}

void multi_paxos_start_timers(struct sim_node *n, struct multi_paxos_state *st)
{
    draw_timeout(n, st);
    st->election_deadline = sim_now(n) + st->election_timeout;
    arm_election(n, st);
}

void multi_paxos_heard_leader(struct sim_node *n, struct multi_paxos_state *st, int leader)
{
    st->leader = leader;
    st->election_deadline = sim_now(n) + st->election_timeout;
}

void multi_paxos_step_down(struct sim_node *n, struct multi_paxos_state *st, int64_t ballot)
{
    if (ballot / MULTI_PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = ballot / MULTI_PAXOS_MAX_NODES;
    if (st->role == MP_LEADER) {
        char b[32];
        multi_paxos_ballot_text(ballot, b, sizeof b);
        sim_note(n, "%s stops leading: ballot %s is higher", sim_node_name(n, st->self), b);
        sim_metric_add(n, "step_downs", 1);
        /* Commands waiting here may still be chosen by the next leader or
         * lost; their clients time out (info). */
        if (st->cap)
            memset(st->mine, 0, (size_t)st->cap);
        free(st->peers);
        st->peers = NULL;
    }
    st->role = MP_FOLLOWER;
    st->leader = -1;
    if (!st->election_timer) {
        draw_timeout(n, st);
        st->election_deadline = sim_now(n) + st->election_timeout;
        arm_election(n, st);
    }
}

/* ---- phase 2: the leader ------------------------------------------------------------------- */

static void send_values(struct sim_node *n, int to, int type, const void *hdr, size_t hlen,
                        const struct multi_paxos_value *values, int64_t count)
{
    size_t len = hlen + (size_t)count * sizeof *values;
    unsigned char stackbuf[512];
    unsigned char *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf)
        return;
    memcpy(buf, hdr, hlen);
    if (count)
        memcpy(buf + hlen, values, (size_t)count * sizeof *values);
    sim_send(n, to, type, buf, len);
    if (buf != stackbuf)
        free(buf);
}

/* Sends follower `to` the next run of slots it has not accepted (up to a
 * batch), one run in flight at a time; or a heartbeat when asked. */
static void send_accepts(struct sim_node *n, struct multi_paxos_state *st, int to, bool heartbeat)
{
    const struct multi_paxos_config *cfg = sim_config(n);
    struct multi_paxos_peer *p = &st->peers[to];
    sim_time now = sim_now(n);
    bool busy = p->inflight && now - p->sent_at < cfg->heartbeat;
    int64_t lo = 0, hi = 0;
    if (!busy) {
        for (int64_t s = st->chosen + 1; s < st->next_slot && !lo; s++)
            if (!st->known[s - 1] && !(st->accepted_by[s - 1] & bit(to)))
                lo = s;
        if (lo) {
            hi = lo;
            while (hi + 1 < st->next_slot && hi + 1 - lo < cfg->batch &&
                   !(st->accepted_by[hi] & bit(to)))
                hi++;
        }
    }
    if (!lo && !heartbeat)
        return;
    int64_t n_values = lo ? hi - lo + 1 : 0;
    struct multi_paxos_accept h = {st->ballot, lo, n_values, st->chosen};
    send_values(n, to, MP_MSG_ACCEPT, &h, sizeof h, lo ? &st->proposal[lo - 1] : NULL, n_values);
    if (n_values) {
        p->inflight = true;
        p->sent_at = now;
    }
}

static void replicate(struct sim_node *n, struct multi_paxos_state *st, bool heartbeat)
{
    for (int i = 0; i < st->nodes; i++)
        if (i != st->self)
            send_accepts(n, st, i, heartbeat);
}

/* A slot is chosen once a majority accepted the leader's proposal (§2.2). */
static void try_choose(struct sim_node *n, struct multi_paxos_state *st, int64_t lo, int64_t hi)
{
    for (int64_t s = lo; s <= hi && s < st->next_slot; s++)
        if (s >= 1 && !st->known[s - 1] && count(st->accepted_by[s - 1]) >= majority(st))
            multi_paxos_learn(n, st, s, &st->proposal[s - 1]);
}

/* The leader's own acceptor accepts its proposal for slot s. */
static void self_accept(struct sim_node *n, struct multi_paxos_state *st, int64_t s)
{
    multi_paxos_accept_slot(n, st, s, st->ballot, &st->proposal[s - 1]);
    st->accepted_by[s - 1] |= bit(st->self);
}

void multi_paxos_propose(struct sim_node *n, struct multi_paxos_state *st,
                         const struct sim_op *op)
{
    int64_t s = st->next_slot;
    if (multi_paxos_reserve(st, s) != SIM_OK)
        return;
    st->next_slot++;
    st->proposal[s - 1] = (struct multi_paxos_value){.kind = MP_OP, .op = *op};
    st->accepted_by[s - 1] = 0;
    st->from_client[s - 1] = 1;
    st->mine[s - 1] = 1;
    self_accept(n, st, s);
    multi_paxos_persist_accepted(n, st, s, s);
    sim_store_sync(n);
    replicate(n, st, false);
    try_choose(n, st, s, s);
}

void multi_paxos_on_accepted(struct sim_node *n, struct multi_paxos_state *st, int from,
                             const struct multi_paxos_accepted_msg *m)
{
    const struct multi_paxos_config *cfg = sim_config(n);
    if (st->role != MP_LEADER || m->ballot != st->ballot)
        return;
    struct multi_paxos_peer *p = &st->peers[from];
    p->chosen = m->chosen;
    p->inflight = false;
    for (int64_t s = m->first; m->count > 0 && s < m->first + m->count && s < st->next_slot; s++)
        if (s >= 1)
            st->accepted_by[s - 1] |= bit(from);
    if (m->count > 0)
        try_choose(n, st, m->first, m->first + m->count - 1);
    if (st->role != MP_LEADER)
        return;
    /* A heartbeat answer showing a learner behind: send it chosen values. */
    if (m->count == 0 && p->chosen < st->chosen) {
        int64_t first = p->chosen + 1, k = st->chosen - p->chosen;
        if (k > cfg->batch)
            k = cfg->batch;
        struct multi_paxos_commit h = {first, k};
        send_values(n, from, MP_MSG_COMMIT, &h, sizeof h, &st->log[first - 1], k);
    }
    send_accepts(n, st, from, false);
}

/* ---- phase 1: a new leader ------------------------------------------------------------------ */

static void merge(struct multi_paxos_state *st, const struct multi_paxos_accepted *a)
{
    if (a->slot < st->from_slot || a->ballot <= 0)
        return;
    int64_t i = a->slot - st->from_slot;
    if (i >= st->nmerged) {
        int64_t cap = st->nmerged ? st->nmerged : 16;
        while (cap <= i)
            cap *= 2;
        struct multi_paxos_accepted *m = realloc(st->merged, (size_t)cap * sizeof *m);
        if (!m)
            return;
        memset(m + st->nmerged, 0, (size_t)(cap - st->nmerged) * sizeof *m);
        st->merged = m;
        st->nmerged = cap;
    }
    if (a->ballot > st->merged[i].ballot)
        st->merged[i] = *a;
}

static void become_leader(struct sim_node *n, struct multi_paxos_state *st)
{
    free(st->peers);
    st->peers = calloc((size_t)st->nodes, sizeof *st->peers);
    if (!st->peers) {
        multi_paxos_step_down(n, st, st->ballot);
        return;
    }
    st->role = MP_LEADER;
    st->leader = st->self;
    sim_cancel_timer(n, st->election_timer);
    st->election_timer = 0;
    /* Every slot from from_slot to the highest any promise reported gets a
     * proposal in this ballot: a value known chosen, else the value of the
     * highest ballot reported (§2.2), else a no-op to fill the gap (§3). */
    int64_t top = st->from_slot - 1;
    for (int64_t i = 0; i < st->nmerged; i++)
        if (st->merged[i].ballot > 0)
            top = st->from_slot + i;
    if (top < st->chosen)
        top = st->chosen;
    int64_t reproposed = 0, noops = 0;
    if (top >= st->from_slot && multi_paxos_reserve(st, top) != SIM_OK)
        return;
    for (int64_t s = st->from_slot; s <= top; s++) {
        int64_t i = s - st->from_slot;
        struct multi_paxos_value v = {.kind = MP_NOOP};
        if (st->known[s - 1])
            v = st->log[s - 1];
        else if (i < st->nmerged && st->merged[i].ballot > 0)
            v = st->merged[i].value, reproposed++;
        else
            noops++;
        st->proposal[s - 1] = v;
        st->accepted_by[s - 1] = 0;
        st->from_client[s - 1] = 0;
        st->mine[s - 1] = 0;
        if (!st->known[s - 1])
            self_accept(n, st, s);
    }
    multi_paxos_persist_accepted(n, st, st->from_slot, top);
    sim_store_sync(n);
    st->next_slot = top + 1;
    char b[32];
    multi_paxos_ballot_text(st->ballot, b, sizeof b);
    sim_metric_add(n, "leaders_elected", 1);
    sim_metric_add(n, "reproposed", reproposed);
    sim_metric_add(n, "noops", noops);
    sim_note(n, "%s leads with ballot %s: phase 1 covered slots %lld..%lld (%lld re-proposed, %lld no-ops)",
             sim_node_name(n, st->self), b, (long long)st->from_slot, (long long)top,
             (long long)reproposed, (long long)noops);
    replicate(n, st, true);
    arm_tick(n, st);
    try_choose(n, st, st->from_slot, top);
}

static void send_prepare(struct sim_node *n, struct multi_paxos_state *st, int to)
{
    struct multi_paxos_prepare m = {st->ballot, st->from_slot};
    sim_send(n, to, MP_MSG_PREPARE, &m, sizeof m);
}

static void start_phase1(struct sim_node *n, struct multi_paxos_state *st)
{
    int64_t round = st->seen_round;
    if (st->promised / MULTI_PAXOS_MAX_NODES > round)
        round = st->promised / MULTI_PAXOS_MAX_NODES;
    st->ballot = (round + 1) * MULTI_PAXOS_MAX_NODES + st->self;
    st->seen_round = round + 1;
    st->role = MP_CANDIDATE;
    st->leader = -1;
    /* Our own acceptor promises first; the promise on disk also keeps us
     * from reusing this ballot after a crash. */
    st->promised = st->ballot;
    multi_paxos_persist_promise(n, st);
    sim_store_sync(n);
    st->from_slot = st->chosen + 1;
    if (st->nmerged)
        memset(st->merged, 0, (size_t)st->nmerged * sizeof *st->merged);
    for (int64_t s = st->from_slot; s <= st->max_accepted; s++)
        merge(st, &st->acc[s - 1]);
    st->promised_by = bit(st->self);
    draw_timeout(n, st);
    st->election_deadline = sim_now(n) + st->election_timeout;
    arm_election(n, st);
    char b[32];
    multi_paxos_ballot_text(st->ballot, b, sizeof b);
    sim_metric_add(n, "phase1_rounds", 1);
    sim_note(n, "no leader heard: %s runs phase 1 with ballot %s from slot %lld",
             sim_node_name(n, st->self), b, (long long)st->from_slot);
    if (count(st->promised_by) >= majority(st)) {
        become_leader(n, st);
        return;
    }
    for (int i = 0; i < st->nodes; i++)
        if (i != st->self)
            send_prepare(n, st, i);
    arm_tick(n, st);
}

void multi_paxos_on_promise(struct sim_node *n, struct multi_paxos_state *st, int from,
                            const void *body, size_t len)
{
    struct multi_paxos_promise h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || len != sizeof h + (size_t)h.count * sizeof(struct multi_paxos_accepted))
        return;
    if (st->role != MP_CANDIDATE || h.ballot != st->ballot || (st->promised_by & bit(from)))
        return;
    const unsigned char *p = (const unsigned char *)body + sizeof h;
    for (int64_t k = 0; k < h.count; k++) {
        struct multi_paxos_accepted a;
        memcpy(&a, p + (size_t)k * sizeof a, sizeof a);
        merge(st, &a);
    }
    st->promised_by |= bit(from);
    if (count(st->promised_by) >= majority(st))
        become_leader(n, st);
}

void multi_paxos_on_nack(struct sim_node *n, struct multi_paxos_state *st,
                         const struct multi_paxos_nack *m)
{
    if (m->promised / MULTI_PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = m->promised / MULTI_PAXOS_MAX_NODES;
    if (st->role != MP_FOLLOWER && m->ballot == st->ballot && m->promised > st->ballot)
        multi_paxos_step_down(n, st, m->promised);
}

void multi_paxos_on_election_timer(struct sim_node *n, struct multi_paxos_state *st)
{
    st->election_timer = 0;
    if (st->role == MP_LEADER)
        return;
    if (sim_now(n) < st->election_deadline) {
        arm_election(n, st);
        return;
    }
    start_phase1(n, st);
}

void multi_paxos_on_tick(struct sim_node *n, struct multi_paxos_state *st)
{
    st->tick_timer = 0;
    if (st->role == MP_LEADER) {
        replicate(n, st, true); /* heartbeats and retransmissions */
        arm_tick(n, st);
    } else if (st->role == MP_CANDIDATE) {
        for (int i = 0; i < st->nodes; i++)
            if (i != st->self && !(st->promised_by & bit(i)))
                send_prepare(n, st, i);
        arm_tick(n, st);
    }
}
