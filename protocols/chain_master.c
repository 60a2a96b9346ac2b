/* chain_master.c - the master of chain replication (van Renesse & Schneider,
 * OSDI 2004, §3): it pings every server, removes one that stops answering
 * (a failed head, tail or middle server alike: a new epoch, the chain
 * closed over the gap), and extends the chain with a server that answers
 * again, appended after the tail (§3, "extending a chain"). Every heartbeat
 * it sends the chain of the current epoch to everyone, which is how servers
 * learn their predecessor and successor. The paper replicates the master
 * with Paxos; here it is one node, so while it is down the chain cannot be
 * reconfigured. The paper assumes fail-stop servers: a server the master
 * wrongly believes failed (a partition, a slow node) may go on serving.
 * So the master also grants the tail a lease with every heartbeat, and
 * lets a new tail answer clients only once the old tail's lease has run
 * out (chain.c has the tail's side). */
#include <stdio.h>
#include <string.h>

#include "protocols/chain.h"

static void persist(struct sim_node *n, const struct chain_state *st)
{
    sim_store_put(n, "view", &st->view, sizeof st->view);
    sim_store_sync(n);
}

static void describe_chain(const struct sim_node *n, const struct chain_view *v, char *buf,
                           size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < v->count && used + 8 < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? " -> " : "",
                                 sim_node_name(n, v->member[i]));
}

void chain_send_view(struct sim_node *n, int to, const struct chain_view *v)
{
    struct chain_config_msg m = {*v, -1, 0, 0};
    if (to < 0)
        sim_broadcast(n, CHAIN_MSG_CONFIG, &m, sizeof m);
    else
        sim_send(n, to, CHAIN_MSG_CONFIG, &m, sizeof m);
}

/* The tail's lease (Gray & Cheriton 1989), granted with every CONFIG for
 * the newest request the tail sent: a request sent at t is good until
 * t + lease - lease_margin on the tail's clock, and it arrived here after
 * t. So a lease granted for a request that arrived in tick k has run out
 * by tick k + 1 + lease/heartbeat: only then may another server have one,
 * and two servers never answer clients at once. The wait is counted in
 * heartbeat ticks, which clock jumps do not shorten. */
static void grant(struct sim_node *n, struct chain_state *st, struct chain_config_msg *m)
{
    const struct chain_config *c = st->cfg;
    if (c->lease == 0 || st->view.count == 0)
        return;
    int tail = st->view.member[st->view.count - 1];
    if (st->last_req[tail] == 0)
        return; /* not heard from since the master started */
    if (tail != st->lease_to) {
        int64_t wait = (c->lease + c->heartbeat - 1) / c->heartbeat;
        if (st->ticks <= st->lease_tick + wait)
            return;
        if (st->lease_to >= 0)
            sim_note(n, "the tail's lease passes from %s to %s", sim_node_name(n, st->lease_to),
                     sim_node_name(n, tail));
        st->lease_to = tail;
    }
    st->lease_tick = st->req_tick[tail];
    m->lease_to = tail;
    m->lease_req = st->last_req[tail];
}

static void announce(struct sim_node *n, struct chain_state *st)
{
    struct chain_config_msg m = {st->view, -1, 0, 0};
    grant(n, st, &m);
    sim_broadcast(n, CHAIN_MSG_CONFIG, &m, sizeof m);
}

static void new_epoch(struct sim_node *n, struct chain_state *st, const struct chain_view *v,
                      const char *why)
{
    char chain[160];
    st->view = *v;
    st->view.epoch++;
    memset(st->ready, 0, sizeof st->ready); /* each says again, for this epoch */
    persist(n, st);
    describe_chain(n, &st->view, chain, sizeof chain);
    sim_note(n, "epoch %lld: %s; chain %s", (long long)st->view.epoch, why, chain);
    sim_metric_add(n, "reconfigurations", 1);
    announce(n, st);
}

