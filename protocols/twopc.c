/* twopc.c - two-phase commit ("2pc"): the protocol's hooks, routing of
 * client operations, durable records, description; shared with three-phase
 * commit (threepc.c), which differs only in its coordinator's extra phase
 * and its termination rule. The coordinator is in twopc_coordinator.c, the
 * participants in twopc_participant.c, the atomicity check in
 * twopc_check.c; docs/protocols/2pc.md tells it all.
 *
 * Two-phase commit (Gray 1978, "Notes on Data Base Operating Systems";
 * Bernstein, Hadzilacos & Goodman 1987, §7.3): the coordinator logs WAIT and
 * asks every participant to PREPARE; each logs READY (holding its locks)
 * and votes yes, or votes no; all yes, the coordinator forces COMMIT to its
 * log and tells everyone, else ABORT. A participant in READY may not decide
 * alone: if the coordinator fails after the votes, it is blocked, holding
 * its locks, until the coordinator recovers (or, with `cooperative`,
 * another participant knows the outcome). Timeouts abort where it is safe:
 * a coordinator missing votes aborts (presumed abort, §7.3); a participant
 * asked about a transaction it never voted on promises to vote no.
 *
 * Parameters: coordinator (n1), spread (every participant), vote_timeout
 * (300ms), decision_timeout (600ms), decision_delay (0), retry (200ms),
 * cooperative (true). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/twopc.h"

/* ---- configuration ------------------------------------------------------------------------ */

int twopc_configure_common(struct sim_params *p, struct twopc_config *c, int phases)
{
    int nodes = sim_params_node_count(p);
    int rc = 0;
    c->phases = phases;
    if (nodes < 2 || nodes > TWOPC_MAX_NODES)
        return sim_param_error(p, "coordinator", "needs 2 to %d nodes (a coordinator and participants), not %d",
                               TWOPC_MAX_NODES, nodes);
    rc = rc ? rc : sim_param_node(p, "coordinator", 0, &c->coordinator);
    rc = rc ? rc : sim_param_int(p, "spread", nodes - 1, 1, nodes - 1, &c->spread);
    rc = rc ? rc : sim_param_duration(p, "vote_timeout", 300 * SIM_MS, &c->vote_timeout);
    rc = rc ? rc : sim_param_duration(p, "decision_timeout", 600 * SIM_MS, &c->decision_timeout);
    rc = rc ? rc : sim_param_duration(p, "decision_delay", 0, &c->decision_delay);
    rc = rc ? rc : sim_param_duration(p, "retry", 200 * SIM_MS, &c->retry);
    rc = rc ? rc : sim_param_bool(p, "cooperative", phases == 2, &c->cooperative);
    if (!rc && c->vote_timeout <= 0)
        rc = sim_param_error(p, "vote_timeout", "must be above 0");
    if (!rc && c->retry <= 0)
        rc = sim_param_error(p, "retry", "must be above 0");
    if (!rc && c->decision_timeout <= c->vote_timeout)
        rc = sim_param_error(p, "decision_timeout",
                             "must be longer than vote_timeout (the coordinator must get to abort first)");
    return rc;
}

static int twopc_configure(struct sim_params *p, void *config)
{
    return twopc_configure_common(p, config, 2);
}

/* ---- shared helpers ------------------------------------------------------------------------ */

const char *twopc_state_name(int state)
{
    static const char *const names[] = {"INIT", "WAIT", "READY", "PRECOMMIT", "COMMIT", "ABORT"};
    return state >= 0 && state <= TWOPC_ABORT ? names[state] : "?";
}

int twopc_replica(const struct twopc_state *st, int key, int i)
{
    /* Participants are the nodes other than the coordinator, in id order. */
    int count = st->nodes - 1;
    int k = (int)(((int64_t)key + i) % count);
    return k < st->cfg->coordinator ? k : k + 1;
}

twopc_mask twopc_replicas(const struct twopc_state *st, int key)
{
    twopc_mask m = 0;
    for (int i = 0; i < st->cfg->spread; i++)
        m |= (twopc_mask)1 << twopc_replica(st, key, i);
    return m;
}

bool twopc_load(struct sim_node *n, char prefix, int64_t txid, struct twopc_record *out)
{
    char key[32];
    size_t len = 0;
    snprintf(key, sizeof key, "%c%lld", prefix, (long long)txid);
    const void *v = sim_store_get(n, key, &len);
    if (!v || len != sizeof *out)
        return false;
    memcpy(out, v, sizeof *out);
    return true;
}

void twopc_save(struct sim_node *n, char prefix, const struct twopc_record *rec, bool sync)
{
    char key[32];
    snprintf(key, sizeof key, "%c%lld", prefix, (long long)rec->txid);
    sim_store_put(n, key, rec, sizeof *rec);
    if (sync)
        sim_store_sync(n);
}

/* ---- hooks ------------------------------------------------------------------------------------ */

void twopc_start(struct sim_node *n, void *state)
{
    struct twopc_state *st = state;
    st->cfg = sim_config(n);
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->is_coordinator = st->self == st->cfg->coordinator;
    if (st->is_coordinator)
        twopc_coord_start(n, st);
    else
        twopc_part_start(n, st);
}

void twopc_crash(struct sim_node *n, void *state)
{
    struct twopc_state *st = state;
    if (!st->is_coordinator)
        twopc_part_crash(n, st);
    twopc_coord_free(st);
    twopc_part_free(st);
}

