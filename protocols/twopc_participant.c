/* twopc_participant.c - a participant of two- and three-phase commit: votes
 * (logging READY and locking the key before a yes), applies the outcome,
 * serves reads of its keys from committed data (waiting on a lock), and,
 * when the outcome does not come, asks for it (2PC) or runs the
 * termination protocol (3PC).
 *
 * 2PC, uncertain in READY (BHG §7.3-7.4): it may not decide alone. After
 * decision_timeout it asks the coordinator again every `retry`; with
 * `cooperative` it also asks the other participants, and any that has
 * decided - or never voted, and so promises to vote no - settles it. If all
 * are READY too, it is blocked, holding its lock, until the coordinator
 * answers: the "blocked" metric counts such (participant, transaction)
 * pairs, "blocked_ms" how long they lasted.
 *
 * 3PC termination (Skeen 1981; BHG §7.5), run by an uncertain participant
 * after decision_timeout: collect the states of the others that answer
 * within `retry`; any COMMIT -> commit; any ABORT or INIT -> abort; any
 * PRECOMMIT (its own included) -> commit; all READY -> abort. It never
 * waits for the coordinator. Each side of a partition terminates alone, and
 * the two sides can decide differently: that is 3PC's known weakness. With
 * nobody answering it does not decide (a lone participant cannot know) and
 * counts as blocked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/twopc.h"

static twopc_mask bit(int node)
{
    return (twopc_mask)1 << node;
}

static struct twopc_part *find(struct twopc_state *st, int64_t txid)
{
    for (int i = 0; i < st->nparts; i++)
        if (st->parts[i].rec.txid == txid)
            return &st->parts[i];
    return NULL;
}

/* ---- locks and reads --------------------------------------------------------------------- */

static int64_t *lock_slot(struct twopc_state *st, int key)
{
    if (key < 0)
        return NULL;
    if (key >= st->nlocks) {
        int n = key + 16;
        int64_t *l = realloc(st->lock, (size_t)n * sizeof *l);
        if (!l)
            return NULL;
        memset(l + st->nlocks, 0, (size_t)(n - st->nlocks) * sizeof *l);
        st->lock = l;
        st->nlocks = n;
    }
    return &st->lock[key];
}

static void serve(struct sim_node *n, struct twopc_state *st, const struct sim_op *op)
{
    struct sim_result r;
    if (sim_sm_apply(st->sm, op, &r) != SIM_OK)
        r = (struct sim_result){.outcome = SIM_OUT_FAIL};
    sim_reply(n, op, &r);
}

void twopc_part_read(struct sim_node *n, struct twopc_state *st, const struct sim_op *op)
{
    int64_t *l = lock_slot(st, op->key);
    if (!l || !*l) {
        serve(n, st, op);
        return;
    }
    /* A prepared transaction holds the key: its outcome decides what a read
     * must see, so the read waits (the lock is why blocking hurts). */
    if (st->nreads == st->capreads) {
        int cap = st->capreads ? 2 * st->capreads : 16;
        struct sim_op *r = cap <= 4096 ? realloc(st->reads, (size_t)cap * sizeof *r) : NULL;
        if (!r) {
            sim_redirect(n, op, -1);
            return;
        }
        st->reads = r;
        st->capreads = cap;
    }
    st->reads[st->nreads++] = *op;
    sim_metric_add(n, "lock_waits", 1);
}

static void serve_waiting(struct sim_node *n, struct twopc_state *st, int key)
{
    int kept = 0;
    for (int i = 0; i < st->nreads; i++) {
        if (st->reads[i].key == key)
            serve(n, st, &st->reads[i]);
        else
            st->reads[kept++] = st->reads[i];
    }
    st->nreads = kept;
}

/* ---- outcomes ------------------------------------------------------------------------------- */

