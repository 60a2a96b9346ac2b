/* raft_check.c - Raft's safety properties (§5.4.3, Figure 3), checked
 * after every event against the checker's memory of the whole run:
 *   election-safety       at most one leader per term;
 *   log-matching          two entries with the same index and term have
 *                         the same log before them;
 *   leader-completeness   a leader holds every entry committed in an
 *                         earlier term;
 *   state-machine-safety  no two nodes apply different entries at one index;
 *   vote-once             a node votes for at most one candidate per term
 *                         (§5.2), what Election Safety rests on;
 *   read-index-ack        no peer has acknowledged an AppendEntries the
 *                         leader has not sent in its term: ReadIndex
 *                         (dissertation §6.4) counts those acknowledgements
 *                         as a majority that still follows it.
 * Each check costs what the last event changed: chain hashes compare whole
 * prefixes in O(1), and only new entries and commits are examined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/raft.h"

static double secs(sim_time t)
{
    return (double)t / (double)SIM_S;
}

static bool same_entry(const struct raft_entry *a, const struct raft_entry *b)
{
    return a->term == b->term && a->kind == b->kind && a->op.id == b->op.id;
}

/* ---- (index, term) table for Log Matching ------------------------------------------- */

static uint64_t slot_hash(int64_t index, int64_t term)
{
    uint64_t x = (uint64_t)index * 0x9e3779b97f4a7c15ULL ^ (uint64_t)term * 0xc2b2ae3d27d4eb4fULL;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    return x ^ (x >> 29);
}

static int table_grow(struct raft_ghost *g)
{
    size_t cap = g->table_cap ? g->table_cap * 2 : 1024;
    struct raft_ghost_slot *t = calloc(cap, sizeof *t);
    if (!t)
        return SIM_ENOMEM;
    for (size_t i = 0; i < g->table_cap; i++) {
        const struct raft_ghost_slot *s = &g->table[i];
        if (!s->index)
            continue;
        size_t j = slot_hash(s->index, s->term) & (cap - 1);
        while (t[j].index)
            j = (j + 1) & (cap - 1);
        t[j] = *s;
    }
    free(g->table);
    g->table = t;
    g->table_cap = cap;
    return SIM_OK;
}

/* The slot for (index, term): the existing one, or a new one filled from
 * node `node`. Most indexes only ever hold one term, kept in an array by
 * index (sequential, cache-friendly); other terms go to the hash table.
 * Returns NULL when out of memory. */
static const struct raft_ghost_slot *table_find_or_add(struct raft_ghost *g,
                                                       const struct raft_state *st,
                                                       int64_t index, int node, bool *added)
{
    *added = false;
    int64_t term = st->log[index - 1].term;
    if (index > g->cap_by_index) {
        int64_t cap = g->cap_by_index ? g->cap_by_index * 2 : 1024;
        while (cap < index)
            cap *= 2;
        struct raft_ghost_slot *b = realloc(g->by_index, (size_t)cap * sizeof *b);
        if (!b)
            return NULL;
        memset(b + g->cap_by_index, 0, (size_t)(cap - g->cap_by_index) * sizeof *b);
        g->by_index = b;
        g->cap_by_index = cap;
    }
    struct raft_ghost_slot *first = &g->by_index[index - 1];
    if (!first->index) {
        *first = (struct raft_ghost_slot){index, term, st->chain[index - 1], node, 0,
                                          st->log[index - 1]};
        *added = true;
        return first;
    }
    if (first->term == term)
        return first;
    if ((g->table_used + 1) * 2 > g->table_cap && table_grow(g) != SIM_OK)
        return NULL;
    size_t j = slot_hash(index, term) & (g->table_cap - 1);
    while (g->table[j].index) {
        if (g->table[j].index == index && g->table[j].term == term)
            return &g->table[j];
        j = (j + 1) & (g->table_cap - 1);
    }
    struct raft_ghost_slot *s = &g->table[j];
    *s = (struct raft_ghost_slot){index, term, st->chain[index - 1], node, 0, st->log[index - 1]};
    g->table_used++;
    *added = true;
    return s;
}

