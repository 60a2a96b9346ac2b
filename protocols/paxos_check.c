/* paxos_check.c - single-decree Paxos safety (Lamport 2001, §2.1), checked
 * after every event from what acceptors accepted and learners learned:
 *   agreement          at most one value is chosen per key (a value is
 *                      chosen once a majority has accepted it in one
 *                      ballot), and every learner learns that value;
 *   stability          once chosen, a value stays: no acceptor accepts
 *                      another value in a higher ballot, no learner
 *                      changes its mind;
 *   validity           only a value some proposer put forward is chosen;
 *   unique-ballot      one ballot carries one value;
 *   promise-kept       an acceptor never accepts a ballot below one it
 *                      promised, even across a crash (§2.2, P1a).
 * Only the key the last event touched is examined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/paxos.h"

static double secs(sim_time t)
{
    return (double)t / (double)SIM_S;
}

static int count(uint64_t set)
{
    int k = 0;
    for (; set; set &= set - 1)
        k++;
    return k;
}

/* "n1 n3" for a set of nodes. */
static void set_text(const struct sim_cluster *c, uint64_t set, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < PAXOS_MAX_NODES && used + 8 < cap; i++)
        if (set & ((uint64_t)1 << i))
            used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? " " : "",
                                     sim_cluster_node_name(c, i));
}

static struct paxos_ghost_key *ghost_key(struct paxos_ghost *g, int key)
{
    if (key >= g->nkeys) {
        int cap = g->nkeys ? g->nkeys : 4;
        while (cap <= key)
            cap *= 2;
        struct paxos_ghost_key *k = realloc(g->keys, (size_t)cap * sizeof *k);
        if (!k)
            return NULL;
        memset(k + g->nkeys, 0, (size_t)(cap - g->nkeys) * sizeof *k);
        g->keys = k;
        g->nkeys = cap;
    }
    struct paxos_ghost_key *gk = &g->keys[key];
    if (!gk->seen_accepted) {
        gk->seen_accepted = calloc((size_t)g->nodes, sizeof *gk->seen_accepted);
        gk->seen_learned = calloc((size_t)g->nodes, sizeof *gk->seen_learned);
        gk->seen_own = calloc((size_t)g->nodes, sizeof *gk->seen_own);
        gk->max_promised = calloc((size_t)g->nodes, sizeof *gk->max_promised);
        if (!gk->seen_accepted || !gk->seen_learned || !gk->seen_own || !gk->max_promised)
            return NULL;
    }
    return gk;
}

static struct paxos_ghost_ballot *ballot_record(struct paxos_ghost_key *gk, int64_t ballot,
                                                const struct sim_op *value, bool *fresh)
{
    *fresh = false;
    for (int i = 0; i < gk->nballots; i++)
        if (gk->ballots[i].ballot == ballot)
            return &gk->ballots[i];
    if (gk->nballots == gk->capballots) {
        int cap = gk->capballots ? gk->capballots * 2 : 8;
        struct paxos_ghost_ballot *b = realloc(gk->ballots, (size_t)cap * sizeof *b);
        if (!b)
            return NULL;
        gk->ballots = b;
        gk->capballots = cap;
    }
    *fresh = true;
    gk->ballots[gk->nballots] = (struct paxos_ghost_ballot){ballot, *value, 0};
    return &gk->ballots[gk->nballots++];
}

static bool was_proposed(const struct paxos_ghost_key *gk, uint64_t id)
{
    for (int i = 0; i < gk->nproposed; i++)
        if (gk->proposed[i] == id)
            return true;
    return false;
}

static void on_accepted(struct sim_cluster *c, struct paxos_ghost_key *gk, int key, int id,
                        const struct paxos_instance *in)
{
    char vb[48], wb[48], bb[32], cb[32], sb[96];
    bool fresh;
    struct paxos_ghost_ballot *rec = ballot_record(gk, in->accepted_ballot, &in->accepted, &fresh);
    if (!rec)
        return;
    paxos_ballot_text(in->accepted_ballot, bb, sizeof bb);
    paxos_value_text(&in->accepted, vb, sizeof vb);
    if (!fresh && rec->value.id != in->accepted.id) {
        paxos_value_text(&rec->value, wb, sizeof wb);
        sim_violation(c, "unique-ballot", id, "k%d: ballot %s carries %s and %s", key + 1, bb, wb, vb);
    }
    rec->acceptors |= (uint64_t)1 << id;
    if (gk->chosen && in->accepted_ballot > gk->chosen_ballot &&
        in->accepted.id != gk->chosen_value.id) {
        paxos_value_text(&gk->chosen_value, wb, sizeof wb);
        paxos_ballot_text(gk->chosen_ballot, cb, sizeof cb);
        sim_violation(c, "stability", id,
                      "k%d: %s was chosen with ballot %s at %.3fs, but %s accepts %s with ballot %s",
                      key + 1, wb, cb, secs(gk->chosen_at), sim_cluster_node_name(c, id), vb, bb);
    }
    if (count(rec->acceptors) * 2 <= sim_cluster_size(c))
        return;
    if (!gk->chosen) {
        gk->chosen = true;
        gk->chosen_ballot = rec->ballot;
        gk->chosen_value = rec->value;
        gk->chosen_at = sim_cluster_time(c);
        gk->chosen_by = rec->acceptors;
        if (!was_proposed(gk, rec->value.id))
            sim_violation(c, "validity", id, "k%d: %s chosen with ballot %s, but no proposer put it forward",
                          key + 1, vb, bb);
        /* §2.2 P2b holds regardless of timing: a higher ballot accepted
         * before this choice completed must carry the same value. */
        for (int i = 0; i < gk->nballots; i++) {
            const struct paxos_ghost_ballot *o = &gk->ballots[i];
            if (o->ballot > rec->ballot && o->value.id != rec->value.id) {
                paxos_value_text(&o->value, wb, sizeof wb);
                paxos_ballot_text(o->ballot, cb, sizeof cb);
                set_text(c, o->acceptors, sb, sizeof sb);
                sim_violation(c, "stability", id,
                              "k%d: %s is chosen with ballot %s, but the higher ballot %s carries %s "
                              "(accepted by %s)",
                              key + 1, vb, bb, cb, wb, sb);
                break;
            }
        }
        return;
    }
    if (rec->value.id != gk->chosen_value.id) {
        char sa[96];
        paxos_value_text(&gk->chosen_value, wb, sizeof wb);
        paxos_ballot_text(gk->chosen_ballot, cb, sizeof cb);
        set_text(c, gk->chosen_by, sa, sizeof sa);
        set_text(c, rec->acceptors, sb, sizeof sb);
        sim_violation(c, "agreement", id,
                      "k%d: two values chosen: %s (ballot %s, accepted by %s at %.3fs) and %s "
                      "(ballot %s, accepted by %s)",
                      key + 1, wb, cb, sa, secs(gk->chosen_at), vb, bb, sb);
    }
}