static void record_outcome(struct twopc_state *st, int64_t txid, bool commit)
{
    if (st->ndecided == st->capdecided) {
        int cap = st->capdecided ? 2 * st->capdecided : 64;
        struct twopc_decided *d = realloc(st->decided, (size_t)cap * sizeof *d);
        if (!d)
            return;
        st->decided = d;
        st->capdecided = cap;
    }
    st->decided[st->ndecided++] = (struct twopc_decided){txid, commit};
}

static void set_blocked(struct sim_node *n, struct twopc_part *p, bool blocked)
{
    if (p->blocked == blocked)
        return;
    p->blocked = blocked;
    if (blocked) {
        p->blocked_since = sim_now(n);
        sim_metric_add(n, "blocked", 1);
        sim_metric_add(n, "blocked_total", 1);
        sim_note(n, "t%lld blocked in %s, holding the lock on k%d", (long long)p->rec.txid,
                 twopc_state_name(p->rec.state), p->rec.op.key + 1);
    } else {
        sim_metric_add(n, "blocked", -1);
        sim_metric_add(n, "blocked_ms", (sim_now(n) - p->blocked_since) / SIM_MS);
    }
}

static void update_max_txid(struct sim_node *n, struct twopc_state *st, int64_t txid)
{
    if (txid > st->max_txid) {
        st->max_txid = txid;
        sim_store_put_i64(n, "max_txid", txid);
    }
}

/* Applies the outcome of a transaction this participant is uncertain about. */
static void finish(struct sim_node *n, struct twopc_state *st, struct twopc_part *p, bool commit,
                   const char *why)
{
    int64_t txid = p->rec.txid;
    int key = p->rec.op.key;
    set_blocked(n, p, false);
    sim_cancel_timer(n, p->timer);
    if (commit) {
        struct sim_result r;
        sim_sm_apply(st->sm, &p->rec.op, &r);
        char k[32];
        snprintf(k, sizeof k, "d%lld", (long long)++st->applied);
        sim_store_put(n, k, &p->rec.op, sizeof p->rec.op);
        sim_store_put_i64(n, "applied", st->applied);
    }
    p->rec.state = commit ? TWOPC_COMMIT : TWOPC_ABORT;
    twopc_save(n, 't', &p->rec, true);
    if (why)
        sim_note(n, "t%lld %s: %s", (long long)txid, commit ? "COMMIT" : "ABORT", why);
    record_outcome(st, txid, commit);
    int64_t *l = lock_slot(st, key);
    if (l && *l == txid) {
        *l = 0;
        sim_metric_add(n, "locks_held", -1);
    }
    int i = (int)(p - st->parts);
    memmove(&st->parts[i], &st->parts[i + 1], (size_t)(st->nparts - i - 1) * sizeof *p);
    st->nparts--;
    serve_waiting(n, st, key);
}

/* Outcome of a transaction with no uncertainty here: already decided, or
 * never voted yes (then only abort can be right). */
static void outcome_elsewhere(struct sim_node *n, struct twopc_state *st, int64_t txid,
                              bool commit)
{
    struct twopc_record rec;
    if (twopc_load(n, 't', txid, &rec))
        return; /* decided here before */
    if (commit)
        return; /* cannot be: it needed this participant's yes */
    memset(&rec, 0, sizeof rec);
    rec.txid = txid;
    rec.state = TWOPC_ABORT;
    twopc_save(n, 't', &rec, false);
    update_max_txid(n, st, txid);
    record_outcome(st, txid, false);
}

/* ---- voting --------------------------------------------------------------------------------- */

static void vote(struct sim_node *n, int to, int64_t txid, int value)
{
    struct twopc_txid_msg v = {txid, value, 0};
    sim_send(n, to, TWOPC_MSG_VOTE, &v, sizeof v);
}