static void check_log_matching(struct sim_cluster *c, struct raft_ghost *g, int id,
                               const struct raft_state *st)
{
    for (int64_t i = st->changed_from; i <= st->len; i++) {
        bool added;
        const struct raft_ghost_slot *s = table_find_or_add(g, st, i, id, &added);
        if (!s || added || s->chain == st->chain[i - 1])
            continue;
        char mine[64], theirs[64];
        raft_entry_text(&st->log[i - 1], mine, sizeof mine);
        raft_entry_text(&s->entry, theirs, sizeof theirs);
        sim_violation(c, "log-matching", id,
                      "%s and %s both hold entry %lld of term %lld (%s / %s) but their logs "
                      "before it differ",
                      sim_cluster_node_name(c, s->node), sim_cluster_node_name(c, id),
                      (long long)i, (long long)s->term, theirs, mine);
        return;
    }
}

/* ---- Leader Completeness ------------------------------------------------------------- */

/* First index (1-based) where the node's log departs from the committed
 * prefix, or ncommitted + 1 when it holds all of it. Chain equality is
 * monotone along the prefix, so a binary search finds it. */
static int64_t first_departure(const struct raft_ghost *g, const struct raft_state *st)
{
    int64_t upto = g->ncommitted < st->len ? g->ncommitted : st->len;
    if (upto > 0 && st->chain[upto - 1] == g->committed[upto - 1].chain)
        return upto + 1;
    int64_t lo = 1, hi = upto; /* answer in [lo, hi + 1] */
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (st->chain[mid - 1] == g->committed[mid - 1].chain)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return lo;
}

static void check_leader_complete(struct sim_cluster *c, const struct raft_ghost *g, int id,
                                  const struct raft_state *st)
{
    if (g->ncommitted == 0)
        return;
    int64_t i = first_departure(g, st);
    if (i > g->ncommitted)
        return;
    const struct raft_ghost_commit *k = &g->committed[i - 1];
    if (k->commit_term >= st->term)
        return; /* committed in this term or later: not this leader's to hold */
    char want[64], got[64] = "nothing";
    raft_entry_text(&k->entry, want, sizeof want);
    if (i <= st->len) {
        char e[64];
        raft_entry_text(&st->log[i - 1], e, sizeof e);
        snprintf(got, sizeof got, "%s (term %lld)", e, (long long)st->log[i - 1].term);
    }
    sim_violation(c, "leader-completeness", id,
                  "%s leads term %lld without entry %lld = %s (term %lld) that %s committed at "
                  "%.3fs; it holds %s there",
                  sim_cluster_node_name(c, id), (long long)st->term, (long long)i, want,
                  (long long)k->entry.term, sim_cluster_node_name(c, k->node), secs(k->at), got);
}

/* ---- Election Safety -------------------------------------------------------------------- */

static void check_election(struct sim_cluster *c, struct raft_ghost *g, int id,
                           const struct raft_state *st)
{
    if (st->role != RAFT_LEADER || st->term < 0)
        return;
    if (st->term >= g->term_cap) {
        int64_t cap = g->term_cap ? g->term_cap : 64;
        while (cap <= st->term)
            cap *= 2;
        int32_t *t = realloc(g->leader_of_term, (size_t)cap * sizeof *t);
        if (!t)
            return;
        memset(t + g->term_cap, 0, (size_t)(cap - g->term_cap) * sizeof *t);
        g->leader_of_term = t;
        g->term_cap = cap;
    }
    int32_t seen = g->leader_of_term[st->term];
    if (seen == 0) {
        g->leader_of_term[st->term] = id + 1;
        check_leader_complete(c, g, id, st);
    } else if (seen != id + 1) {
        sim_violation(c, "election-safety", id, "%s and %s are both leader of term %lld",
                      sim_cluster_node_name(c, seen - 1), sim_cluster_node_name(c, id),
                      (long long)st->term);
    }
}

/* ---- one vote per term ---------------------------------------------------------------- */

static void check_vote(struct sim_cluster *c, struct raft_ghost *g, int id,
                       const struct raft_state *st)
{
    if (st->voted_for < 0)
        return;
    if (g->vote_term[id] == st->term && g->vote_for[id] >= 0 && g->vote_for[id] != st->voted_for)
        sim_violation(c, "vote-once", id, "%s votes for %s and for %s in term %lld",
                      sim_cluster_node_name(c, id), sim_cluster_node_name(c, g->vote_for[id]),
                      sim_cluster_node_name(c, st->voted_for), (long long)st->term);
    g->vote_term[id] = st->term;
    g->vote_for[id] = st->voted_for;
}

/* ---- ReadIndex acknowledgements ------------------------------------------------------- */

