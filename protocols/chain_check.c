/* chain_check.c - the invariants of chain replication, checked after every
 * event: the tail holds only what a head sent, in the order it was sent
 * (van Renesse & Schneider 2004, §3: the Update Propagation Invariant seen
 * from the end of the chain) - each head's history is recorded as it grows;
 * each serving tail's history must match it position by position, and no
 * two tails may ever hold different updates at one position; and at most
 * one server answers clients as the tail at any instant. */
#include <stdlib.h>
#include <string.h>

#include "protocols/chain.h"

/* Every (position, update) a head ever put in its history is kept in an
 * open-addressing set: several deposed heads may have put different updates
 * at one position. */
struct sent_pair {
    int64_t pos;              /* 0 = empty slot */
    uint64_t id;
};

static uint64_t pair_hash(int64_t pos, uint64_t id)
{
    uint64_t h = (uint64_t)pos * 0x9E3779B97F4A7C15ULL ^ id * 0xC2B2AE3D27D4EB4FULL;
    return h ^ (h >> 29);
}

static bool sent_has(const struct chain_ghost *g, int64_t pos, uint64_t id)
{
    if (!g->capsent)
        return false;
    for (uint64_t i = pair_hash(pos, id) & (uint64_t)(g->capsent - 1);; i = (i + 1) & (uint64_t)(g->capsent - 1)) {
        if (!g->sent[i].pos)
            return false;
        if (g->sent[i].pos == pos && g->sent[i].id == id)
            return true;
    }
}

static int sent_add(struct chain_ghost *g, int64_t pos, uint64_t id)
{
    if (sent_has(g, pos, id))
        return 0;
    if (2 * (g->nsent + 1) > g->capsent) {
        int64_t cap = g->capsent ? 2 * g->capsent : 1024;
        struct sent_pair *t = calloc((size_t)cap, sizeof *t);
        if (!t)
            return -1;
        for (int64_t k = 0; k < g->capsent; k++) {
            if (!g->sent[k].pos)
                continue;
            uint64_t i = pair_hash(g->sent[k].pos, g->sent[k].id) & (uint64_t)(cap - 1);
            while (t[i].pos)
                i = (i + 1) & (uint64_t)(cap - 1);
            t[i] = g->sent[k];
        }
        free(g->sent);
        g->sent = t;
        g->capsent = cap;
    }
    uint64_t i = pair_hash(pos, id) & (uint64_t)(g->capsent - 1);
    while (g->sent[i].pos)
        i = (i + 1) & (uint64_t)(g->capsent - 1);
    g->sent[i] = (struct sent_pair){pos, id};
    g->nsent++;
    return 0;
}

static int ghost_reserve(struct chain_ghost *g, int64_t n)
{
    if (n <= g->cap)
        return 0;
    int64_t cap = g->cap ? 2 * g->cap : 256;
    while (cap < n)
        cap *= 2;
    uint64_t *c = realloc(g->committed, (size_t)cap * sizeof *c);
    if (!c)
        return -1;
    memset(c + g->cap, 0, (size_t)(cap - g->cap) * sizeof *c);
    g->committed = c;
    g->cap = cap;
    return 0;
}

/* At most one server answers clients as the tail: with leases, each by its
 * own clock (two would let a removed tail answer from a history the new
 * tail has overtaken). */
static void check_one_tail(struct sim_cluster *c)
{
    int first = -1, size = sim_cluster_size(c);
    for (int i = 0; i < size; i++) {
        const struct chain_state *st = sim_cluster_state(c, i);
        if (!st || st->is_master || !chain_answering(st, sim_cluster_now(c, i)))
            continue;
        if (first < 0) {
            first = i;
            continue;
        }
        const struct chain_state *f = sim_cluster_state(c, first);
        sim_violation(c, "one-tail", i,
                      "two servers answer clients as the tail: %s (epoch %lld) and %s (epoch %lld)",
                      sim_cluster_node_name(c, first), (long long)f->view.epoch,
                      sim_cluster_node_name(c, i), (long long)st->view.epoch);
    }
}

void chain_check_cluster(struct sim_cluster *c, void *ghost)
{
    struct chain_ghost *g = ghost;
    check_one_tail(c);
    int node = sim_cluster_last_node(c);
    const struct chain_state *st = sim_cluster_state(c, node);
    if (!st || st->is_master || node >= CHAIN_MAX_NODES)
        return;
    if (ghost_reserve(g, st->len + 1) < 0)
        return;
    if (st->len < g->head_seen[node])
        g->head_seen[node] = st->len;
    if (st->len < g->tail_seen[node])
        g->tail_seen[node] = st->len;
    if (chain_is_head(st)) {
        for (int64_t i = g->head_seen[node]; i < st->len; i++)
            if (sent_add(g, i + 1, st->log[i].op.id) < 0)
                return;
        g->head_seen[node] = st->len;
    }
    if (chain_serving_tail(st)) {
        for (int64_t i = g->tail_seen[node]; i < st->len; i++) {
            uint64_t id = st->log[i].op.id;
            if (!sent_has(g, i + 1, id))
                sim_violation(c, "chain-order", node,
                              "the tail %s holds op %llu at position %lld, which no head sent there",
                              sim_cluster_node_name(c, node), (unsigned long long)id,
                              (long long)i + 1);
            else if (g->committed[i] && g->committed[i] != id)
                sim_violation(c, "chain-order", node,
                              "the tail %s holds op %llu at position %lld, where a tail held op %llu",
                              sim_cluster_node_name(c, node), (unsigned long long)id,
                              (long long)i + 1, (unsigned long long)g->committed[i]);
            else
                g->committed[i] = id;
        }
        g->tail_seen[node] = st->len;
    }
}

void chain_ghost_free(void *ghost)
{
    struct chain_ghost *g = ghost;
    free(g->committed);
    free(g->sent);
}
