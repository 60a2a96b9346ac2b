/* raft_log.c - Raft's log and stable storage: currentTerm, votedFor and
 * log[] (Figure 2) kept in memory and mirrored to the node's disk, chain
 * hashes that let the checker compare whole log prefixes in O(1), and the
 * state machine side: committed entries applied in log order (§5.3), with a
 * session per client so a retried command takes effect once (§8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/raft.h"

int64_t raft_term_at(const struct raft_state *st, int64_t index)
{
    return index >= 1 && index <= st->len ? st->log[index - 1].term : 0;
}

int raft_log_reserve(struct raft_state *st, int64_t n)
{
    if (n <= st->cap)
        return SIM_OK;
    int64_t cap = st->cap ? st->cap : 64;
    while (cap < n)
        cap *= 2;
    struct raft_entry *log = realloc(st->log, (size_t)cap * sizeof *log);
    if (!log)
        return SIM_ENOMEM;
    st->log = log;
    uint64_t *chain = realloc(st->chain, (size_t)cap * sizeof *chain);
    if (!chain)
        return SIM_ENOMEM;
    st->chain = chain;
    uint8_t *mine = realloc(st->mine, (size_t)cap);
    if (!mine)
        return SIM_ENOMEM;
    st->mine = mine;
    st->cap = cap;
    return SIM_OK;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Entries are identified by term, kind and operation id: the same index
 * and chain hash on two nodes means the same log prefix (Log Matching). */
uint64_t raft_chain_next(uint64_t prev, const struct raft_entry *e)
{
    uint64_t h = mix64((uint64_t)e->term * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)e->kind << 56));
    return mix64(prev ^ h ^ mix64(e->op.id + 0x632be59bd9b4e019ULL));
}

int raft_log_append(struct raft_state *st, const struct raft_entry *e, bool mine)
{
    if (raft_log_reserve(st, st->len + 1) != SIM_OK)
        return SIM_ENOMEM;
    int64_t i = st->len;
    st->log[i] = *e;
    st->chain[i] = raft_chain_next(i ? st->chain[i - 1] : 0, e);
    st->mine[i] = mine;
    st->len++;
    if (st->len < st->changed_from)
        st->changed_from = st->len;
    return SIM_OK;
}

void raft_log_truncate(struct raft_state *st, int64_t len)
{
    if (len >= st->len)
        return;
    st->len = len;
    if (len + 1 < st->changed_from)
        st->changed_from = len + 1;
    /* Only a buggy leader makes a follower drop committed entries; the
     * state machine has applied them and cannot take them back. */
    if (st->commit > len)
        st->commit = len;
    if (st->applied > len)
        st->applied = len;
}

/* ---- stable storage ----------------------------------------------------------- */

/* The log is stored in blocks of RAFT_BLOCK entries under keys "b<k>"
 * (block k holds entries k*RAFT_BLOCK+1 ...), plus its length under "len".
 * Blocks keep the node's disk small and each write cheap; the length is
 * what counts, so a truncation rewrites only the block the log now ends in. */
#define RAFT_BLOCK 32

static void block_key(char *key, int64_t block)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + block % 10);
        block /= 10;
    } while (block > 0);
    key[0] = 'b';
    for (int i = 0; i < n; i++)
        key[1 + i] = digits[n - 1 - i];
    key[1 + n] = '\0';
}

void raft_persist_log(struct sim_node *n, struct raft_state *st, int64_t from)
{
    char key[32];
    if (from < 1)
        from = 1;
    if (from <= st->len) {
        for (int64_t b = (from - 1) / RAFT_BLOCK; b <= (st->len - 1) / RAFT_BLOCK; b++) {
            int64_t first = b * RAFT_BLOCK, count = st->len - first;
            if (count > RAFT_BLOCK)
                count = RAFT_BLOCK;
            block_key(key, b);
            sim_store_put(n, key, &st->log[first], (size_t)count * sizeof st->log[0]);
        }
    }
    sim_store_put_i64(n, "len", st->len);
}
void raft_persist_vote(struct sim_node *n, struct raft_state *st)
{
    const struct raft_config *cfg = sim_config(n);
    sim_store_put_i64(n, "term", st->term);
    /* The classic mistake: votedFor kept only in memory, so a node that
     * crashes and recovers in the same term can vote twice (§5.2). */
    if (cfg->bug != RAFT_BUG_NO_PERSIST_VOTE)
        sim_store_put_i64(n, "vote", st->voted_for);
}

