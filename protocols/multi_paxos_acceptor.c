/* multi_paxos_acceptor.c - the Multi-Paxos acceptor and learner (Lamport
 * 2001, §2.2 phases 1b and 2b applied to every slot at once, §3): one
 * promise covers all slots, accepted values are kept per slot, both synced
 * to disk before any answer; chosen values are learned per slot, applied in
 * slot order, and persisted so a restart replays them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/multi_paxos.h"

#define MP_BLOCK 32 /* slots per stored block */

static void *grow(void *p, int64_t old, int64_t cap, size_t size)
{
    unsigned char *q = realloc(p, (size_t)cap * size);
    if (q)
        memset(q + (size_t)old * size, 0, (size_t)(cap - old) * size);
    return q;
}

int multi_paxos_reserve(struct multi_paxos_state *st, int64_t slots)
{
    if (slots <= st->cap)
        return SIM_OK;
    int64_t cap = st->cap ? st->cap : 64;
    while (cap < slots)
        cap *= 2;
    void *p;
    if (!(p = grow(st->log, st->cap, cap, sizeof *st->log)))
        return SIM_ENOMEM;
    st->log = p;
    if (!(p = grow(st->known, st->cap, cap, 1)))
        return SIM_ENOMEM;
    st->known = p;
    if (!(p = grow(st->mine, st->cap, cap, 1)))
        return SIM_ENOMEM;
    st->mine = p;
    if (!(p = grow(st->proposal, st->cap, cap, sizeof *st->proposal)))
        return SIM_ENOMEM;
    st->proposal = p;
    if (!(p = grow(st->accepted_by, st->cap, cap, sizeof *st->accepted_by)))
        return SIM_ENOMEM;
    st->accepted_by = p;
    if (!(p = grow(st->from_client, st->cap, cap, 1)))
        return SIM_ENOMEM;
    st->from_client = p;
    st->cap = cap;
    return SIM_OK;
}

int multi_paxos_acc_reserve(struct multi_paxos_state *st, int64_t slots)
{
    if (slots <= st->nacc)
        return SIM_OK;
    int64_t cap = st->nacc ? st->nacc : 64;
    while (cap < slots)
        cap *= 2;
    struct multi_paxos_accepted *a = grow(st->acc, st->nacc, cap, sizeof *a);
    if (!a)
        return SIM_ENOMEM;
    st->acc = a;
    st->nacc = cap;
    return SIM_OK;
}

void multi_paxos_touch(struct multi_paxos_state *st, int64_t slot)
{
    if (slot < st->changed_lo)
        st->changed_lo = slot;
    if (slot > st->changed_hi)
        st->changed_hi = slot;
}

/* ---- stable storage ----------------------------------------------------------------- */

static void block_key(char *key, size_t cap, char kind, int64_t block)
{
    snprintf(key, cap, "%c%lld", kind, (long long)block);
}

void multi_paxos_persist_promise(struct sim_node *n, struct multi_paxos_state *st)
{
    sim_store_put_i64(n, "promised", st->promised);
}

void multi_paxos_accept_slot(struct sim_node *n, struct multi_paxos_state *st, int64_t slot,
                             int64_t ballot, const struct multi_paxos_value *value)
{
    if (slot < 1 || multi_paxos_acc_reserve(st, slot) != SIM_OK)
        return;
    st->acc[slot - 1] = (struct multi_paxos_accepted){slot, ballot, *value};
    if (slot > st->max_accepted) {
        st->max_accepted = slot;
        sim_store_put_i64(n, "max_accepted", slot);
    }
    multi_paxos_touch(st, slot);
}

void multi_paxos_persist_accepted(struct sim_node *n, struct multi_paxos_state *st, int64_t lo,
                                  int64_t hi)
{
    char key[32];
    if (lo < 1)
        lo = 1;
    if (hi > st->nacc)
        hi = st->nacc;
    for (int64_t b = (lo - 1) / MP_BLOCK; lo <= hi && b <= (hi - 1) / MP_BLOCK; b++) {
        int64_t first = b * MP_BLOCK;
        int64_t count = st->nacc - first < MP_BLOCK ? st->nacc - first : MP_BLOCK;
        block_key(key, sizeof key, 'a', b);
        sim_store_put(n, key, &st->acc[first], (size_t)count * sizeof *st->acc);
    }
}

