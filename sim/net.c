/* net.c - the simulated network: per-link latency distributions, loss and
 * duplication settings with per-link overrides, optional FIFO links, and the
 * blocks (partitions, isolations, one-way cuts, flapping links) that stop
 * messages between nodes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

int net_init(struct sim *s)
{
    s->net.drop_override = -1.0;
    s->net.duplicate_override = -1.0;
    s->net.next_block_id = 1;
    return SIM_OK;
}

static void block_free(struct block *b)
{
    free(b->group);
    free(b->from);
    free(b->to);
    b->group = NULL;
    b->from = b->to = NULL;
}

void net_free(struct sim *s)
{
    for (int i = 0; i < s->net.nblocks; i++)
        block_free(&s->net.blocks[i]);
    free(s->net.blocks);
    free(s->net.fifo);
    memset(&s->net, 0, sizeof s->net);
}

/* ---- latency ------------------------------------------------------------------------------ */

static sim_time sample(struct rng *r, const struct latency *l)
{
    double x;
    switch (l->dist) {
    case LAT_CONSTANT:
        return l->a;
    case LAT_UNIFORM:
        return rng_between(r, l->a, l->b);
    case LAT_EXPONENTIAL:
        x = -log1p(-rng_unit(r)) * (double)l->a;
        if (x > 1e12)
            x = 1e12;
        return l->c + (sim_time)x;
    case LAT_NORMAL: {
        /* Box-Muller; both draws are always taken so the stream stays aligned. */
        double u1 = rng_unit(r), u2 = rng_unit(r);
        double z = sqrt(-2.0 * log1p(-u1)) * cos(6.283185307179586 * u2);
        x = (double)l->a + (double)l->b * z;
        if (x > 1e12)
            x = 1e12;
        sim_time t = (sim_time)x;
        return t < l->c ? l->c : t;
    }
    }
    return l->a;
}

static bool in_set(const struct node_set *set, int node)
{
    if (set->all)
        return true;
    for (int i = 0; i < set->count; i++)
        if (set->nodes[i] == node)
            return true;
    return false;
}

sim_time net_latency(struct sim *s, int from, int to, bool client, double *drop, double *dup)
{
    const struct network_cfg *cfg = &s->sc->network;
    if (client) {
        *drop = cfg->clients.drop;
        *dup = 0.0; /* client traffic is request/response: no duplicates */
        return sample(&s->rng_net, &cfg->clients.latency);
    }
    const struct latency *lat = &cfg->link.latency;
    *drop = cfg->link.drop;
    *dup = cfg->link.duplicate;
    for (int i = 0; i < cfg->link_count; i++) {
        const struct link_override *o = &cfg->links[i];
        if (!in_set(&o->from, from) || !in_set(&o->to, to))
            continue;
        if (o->cfg.has_latency)
            lat = &o->cfg.latency;
        if (o->cfg.has_drop)
            *drop = o->cfg.drop;
        if (o->cfg.has_duplicate)
            *dup = o->cfg.duplicate;
    }
    if (s->net.drop_override > *drop)
        *drop = s->net.drop_override;
    if (s->net.duplicate_override > *dup)
        *dup = s->net.duplicate_override;
    sim_time t = sample(&s->rng_net, lat);
    return t < 0 ? 0 : t;
}

/* ---- FIFO links ------------------------------------------------------------------------- */

sim_time net_fifo_arrival(struct sim *s, int from, int to, sim_time arrive)
{
    struct net *net = &s->net;
    if ((net->fifo_used + 1) * 2 > net->fifo_cap) {
        size_t cap = net->fifo_cap ? net->fifo_cap * 2 : 64;
        struct fifo_entry *t = calloc(cap, sizeof *t);
        if (!t) {
            sim_fatal(s, SIM_ENOMEM);
            return arrive;
        }
        for (size_t i = 0; i < net->fifo_cap; i++) {
            if (!net->fifo[i].key)
                continue;
            size_t j = (size_t)(net->fifo[i].key * 0x9e3779b97f4a7c15ULL) & (cap - 1);
            while (t[j].key)
                j = (j + 1) & (cap - 1);
            t[j] = net->fifo[i];
        }
        free(net->fifo);
        net->fifo = t;
        net->fifo_cap = cap;
    }
    uint64_t key = (((uint64_t)(uint32_t)from << 32) | (uint32_t)to) + 1;
    size_t j = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (net->fifo_cap - 1);
    while (net->fifo[j].key && net->fifo[j].key != key)
        j = (j + 1) & (net->fifo_cap - 1);
    if (!net->fifo[j].key) {
        net->fifo[j].key = key;
        net->fifo[j].last = arrive;
        net->fifo_used++;
        return arrive;
    }
    if (arrive < net->fifo[j].last)
        arrive = net->fifo[j].last; /* never overtake: same time keeps send order */
    net->fifo[j].last = arrive;
    return arrive;
}

/* ---- blocks ----------------------------------------------------------------------------- */

bool net_blocked(const struct sim *s, int from, int to)
{
    const struct net *net = &s->net;
    for (int i = 0; i < net->nblocks; i++) {
        const struct block *b = &net->blocks[i];
        if (!b->active)
            continue;
        if (b->kind == BLOCK_GROUPS) {
            int g1 = b->group[from], g2 = b->group[to];
            if (g1 >= 0 && g2 >= 0 && g1 != g2)
                return true;
        } else {
            if (b->from[from] && b->to[to])
                return true;
            if (b->both && b->from[to] && b->to[from])
                return true;
        }
    }
    return false;
}

static struct block *new_block(struct sim *s)
{
    struct net *net = &s->net;
    if (net->nblocks == net->capblocks) {
        int cap = net->capblocks ? net->capblocks * 2 : 4;
        struct block *b = realloc(net->blocks, (size_t)cap * sizeof *b);
        if (!b)
            return NULL;
        net->blocks = b;
        net->capblocks = cap;
    }
    struct block *b = &net->blocks[net->nblocks++];
    memset(b, 0, sizeof *b);
    b->id = net->next_block_id++;
    b->active = true;
    return b;
}

int net_add_groups(struct sim *s, int *group, bool flapping, sim_time period)
{
    struct block *b = new_block(s);
    if (!b) {
        free(group);
        return SIM_ENOMEM;
    }
    b->kind = BLOCK_GROUPS;
    b->group = group;
    b->flapping = flapping;
    b->period = period;
    return b->id;
}

int net_add_cut(struct sim *s, uint8_t *from, uint8_t *to, bool both, bool flapping,
                sim_time period)
{
    struct block *b = new_block(s);
    if (!b) {
        free(from);
        free(to);
        return SIM_ENOMEM;
    }
    b->kind = BLOCK_CUT;
    b->from = from;
    b->to = to;
    b->both = both;
    b->flapping = flapping;
    b->period = period;
    return b->id;
}

struct block *net_find(struct sim *s, int id)
{
    for (int i = 0; i < s->net.nblocks; i++)
        if (s->net.blocks[i].id == id)
            return &s->net.blocks[i];
    return NULL;
}

void net_remove(struct sim *s, int id)
{
    struct net *net = &s->net;
    int keep = 0;
    for (int i = 0; i < net->nblocks; i++) {
        if (id < 0 || net->blocks[i].id == id)
            block_free(&net->blocks[i]);
        else
            net->blocks[keep++] = net->blocks[i];
    }
    net->nblocks = keep;
}