int raft_load(struct sim_node *n, struct raft_state *st)
{
    st->term = sim_store_get_i64(n, "term", 0);
    st->voted_for = (int)sim_store_get_i64(n, "vote", -1);
    int64_t len = sim_store_get_i64(n, "len", 0);
    if (len > 0 && raft_log_reserve(st, len) != SIM_OK)
        return SIM_ENOMEM;
    char key[32];
    for (int64_t b = 0; b * RAFT_BLOCK < len; b++) {
        size_t got = 0;
        block_key(key, b);
        const unsigned char *p = sim_store_get(n, key, &got);
        int64_t want = len - b * RAFT_BLOCK < RAFT_BLOCK ? len - b * RAFT_BLOCK : RAFT_BLOCK;
        if (!p || got < (size_t)want * sizeof(struct raft_entry))
            break; /* cannot happen: blocks are synced before the length */
        for (int64_t i = 0; i < want; i++) {
            struct raft_entry e;
            memcpy(&e, p + (size_t)i * sizeof e, sizeof e);
            if (raft_log_append(st, &e, false) != SIM_OK)
                return SIM_ENOMEM;
        }
    }
    return SIM_OK;
}

/* ---- sessions and the state machine ------------------------------------------------ */

static bool mutating(int32_t f)
{
    return f == SIM_F_WRITE || f == SIM_F_CAS || f == SIM_F_PUT || f == SIM_F_APPEND;
}

const struct raft_session *raft_session_find(const struct raft_state *st, int32_t client)
{
    return client >= 0 && client < st->nsessions ? &st->sessions[client] : NULL;
}

void raft_session_result(const struct raft_session *s, struct sim_result *r)
{
    *r = (struct sim_result){.outcome = s->outcome, .has_value = s->has_value != 0,
                             .value = s->value};
}

static struct raft_session *session_get(struct raft_state *st, int32_t client)
{
    if (client < 0)
        return NULL;
    if (client >= st->nsessions) {
        int cap = st->nsessions ? st->nsessions : 8;
        while (cap <= client)
            cap *= 2;
        struct raft_session *s = realloc(st->sessions, (size_t)cap * sizeof *s);
        if (!s)
            return NULL;
        memset(s + st->nsessions, 0, (size_t)(cap - st->nsessions) * sizeof *s);
        st->sessions = s;
        st->nsessions = cap;
    }
    return &st->sessions[client];
}

/* Applies one operation; returns false when it is a stale duplicate that
 * must not be answered. */
static bool apply_op(struct raft_state *st, const struct sim_op *op, struct sim_result *r)
{
    struct raft_session *s = mutating(op->f) ? session_get(st, op->client) : NULL;
    if (s && op->seq <= s->seq) {
        if (op->seq < s->seq)
            return false;
        raft_session_result(s, r); /* a retry of what was applied: same answer */
        return true;
    }
    if (sim_sm_apply(st->sm, op, r) != SIM_OK)
        *r = (struct sim_result){.outcome = SIM_OUT_FAIL};
    if (s)
        *s = (struct raft_session){op->seq, r->outcome, r->has_value, 0, r->value};
    return true;
}

void raft_apply(struct sim_node *n, struct raft_state *st)
{
    while (st->applied < st->commit) {
        int64_t i = st->applied++;
        const struct raft_entry *e = &st->log[i];
        bool reply = st->role == RAFT_LEADER && st->mine[i];
        st->mine[i] = 0;
        if (e->kind != RAFT_ENTRY_OP)
            continue;
        struct sim_result r;
        if (apply_op(st, &e->op, &r) && reply)
            sim_reply(n, &e->op, &r);
    }
}

void raft_log_free(struct raft_state *st)
{
    free(st->log);
    free(st->chain);
    free(st->mine);
    free(st->sessions);
    sim_sm_destroy(st->sm);
    st->log = NULL;
    st->chain = NULL;
    st->mine = NULL;
    st->sessions = NULL;
    st->sm = NULL;
    st->len = st->cap = 0;
    st->nsessions = 0;
}

void raft_entry_text(const struct raft_entry *e, char *buf, size_t cap)
{
    const struct sim_op *op = &e->op;
    if (e->kind != RAFT_ENTRY_OP) {
        snprintf(buf, cap, "no-op");
        return;
    }
    int key = op->key + 1;
    switch (op->f) {
    case SIM_F_READ: snprintf(buf, cap, "read k%d", key); break;
    case SIM_F_WRITE: snprintf(buf, cap, "write %lld k%d", (long long)op->value, key); break;
    case SIM_F_CAS:
        snprintf(buf, cap, "cas %lld->%lld k%d", (long long)op->value, (long long)op->value2, key);
        break;
    case SIM_F_GET: snprintf(buf, cap, "get k%d", key); break;
    case SIM_F_PUT: snprintf(buf, cap, "put v%lld k%d", (long long)op->value, key); break;
    case SIM_F_APPEND: snprintf(buf, cap, "append v%lld k%d", (long long)op->value, key); break;
    default: snprintf(buf, cap, "op %llu", (unsigned long long)op->id); break;
    }
}