static void persist_chosen(struct sim_node *n, struct multi_paxos_state *st, int64_t from)
{
    char key[32];
    for (int64_t b = (from - 1) / MP_BLOCK; b <= (st->chosen - 1) / MP_BLOCK; b++) {
        int64_t first = b * MP_BLOCK, count = st->chosen - first;
        if (count > MP_BLOCK)
            count = MP_BLOCK;
        block_key(key, sizeof key, 'c', b);
        sim_store_put(n, key, &st->log[first], (size_t)count * sizeof *st->log);
    }
    sim_store_put_i64(n, "chosen", st->chosen);
}

static void apply(struct sim_node *n, struct multi_paxos_state *st);

int multi_paxos_load(struct sim_node *n, struct multi_paxos_state *st)
{
    char key[32];
    size_t len;
    st->promised = sim_store_get_i64(n, "promised", 0);
    int64_t max = sim_store_get_i64(n, "max_accepted", 0);
    if (max > 0 && multi_paxos_acc_reserve(st, max) != SIM_OK)
        return SIM_ENOMEM;
    for (int64_t b = 0; b * MP_BLOCK < max; b++) {
        block_key(key, sizeof key, 'a', b);
        const void *p = sim_store_get(n, key, &len);
        size_t room = (size_t)(st->nacc - b * MP_BLOCK) * sizeof *st->acc;
        if (p)
            memcpy(&st->acc[b * MP_BLOCK], p, len < room ? len : room);
    }
    st->max_accepted = max;
    int64_t chosen = sim_store_get_i64(n, "chosen", 0);
    if (chosen > 0 && multi_paxos_reserve(st, chosen) != SIM_OK)
        return SIM_ENOMEM;
    for (int64_t b = 0; b * MP_BLOCK < chosen; b++) {
        block_key(key, sizeof key, 'c', b);
        const void *p = sim_store_get(n, key, &len);
        int64_t want = chosen - b * MP_BLOCK < MP_BLOCK ? chosen - b * MP_BLOCK : MP_BLOCK;
        if (!p || len < (size_t)want * sizeof *st->log) {
            chosen = b * MP_BLOCK; /* cannot happen: written with the count */
            break;
        }
        memcpy(&st->log[b * MP_BLOCK], p, (size_t)want * sizeof *st->log);
        memset(&st->known[b * MP_BLOCK], 1, (size_t)want);
    }
    st->chosen = chosen;
    if (chosen > 0)
        multi_paxos_touch(st, 1), multi_paxos_touch(st, chosen);
    if (max > 0)
        multi_paxos_touch(st, 1), multi_paxos_touch(st, max);
    apply(n, st); /* replay the chosen log into the state machine */
    return SIM_OK;
}

/* ---- learner --------------------------------------------------------------------------- */

static bool mutating(int32_t f)
{
    return f == SIM_F_WRITE || f == SIM_F_CAS || f == SIM_F_PUT || f == SIM_F_APPEND;
}

static struct multi_paxos_session *session(struct multi_paxos_state *st, int32_t client)
{
    if (client < 0)
        return NULL;
    if (client >= st->nsessions) {
        int cap = st->nsessions ? st->nsessions : 8;
        while (cap <= client)
            cap *= 2;
        struct multi_paxos_session *s = grow(st->sessions, st->nsessions, cap, sizeof *s);
        if (!s)
            return NULL;
        st->sessions = s;
        st->nsessions = cap;
    }
    return &st->sessions[client];
}

/* Applies chosen commands in slot order (§3); a retried command (same
 * client and sequence number) takes effect once and gets the same answer. */
