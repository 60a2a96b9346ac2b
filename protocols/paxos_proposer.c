/* paxos_proposer.c - the proposer of single-decree Paxos (Lamport 2001,
 * §2.2 phases 1a and 2a, §2.3 announcing the decision, §2.4 progress):
 * ballots unique per proposer and never reused across crashes, adoption of
 * the highest accepted value among the promises, and a randomized
 * exponential backoff after being preempted, without which two proposers
 * can outbid each other forever (the dueling-proposers livelock). */
#include <stdlib.h>
#include <string.h>

#include "protocols/paxos.h"

bool paxos_is_proposer(struct sim_node *n, int node)
{
    const struct paxos_config *cfg = sim_config(n);
    return node >= 0 && node < cfg->proposers;
}

static int majority(const struct paxos_state *st)
{
    return st->nodes / 2 + 1;
}

static int count(uint64_t set)
{
    int k = 0;
    for (; set; set &= set - 1)
        k++;
    return k;
}

void paxos_send(struct sim_node *n, struct paxos_state *st, int to, int type,
                const struct paxos_msg_body *m)
{
    if (to != st->self) {
        sim_send(n, to, type, m, sizeof *m);
        return;
    }
    /* The proposer's own acceptor and learner answer at once. */
    if (type == PAXOS_MSG_PREPARE || type == PAXOS_MSG_ACCEPT) {
        struct paxos_msg_body reply;
        int rtype = paxos_acceptor_handle(n, st, type, m, &reply);
        paxos_on_reply(n, st, st->self, rtype, &reply);
    } else if (type == PAXOS_MSG_DECIDE) {
        paxos_learn(n, st, m->key, &m->value);
    }
}

/* Sends to every other node first, then to itself: handling its own answer
 * may move the proposer on, and the others must get the same message. */
static void broadcast(struct sim_node *n, struct paxos_state *st, int type,
                      const struct paxos_msg_body *m)
{
    for (int i = 0; i < st->nodes; i++)
        if (i != st->self)
            paxos_send(n, st, i, type, m);
    paxos_send(n, st, st->self, type, m);
}

static void arm(struct sim_node *n, struct paxos_instance *in, sim_time delay, int kind,
                int64_t key)
{
    sim_cancel_timer(n, in->timer);
    in->timer = sim_set_timer(n, delay, kind, (uint64_t)key);
}

/* §2.2 phase 1a: a new ballot, higher than any seen, never used before. */
static void start_round(struct sim_node *n, struct paxos_state *st, int64_t key)
{
    const struct paxos_config *cfg = sim_config(n);
    struct paxos_instance *in = paxos_instance(st, key);
    if (!in)
        return;
    st->round = (st->round > st->seen_round ? st->round : st->seen_round) + 1;
    sim_store_put_i64(n, "round", st->round);
    sim_store_sync(n); /* a ballot reused after a crash could carry another value */
    in->ballot = st->round * PAXOS_MAX_NODES + st->self;
    in->phase = PAXOS_PREPARE;
    in->promised_by = in->accepted_by = 0;
    in->best_ballot = 0;
    sim_metric_add(n, "rounds", 1);
    arm(n, in, cfg->retry, PAXOS_TIMER_RETRY, key);
    char b[32];
    paxos_ballot_text(in->ballot, b, sizeof b);
    sim_note(n, "k%lld: prepare ballot %s", (long long)key + 1, b);
    struct paxos_msg_body m = {.key = key, .ballot = in->ballot};
    broadcast(n, st, PAXOS_MSG_PREPARE, &m);
}

void paxos_propose(struct sim_node *n, struct paxos_state *st, int64_t key,
                   const struct sim_op *op)
{
    struct paxos_instance *in = paxos_instance(st, key);
    if (!in)
        return;
    if (in->npending == in->cappending) {
        int cap = in->cappending ? in->cappending * 2 : 4;
        struct sim_op *p = realloc(in->pending, (size_t)cap * sizeof *p);
        if (!p)
            return; /* the client times out */
        in->pending = p;
        in->cappending = cap;
    }
    in->pending[in->npending++] = *op;
    if (op->f == SIM_F_WRITE && !in->has_own) {
        in->has_own = true;
        in->own = *op;
    }
    if (in->phase == PAXOS_IDLE)
        start_round(n, st, key);
}

/* §2.4: a higher ballot won the acceptors. Wait a random, growing while,
 * so that one proposer gets a round through before the other outbids it. */
