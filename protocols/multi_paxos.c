/* multi_paxos.c - the Multi-Paxos plug-in: parameters, node lifecycle,
 * event dispatch, clients and what the viewer shows.
 *
 * Lamport, "Paxos Made Simple" (2001) §3: a replicated log of commands,
 * one Paxos instance per slot, behind the key-value / register store every
 * protocol serves. A stable leader skips phase 1; a leader change runs
 * phase 1 over all open slots; commands (reads included, so reads are
 * linearizable) are applied in slot order. Followers redirect clients to
 * the leader they follow; retried commands take effect once.
 *
 * Params: heartbeat (50ms), election_min (150ms), election_max (300ms),
 * batch (64 slots per Accept or Commit). */
#include <stdlib.h>
#include <string.h>

#include "protocols/multi_paxos.h"

static int mp_configure(struct sim_params *p, void *config)
{
    struct multi_paxos_config *c = config;
    int rc = 0;
    if (sim_params_node_count(p) > MULTI_PAXOS_MAX_NODES)
        return sim_param_error(p, "heartbeat", "multi-paxos runs on at most %d nodes",
                               MULTI_PAXOS_MAX_NODES);
    rc = rc ? rc : sim_param_duration(p, "heartbeat", 50 * SIM_MS, &c->heartbeat);
    rc = rc ? rc : sim_param_duration(p, "election_min", 150 * SIM_MS, &c->election_min);
    rc = rc ? rc : sim_param_duration(p, "election_max", 300 * SIM_MS, &c->election_max);
    rc = rc ? rc : sim_param_int(p, "batch", 64, 1, 1000000, &c->batch);
    if (!rc && c->heartbeat <= 0)
        rc = sim_param_error(p, "heartbeat", "must be above 0");
    if (!rc && c->election_min <= 0)
        rc = sim_param_error(p, "election_min", "must be above 0");
    if (!rc && c->election_max < c->election_min)
        rc = sim_param_error(p, "election_max", "must not be below election_min");
    return rc;
}

static void reset_changes(struct multi_paxos_state *st)
{
    st->changed_lo = INT64_MAX;
    st->changed_hi = 0;
}

static void mp_start(struct sim_node *n, void *state)
{
    struct multi_paxos_state *st = state;
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->leader = -1;
    st->role = MP_FOLLOWER;
    st->next_slot = 1;
    reset_changes(st);
    st->sm = sim_sm_create();
    if (!st->sm || multi_paxos_load(n, st) != SIM_OK)
        return;
    st->seen_round = st->promised / MULTI_PAXOS_MAX_NODES;
    multi_paxos_start_timers(n, st);
}

static void mp_crash(struct sim_node *n, void *state)
{
    (void)n;
    multi_paxos_free(state);
}

static void mp_message(struct sim_node *n, void *state, int from, int type, const void *body,
                       size_t len)
{
    struct multi_paxos_state *st = state;
    reset_changes(st);
    switch (type) {
    case MP_MSG_PREPARE: {
        struct multi_paxos_prepare m;
        if (len == sizeof m) {
            memcpy(&m, body, sizeof m);
            multi_paxos_on_prepare(n, st, from, &m);
        }
        break;
    }
    case MP_MSG_PROMISE:
        multi_paxos_on_promise(n, st, from, body, len);
        break;
    case MP_MSG_ACCEPT:
        multi_paxos_on_accept(n, st, from, body, len);
        break;
    case MP_MSG_ACCEPTED: {
        struct multi_paxos_accepted_msg m;
        if (len == sizeof m) {
            memcpy(&m, body, sizeof m);
            multi_paxos_on_accepted(n, st, from, &m);
        }
        break;
    }
    case MP_MSG_NACK: {
        struct multi_paxos_nack m;
        if (len == sizeof m) {
            memcpy(&m, body, sizeof m);
            multi_paxos_on_nack(n, st, &m);
        }
        break;
    }
    case MP_MSG_COMMIT:
        multi_paxos_on_commit(n, st, body, len);
        break;
    default:
        break;
    }
}

static void mp_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)arg;
    struct multi_paxos_state *st = state;
    reset_changes(st);
    if (kind == MP_TIMER_ELECTION)
        multi_paxos_on_election_timer(n, st);
    else if (kind == MP_TIMER_TICK)
        multi_paxos_on_tick(n, st);
}

static void mp_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct multi_paxos_state *st = state;
    reset_changes(st);
    if (st->role != MP_LEADER) {
        sim_redirect(n, op, st->leader >= 0 && st->leader != st->self ? st->leader : -1);
        return;
    }
    bool reads = op->f == SIM_F_READ || op->f == SIM_F_GET;
    if (!reads && op->client >= 0 && op->client < st->nsessions) {
        const struct multi_paxos_session *s = &st->sessions[op->client];
        if (op->seq == s->seq) { /* applied already: same answer, not again */
            struct sim_result r = {.outcome = s->outcome, .has_value = s->has_value != 0,
                                   .value = s->value};
            sim_reply(n, op, &r);
            return;
        }
        if (op->seq < s->seq)
            return;
    }
    multi_paxos_propose(n, st, op);
}

/* ---- what the viewer shows --------------------------------------------------------------- */

/* Every role mp_role returns (for scenario triggers). */
static const char *const mp_roles[] = {"leader", "candidate", "follower", NULL};