static void apply(struct sim_node *n, struct multi_paxos_state *st)
{
    while (st->applied < st->chosen) {
        int64_t i = st->applied++;
        const struct multi_paxos_value *v = &st->log[i];
        bool reply = st->role == MP_LEADER && st->mine[i];
        st->mine[i] = 0;
        if (v->kind != MP_OP)
            continue;
        struct sim_result r;
        struct multi_paxos_session *s = mutating(v->op.f) ? session(st, v->op.client) : NULL;
        if (s && v->op.seq <= s->seq) {
            if (v->op.seq < s->seq)
                continue;
            r = (struct sim_result){.outcome = s->outcome, .has_value = s->has_value != 0,
                                    .value = s->value};
        } else {
            if (sim_sm_apply(st->sm, &v->op, &r) != SIM_OK)
                r = (struct sim_result){.outcome = SIM_OUT_FAIL};
            if (s)
                *s = (struct multi_paxos_session){v->op.seq, r.outcome, r.has_value, 0, r.value};
        }
        if (reply)
            sim_reply(n, &v->op, &r);
    }
}

void multi_paxos_learn(struct sim_node *n, struct multi_paxos_state *st, int64_t slot,
                       const struct multi_paxos_value *value)
{
    if (slot < 1 || multi_paxos_reserve(st, slot) != SIM_OK)
        return;
    if (st->known[slot - 1])
        return; /* chosen values never change: nothing new */
    st->log[slot - 1] = *value;
    st->known[slot - 1] = 1;
    multi_paxos_touch(st, slot);
    int64_t from = st->chosen + 1;
    while (st->chosen < st->cap && st->known[st->chosen])
        st->chosen++;
    if (st->chosen >= from) {
        persist_chosen(n, st, from);
        apply(n, st);
    }
}

/* ---- acceptor ---------------------------------------------------------------------------- */

static void send_nack(struct sim_node *n, struct multi_paxos_state *st, int to, int64_t ballot)
{
    struct multi_paxos_nack m = {ballot, st->promised};
    sim_send(n, to, MP_MSG_NACK, &m, sizeof m);
}

/* Phase 1b for every slot from `from_slot` on: one promise, and every value
 * accepted there so the new leader can finish what its predecessors began. */
