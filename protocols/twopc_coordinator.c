/* twopc_coordinator.c - the coordinator of two- and three-phase commit: turns
 * each client write into a transaction, collects votes, forces the outcome
 * to its log before telling anyone, resends it until every participant has
 * acknowledged, and recovers from its log after a crash.
 *
 * 2PC (Bernstein, Hadzilacos & Goodman 1987, §7.3): log WAIT, send PREPARE;
 * all yes: log COMMIT; a no, or a vote missing after vote_timeout: log
 * ABORT. Recovery: WAIT without an outcome becomes ABORT (presumed abort:
 * nobody can have committed), an outcome is sent again.
 *
 * 3PC (Skeen 1981, "Nonblocking commit protocols"; BHG §7.5): all yes, log
 * PRECOMMIT and send it; when every participant has acknowledged - or the
 * acknowledgements are overdue, the silent ones presumed failed - log
 * COMMIT. A participant that already decided through the termination
 * protocol reports its outcome, which the coordinator adopts. Recovery from
 * PRECOMMIT sends PRECOMMIT again and finishes the same way.
 *
 * Writes to one key are serialised here: a write waits while an earlier
 * transaction on its key is undecided, so conflicts (a participant voting
 * no because the key is locked) come only from failures. */
#include <stdlib.h>
#include <string.h>

#include "protocols/twopc.h"

static twopc_mask bit(int node)
{
    return (twopc_mask)1 << node;
}

static struct twopc_ctx *find(struct twopc_state *st, int64_t txid)
{
    for (int i = 0; i < st->ntxs; i++)
        if (st->txs[i].rec.txid == txid)
            return &st->txs[i];
    return NULL;
}

static struct twopc_ctx *add_ctx(struct twopc_state *st, const struct twopc_record *rec)
{
    if (st->ntxs == st->captxs) {
        int cap = st->captxs ? 2 * st->captxs : 16;
        struct twopc_ctx *t = realloc(st->txs, (size_t)cap * sizeof *t);
        if (!t)
            return NULL;
        st->txs = t;
        st->captxs = cap;
    }
    struct twopc_ctx *c = &st->txs[st->ntxs++];
    memset(c, 0, sizeof *c);
    c->rec = *rec;
    return c;
}

static void remove_ctx(struct twopc_state *st, struct twopc_ctx *c)
{
    int i = (int)(c - st->txs);
    memmove(&st->txs[i], &st->txs[i + 1], (size_t)(st->ntxs - i - 1) * sizeof *c);
    st->ntxs--;
}

static void send_all(struct sim_node *n, twopc_mask to, int type, int64_t txid, int32_t value)
{
    struct twopc_txid_msg m = {txid, value, 0};
    for (int p = 0; to; p++, to >>= 1)
        if (to & 1)
            sim_send(n, p, type, &m, sizeof m);
}

static void begin(struct sim_node *n, struct twopc_state *st, const struct sim_op *op,
                  bool client_waiting);

/* A key is busy while a transaction on it is undecided, and for one retry
 * period after, while the outcome travels (a PREPARE that overtook it would
 * find the key still locked and be voted down). */
static bool key_busy(struct sim_node *n, const struct twopc_state *st, int key)
{
    for (int i = 0; i < st->ntxs; i++) {
        const struct twopc_ctx *c = &st->txs[i];
        if (c->rec.op.key != key)
            continue;
        if (c->rec.state == TWOPC_WAIT || c->rec.state == TWOPC_PRECOMMIT ||
            sim_now(n) - c->decided_at < st->cfg->retry)
            return true;
    }
    return false;
}

/* Starts the first queued write on `key` if the key is free. */
static void start_queued(struct sim_node *n, struct twopc_state *st, int key)
{
    if (key_busy(n, st, key))
        return;
    for (int q = 0; q < st->nqueue; q++) {
        if (st->queue[q].key != key)
            continue;
        struct sim_op op = st->queue[q];
        memmove(&st->queue[q], &st->queue[q + 1], (size_t)(st->nqueue - q - 1) * sizeof op);
        st->nqueue--;
        begin(n, st, &op, true);
        return;
    }
}

