/* multi_paxos_check.c - Multi-Paxos safety, per slot (Lamport 2001, §2.1
 * for each instance of §3), checked after every event over the slots the
 * last event touched:
 *   agreement      at most one value chosen per slot (a majority accepted
 *                  it in one ballot), and every learner learns that value;
 *   stability      once chosen, no acceptor accepts another value for the
 *                  slot in a higher ballot;
 *   validity       a chosen command is a no-op or one a client sent;
 *   unique-ballot  one ballot carries one value per slot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/multi_paxos.h"

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

static bool same_value(const struct multi_paxos_value *a, const struct multi_paxos_value *b)
{
    return a->kind == b->kind && (a->kind != MP_OP || a->op.id == b->op.id);
}

/* ---- the set of client commands proposed --------------------------------------------- */

static size_t id_slot(uint64_t id, size_t cap)
{
    uint64_t x = id * 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29)) & (cap - 1);
}

static void proposed_add(struct multi_paxos_ghost *g, uint64_t id)
{
    if ((g->proposed_used + 1) * 2 > g->proposed_cap) {
        size_t cap = g->proposed_cap ? g->proposed_cap * 2 : 256;
        uint64_t *t = calloc(cap, sizeof *t);
        if (!t)
            return;
        for (size_t i = 0; i < g->proposed_cap; i++)
            if (g->proposed[i]) {
                size_t j = id_slot(g->proposed[i], cap);
                while (t[j])
                    j = (j + 1) & (cap - 1);
                t[j] = g->proposed[i];
            }
        free(g->proposed);
        g->proposed = t;
        g->proposed_cap = cap;
    }
    size_t j = id_slot(id, g->proposed_cap);
    while (g->proposed[j]) {
        if (g->proposed[j] == id)
            return;
        j = (j + 1) & (g->proposed_cap - 1);
    }
    g->proposed[j] = id;
    g->proposed_used++;
}

static bool proposed_has(const struct multi_paxos_ghost *g, uint64_t id)
{
    if (!g->proposed_cap)
        return false;
    size_t j = id_slot(id, g->proposed_cap);
    while (g->proposed[j]) {
        if (g->proposed[j] == id)
            return true;
        j = (j + 1) & (g->proposed_cap - 1);
    }
    return false;
}

/* ---- per slot ---------------------------------------------------------------------------- */

static struct multi_paxos_ghost_slot *ghost_slot(struct multi_paxos_ghost *g, int64_t slot)
{
    if (slot > g->nslots) {
        int64_t cap = g->nslots ? g->nslots : 256;
        while (cap < slot)
            cap *= 2;
        struct multi_paxos_ghost_slot *s = realloc(g->slots, (size_t)cap * sizeof *s);
        if (!s)
            return NULL;
        memset(s + g->nslots, 0, (size_t)(cap - g->nslots) * sizeof *s);
        g->slots = s;
        g->nslots = cap;
    }
    struct multi_paxos_ghost_slot *gs = &g->slots[slot - 1];
    if (!gs->seen_accepted) {
        gs->seen_accepted = calloc((size_t)g->nodes, sizeof *gs->seen_accepted);
        gs->seen_learned = calloc((size_t)g->nodes, 1);
        if (!gs->seen_accepted || !gs->seen_learned)
            return NULL;
    }
    return gs;
}