void multi_paxos_on_prepare(struct sim_node *n, struct multi_paxos_state *st, int from,
                            const struct multi_paxos_prepare *m)
{
    if (m->ballot / MULTI_PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = m->ballot / MULTI_PAXOS_MAX_NODES;
    if (m->ballot < st->promised) {
        send_nack(n, st, from, m->ballot);
        return;
    }
    if (m->ballot > st->promised) {
        st->promised = m->ballot;
        multi_paxos_persist_promise(n, st);
        sim_store_sync(n); /* durable before the promise leaves */
    }
    if (st->role != MP_FOLLOWER && st->ballot < m->ballot)
        multi_paxos_step_down(n, st, m->ballot);
    multi_paxos_heard_leader(n, st, -1); /* give the candidate time to win */
    int64_t count = 0, first = m->from_slot < 1 ? 1 : m->from_slot;
    for (int64_t s = first; s <= st->max_accepted; s++)
        count += st->acc[s - 1].ballot > 0;
    size_t len = sizeof(struct multi_paxos_promise) + (size_t)count * sizeof *st->acc;
    unsigned char *buf = malloc(len);
    if (!buf)
        return;
    struct multi_paxos_promise h = {m->ballot, first, count};
    memcpy(buf, &h, sizeof h);
    size_t off = sizeof h;
    for (int64_t s = first; s <= st->max_accepted; s++)
        if (st->acc[s - 1].ballot > 0) {
            memcpy(buf + off, &st->acc[s - 1], sizeof *st->acc);
            off += sizeof *st->acc;
        }
    sim_send(n, from, MP_MSG_PROMISE, buf, len);
    free(buf);
}

/* Phase 2b for a run of slots, and learning what the leader says is chosen. */
void multi_paxos_on_accept(struct sim_node *n, struct multi_paxos_state *st, int from,
                           const void *body, size_t len)
{
    struct multi_paxos_accept h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || h.first < 0 || len != sizeof h + (size_t)h.count * sizeof(struct multi_paxos_value))
        return;
    if (h.ballot / MULTI_PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = h.ballot / MULTI_PAXOS_MAX_NODES;
    if (h.ballot < st->promised) {
        send_nack(n, st, from, h.ballot);
        return;
    }
    bool dirty = false;
    if (h.ballot > st->promised) {
        st->promised = h.ballot;
        multi_paxos_persist_promise(n, st);
        dirty = true;
    }
    if (st->role != MP_FOLLOWER && st->ballot < h.ballot)
        multi_paxos_step_down(n, st, h.ballot);
    multi_paxos_heard_leader(n, st, from);
    const unsigned char *values = (const unsigned char *)body + sizeof h;
    for (int64_t k = 0; k < h.count; k++) {
        struct multi_paxos_value v;
        memcpy(&v, values + (size_t)k * sizeof v, sizeof v);
        multi_paxos_accept_slot(n, st, h.first + k, h.ballot, &v);
    }
    if (h.count > 0) {
        multi_paxos_persist_accepted(n, st, h.first, h.first + h.count - 1);
        dirty = true;
    }
    if (dirty)
        sim_store_sync(n); /* durable before the leader counts it */
    /* A slot the leader knows chosen, whose value we accepted in the
     * leader's own ballot, holds the chosen value: the leader proposes one
     * value per slot per ballot. Others come by Commit. */
    int64_t upto = h.chosen < st->max_accepted ? h.chosen : st->max_accepted;
    for (int64_t s = st->chosen + 1; s <= upto; s++)
        if (st->acc[s - 1].ballot == h.ballot)
            multi_paxos_learn(n, st, s, &st->acc[s - 1].value);
    struct multi_paxos_accepted_msg r = {h.ballot, h.first, h.count, st->chosen};
    sim_send(n, from, MP_MSG_ACCEPTED, &r, sizeof r);
}

void multi_paxos_on_commit(struct sim_node *n, struct multi_paxos_state *st, const void *body,
                           size_t len)
{
    struct multi_paxos_commit h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || h.first < 1 || len != sizeof h + (size_t)h.count * sizeof(struct multi_paxos_value))
        return;
    const unsigned char *values = (const unsigned char *)body + sizeof h;
    for (int64_t k = 0; k < h.count; k++) {
        struct multi_paxos_value v;
        memcpy(&v, values + (size_t)k * sizeof v, sizeof v);
        multi_paxos_learn(n, st, h.first + k, &v);
    }
}

/* ---- text and cleanup ----------------------------------------------------------------------- */

void multi_paxos_value_text(const struct multi_paxos_value *v, char *buf, size_t cap)
{
    const struct sim_op *op = &v->op;
    if (v->kind != MP_OP) {
        snprintf(buf, cap, "no-op");
        return;
    }
    static const char *const f[] = {"read", "write", "cas", "get", "put", "append"};
    const char *name = op->f >= 0 && op->f < 6 ? f[op->f] : "op";
    if (op->f == SIM_F_READ || op->f == SIM_F_GET)
        snprintf(buf, cap, "%s k%d", name, op->key + 1);
    else if (op->f == SIM_F_CAS)
        snprintf(buf, cap, "cas %lld->%lld k%d", (long long)op->value, (long long)op->value2,
                 op->key + 1);
    else
        snprintf(buf, cap, "%s %lld k%d", name, (long long)op->value, op->key + 1);
}

void multi_paxos_ballot_text(int64_t ballot, char *buf, size_t cap)
{
    if (ballot <= 0)
        snprintf(buf, cap, "none");
    else
        snprintf(buf, cap, "%lld.n%lld", (long long)(ballot / MULTI_PAXOS_MAX_NODES),
                 (long long)(ballot % MULTI_PAXOS_MAX_NODES) + 1);
}

void multi_paxos_free(struct multi_paxos_state *st)
{
    free(st->acc);
    free(st->log);
    free(st->known);
    free(st->mine);
    free(st->proposal);
    free(st->accepted_by);
    free(st->from_client);
    free(st->merged);
    free(st->peers);
    free(st->sessions);
    sim_sm_destroy(st->sm);
    memset(st, 0, sizeof *st);
}