/* Forces the outcome to the log, answers the client, tells the participants. */
static void decide(struct sim_node *n, struct twopc_state *st, struct twopc_ctx *c, bool commit,
                   const char *why)
{
    const struct twopc_config *cfg = st->cfg;
    c->rec.state = commit ? TWOPC_COMMIT : TWOPC_ABORT;
    twopc_save(n, 'c', &c->rec, true);
    sim_note(n, "t%lld %s: %s", (long long)c->rec.txid, commit ? "COMMIT" : "ABORT", why);
    if (commit) {
        st->commits++;
        sim_metric_add(n, "commits", 1);
    } else {
        st->aborts++;
        sim_metric_add(n, "aborts", 1);
    }
    if (c->client_waiting) {
        /* An abort answers the client only when its own cas did not match;
         * a lock conflict, missing votes or a recovery in doubt are refusals
         * (the system could not serve it now), counted apart in availability. */
        struct sim_result r = {.outcome = commit ? SIM_OUT_OK : SIM_OUT_FAIL,
                               .refused = !commit && !c->cas_mismatch};
        sim_reply(n, &c->rec.op, &r);
        c->client_waiting = false;
    }
    c->acked = 0;
    c->decided_at = sim_now(n);
    sim_cancel_timer(n, c->timer);
    send_all(n, c->rec.participants, TWOPC_MSG_DECISION, c->rec.txid, commit);
    c->timer = sim_set_timer(n, cfg->retry, TWOPC_TIMER_RESEND, (uint64_t)c->rec.txid);
}

static void begin(struct sim_node *n, struct twopc_state *st, const struct sim_op *op,
                  bool client_waiting)
{
    struct twopc_record rec = {st->next_txid++, TWOPC_WAIT, 0, twopc_replicas(st, op->key), *op};
    struct twopc_ctx *c = add_ctx(st, &rec);
    if (!c)
        return;
    c->client_waiting = client_waiting;
    /* The WAIT record and the next id are durable before anyone is asked. */
    sim_store_put_i64(n, "next_txid", st->next_txid);
    twopc_save(n, 'c', &rec, true);
    struct twopc_prepare_msg m = {rec.txid, rec.participants, *op};
    for (int p = 0; p < st->nodes; p++)
        if (rec.participants & bit(p))
            sim_send(n, p, TWOPC_MSG_PREPARE, &m, sizeof m);
    c->timer = sim_set_timer(n, st->cfg->vote_timeout, TWOPC_TIMER_VOTES, (uint64_t)rec.txid);
}

void twopc_coord_request(struct sim_node *n, struct twopc_state *st, const struct sim_op *op)
{
    for (int i = 0; i < st->ntxs; i++)
        if (st->txs[i].rec.op.id == op->id)
            return; /* a retry of a transaction in progress: its answer will come */
    if (!key_busy(n, st, op->key)) {
        begin(n, st, op, true);
        return;
    }
    if (st->nqueue == st->capqueue) {
        int cap = st->capqueue ? 2 * st->capqueue : 16;
        struct sim_op *q = cap <= 1024 ? realloc(st->queue, (size_t)cap * sizeof *q) : NULL;
        if (!q) {
            sim_redirect(n, op, -1);
            return;
        }
        st->queue = q;
        st->capqueue = cap;
    }
    st->queue[st->nqueue++] = *op;
}

/* 3PC: every participant voted yes. */
static void precommit(struct sim_node *n, struct twopc_state *st, struct twopc_ctx *c)
{
    c->rec.state = TWOPC_PRECOMMIT;
    twopc_save(n, 'c', &c->rec, true);
    c->acked = 0;
    send_all(n, c->rec.participants, TWOPC_MSG_PRECOMMIT, c->rec.txid, 0);
    sim_cancel_timer(n, c->timer);
    c->timer = sim_set_timer(n, st->cfg->vote_timeout, TWOPC_TIMER_VOTES, (uint64_t)c->rec.txid);
}

/* Every vote is yes: after decision_delay (the forced write of the record),
 * COMMIT (2PC) or PRECOMMIT (3PC). */
static void all_yes(struct sim_node *n, struct twopc_state *st, struct twopc_ctx *c)
{
    if (st->cfg->phases == 3)
        precommit(n, st, c);
    else
        decide(n, st, c, true, "every participant voted yes");
}