static const char *mp_role(const void *state)
{
    const struct multi_paxos_state *st = state;
    return st->role == MP_LEADER ? "leader" : st->role == MP_CANDIDATE ? "candidate" : "follower";
}

static void mp_describe(const void *state, struct sim_describe *d)
{
    const struct multi_paxos_state *st = state;
    char b[32];
    multi_paxos_ballot_text(st->promised, b, sizeof b);
    sim_describe_term(d, st->promised / MULTI_PAXOS_MAX_NODES);
    int64_t len = st->max_accepted > st->chosen ? st->max_accepted : st->chosen;
    if (st->role == MP_LEADER && st->next_slot - 1 > len)
        len = st->next_slot - 1;
    sim_describe_text(d, "ballot %s · slots %lld · chosen %lld", b, (long long)len,
                      (long long)st->chosen);
    if (st->role != MP_LEADER && st->leader >= 0)
        sim_describe_text(d, " · leader n%d", st->leader + 1);
    int64_t tail[16];
    int tn = 0;
    for (int64_t s = len > 16 ? len - 15 : 1; s <= len; s++)
        tail[tn++] = s <= st->nacc ? st->acc[s - 1].ballot / MULTI_PAXOS_MAX_NODES : 0;
    sim_describe_log(d, len, st->chosen, tail, tn);
}

static const char *mp_message_name(int type)
{
    static const char *const names[] = {"Prepare", "Promise", "Accept", "Accepted", "Nack", "Commit"};
    return type >= 0 && type < MP_MSG_COUNT ? names[type] : "?";
}

static const char *mp_timer_name(int kind)
{
    return kind == MP_TIMER_ELECTION ? "election" : kind == MP_TIMER_TICK ? "heartbeat" : "?";
}

static void mp_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    char b[32];
    if (type == MP_MSG_PREPARE && len == sizeof(struct multi_paxos_prepare)) {
        struct multi_paxos_prepare m;
        memcpy(&m, body, sizeof m);
        multi_paxos_ballot_text(m.ballot, b, sizeof b);
        sim_describe_text(d, "ballot %s, slots %lld..", b, (long long)m.from_slot);
    } else if (type == MP_MSG_PROMISE && len >= sizeof(struct multi_paxos_promise)) {
        struct multi_paxos_promise m;
        memcpy(&m, body, sizeof m);
        multi_paxos_ballot_text(m.ballot, b, sizeof b);
        sim_describe_text(d, "ballot %s, %lld accepted slots", b, (long long)m.count);
    } else if (type == MP_MSG_ACCEPT && len >= sizeof(struct multi_paxos_accept)) {
        struct multi_paxos_accept m;
        memcpy(&m, body, sizeof m);
        multi_paxos_ballot_text(m.ballot, b, sizeof b);
        if (m.count > 0)
            sim_describe_text(d, "ballot %s, slots %lld..%lld, chosen %lld", b, (long long)m.first,
                              (long long)(m.first + m.count - 1), (long long)m.chosen);
        else
            sim_describe_text(d, "ballot %s, heartbeat, chosen %lld", b, (long long)m.chosen);
    } else if (type == MP_MSG_ACCEPTED && len == sizeof(struct multi_paxos_accepted_msg)) {
        struct multi_paxos_accepted_msg m;
        memcpy(&m, body, sizeof m);
        multi_paxos_ballot_text(m.ballot, b, sizeof b);
        if (m.count > 0)
            sim_describe_text(d, "ballot %s, slots %lld..%lld, has chosen %lld", b,
                              (long long)m.first, (long long)(m.first + m.count - 1),
                              (long long)m.chosen);
        else
            sim_describe_text(d, "ballot %s, has chosen %lld", b, (long long)m.chosen);
    } else if (type == MP_MSG_NACK && len == sizeof(struct multi_paxos_nack)) {
        struct multi_paxos_nack m;
        char p[32];
        memcpy(&m, body, sizeof m);
        multi_paxos_ballot_text(m.ballot, b, sizeof b);
        multi_paxos_ballot_text(m.promised, p, sizeof p);
        sim_describe_text(d, "ballot %s refused, promised %s", b, p);
    } else if (type == MP_MSG_COMMIT && len >= sizeof(struct multi_paxos_commit)) {
        struct multi_paxos_commit m;
        memcpy(&m, body, sizeof m);
        sim_describe_text(d, "chosen slots %lld..%lld", (long long)m.first,
                          (long long)(m.first + m.count - 1));
    }
}

const struct sim_protocol multi_paxos_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "multi-paxos",
    .summary = "Multi-Paxos: a stable leader skips phase 1, a replicated log behind the kv store",
    .config_size = sizeof(struct multi_paxos_config),
    .state_size = sizeof(struct multi_paxos_state),
    .ghost_size = sizeof(struct multi_paxos_ghost),
    .configure = mp_configure,
    .start = mp_start,
    .crash = mp_crash,
    .message = mp_message,
    .timer = mp_timer,
    .client_request = mp_client_request,
    .check_cluster = multi_paxos_check_cluster,
    .ghost_free = multi_paxos_ghost_free,
    .describe = mp_describe,
    .role = mp_role,
    .roles = mp_roles,
    .message_name = mp_message_name,
    .timer_name = mp_timer_name,
    .message_describe = mp_message_describe,
    .epoch = "ballot",
};
