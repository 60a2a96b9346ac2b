/* twopc_check.c - the atomicity invariant of two- and three-phase commit,
 * checked after every event: no transaction is committed at one participant
 * and aborted at another (BHG §7.2, AC1: all processes that reach a
 * decision reach the same one). Each participant keeps the outcomes it
 * reached; the checker reads the new ones of the node that just acted and
 * remembers, per transaction, who committed and who aborted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/twopc.h"

static struct twopc_outcomes *slot(struct twopc_ghost *g, int64_t txid)
{
    if (txid < 1)
        return NULL;
    if (txid >= g->cap) {
        int64_t cap = g->cap ? g->cap : 256;
        while (cap <= txid)
            cap *= 2;
        struct twopc_outcomes *o = realloc(g->by_txid, (size_t)cap * sizeof *o);
        if (!o)
            return NULL;
        memset(o + g->cap, 0, (size_t)(cap - g->cap) * sizeof *o);
        g->by_txid = o;
        g->cap = cap;
    }
    return &g->by_txid[txid];
}

static void names(const struct sim_cluster *c, twopc_mask m, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; m && used + 8 < cap; i++, m >>= 1)
        if (m & 1)
            used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? " " : "",
                                     sim_cluster_node_name(c, i));
}

void twopc_check_cluster(struct sim_cluster *c, void *ghost)
{
    struct twopc_ghost *g = ghost;
    int node = sim_cluster_last_node(c);
    if (node < 0 || node >= TWOPC_MAX_NODES)
        return;
    const struct twopc_state *st = sim_cluster_state(c, node);
    if (!st)
        return;
    if (st->ndecided < g->seen[node])
        g->seen[node] = 0; /* restarted: its list began again */
    for (int i = g->seen[node]; i < st->ndecided; i++) {
        const struct twopc_decided *d = &st->decided[i];
        struct twopc_outcomes *o = slot(g, d->txid);
        if (!o)
            break;
        twopc_mask me = (twopc_mask)1 << node;
        if (d->commit)
            o->committed |= me;
        else
            o->aborted |= me;
        if (o->committed && o->aborted) {
            char com[96], ab[96];
            names(c, o->committed, com, sizeof com);
            names(c, o->aborted, ab, sizeof ab);
            sim_violation(c, "atomicity", node, "t%lld committed at %s but aborted at %s",
                          (long long)d->txid, com, ab);
        }
    }
    g->seen[node] = st->ndecided;
}

void twopc_ghost_free(void *ghost)
{
    struct twopc_ghost *g = ghost;
    free(g->by_txid);
}