void twopc_part_prepare(struct sim_node *n, struct twopc_state *st, int from,
                        const struct twopc_prepare_msg *m)
{
    if (m->op.key < 0 || !(m->participants & bit(st->self)))
        return;
    struct twopc_record rec;
    if (find(st, m->txid)) { /* a duplicate PREPARE */
        vote(n, from, m->txid, 1);
        return;
    }
    if (twopc_load(n, 't', m->txid, &rec)) {
        vote(n, from, m->txid, rec.state == TWOPC_COMMIT);
        return;
    }
    int64_t *l = lock_slot(st, m->op.key);
    int no = 0;
    if (!l || *l)
        no = 1; /* another transaction holds the key */
    else if (m->op.f == SIM_F_CAS) {
        struct sim_op read = m->op;
        struct sim_result r;
        read.f = SIM_F_READ;
        sim_sm_apply(st->sm, &read, &r);
        if (!r.has_value || r.value != m->op.value)
            no = 2; /* the compare fails: the write must not happen */
    }
    rec = (struct twopc_record){m->txid, no ? TWOPC_ABORT : TWOPC_READY, 0, m->participants, m->op};
    update_max_txid(n, st, m->txid);
    if (no) {
        twopc_save(n, 't', &rec, false);
        record_outcome(st, m->txid, false);
        vote(n, from, m->txid, no == 2 ? 2 : 0);
        return;
    }
    if (st->nparts == st->capparts) {
        int cap = st->capparts ? 2 * st->capparts : 16;
        struct twopc_part *p = realloc(st->parts, (size_t)cap * sizeof *p);
        if (!p)
            return;
        st->parts = p;
        st->capparts = cap;
    }
    /* READY is durable, and the key locked, before the yes leaves. */
    twopc_save(n, 't', &rec, true);
    *l = m->txid;
    sim_metric_add(n, "locks_held", 1);
    struct twopc_part *p = &st->parts[st->nparts++];
    memset(p, 0, sizeof *p);
    p->rec = rec;
    p->timer = sim_set_timer(n, st->cfg->decision_timeout, TWOPC_TIMER_UNCERTAIN,
                             (uint64_t)m->txid);
    vote(n, from, m->txid, 1);
}

/* ---- uncertainty: asking, terminating -------------------------------------------------------- */

static void ask_others(struct sim_node *n, struct twopc_state *st, struct twopc_part *p)
{
    struct twopc_txid_msg q = {p->rec.txid, 0, 0};
    for (int o = 0; o < st->nodes; o++)
        if (o != st->self && (p->rec.participants & bit(o)))
            sim_send(n, o, TWOPC_MSG_STATE_REQ, &q, sizeof q);
}

/* 3PC: the termination rule over the answers gathered (Skeen 1981). */
static void terminate_decide(struct sim_node *n, struct twopc_state *st, struct twopc_part *p)
{
    bool precommitted = p->rec.state == TWOPC_PRECOMMIT;
    int answers = 0;
    char who[128] = "";
    size_t used = 0;
    for (int o = 0; o < st->nodes; o++) {
        if (!(p->answered & bit(o)))
            continue;
        answers++;
        precommitted |= p->answers[o] == TWOPC_PRECOMMIT;
        if (used + 8 < sizeof who)
            used += (size_t)snprintf(who + used, sizeof who - used, " %s", sim_node_name(n, o));
    }
    if (!answers) {
        /* Alone, it cannot tell a crash from a cut: it does not decide. */
        set_blocked(n, p, true);
        p->terminating = true;
        p->answered = 0;
        ask_others(n, st, p);
        p->timer = sim_set_timer(n, st->cfg->retry, TWOPC_TIMER_TERMINATE, (uint64_t)p->rec.txid);
        return;
    }
    char why[200];
    snprintf(why, sizeof why, "termination protocol: %s among the reachable (%s)",
             precommitted ? "someone pre-committed" : "all uncertain", who + 1);
    sim_metric_add(n, "terminations", 1);
    int64_t txid = p->rec.txid;
    twopc_mask others = p->rec.participants & ~bit(st->self);
    finish(n, st, p, precommitted, why);
    /* Tell the others, and the coordinator should it be alive. */
    struct twopc_txid_msg d = {txid, precommitted, 0};
    for (int o = 0; o < st->nodes; o++)
        if (others & bit(o))
            sim_send(n, o, TWOPC_MSG_DECISION, &d, sizeof d);
    struct twopc_txid_msg r = {txid, precommitted ? TWOPC_COMMIT : TWOPC_ABORT, 0};
    sim_send(n, st->cfg->coordinator, TWOPC_MSG_STATE_REPLY, &r, sizeof r);
}

