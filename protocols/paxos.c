/* paxos.c - the single-decree Paxos plug-in: parameters, node lifecycle,
 * event dispatch, clients and what the viewer shows.
 *
 * Lamport, "Paxos Made Simple" (2001), §2: proposers, acceptors and
 * learners choose one value. Nodes n1..nP are proposers; every node is an
 * acceptor and a learner. Each register key is an independent instance
 * (a write-once register): a write is proposed as the instance's value and
 * answered ok if it is the value chosen, fail if another value was chosen
 * (then it can never happen); reads return the chosen value. A node that has
 * learned the value answers at once; a node that has not and is no proposer
 * redirects the client to proposer n(1 + client mod P).
 *
 * Params: proposers (default: every node), backoff (20ms: base of the
 * randomized exponential backoff; "0" retries at once), retry (150ms: a
 * phase that gathers no majority by then is restarted), bug ("none" |
 * "no_persist_promise"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/paxos.h"

static int paxos_configure(struct sim_params *p, void *config)
{
    static const char *const bugs[] = {"none", "no_persist_promise", NULL};
    struct paxos_config *c = config;
    int nodes = sim_params_node_count(p);
    int64_t proposers = 0;
    int rc = 0;
    if (nodes > PAXOS_MAX_NODES)
        return sim_param_error(p, "proposers", "paxos runs on at most %d nodes, not %d",
                               PAXOS_MAX_NODES, nodes);
    rc = rc ? rc : sim_param_int(p, "proposers", nodes, 1, nodes, &proposers);
    rc = rc ? rc : sim_param_duration(p, "backoff", 20 * SIM_MS, &c->backoff);
    rc = rc ? rc : sim_param_duration(p, "retry", 150 * SIM_MS, &c->retry);
    rc = rc ? rc : sim_param_enum(p, "bug", bugs, PAXOS_BUG_NONE, &c->bug);
    if (!rc && c->backoff < 0)
        rc = sim_param_error(p, "backoff", "must not be negative");
    if (!rc && c->retry <= 0)
        rc = sim_param_error(p, "retry", "must be above 0");
    c->proposers = (int)proposers;
    return rc;
}

static void paxos_start(struct sim_node *n, void *state)
{
    struct paxos_state *st = state;
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->proposer = paxos_is_proposer(n, st->self);
    st->changed_key = -1;
    paxos_load(n, st);
    st->changed_key = -2; /* everything loaded is new to the checker */
}

static void paxos_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct paxos_state *st = state;
    for (int i = 0; i < st->ninst; i++)
        free(st->inst[i].pending);
    free(st->inst);
    st->inst = NULL;
    st->ninst = 0;
}

static void paxos_message(struct sim_node *n, void *state, int from, int type, const void *body,
                          size_t len)
{
    struct paxos_state *st = state;
    st->changed_key = -1;
    struct paxos_msg_body m;
    if (len != sizeof m || type < 0 || type >= PAXOS_MSG_COUNT)
        return;
    memcpy(&m, body, sizeof m);
    if (type == PAXOS_MSG_PREPARE || type == PAXOS_MSG_ACCEPT) {
        struct paxos_msg_body reply;
        int rtype = paxos_acceptor_handle(n, st, type, &m, &reply);
        sim_send(n, from, rtype, &reply, sizeof reply);
        return;
    }
    paxos_on_reply(n, st, from, type, &m);
}

static void paxos_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    struct paxos_state *st = state;
    st->changed_key = -1;
    paxos_on_timer(n, st, kind, (int64_t)arg);
}

static void paxos_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct paxos_state *st = state;
    const struct paxos_config *cfg = sim_config(n);
    st->changed_key = -1;
    if (op->f != SIM_F_READ && op->f != SIM_F_WRITE) {
        /* cas cannot change a single decree; key-value lists are not a
         * register: neither can happen here, so they are refused. */
        sim_reply(n, op, &(struct sim_result){.outcome = SIM_OUT_FAIL, .refused = true});
        return;
    }
    struct paxos_instance *in = paxos_instance(st, op->key);
    if (!in)
        return;
    if (in->learned)
        paxos_answer(n, in, op);
    else if (paxos_is_proposer(n, st->self))
        paxos_propose(n, st, op->key, op);
    else
        sim_redirect(n, op, (int)((op->client < 0 ? 0 : op->client) % cfg->proposers));
}

/* ---- what the viewer shows ---------------------------------------------------------- */

/* Every role paxos_role returns (for scenario triggers). */
static const char *const paxos_roles[] = {"proposer", "acceptor", NULL};

static const char *paxos_role(const void *state)
{
    const struct paxos_state *st = state;
    return st->proposer ? "proposer" : "acceptor";
}

