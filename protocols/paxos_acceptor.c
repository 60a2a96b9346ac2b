/* paxos_acceptor.c - the acceptor and learner of single-decree Paxos
 * (Lamport 2001, §2.2 phase 1b and 2b, §2.3) and the stable storage they
 * need: an acceptor's promise and accepted proposal are written and synced
 * before it answers, so that they survive a crash (§2.5: "an acceptor must
 * remember this information even if it fails and then restarts"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/paxos.h"

struct paxos_instance *paxos_instance(struct paxos_state *st, int64_t key)
{
    if (key < 0 || key > 1000000)
        return NULL;
    if (key >= st->ninst) {
        int cap = st->ninst ? st->ninst : 4;
        while (cap <= key)
            cap *= 2;
        struct paxos_instance *p = realloc(st->inst, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        memset(p + st->ninst, 0, (size_t)(cap - st->ninst) * sizeof *p);
        st->inst = p;
        st->ninst = cap;
    }
    st->changed_key = st->changed_key == -1 || st->changed_key == key ? (int)key : -2;
    return &st->inst[key];
}

/* ---- stable storage ------------------------------------------------------------- */

struct stored_accept {
    int64_t ballot;
    struct sim_op value;
};

static void note_key(struct sim_node *n, int64_t key)
{
    if (key + 1 > sim_store_get_i64(n, "keys", 0))
        sim_store_put_i64(n, "keys", key + 1);
}

static void persist_promise(struct sim_node *n, int64_t key, int64_t ballot)
{
    const struct paxos_config *cfg = sim_config(n);
    /* The classic mistake (the canon's "amnesia"): the promise lives only
     * in memory, so after a crash the acceptor accepts a lower ballot it
     * had promised to refuse. */
    if (cfg->bug == PAXOS_BUG_NO_PERSIST_PROMISE)
        return;
    char k[32];
    snprintf(k, sizeof k, "p%lld", (long long)key);
    sim_store_put_i64(n, k, ballot);
    note_key(n, key);
}

static void persist_accept(struct sim_node *n, int64_t key, const struct paxos_instance *in)
{
    char k[32];
    snprintf(k, sizeof k, "a%lld", (long long)key);
    struct stored_accept a = {in->accepted_ballot, in->accepted};
    sim_store_put(n, k, &a, sizeof a);
    note_key(n, key);
}

int paxos_load(struct sim_node *n, struct paxos_state *st)
{
    st->round = sim_store_get_i64(n, "round", 0);
    int64_t keys = sim_store_get_i64(n, "keys", 0);
    for (int64_t key = 0; key < keys; key++) {
        struct paxos_instance *in = paxos_instance(st, key);
        if (!in)
            return SIM_ENOMEM;
        char k[32];
        size_t len = 0;
        snprintf(k, sizeof k, "p%lld", (long long)key);
        in->promised = sim_store_get_i64(n, k, 0);
        snprintf(k, sizeof k, "a%lld", (long long)key);
        const void *p = sim_store_get(n, k, &len);
        if (p && len == sizeof(struct stored_accept)) {
            struct stored_accept a;
            memcpy(&a, p, sizeof a);
            in->accepted_ballot = a.ballot;
            in->accepted = a.value;
            /* Accepting a ballot is also promising it. */
            if (a.ballot > in->promised)
                in->promised = a.ballot;
        }
        snprintf(k, sizeof k, "l%lld", (long long)key);
        p = sim_store_get(n, k, &len);
        if (p && len == sizeof(struct sim_op)) {
            in->learned = true;
            memcpy(&in->value, p, sizeof in->value);
        }
        int64_t round = in->promised / PAXOS_MAX_NODES;
        if (round > st->seen_round)
            st->seen_round = round;
    }
    return SIM_OK;
}

/* ---- acceptor ----------------------------------------------------------------------- */

int paxos_acceptor_handle(struct sim_node *n, struct paxos_state *st, int type,
                          const struct paxos_msg_body *m, struct paxos_msg_body *reply)
{
    struct paxos_instance *in = paxos_instance(st, m->key);
    memset(reply, 0, sizeof *reply);
    reply->key = m->key;
    reply->ballot = m->ballot;
    if (!in) {
        reply->other = INT64_MAX;
        return PAXOS_MSG_NACK;
    }
    if (m->ballot / PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = m->ballot / PAXOS_MAX_NODES;
    if (type == PAXOS_MSG_PREPARE) {
        /* §2.2 phase 1b: promise never to accept a ballot below this one,
         * and report the highest-numbered proposal accepted so far. A
         * repeated Prepare of the same ballot gets the same answer. */
        if (m->ballot >= in->promised) {
            in->promised = m->ballot;
            persist_promise(n, m->key, m->ballot);
            sim_store_sync(n);
            reply->other = in->accepted_ballot;
            reply->value = in->accepted;
            return PAXOS_MSG_PROMISE;
        }
    } else {
        /* §2.2 phase 2b: accept unless a higher ballot was promised. */
        if (m->ballot >= in->promised) {
            in->promised = m->ballot;
            in->accepted_ballot = m->ballot;
            in->accepted = m->value;
            persist_promise(n, m->key, m->ballot);
            persist_accept(n, m->key, in);
            sim_store_sync(n);
            return PAXOS_MSG_ACCEPTED;
        }
    }
    reply->other = in->promised; /* tell the proposer what beat it (§2.4) */
    return PAXOS_MSG_NACK;
}

/* ---- learner ------------------------------------------------------------------------- */

void paxos_answer(struct sim_node *n, const struct paxos_instance *in, const struct sim_op *op)
{
    struct sim_result r = {.outcome = SIM_OUT_FAIL};
    if (op->f == SIM_F_READ) {
        r = (struct sim_result){.outcome = SIM_OUT_OK, .has_value = true, .value = in->value.value};
    } else if (op->f == SIM_F_WRITE && op->id == in->value.id) {
        r.outcome = SIM_OUT_OK;
    }
    /* Any other write lost to the chosen value, and a cas can never change
     * a single decree: both certainly did not happen. */
    sim_reply(n, op, &r);
}

void paxos_learn(struct sim_node *n, struct paxos_state *st, int64_t key, const struct sim_op *v)
{
    struct paxos_instance *in = paxos_instance(st, key);
    if (!in)
        return;
    if (in->learned) {
        if (in->value.id != v->id) {
            char a[48], b[48];
            paxos_value_text(&in->value, a, sizeof a);
            paxos_value_text(v, b, sizeof b);
            sim_note(n, "k%lld: told %s was chosen, but learned %s before", (long long)key + 1, b, a);
        }
        return;
    }
    in->learned = true;
    in->value = *v;
    char k[32];
    snprintf(k, sizeof k, "l%lld", (long long)key);
    sim_store_put(n, k, v, sizeof *v);
    note_key(n, key);
    sim_store_sync(n);
    sim_cancel_timer(n, in->timer);
    in->timer = 0;
    in->phase = PAXOS_IDLE;
    for (int i = 0; i < in->npending; i++)
        paxos_answer(n, in, &in->pending[i]);
    in->npending = 0;
}

void paxos_ballot_text(int64_t ballot, char *buf, size_t cap)
{
    if (ballot <= 0)
        snprintf(buf, cap, "none");
    else
        snprintf(buf, cap, "%lld.n%lld", (long long)(ballot / PAXOS_MAX_NODES),
                 (long long)(ballot % PAXOS_MAX_NODES) + 1);
}

void paxos_value_text(const struct sim_op *v, char *buf, size_t cap)
{
    snprintf(buf, cap, "write %lld", (long long)v->value);
}