static void uncertain(struct sim_node *n, struct twopc_state *st, struct twopc_part *p)
{
    const struct twopc_config *c = st->cfg;
    p->rounds++;
    if (c->phases == 3) {
        p->terminating = true;
        p->answered = 0;
        ask_others(n, st, p);
        p->timer = sim_set_timer(n, c->retry, TWOPC_TIMER_TERMINATE, (uint64_t)p->rec.txid);
        return;
    }
    /* 2PC: READY may not decide alone; ask, and wait. */
    set_blocked(n, p, true);
    struct twopc_txid_msg q = {p->rec.txid, 0, 0};
    sim_send(n, c->coordinator, TWOPC_MSG_DECISION_REQ, &q, sizeof q);
    if (c->cooperative)
        ask_others(n, st, p);
    p->timer = sim_set_timer(n, c->retry, TWOPC_TIMER_UNCERTAIN, (uint64_t)p->rec.txid);
}

void twopc_part_timer(struct sim_node *n, struct twopc_state *st, int kind, int64_t txid)
{
    struct twopc_part *p = find(st, txid);
    if (!p)
        return;
    p->timer = 0;
    if (kind == TWOPC_TIMER_UNCERTAIN)
        uncertain(n, st, p);
    else if (kind == TWOPC_TIMER_TERMINATE && p->terminating)
        terminate_decide(n, st, p);
}

/* ---- messages ------------------------------------------------------------------------------- */

static void answer_state(struct sim_node *n, struct twopc_state *st, int to, int64_t txid)
{
    struct twopc_part *p = find(st, txid);
    struct twopc_record rec;
    int state;
    if (p)
        state = p->rec.state;
    else if (twopc_load(n, 't', txid, &rec))
        state = rec.state;
    else {
        /* Never voted: it promises to vote no, so abort is safe for all. */
        state = TWOPC_INIT;
        outcome_elsewhere(n, st, txid, false);
    }
    struct twopc_txid_msg r = {txid, state, 0};
    sim_send(n, to, TWOPC_MSG_STATE_REPLY, &r, sizeof r);
}

void twopc_part_message(struct sim_node *n, struct twopc_state *st, int from, int type,
                        const struct twopc_txid_msg *m)
{
    struct twopc_part *p = find(st, m->txid);
    switch (type) {
    case TWOPC_MSG_DECISION: {
        char why[64];
        snprintf(why, sizeof why, "outcome from %s", sim_node_name(n, from));
        if (p)
            finish(n, st, p, m->value != 0, why);
        else
            outcome_elsewhere(n, st, m->txid, m->value != 0);
        if (from == st->cfg->coordinator) {
            struct twopc_txid_msg a = {m->txid, 0, 0};
            sim_send(n, from, TWOPC_MSG_DECISION_ACK, &a, sizeof a);
        }
        return;
    }
    case TWOPC_MSG_PRECOMMIT: {
        if (p) {
            if (p->rec.state == TWOPC_READY) {
                p->rec.state = TWOPC_PRECOMMIT;
                twopc_save(n, 't', &p->rec, true);
                sim_cancel_timer(n, p->timer);
                p->terminating = false;
                p->timer = sim_set_timer(n, st->cfg->decision_timeout, TWOPC_TIMER_UNCERTAIN,
                                         (uint64_t)m->txid);
            }
            struct twopc_txid_msg a = {m->txid, 0, 0};
            sim_send(n, from, TWOPC_MSG_PRECOMMIT_ACK, &a, sizeof a);
            return;
        }
        struct twopc_record rec;
        if (twopc_load(n, 't', m->txid, &rec)) { /* decided already: say how */
            struct twopc_txid_msg r = {m->txid, rec.state, 0};
            sim_send(n, from, TWOPC_MSG_STATE_REPLY, &r, sizeof r);
        }
        return;
    }
    case TWOPC_MSG_STATE_REQ:
        answer_state(n, st, from, m->txid);
        return;
    case TWOPC_MSG_STATE_REPLY:
        if (!p)
            return;
        if (m->value == TWOPC_COMMIT) {
            finish(n, st, p, true, "another participant committed it");
        } else if (m->value == TWOPC_ABORT || m->value == TWOPC_INIT) {
            finish(n, st, p, false, m->value == TWOPC_INIT
                                        ? "another participant never voted (and now will not)"
                                        : "another participant aborted it");
        } else if (p->terminating && from >= 0 && from < TWOPC_MAX_NODES) {
            p->answered |= bit(from);
            p->answers[from] = m->value;
        }
        return;
    default:
        return;
    }
}