void twopc_message(struct sim_node *n, void *state, int from, int type, const void *body,
                   size_t len)
{
    struct twopc_state *st = state;
    if (from < 0 || from >= st->nodes)
        return;
    if (type == TWOPC_MSG_PREPARE) {
        struct twopc_prepare_msg m;
        if (len != sizeof m || st->is_coordinator)
            return;
        memcpy(&m, body, sizeof m);
        twopc_part_prepare(n, st, from, &m);
        return;
    }
    struct twopc_txid_msg m;
    if (len != sizeof m || type < 0 || type >= TWOPC_MSG_COUNT)
        return;
    memcpy(&m, body, sizeof m);
    if (st->is_coordinator)
        twopc_coord_message(n, st, from, type, &m);
    else
        twopc_part_message(n, st, from, type, &m);
}

void twopc_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    struct twopc_state *st = state;
    if (st->is_coordinator)
        twopc_coord_timer(n, st, kind, (int64_t)arg);
    else
        twopc_part_timer(n, st, kind, (int64_t)arg);
}

void twopc_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct twopc_state *st = state;
    bool read = op->f == SIM_F_READ || op->f == SIM_F_GET;
    if (st->is_coordinator) {
        if (read) /* the first replica of the key serves it */
            sim_redirect(n, op, twopc_replica(st, op->key, 0));
        else
            twopc_coord_request(n, st, op);
        return;
    }
    if (!read) {
        sim_redirect(n, op, st->cfg->coordinator);
        return;
    }
    if (!(twopc_replicas(st, op->key) & ((twopc_mask)1 << st->self))) {
        sim_redirect(n, op, twopc_replica(st, op->key, 0));
        return;
    }
    twopc_part_read(n, st, op);
}

/* ---- description ------------------------------------------------------------------------- */

/* Every role twopc_role returns (for scenario triggers). */
static const char *const twopc_roles[] = {"coordinator", "blocked", "participant", NULL};

const char *twopc_role(const void *state)
{
    const struct twopc_state *st = state;
    if (st->is_coordinator)
        return "coordinator";
    for (int i = 0; i < st->nparts; i++)
        if (st->parts[i].blocked)
            return "blocked";
    return "participant";
}

void twopc_describe(const void *state, struct sim_describe *d)
{
    const struct twopc_state *st = state;
    if (st->is_coordinator) {
        sim_describe_text(d, "next tx %lld · in flight %d · queued %d · commits %lld · aborts %lld",
                          (long long)st->next_txid, st->ntxs, st->nqueue, (long long)st->commits,
                          (long long)st->aborts);
        for (int i = 0; i < st->ntxs && i < 4; i++)
            sim_describe_text(d, " · t%lld %s", (long long)st->txs[i].rec.txid,
                              twopc_state_name(st->txs[i].rec.state));
        return;
    }
    int locks = 0, blocked = 0;
    for (int k = 0; k < st->nlocks; k++)
        locks += st->lock[k] != 0;
    for (int i = 0; i < st->nparts; i++)
        blocked += st->parts[i].blocked;
    sim_describe_text(d, "committed %lld · uncertain %d · locks %d", (long long)st->applied,
                      st->nparts, locks);
    if (blocked)
        sim_describe_text(d, " · BLOCKED %d", blocked);
    for (int i = 0; i < st->nparts && i < 4; i++)
        sim_describe_text(d, " · t%lld %s k%d", (long long)st->parts[i].rec.txid,
                          twopc_state_name(st->parts[i].rec.state), st->parts[i].rec.op.key + 1);
}

const char *twopc_message_name(int type)
{
    static const char *const names[TWOPC_MSG_COUNT] = {
        "Prepare", "Vote", "PreCommit", "PreCommitAck", "Decision",
        "DecisionAck", "DecisionReq", "StateReq", "StateReply"};
    return type >= 0 && type < TWOPC_MSG_COUNT ? names[type] : "?";
}

const char *twopc_timer_name(int kind)
{
    static const char *const names[TWOPC_TIMER_COUNT] = {"votes", "decide", "resend", "uncertain",
                                                         "terminate"};
    return kind >= 0 && kind < TWOPC_TIMER_COUNT ? names[kind] : "?";
}

void twopc_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    if (type == TWOPC_MSG_PREPARE && len == sizeof(struct twopc_prepare_msg)) {
        struct twopc_prepare_msg m;
        memcpy(&m, body, sizeof m);
        sim_describe_text(d, "t%lld: write k%d", (long long)m.txid, m.op.key + 1);
        return;
    }
    if (len != sizeof(struct twopc_txid_msg))
        return;
    struct twopc_txid_msg m;
    memcpy(&m, body, sizeof m);
    switch (type) {
    case TWOPC_MSG_VOTE:
        sim_describe_text(d, "t%lld: %s", (long long)m.txid, m.value == 1 ? "yes" : "no");
        break;
    case TWOPC_MSG_DECISION:
        sim_describe_text(d, "t%lld: %s", (long long)m.txid, m.value ? "commit" : "abort");
        break;
    case TWOPC_MSG_STATE_REPLY:
        sim_describe_text(d, "t%lld: %s", (long long)m.txid, twopc_state_name(m.value));
        break;
    default:
        sim_describe_text(d, "t%lld", (long long)m.txid);
        break;
    }
}

const struct sim_protocol twopc_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "2pc",
    .summary = "two-phase commit: a coordinator, participants with durable logs; blocks on a coordinator crash",
    .config_size = sizeof(struct twopc_config),
    .state_size = sizeof(struct twopc_state),
    .ghost_size = sizeof(struct twopc_ghost),
    .configure = twopc_configure,
    .start = twopc_start,
    .crash = twopc_crash,
    .message = twopc_message,
    .timer = twopc_timer,
    .client_request = twopc_client_request,
    .check_cluster = twopc_check_cluster,
    .ghost_free = twopc_ghost_free,
    .describe = twopc_describe,
    .role = twopc_role,
    .roles = twopc_roles,
    .message_name = twopc_message_name,
    .timer_name = twopc_timer_name,
    .message_describe = twopc_message_describe,
};