static void paxos_describe(const void *state, struct sim_describe *d)
{
    const struct paxos_state *st = state;
    int64_t top = 0, learned = 0;
    int64_t tail[16];
    int tn = 0, shown = 0, used = 0;
    for (int k = 0; k < st->ninst; k++) {
        const struct paxos_instance *in = &st->inst[k];
        if (!in->promised && !in->learned && in->phase == PAXOS_IDLE)
            continue;
        used = k + 1;
        if (in->promised > top)
            top = in->promised;
        learned += in->learned;
        if (tn < 16)
            tail[tn++] = in->accepted_ballot / PAXOS_MAX_NODES;
        if (shown++ >= 3)
            continue;
        char p[32], a[32], v[48];
        paxos_ballot_text(in->promised, p, sizeof p);
        paxos_ballot_text(in->accepted_ballot, a, sizeof a);
        paxos_value_text(&in->accepted, v, sizeof v);
        sim_describe_text(d, "%sk%d promised %s", shown > 1 ? " | " : "", k + 1, p);
        if (in->accepted_ballot)
            sim_describe_text(d, " · accepted %s %s", a, v);
        if (in->learned) {
            paxos_value_text(&in->value, v, sizeof v);
            sim_describe_text(d, " · learned %s", v);
        } else if (in->phase == PAXOS_PREPARE || in->phase == PAXOS_ACCEPT) {
            paxos_ballot_text(in->ballot, p, sizeof p);
            sim_describe_text(d, " · phase %d with %s", in->phase == PAXOS_PREPARE ? 1 : 2, p);
        } else if (in->phase == PAXOS_BACKOFF) {
            sim_describe_text(d, " · backing off");
        }
    }
    sim_describe_term(d, top / PAXOS_MAX_NODES);
    sim_describe_log(d, used, learned, tail, tn);
}

static const char *paxos_message_name(int type)
{
    static const char *const names[] = {"Prepare", "Promise", "Accept", "Accepted", "Nack",
                                        "Decide"};
    return type >= 0 && type < PAXOS_MSG_COUNT ? names[type] : "?";
}

static const char *paxos_timer_name(int kind)
{
    return kind == PAXOS_TIMER_RETRY ? "retry" : kind == PAXOS_TIMER_BACKOFF ? "backoff" : "?";
}

static void paxos_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    struct paxos_msg_body m;
    if (len != sizeof m)
        return;
    memcpy(&m, body, sizeof m);
    char b[32], o[32], v[48];
    paxos_ballot_text(m.ballot, b, sizeof b);
    paxos_ballot_text(m.other, o, sizeof o);
    paxos_value_text(&m.value, v, sizeof v);
    switch (type) {
    case PAXOS_MSG_PREPARE: sim_describe_text(d, "k%lld, ballot %s", (long long)m.key + 1, b); break;
    case PAXOS_MSG_PROMISE:
        if (m.other)
            sim_describe_text(d, "k%lld, ballot %s, accepted %s %s", (long long)m.key + 1, b, o, v);
        else
            sim_describe_text(d, "k%lld, ballot %s, nothing accepted", (long long)m.key + 1, b);
        break;
    case PAXOS_MSG_ACCEPT: sim_describe_text(d, "k%lld, ballot %s, %s", (long long)m.key + 1, b, v); break;
    case PAXOS_MSG_ACCEPTED: sim_describe_text(d, "k%lld, ballot %s", (long long)m.key + 1, b); break;
    case PAXOS_MSG_NACK: sim_describe_text(d, "k%lld, ballot %s, promised %s", (long long)m.key + 1, b, o); break;
    case PAXOS_MSG_DECIDE: sim_describe_text(d, "k%lld, chosen %s", (long long)m.key + 1, v); break;
    default: break;
    }
}

const struct sim_protocol paxos_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "paxos",
    .summary = "single-decree Paxos per key: proposers, acceptors, learners, persisted promises",
    .config_size = sizeof(struct paxos_config),
    .state_size = sizeof(struct paxos_state),
    .ghost_size = sizeof(struct paxos_ghost),
    .configure = paxos_configure,
    .start = paxos_start,
    .crash = paxos_crash,
    .message = paxos_message,
    .timer = paxos_timer,
    .client_request = paxos_client_request,
    .check_cluster = paxos_check_cluster,
    .ghost_free = paxos_ghost_free,
    .describe = paxos_describe,
    .role = paxos_role,
    .roles = paxos_roles,
    .message_name = paxos_message_name,
    .timer_name = paxos_timer_name,
    .message_describe = paxos_message_describe,
    .epoch = "ballot",
};