/* ---- start, crash ------------------------------------------------------------------------------ */

void twopc_part_start(struct sim_node *n, struct twopc_state *st)
{
    st->sm = sim_sm_create();
    /* Redo the committed writes, in commit order. */
    st->applied = sim_store_get_i64(n, "applied", 0);
    for (int64_t i = 1; i <= st->applied; i++) {
        char k[32];
        size_t len = 0;
        snprintf(k, sizeof k, "d%lld", (long long)i);
        const void *v = sim_store_get(n, k, &len);
        struct sim_op op;
        struct sim_result r;
        if (!v || len != sizeof op)
            continue;
        memcpy(&op, v, sizeof op);
        sim_sm_apply(st->sm, &op, &r);
    }
    /* Transactions still uncertain: locks again, and ask right away. */
    st->max_txid = sim_store_get_i64(n, "max_txid", 0);
    for (int64_t txid = 1; txid <= st->max_txid; txid++) {
        struct twopc_record rec;
        if (!twopc_load(n, 't', txid, &rec) ||
            (rec.state != TWOPC_READY && rec.state != TWOPC_PRECOMMIT))
            continue;
        if (st->nparts == st->capparts) {
            int cap = st->capparts ? 2 * st->capparts : 16;
            struct twopc_part *p = realloc(st->parts, (size_t)cap * sizeof *p);
            if (!p)
                return;
            st->parts = p;
            st->capparts = cap;
        }
        struct twopc_part *p = &st->parts[st->nparts++];
        memset(p, 0, sizeof *p);
        p->rec = rec;
        int64_t *l = lock_slot(st, rec.op.key);
        if (l) {
            *l = txid;
            sim_metric_add(n, "locks_held", 1);
        }
        sim_note(n, "t%lld recovered in %s: lock on k%d taken again, asking for the outcome",
                 (long long)txid, twopc_state_name(rec.state), rec.op.key + 1);
        p->timer = sim_set_timer(n, st->cfg->retry, TWOPC_TIMER_UNCERTAIN, (uint64_t)txid);
    }
}

void twopc_part_crash(struct sim_node *n, struct twopc_state *st)
{
    /* Its volatile blocked/lock counts go with it; recovery counts again. */
    for (int i = 0; i < st->nparts; i++) {
        if (st->parts[i].blocked) {
            sim_metric_add(n, "blocked", -1);
            sim_metric_add(n, "blocked_ms", (sim_now(n) - st->parts[i].blocked_since) / SIM_MS);
        }
    }
    for (int k = 0; k < st->nlocks; k++)
        if (st->lock[k])
            sim_metric_add(n, "locks_held", -1);
}

void twopc_part_free(struct twopc_state *st)
{
    sim_sm_destroy(st->sm);
    free(st->parts);
    free(st->lock);
    free(st->reads);
    free(st->decided);
    st->sm = NULL;
    st->parts = NULL;
    st->lock = NULL;
    st->reads = NULL;
    st->decided = NULL;
}