void chain_master_pong(struct sim_node *n, struct chain_state *st, int from,
                       const struct chain_ack_msg *pong)
{
    if (from < 0 || from >= CHAIN_MAX_NODES)
        return;
    st->heard[from] = st->ticks;
    st->ready[from] = pong->epoch == st->view.epoch && pong->have >= 0;
    if (pong->req > st->last_req[from]) {
        st->last_req[from] = pong->req;
        st->req_tick[from] = st->ticks;
    }
    if (from == st->lease_to && pong->epoch == st->view.epoch && st->view.count > 0 &&
        st->view.member[st->view.count - 1] != from) {
        /* The last holder has taken this chain, in which it is not the
         * tail, and gave its lease up on the way (chain_adopt): the new
         * tail need not wait for it to run out. */
        sim_note(n, "%s gave up the tail's lease", sim_node_name(n, from));
        st->lease_to = -1;
        st->lease_tick = INT64_MIN / 2;
    }
}

void chain_master_tick(struct sim_node *n, struct chain_state *st)
{
    const struct chain_config *c = st->cfg;
    st->ticks++;
    int64_t silent_ticks = (c->suspect_after + c->heartbeat - 1) / c->heartbeat;
    /* Remove a member that stopped answering - but never leave the chain
     * without a server holding the acknowledged updates: the new head must
     * have had its predecessor's state (a joining server that has not yet
     * received it knows nothing). The chain stalls instead. */
    struct chain_view v = st->view;
    v.count = 0;
    int removed = -1;
    for (int i = 0; i < st->view.count; i++) {
        int m = st->view.member[i];
        bool silent = st->ticks - st->heard[m] > silent_ticks;
        bool successor_ready = i + 1 < st->view.count && st->ready[st->view.member[i + 1]];
        if (silent && removed < 0 && st->view.count > 1 && (i > 0 || successor_ready)) {
            removed = m;
            continue;
        }
        v.member[v.count++] = (int8_t)m;
    }
    if (removed >= 0) {
        int pos = chain_position(&st->view, removed);
        char why[96];
        snprintf(why, sizeof why, "%s (%s) stopped answering, removed", sim_node_name(n, removed),
                 pos == 0 ? "head" : pos == st->view.count - 1 ? "tail" : "middle");
        sim_metric_add(n, pos == 0 ? "heads_removed" : pos == st->view.count - 1 ? "tails_removed"
                                                                                  : "middles_removed",
                       1);
        new_epoch(n, st, &v, why);
        return;
    }
    /* Extend the chain with a server that answers but is not in it. */
    for (int m = 0; m < st->nodes; m++) {
        if (m == st->self || chain_position(&st->view, m) >= 0 ||
            st->ticks - st->heard[m] > 1 || st->heard[m] == 0)
            continue;
        v = st->view;
        v.member[v.count++] = (int8_t)m;
        char why[96];
        snprintf(why, sizeof why, "%s answers again: it joins as the new tail",
                 sim_node_name(n, m));
        sim_metric_add(n, "extensions", 1);
        new_epoch(n, st, &v, why);
        return;
    }
    announce(n, st);
}

void chain_master_start(struct sim_node *n, struct chain_state *st)
{
    size_t len = 0;
    const void *v = sim_store_get(n, "view", &len);
    bool restarted = v && len == sizeof st->view;
    if (restarted) {
        memcpy(&st->view, v, sizeof st->view);
    } else { /* first boot: every other node, in id order */
        st->view.epoch = 1;
        st->view.count = 0;
        for (int m = 0; m < st->nodes; m++)
            if (m != st->self)
                st->view.member[st->view.count++] = (int8_t)m;
        persist(n, st);
    }
    /* Give everyone a full suspicion period from now. */
    st->ticks = 1;
    for (int m = 0; m < CHAIN_MAX_NODES; m++)
        st->heard[m] = 1;
    /* A lease granted before a restart may still run: wait a whole lease
     * before granting one (to anyone: the master does not know whom). */
    st->lease_to = -1;
    st->lease_tick = restarted ? st->ticks : INT64_MIN / 2;
    announce(n, st);
}