static void preempted(struct sim_node *n, struct paxos_state *st, struct paxos_instance *in,
                      int64_t key, int64_t higher)
{
    const struct paxos_config *cfg = sim_config(n);
    if (higher / PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = higher / PAXOS_MAX_NODES;
    in->phase = PAXOS_BACKOFF;
    in->attempts++;
    sim_metric_add(n, "preempted", 1);
    sim_time delay = 0;
    if (cfg->backoff > 0) {
        int shift = in->attempts < 10 ? in->attempts : 10;
        delay = sim_random_between(n, 0, cfg->backoff << shift);
    }
    char mine[32], theirs[32];
    paxos_ballot_text(in->ballot, mine, sizeof mine);
    paxos_ballot_text(higher, theirs, sizeof theirs);
    char wait[24];
    sim_format_duration(delay, wait, sizeof wait);
    sim_note(n, "k%lld: ballot %s preempted by %s, retry in %s", (long long)key + 1, mine,
             theirs, wait);
    if (delay == 0) {
        start_round(n, st, key);
        return;
    }
    arm(n, in, delay, PAXOS_TIMER_BACKOFF, key);
}

static void on_promise(struct sim_node *n, struct paxos_state *st, struct paxos_instance *in,
                       int from, const struct paxos_msg_body *m)
{
    if (in->phase != PAXOS_PREPARE || m->ballot != in->ballot ||
        (in->promised_by & ((uint64_t)1 << from)))
        return;
    in->promised_by |= (uint64_t)1 << from;
    if (m->other > in->best_ballot) {
        in->best_ballot = m->other;
        in->best = m->value;
    }
    if (count(in->promised_by) < majority(st))
        return;
    /* §2.2 phase 2a: the value is the one of the highest-numbered proposal
     * among the promises, or, when there is none, the proposer's own. */
    if (in->best_ballot > 0) {
        in->proposal = in->best;
    } else if (in->has_own) {
        in->proposal = in->own;
    } else {
        /* A read and no write to propose: no acceptor of a majority has
         * accepted anything, so nothing was chosen before this point, and
         * anything chosen later comes after the read. */
        sim_cancel_timer(n, in->timer);
        in->timer = 0;
        in->phase = PAXOS_IDLE;
        in->attempts = 0;
        for (int i = 0; i < in->npending; i++) {
            struct sim_result r = {.outcome = SIM_OUT_OK, .has_value = false};
            if (in->pending[i].f != SIM_F_READ)
                r.outcome = SIM_OUT_FAIL;
            sim_reply(n, &in->pending[i], &r);
        }
        in->npending = 0;
        return;
    }
    in->phase = PAXOS_ACCEPT;
    in->accepted_by = 0;
    struct paxos_msg_body a = {.key = m->key, .ballot = in->ballot, .value = in->proposal};
    broadcast(n, st, PAXOS_MSG_ACCEPT, &a);
}

static void on_accepted(struct sim_node *n, struct paxos_state *st, struct paxos_instance *in,
                        int from, const struct paxos_msg_body *m)
{
    if (in->phase != PAXOS_ACCEPT || m->ballot != in->ballot)
        return;
    in->accepted_by |= (uint64_t)1 << from;
    if (count(in->accepted_by) < majority(st))
        return;
    /* Chosen: a majority accepted it. §2.3: tell every learner. */
    char b[32], v[48];
    paxos_ballot_text(in->ballot, b, sizeof b);
    paxos_value_text(&in->proposal, v, sizeof v);
    sim_note(n, "k%lld: %s chosen with ballot %s", (long long)m->key + 1, v, b);
    sim_metric_add(n, "chosen", 1);
    in->attempts = 0;
    struct paxos_msg_body d = {.key = m->key, .value = in->proposal};
    broadcast(n, st, PAXOS_MSG_DECIDE, &d);
}

void paxos_on_reply(struct sim_node *n, struct paxos_state *st, int from, int type,
                    const struct paxos_msg_body *m)
{
    if (type == PAXOS_MSG_DECIDE) {
        paxos_learn(n, st, m->key, &m->value);
        return;
    }
    if (m->other / PAXOS_MAX_NODES > st->seen_round)
        st->seen_round = m->other / PAXOS_MAX_NODES;
    struct paxos_instance *in = paxos_instance(st, m->key);
    if (!in || in->learned || from < 0 || from >= PAXOS_MAX_NODES)
        return;
    switch (type) {
    case PAXOS_MSG_PROMISE:
        on_promise(n, st, in, from, m);
        break;
    case PAXOS_MSG_ACCEPTED:
        on_accepted(n, st, in, from, m);
        break;
    case PAXOS_MSG_NACK:
        if (m->ballot == in->ballot &&
            (in->phase == PAXOS_PREPARE || in->phase == PAXOS_ACCEPT))
            preempted(n, st, in, m->key, m->other);
        break;
    default:
        break;
    }
}

void paxos_on_timer(struct sim_node *n, struct paxos_state *st, int kind, int64_t key)
{
    struct paxos_instance *in = paxos_instance(st, key);
    if (!in)
        return;
    in->timer = 0;
    if (in->learned)
        return;
    if (kind == PAXOS_TIMER_RETRY && (in->phase == PAXOS_PREPARE || in->phase == PAXOS_ACCEPT)) {
        sim_metric_add(n, "timeouts", 1);
        start_round(n, st, key); /* answers lost or a majority unreachable */
    } else if (kind == PAXOS_TIMER_BACKOFF && in->phase == PAXOS_BACKOFF) {
        if (in->npending > 0)
            start_round(n, st, key);
        else
            in->phase = PAXOS_IDLE;
    }
}