static void on_accepted(struct sim_cluster *c, struct multi_paxos_ghost *g,
                        struct multi_paxos_ghost_slot *gs, int64_t slot, int id,
                        const struct multi_paxos_accepted *a)
{
    char vb[64], wb[64], bb[32], cb[32];
    multi_paxos_value_text(&a->value, vb, sizeof vb);
    multi_paxos_ballot_text(a->ballot, bb, sizeof bb);
    struct multi_paxos_ghost_ballot *rec = NULL;
    for (int i = 0; i < gs->nballots; i++)
        if (gs->ballots[i].ballot == a->ballot)
            rec = &gs->ballots[i];
    if (!rec) {
        if (gs->nballots == gs->capballots) {
            int cap = gs->capballots ? gs->capballots * 2 : 4;
            struct multi_paxos_ghost_ballot *b = realloc(gs->ballots, (size_t)cap * sizeof *b);
            if (!b)
                return;
            gs->ballots = b;
            gs->capballots = cap;
        }
        rec = &gs->ballots[gs->nballots++];
        *rec = (struct multi_paxos_ghost_ballot){a->ballot, a->value, 0};
    } else if (!same_value(&rec->value, &a->value)) {
        multi_paxos_value_text(&rec->value, wb, sizeof wb);
        sim_violation(c, "unique-ballot", id, "slot %lld: ballot %s carries %s and %s",
                      (long long)slot, bb, wb, vb);
    }
    rec->acceptors |= (uint64_t)1 << id;
    if (gs->chosen && a->ballot > gs->chosen_ballot && !same_value(&a->value, &gs->chosen_value)) {
        multi_paxos_value_text(&gs->chosen_value, wb, sizeof wb);
        multi_paxos_ballot_text(gs->chosen_ballot, cb, sizeof cb);
        sim_violation(c, "stability", id,
                      "slot %lld: %s was chosen with ballot %s at %.3fs, but %s accepts %s with ballot %s",
                      (long long)slot, wb, cb, secs(gs->chosen_at), sim_cluster_node_name(c, id), vb, bb);
    }
    if (count(rec->acceptors) * 2 <= g->nodes)
        return;
    if (!gs->chosen) {
        gs->chosen = true;
        gs->chosen_ballot = rec->ballot;
        gs->chosen_value = rec->value;
        gs->chosen_at = sim_cluster_time(c);
        if (rec->value.kind == MP_OP && !proposed_has(g, rec->value.op.id))
            sim_violation(c, "validity", id, "slot %lld: %s chosen, but no client sent it",
                          (long long)slot, vb);
        for (int i = 0; i < gs->nballots; i++)
            if (gs->ballots[i].ballot > rec->ballot && !same_value(&gs->ballots[i].value, &rec->value)) {
                multi_paxos_value_text(&gs->ballots[i].value, wb, sizeof wb);
                multi_paxos_ballot_text(gs->ballots[i].ballot, cb, sizeof cb);
                sim_violation(c, "stability", id,
                              "slot %lld: %s is chosen with ballot %s, but the higher ballot %s carries %s",
                              (long long)slot, vb, bb, cb, wb);
                break;
            }
    } else if (!same_value(&rec->value, &gs->chosen_value)) {
        multi_paxos_value_text(&gs->chosen_value, wb, sizeof wb);
        multi_paxos_ballot_text(gs->chosen_ballot, cb, sizeof cb);
        sim_violation(c, "agreement", id,
                      "slot %lld: two values chosen: %s (ballot %s at %.3fs) and %s (ballot %s)",
                      (long long)slot, wb, cb, secs(gs->chosen_at), vb, bb);
    }
}

static void check_slot(struct sim_cluster *c, struct multi_paxos_ghost *g, int id,
                       const struct multi_paxos_state *st, int64_t slot)
{
    bool proposal = st->role == MP_LEADER && slot <= st->cap && slot < st->next_slot &&
                    st->from_client[slot - 1] && st->proposal[slot - 1].kind == MP_OP;
    if (proposal)
        proposed_add(g, st->proposal[slot - 1].op.id);
    const struct multi_paxos_accepted *a = slot <= st->nacc ? &st->acc[slot - 1] : NULL;
    bool learned = slot <= st->cap && st->known[slot - 1];
    if ((!a || a->ballot == 0) && !learned)
        return;
    struct multi_paxos_ghost_slot *gs = ghost_slot(g, slot);
    if (!gs)
        return;
    if (a && a->ballot > 0 && a->ballot != gs->seen_accepted[id]) {
        gs->seen_accepted[id] = a->ballot;
        on_accepted(c, g, gs, slot, id, a);
    }
    if (learned && !gs->seen_learned[id]) {
        gs->seen_learned[id] = 1;
        char vb[64], wb[64];
        multi_paxos_value_text(&st->log[slot - 1], vb, sizeof vb);
        if (!gs->chosen)
            sim_violation(c, "agreement", id, "slot %lld: %s learns %s, which no majority accepted",
                          (long long)slot, sim_cluster_node_name(c, id), vb);
        else if (!same_value(&gs->chosen_value, &st->log[slot - 1])) {
            multi_paxos_value_text(&gs->chosen_value, wb, sizeof wb);
            sim_violation(c, "agreement", id, "slot %lld: %s learns %s, but %s was chosen at %.3fs",
                          (long long)slot, sim_cluster_node_name(c, id), vb, wb, secs(gs->chosen_at));
        }
    }
}

void multi_paxos_check_cluster(struct sim_cluster *c, void *ghost)
{
    struct multi_paxos_ghost *g = ghost;
    g->nodes = sim_cluster_size(c);
    int id = sim_cluster_last_node(c);
    if (id < 0 || id >= g->nodes)
        return;
    const struct multi_paxos_state *st = sim_cluster_state(c, id);
    if (!st || !st->sm || st->changed_lo > st->changed_hi)
        return;
    for (int64_t s = st->changed_lo; s <= st->changed_hi; s++)
        check_slot(c, g, id, st, s);
}

void multi_paxos_ghost_free(void *ghost)
{
    struct multi_paxos_ghost *g = ghost;
    for (int64_t i = 0; i < g->nslots; i++) {
        free(g->slots[i].ballots);
        free(g->slots[i].seen_accepted);
        free(g->slots[i].seen_learned);
    }
    free(g->slots);
    free(g->proposed);
}