void twopc_coord_message(struct sim_node *n, struct twopc_state *st, int from, int type,
                         const struct twopc_txid_msg *m)
{
    struct twopc_ctx *c = find(st, m->txid);
    switch (type) {
    case TWOPC_MSG_VOTE:
        if (!c || c->rec.state != TWOPC_WAIT || !(c->rec.participants & bit(from)))
            return;
        if (m->value != 1) {
            c->cas_mismatch = m->value == 2;
            decide(n, st, c, false, m->value == 2 ? "a participant's cas does not match"
                                                  : "a participant voted no (key locked)");
            return;
        }
        c->yes |= bit(from);
        if (c->yes != c->rec.participants)
            return;
        sim_cancel_timer(n, c->timer);
        /* the moment lessons crash the coordinator at ("on": {"note": ...}) */
        sim_note(n, "t%lld: every vote is yes, %s", (long long)c->rec.txid,
                 st->cfg->phases == 3 ? "pre-committing" : "committing");
        if (st->cfg->decision_delay > 0)
            c->timer = sim_set_timer(n, st->cfg->decision_delay, TWOPC_TIMER_DECIDE,
                                     (uint64_t)c->rec.txid);
        else
            all_yes(n, st, c);
        return;
    case TWOPC_MSG_PRECOMMIT_ACK:
        if (!c || c->rec.state != TWOPC_PRECOMMIT)
            return;
        c->acked |= bit(from);
        if (c->acked == c->rec.participants)
            decide(n, st, c, true, "every participant pre-committed");
        return;
    case TWOPC_MSG_STATE_REPLY: /* a participant decided without us (3PC termination) */
        if (!c || (c->rec.state != TWOPC_WAIT && c->rec.state != TWOPC_PRECOMMIT))
            return;
        if (m->value == TWOPC_COMMIT)
            decide(n, st, c, true, "the participants' termination protocol committed it");
        else if (m->value == TWOPC_ABORT)
            decide(n, st, c, false, "the participants' termination protocol aborted it");
        return;
    case TWOPC_MSG_DECISION_ACK:
        if (!c || (c->rec.state != TWOPC_COMMIT && c->rec.state != TWOPC_ABORT))
            return;
        c->acked |= bit(from);
        if (c->acked == c->rec.participants) {
            int key = c->rec.op.key;
            c->rec.ended = 1;
            twopc_save(n, 'c', &c->rec, false);
            sim_cancel_timer(n, c->timer);
            remove_ctx(st, c);
            start_queued(n, st, key);
        }
        return;
    case TWOPC_MSG_DECISION_REQ: {
        if (c && c->rec.state != TWOPC_COMMIT && c->rec.state != TWOPC_ABORT)
            return; /* not decided yet */
        struct twopc_record rec;
        int outcome = TWOPC_ABORT; /* presumed abort: no record, no commit */
        if (c)
            outcome = c->rec.state;
        else if (twopc_load(n, 'c', m->txid, &rec) && rec.state == TWOPC_COMMIT)
            outcome = TWOPC_COMMIT;
        struct twopc_txid_msg r = {m->txid, outcome == TWOPC_COMMIT, 0};
        sim_send(n, from, TWOPC_MSG_DECISION, &r, sizeof r);
        return;
    }
    default:
        return;
    }
}

void twopc_coord_timer(struct sim_node *n, struct twopc_state *st, int kind, int64_t txid)
{
    struct twopc_ctx *c = find(st, txid);
    if (!c)
        return;
    c->timer = 0;
    switch (kind) {
    case TWOPC_TIMER_VOTES:
        if (c->rec.state == TWOPC_WAIT)
            decide(n, st, c, false, "votes missing after vote_timeout (aborting is safe)");
        else if (c->rec.state == TWOPC_PRECOMMIT) /* Skeen: the silent ones are presumed failed */
            decide(n, st, c, true, "pre-commit acknowledgements overdue: committing anyway");
        return;
    case TWOPC_TIMER_DECIDE:
        if (c->rec.state == TWOPC_WAIT)
            all_yes(n, st, c);
        return;
    case TWOPC_TIMER_RESEND:
        if (c->rec.state != TWOPC_COMMIT && c->rec.state != TWOPC_ABORT)
            return;
        start_queued(n, st, c->rec.op.key);
        if (!(c = find(st, txid)))
            return;
        send_all(n, c->rec.participants & ~c->acked, TWOPC_MSG_DECISION, c->rec.txid,
                 c->rec.state == TWOPC_COMMIT);
        c->timer = sim_set_timer(n, st->cfg->retry, TWOPC_TIMER_RESEND, (uint64_t)txid);
        return;
    default:
        return;
    }
}

void twopc_coord_start(struct sim_node *n, struct twopc_state *st)
{
    st->next_txid = sim_store_get_i64(n, "next_txid", 1);
    /* Recovery from the log: finish every transaction not known ended. */
    for (int64_t txid = 1; txid < st->next_txid; txid++) {
        struct twopc_record rec;
        if (!twopc_load(n, 'c', txid, &rec) || rec.ended)
            continue;
        struct twopc_ctx *c = add_ctx(st, &rec);
        if (!c)
            return;
        switch (rec.state) {
        case TWOPC_WAIT:
            decide(n, st, c, false, "recovered in WAIT: no outcome was logged, so none was sent");
            break;
        case TWOPC_PRECOMMIT:
            sim_note(n, "t%lld recovered in PRECOMMIT: pre-committing again", (long long)txid);
            precommit(n, st, c);
            break;
        default:
            sim_note(n, "t%lld recovered in %s: telling the participants again", (long long)txid,
                     twopc_state_name(rec.state));
            send_all(n, rec.participants, TWOPC_MSG_DECISION, txid, rec.state == TWOPC_COMMIT);
            c->timer = sim_set_timer(n, st->cfg->retry, TWOPC_TIMER_RESEND, (uint64_t)txid);
            break;
        }
    }
}

void twopc_coord_free(struct twopc_state *st)
{
    free(st->txs);
    free(st->queue);
    st->txs = NULL;
    st->queue = NULL;
    st->ntxs = st->captxs = st->nqueue = st->capqueue = 0;
}