static void on_learned(struct sim_cluster *c, struct paxos_ghost_key *gk, int key, int id,
                       const struct paxos_instance *in)
{
    char vb[48], wb[48];
    paxos_value_text(&in->value, vb, sizeof vb);
    if (gk->seen_learned[id] && gk->seen_learned[id] != in->value.id)
        sim_violation(c, "stability", id, "k%d: %s changes what it learned, now %s", key + 1,
                      sim_cluster_node_name(c, id), vb);
    else if (!gk->chosen)
        sim_violation(c, "agreement", id, "k%d: %s learns %s, which no majority accepted", key + 1,
                      sim_cluster_node_name(c, id), vb);
    else if (gk->chosen_value.id != in->value.id) {
        paxos_value_text(&gk->chosen_value, wb, sizeof wb);
        sim_violation(c, "agreement", id, "k%d: %s learns %s, but %s was chosen at %.3fs", key + 1,
                      sim_cluster_node_name(c, id), vb, wb, secs(gk->chosen_at));
    }
    gk->seen_learned[id] = in->value.id;
}

static void check_key(struct sim_cluster *c, struct paxos_ghost *g, int id,
                      const struct paxos_state *st, int key)
{
    const struct paxos_instance *in = &st->inst[key];
    if (!in->accepted_ballot && !in->learned && !in->has_own && !in->promised)
        return;
    struct paxos_ghost_key *gk = ghost_key(g, key);
    if (!gk)
        return;
    if (in->has_own && gk->seen_own[id] != in->own.id) {
        gk->seen_own[id] = in->own.id;
        if (!was_proposed(gk, in->own.id)) {
            if (gk->nproposed == gk->capproposed) {
                int cap = gk->capproposed ? gk->capproposed * 2 : 8;
                uint64_t *p = realloc(gk->proposed, (size_t)cap * sizeof *p);
                if (!p)
                    return;
                gk->proposed = p;
                gk->capproposed = cap;
            }
            gk->proposed[gk->nproposed++] = in->own.id;
        }
    }
    if (in->accepted_ballot && in->accepted_ballot != gk->seen_accepted[id]) {
        gk->seen_accepted[id] = in->accepted_ballot;
        if (in->accepted_ballot < gk->max_promised[id]) {
            char a[32], p[32];
            paxos_ballot_text(in->accepted_ballot, a, sizeof a);
            paxos_ballot_text(gk->max_promised[id], p, sizeof p);
            sim_violation(c, "promise-kept", id, "k%d: %s accepts ballot %s after promising %s",
                          key + 1, sim_cluster_node_name(c, id), a, p);
        }
        on_accepted(c, gk, key, id, in);
    }
    if (in->promised > gk->max_promised[id])
        gk->max_promised[id] = in->promised;
    if (in->learned && in->value.id != gk->seen_learned[id])
        on_learned(c, gk, key, id, in);
}

void paxos_check_cluster(struct sim_cluster *c, void *ghost)
{
    struct paxos_ghost *g = ghost;
    g->nodes = sim_cluster_size(c);
    int id = sim_cluster_last_node(c);
    if (id < 0 || id >= g->nodes)
        return;
    const struct paxos_state *st = sim_cluster_state(c, id);
    if (!st || st->changed_key == -1)
        return;
    if (st->changed_key >= 0) {
        if (st->changed_key < st->ninst)
            check_key(c, g, id, st, st->changed_key);
        return;
    }
    for (int k = 0; k < st->ninst; k++)
        check_key(c, g, id, st, k);
}

void paxos_ghost_free(void *ghost)
{
    struct paxos_ghost *g = ghost;
    for (int i = 0; i < g->nkeys; i++) {
        free(g->keys[i].ballots);
        free(g->keys[i].proposed);
        free(g->keys[i].seen_accepted);
        free(g->keys[i].seen_learned);
        free(g->keys[i].seen_own);
        free(g->keys[i].max_promised);
    }
    free(g->keys);
}
