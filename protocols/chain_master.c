/* chain_master.c - the master of chain replication (van Renesse & Schneider,
 * OSDI 2004, §3): it pings every server, removes one that stops answering
 * (a failed head, tail or middle server alike: a new epoch, the chain
 * closed over the gap), and extends the chain with a server that answers
 * again, appended after the tail (§3, "extending a chain"). Every heartbeat
 * it sends the chain of the current epoch to everyone, which is how servers
 * learn their predecessor and successor. The paper replicates the master
 * with Paxos; here it is one node, so while it is down the chain cannot be
 * reconfigured. The paper assumes fail-stop servers: a server the master
 * wrongly believes failed (a partition, a slow node) may go on serving. */
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

static void announce(struct sim_node *n, struct chain_state *st)
{
    sim_broadcast(n, CHAIN_MSG_CONFIG, &st->view, sizeof st->view);
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

void chain_master_pong(struct chain_state *st, int from, const struct chain_ack_msg *pong)
{
    if (from < 0 || from >= CHAIN_MAX_NODES)
        return;
    st->heard[from] = st->ticks;
    st->ready[from] = pong->epoch == st->view.epoch && pong->have >= 0;
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
    if (v && len == sizeof st->view) {
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
    announce(n, st);
}