static void check_acks(struct sim_cluster *c, int id, const struct raft_state *st)
{
    if (st->role != RAFT_LEADER || !st->peers)
        return;
    for (int k = 0; k < st->nodes; k++)
        if (k != id && st->peers[k].acked_seq > st->seq)
            sim_violation(c, "read-index-ack", id,
                          "%s, leader of term %lld, counts an acknowledgement from %s of "
                          "AppendEntries #%lld, but has sent only %lld in this term",
                          sim_cluster_node_name(c, id), (long long)st->term,
                          sim_cluster_node_name(c, k), (long long)st->peers[k].acked_seq,
                          (long long)st->seq);
}

/* ---- State Machine Safety ---------------------------------------------------------------- */

static int commit_reserve(struct raft_ghost *g, int64_t n)
{
    if (n <= g->capcommitted)
        return SIM_OK;
    int64_t cap = g->capcommitted ? g->capcommitted * 2 : 256;
    while (cap < n)
        cap *= 2;
    struct raft_ghost_commit *k = realloc(g->committed, (size_t)cap * sizeof *k);
    if (!k)
        return SIM_ENOMEM;
    g->committed = k;
    g->capcommitted = cap;
    return SIM_OK;
}

static void check_commits(struct sim_cluster *c, struct raft_ghost *g, int id,
                          const struct raft_state *st)
{
    int64_t seen = g->seen_commit[id];
    if (st->commit < seen)
        seen = g->seen_commit[id] = st->commit; /* recovered: commit is volatile */
    if (st->commit == seen)
        return;
    int64_t from = seen + 1, to = st->commit;
    int64_t overlap = to < g->ncommitted ? to : g->ncommitted;
    if (overlap >= from && st->chain[overlap - 1] != g->committed[overlap - 1].chain) {
        for (int64_t i = 1; i <= overlap; i++) {
            const struct raft_ghost_commit *k = &g->committed[i - 1];
            if (same_entry(&st->log[i - 1], &k->entry))
                continue;
            char was[64], now[64];
            raft_entry_text(&k->entry, was, sizeof was);
            raft_entry_text(&st->log[i - 1], now, sizeof now);
            sim_violation(c, "state-machine-safety", id,
                          "index %lld: %s applied %s (term %lld) at %.3fs, %s applies %s (term %lld)",
                          (long long)i, sim_cluster_node_name(c, k->node), was,
                          (long long)k->entry.term, secs(k->at), sim_cluster_node_name(c, id), now,
                          (long long)st->log[i - 1].term);
            break;
        }
    }
    if (to > g->ncommitted && commit_reserve(g, to) == SIM_OK) {
        for (int64_t i = g->ncommitted + 1; i <= to; i++)
            g->committed[i - 1] = (struct raft_ghost_commit){
                st->log[i - 1], st->chain[i - 1], st->term, sim_cluster_time(c), id, 0};
        g->ncommitted = to;
        /* Newly committed entries must be in every leader of a later term. */
        for (int k = 0; k < sim_cluster_size(c); k++) {
            const struct raft_state *o = sim_cluster_state(c, k);
            if (o && o->role == RAFT_LEADER)
                check_leader_complete(c, g, k, o);
        }
    }
    g->seen_commit[id] = to;
}

/* ---- entry points ---------------------------------------------------------------------- */

void raft_check_cluster(struct sim_cluster *c, void *ghost)
{
    struct raft_ghost *g = ghost;
    if (!g->seen_commit) {
        g->nodes = sim_cluster_size(c);
        g->seen_commit = calloc((size_t)g->nodes, sizeof *g->seen_commit);
        g->vote_term = calloc((size_t)g->nodes, sizeof *g->vote_term);
        g->vote_for = malloc((size_t)g->nodes * sizeof *g->vote_for);
        if (g->vote_for)
            for (int i = 0; i < g->nodes; i++)
                g->vote_for[i] = -1;
    }
    if (!g->seen_commit || !g->vote_term || !g->vote_for)
        return;
    int id = sim_cluster_last_node(c);
    if (id < 0 || id >= g->nodes)
        return;
    const struct raft_state *st = sim_cluster_state(c, id);
    if (!st || !st->sm)
        return;
    check_log_matching(c, g, id, st);
    check_vote(c, g, id, st);
    check_election(c, g, id, st);
    check_acks(c, id, st);
    check_commits(c, g, id, st);
}

void raft_ghost_free(void *ghost)
{
    struct raft_ghost *g = ghost;
    free(g->leader_of_term);
    free(g->committed);
    free(g->by_index);
    free(g->table);
    free(g->seen_commit);
    free(g->vote_term);
    free(g->vote_for);
}
