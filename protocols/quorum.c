/* quorum.c - leaderless quorum replication, N/W/R (Dynamo, DeCandia et al.
 * 2007, §4.5; Gifford 1979 for weighted voting): the protocol's hooks, the
 * coordinator of each client request, and the replicas' answers. Versions,
 * merging and encoding are in quorum_store.c; docs/protocols/quorum.md tells
 * it all.
 *
 * Key k lives on N replicas, nodes k, k+1, ... (mod nodes): its preference
 * list. Any node coordinates the requests clients send it. A read asks the
 * N replicas and answers from the first R replies, merged; it then repairs
 * the replicas that answered with less (read repair, §5). A write first
 * reads R replicas for the current version (Dynamo's context: an append
 * builds on the value read, a vector clock descends from every sibling
 * read), then sends the new version to the N replicas and answers once W
 * have stored it durably. W + R > N makes every read quorum meet every
 * write quorum (tolerating N-W failed writers and N-R failed readers);
 * W + R <= N gives stale reads.
 *
 * Conflicts (`resolve`): "lww" keeps the version with the larger timestamp,
 * taken from the coordinator's own clock, so a node whose clock is behind
 * writes versions that lose to older ones: a newer write silently vanishes.
 * "vector-clock" keeps concurrent versions as siblings; a read returns their
 * merge (the union of the tokens, the client-side merge of Dynamo's
 * shopping cart), and the next write supersedes them all.
 *
 * Not implemented: sloppy quorums and hinted handoff (§4.6), Merkle-tree
 * anti-entropy (§4.7); cas (no single node can compare-and-set: it fails).
 *
 * Parameters: n (3, at most nodes), w and r (a majority of n), resolve
 * ("lww"), request_timeout (300ms), read_repair (true). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/quorum.h"

/* ---- configuration --------------------------------------------------------------------- */

static int quorum_configure(struct sim_params *p, void *config)
{
    static const char *const resolve[] = {"lww", "vector-clock", NULL};
    struct quorum_config *c = config;
    int nodes = sim_params_node_count(p);
    int rc = 0;
    if (nodes > QUORUM_MAX_NODES)
        return sim_param_error(p, "n", "quorum runs on at most %d nodes (vector clocks), not %d",
                               QUORUM_MAX_NODES, nodes);
    rc = rc ? rc : sim_param_int(p, "n", nodes < 3 ? nodes : 3, 1, nodes, &c->n);
    rc = rc ? rc : sim_param_int(p, "w", c->n / 2 + 1, 1, c->n, &c->w);
    rc = rc ? rc : sim_param_int(p, "r", c->n / 2 + 1, 1, c->n, &c->r);
    rc = rc ? rc : sim_param_enum(p, "resolve", resolve, QUORUM_LWW, &c->resolve);
    rc = rc ? rc : sim_param_duration(p, "request_timeout", 300 * SIM_MS, &c->request_timeout);
    rc = rc ? rc : sim_param_bool(p, "read_repair", true, &c->read_repair);
    if (!rc && c->request_timeout <= 0)
        rc = sim_param_error(p, "request_timeout", "must be above 0");
    return rc;
}

static int replica_of(const struct quorum_state *st, int key, int i)
{
    return (int)(((int64_t)key + i) % st->nodes);
}

/* ---- the replica's side -------------------------------------------------------------------- */

/* Merges versions into this replica's copy of key; persists and syncs what
 * changed. */
static void store_versions(struct sim_node *n, struct quorum_state *st, int key,
                           const struct quorum_set *in)
{
    struct quorum_set *s = quorum_key(st, key);
    if (!s)
        return;
    bool changed = false;
    for (int i = 0; i < in->n; i++) {
        bool discarded = false;
        if (quorum_set_merge(st->cfg, s, &in->v[i], &discarded) == 1)
            changed = true;
        if (discarded) {
            sim_metric_add(n, "lww_dropped", 1);
            char kept[24], dropped[24];
            sim_format_duration(s->v[0].clock.ts, kept, sizeof kept);
            sim_format_duration(in->v[i].clock.ts, dropped, sizeof dropped);
            sim_note(n, "k%d: last write wins keeps the version stamped %s and drops the one "
                        "arriving, stamped %s, with tokens the kept one lacks",
                     key + 1, kept, dropped);
        }
    }
    if (changed) {
        quorum_persist(n, st, key);
        sim_store_sync(n); /* durable before acknowledging */
    }
}

static void on_read(struct sim_node *n, struct quorum_state *st, int from, const void *body,
                    size_t len)
{
    struct quorum_read_msg m;
    if (len != sizeof m)
        return;
    memcpy(&m, body, sizeof m);
    struct quorum_set *s = quorum_key(st, m.key);
    if (!s)
        return;
    unsigned char *buf;
    size_t blen = quorum_encode(&m, sizeof m, s, &buf);
    if (!blen)
        return;
    sim_send(n, from, QUORUM_MSG_READ_REPLY, buf, blen);
    free(buf);
}

static void on_write(struct sim_node *n, struct quorum_state *st, int from, const void *body,
                     size_t len)
{
    struct quorum_write_hdr h;
    struct quorum_set in;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.key < 0 || quorum_decode(body, len, sizeof h, &in) < 0)
        return;
    store_versions(n, st, h.key, &in);
    quorum_set_free(&in);
    if (h.req) {
        struct quorum_read_msg a = {h.req, h.key, 0};
        sim_send(n, from, QUORUM_MSG_WRITE_ACK, &a, sizeof a);
    }
}

/* ---- the coordinator ------------------------------------------------------------------------ */

static struct quorum_req *find_req(struct quorum_state *st, uint64_t id)
{
    for (int i = 0; i < st->nreqs; i++)
        if (st->reqs[i].id == id)
            return &st->reqs[i];
    return NULL;
}

static void free_req_sets(struct quorum_req *q)
{
    quorum_set_free(&q->seen);
    for (int i = 0; i < QUORUM_MAX_NODES; i++)
        quorum_set_free(&q->per[i]);
}

static void free_req(struct sim_node *n, struct quorum_state *st, struct quorum_req *q)
{
    sim_cancel_timer(n, q->timer);
    free_req_sets(q);
    int i = (int)(q - st->reqs);
    memmove(&st->reqs[i], &st->reqs[i + 1], (size_t)(st->nreqs - i - 1) * sizeof *q);
    st->nreqs--;
}

static bool is_read(const struct sim_op *op)
{
    return op->f == SIM_F_READ || op->f == SIM_F_GET;
}

static void answer_read(struct sim_node *n, struct quorum_req *q)
{
    struct sim_result r = {.outcome = SIM_OUT_OK};
    int64_t *tokens = NULL;
    int32_t len = 0;
    if (q->seen.n > 1) {
        sim_metric_add(n, "sibling_reads", 1);
        sim_note(n, "k%d: %d siblings (concurrent writes): the read returns their merge",
                 q->op.key + 1, q->seen.n);
    }
    if (q->op.f == SIM_F_READ) {
        /* A register holds one value: of siblings, the newest by timestamp. */
        const struct quorum_version *best = NULL;
        for (int i = 0; i < q->seen.n; i++)
            if (!best || q->seen.v[i].clock.ts > best->clock.ts ||
                (q->seen.v[i].clock.ts == best->clock.ts && q->seen.v[i].clock.node > best->clock.node))
                best = &q->seen.v[i];
        if (best && best->len > 0) {
            r.has_value = true;
            r.value = best->tokens[best->len - 1];
        }
    } else if (quorum_set_value(&q->seen, &tokens, &len)) {
        r.has_value = true;
        r.list = tokens;
        r.list_len = (size_t)len;
    }
    sim_reply(n, &q->op, &r);
    free(tokens);
    q->answered = true;
}

/* Read repair: every replica that answered gets the versions it lacks. */
static void read_repair(struct sim_node *n, struct quorum_state *st, struct quorum_req *q)
{
    for (int i = 0; i < st->cfg->n; i++) {
        int rep = replica_of(st, q->op.key, i);
        if (!(q->replied_mask & (1u << rep)))
            continue;
        struct quorum_set missing = {0};
        for (int v = 0; v < q->seen.n; v++)
            if (!quorum_set_covers(st->cfg, &q->per[rep], &q->seen.v[v]))
                quorum_set_merge(st->cfg, &missing, &q->seen.v[v], NULL);
        if (missing.n) {
            sim_metric_add(n, "read_repairs", 1);
            sim_note(n, "read repair: %s had a stale k%d", sim_node_name(n, rep), q->op.key + 1);
            if (rep == st->self) {
                store_versions(n, st, q->op.key, &missing);
            } else {
                struct quorum_write_hdr h = {0, q->op.key, 0};
                unsigned char *buf;
                size_t len = quorum_encode(&h, sizeof h, &missing, &buf);
                if (len) {
                    sim_send(n, rep, QUORUM_MSG_WRITE, buf, len);
                    free(buf);
                }
            }
        }
        quorum_set_free(&missing);
    }
}

static void write_phase(struct sim_node *n, struct quorum_state *st, struct quorum_req *q);
static void next_write(struct sim_node *n, struct quorum_state *st, int key);

/* A replica's versions of the key arrived (or this node's own). */
static void read_reply(struct sim_node *n, struct quorum_state *st, struct quorum_req *q,
                       int from, struct quorum_set *got)
{
    if (q->writing || from >= QUORUM_MAX_NODES || (q->replied_mask & (1u << from))) {
        quorum_set_free(got);
        return;
    }
    q->replied_mask |= 1u << from;
    q->replies++;
    quorum_set_free(&q->per[from]);
    q->per[from] = *got;
    for (int i = 0; i < got->n; i++)
        quorum_set_merge(st->cfg, &q->seen, &got->v[i], NULL);
    if (q->replies == st->cfg->r) {
        if (is_read(&q->op))
            answer_read(n, q);
        else {
            write_phase(n, st, q);
            return;
        }
    }
    if (q->replies == st->cfg->n && is_read(&q->op)) {
        if (st->cfg->read_repair)
            read_repair(n, st, q);
        free_req(n, st, q);
    }
}

static void write_phase(struct sim_node *n, struct quorum_state *st, struct quorum_req *q)
{
    const struct quorum_config *c = st->cfg;
    struct quorum_version v = {0};
    v.clock.ts = sim_now(n); /* last write wins trusts this clock */
    v.clock.node = st->self;
    v.clock.counter = ++st->counter;
    sim_store_put_i64(n, "counter", st->counter);
    sim_store_sync(n); /* a dot is never reused, even after a crash */
    if (c->resolve == QUORUM_VECTOR_CLOCK) {
        /* The context: every version read, with its own dot. The new
         * version supersedes exactly those. */
        for (int i = 0; i < q->seen.n; i++) {
            const struct quorum_clock *r = &q->seen.v[i].clock;
            for (int k = 0; k < QUORUM_MAX_NODES; k++)
                if (r->vc[k] > v.clock.vc[k])
                    v.clock.vc[k] = r->vc[k];
            if (r->node >= 0 && r->node < QUORUM_MAX_NODES && r->counter > v.clock.vc[r->node])
                v.clock.vc[r->node] = (uint32_t)r->counter;
        }
    }
    int64_t *base = NULL;
    int32_t base_len = 0;
    if (q->op.f == SIM_F_APPEND)
        quorum_set_value(&q->seen, &base, &base_len);
    v.tokens = malloc((size_t)(base_len + 1) * sizeof *v.tokens);
    if (!v.tokens) {
        free(base);
        return;
    }
    if (base_len)
        memcpy(v.tokens, base, (size_t)base_len * sizeof *base);
    free(base);
    v.tokens[base_len] = q->op.value;
    v.len = base_len + 1;
    q->writing = true;
    q->acks = 0;
    q->replied_mask = 0;
    struct quorum_set one = {&v, 1, 1};
    struct quorum_write_hdr h = {q->id, q->op.key, 0};
    unsigned char *buf;
    size_t len = quorum_encode(&h, sizeof h, &one, &buf);
    uint64_t id = q->id;
    bool local = false;
    for (int i = 0; i < c->n && len; i++) {
        int rep = replica_of(st, q->op.key, i);
        if (rep == st->self)
            local = true;
        else
            sim_send(n, rep, QUORUM_MSG_WRITE, buf, len);
    }
    free(buf);
    if (local) {
        store_versions(n, st, q->op.key, &one);
        q->replied_mask |= 1u << st->self;
        if (++q->acks == c->w) {
            struct sim_result r = {.outcome = SIM_OUT_OK};
            sim_reply(n, &q->op, &r);
            q->answered = true;
        }
    }
    free(v.tokens);
    int key = q->op.key;
    bool answered = q->answered;
    if ((q = find_req(st, id)) && q->acks == c->n)
        free_req(n, st, q);
    if (answered)
        next_write(n, st, key);
}

static void on_read_reply(struct sim_node *n, struct quorum_state *st, int from, const void *body,
                          size_t len)
{
    struct quorum_read_msg m;
    struct quorum_set got;
    if (len < sizeof m)
        return;
    memcpy(&m, body, sizeof m);
    struct quorum_req *q = find_req(st, m.req);
    if (!q || quorum_decode(body, len, sizeof m, &got) < 0)
        return;
    read_reply(n, st, q, from, &got);
}

static void on_write_ack(struct sim_node *n, struct quorum_state *st, int from, const void *body,
                         size_t len)
{
    struct quorum_read_msg m;
    if (len != sizeof m)
        return;
    memcpy(&m, body, sizeof m);
    struct quorum_req *q = find_req(st, m.req);
    if (!q || !q->writing || from >= QUORUM_MAX_NODES || (q->replied_mask & (1u << from)))
        return;
    q->replied_mask |= 1u << from;
    q->acks++;
    int key = q->op.key;
    bool now_answered = false;
    if (q->acks == st->cfg->w && !q->answered) {
        struct sim_result r = {.outcome = SIM_OUT_OK};
        sim_reply(n, &q->op, &r);
        q->answered = now_answered = true;
    }
    if (q->acks == st->cfg->n)
        free_req(n, st, q);
    if (now_answered)
        next_write(n, st, key);
}

static void begin_request(struct sim_node *n, struct quorum_state *st, const struct sim_op *op)
{
    const struct quorum_config *c = st->cfg;
    if (st->nreqs == st->capreqs) {
        int cap = st->capreqs ? 2 * st->capreqs : 16;
        struct quorum_req *r = cap <= 4096 ? realloc(st->reqs, (size_t)cap * sizeof *r) : NULL;
        if (!r) {
            sim_redirect(n, op, -1);
            return;
        }
        st->reqs = r;
        st->capreqs = cap;
    }
    struct quorum_req *q = &st->reqs[st->nreqs++];
    memset(q, 0, sizeof *q);
    q->id = ++st->next_req;
    q->op = *op;
    uint64_t id = q->id;
    q->timer = sim_set_timer(n, c->request_timeout, QUORUM_TIMER_REQUEST, id);
    /* A blind write under last write wins needs no context. */
    if (c->resolve == QUORUM_LWW && (op->f == SIM_F_WRITE || op->f == SIM_F_PUT)) {
        write_phase(n, st, q);
        return;
    }
    struct quorum_read_msg m = {id, op->key, 0};
    bool local = false;
    for (int i = 0; i < c->n; i++) {
        int rep = replica_of(st, op->key, i);
        if (rep == st->self)
            local = true;
        else
            sim_send(n, rep, QUORUM_MSG_READ, &m, sizeof m);
    }
    if (local) {
        struct quorum_set *mine = quorum_key(st, op->key), copy = {0};
        for (int i = 0; mine && i < mine->n; i++)
            quorum_set_merge(c, &copy, &mine->v[i], NULL);
        if ((q = find_req(st, id)))
            read_reply(n, st, q, st->self, &copy);
        else
            quorum_set_free(&copy);
    }
}

/* Vector clocks: is a write on `key` coordinated here still unanswered? */
static bool writing_key(const struct quorum_state *st, int key)
{
    for (int i = 0; i < st->nreqs; i++)
        if (st->reqs[i].op.key == key && !is_read(&st->reqs[i].op) && !st->reqs[i].answered)
            return true;
    return false;
}

static void next_write(struct sim_node *n, struct quorum_state *st, int key)
{
    if (st->cfg->resolve != QUORUM_VECTOR_CLOCK || writing_key(st, key))
        return;
    for (int i = 0; i < st->nqueue; i++) {
        if (st->queue[i].key != key)
            continue;
        struct sim_op op = st->queue[i];
        memmove(&st->queue[i], &st->queue[i + 1], (size_t)(st->nqueue - i - 1) * sizeof op);
        st->nqueue--;
        begin_request(n, st, &op);
        return;
    }
}

static void quorum_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct quorum_state *st = state;
    if (op->f == SIM_F_CAS) { /* no node can compare-and-set alone: refused */
        struct sim_result r = {.outcome = SIM_OUT_FAIL, .refused = true};
        sim_reply(n, op, &r);
        return;
    }
    /* Vector clocks: one write per key at a time from this coordinator, so
     * that each of its dots on the key has seen the one before (the vector
     * context's premise; see quorum_store.c). */
    if (st->cfg->resolve == QUORUM_VECTOR_CLOCK && !is_read(op) && writing_key(st, op->key)) {
        if (st->nqueue == st->capqueue) {
            int cap = st->capqueue ? 2 * st->capqueue : 16;
            struct sim_op *q = cap <= 4096 ? realloc(st->queue, (size_t)cap * sizeof *q) : NULL;
            if (!q) {
                sim_redirect(n, op, -1);
                return;
            }
            st->queue = q;
            st->capqueue = cap;
        }
        st->queue[st->nqueue++] = *op;
        return;
    }
    begin_request(n, st, op);
}

static void quorum_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    struct quorum_state *st = state;
    struct quorum_req *q = find_req(st, arg);
    if (kind != QUORUM_TIMER_REQUEST || !q)
        return;
    q->timer = 0;
    if (!q->answered) {
        /* Not enough replicas answered. A read, or a write still reading,
         * changed nothing: fail, a refusal (too few replicas reached, not
         * an answer about the data). A write sent out may have landed
         * somewhere: unknown. */
        struct sim_result r = {.outcome = q->writing ? SIM_OUT_INFO : SIM_OUT_FAIL,
                               .refused = !q->writing};
        sim_metric_add(n, q->writing ? "write_timeouts" : is_read(&q->op) ? "read_timeouts"
                                                                             : "write_timeouts",
                       1);
        sim_reply(n, &q->op, &r);
    } else if (is_read(&q->op) && st->cfg->read_repair) {
        read_repair(n, st, q);
    }
    int key = q->op.key;
    free_req(n, st, q);
    next_write(n, st, key);
}

/* ---- hooks ---------------------------------------------------------------------------------- */

static void quorum_start(struct sim_node *n, void *state)
{
    struct quorum_state *st = state;
    st->cfg = sim_config(n);
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->counter = sim_store_get_i64(n, "counter", 0);
    quorum_load(n, st);
}

static void quorum_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct quorum_state *st = state;
    for (int i = 0; i < st->nreqs; i++)
        free_req_sets(&st->reqs[i]);
    free(st->reqs);
    free(st->queue);
    for (int k = 0; k < st->nkeys; k++)
        quorum_set_free(&st->keys[k]);
    free(st->keys);
}

static void quorum_message(struct sim_node *n, void *state, int from, int type, const void *body,
                           size_t len)
{
    struct quorum_state *st = state;
    if (from < 0 || from >= st->nodes)
        return;
    switch (type) {
    case QUORUM_MSG_READ:
        on_read(n, st, from, body, len);
        break;
    case QUORUM_MSG_READ_REPLY:
        on_read_reply(n, st, from, body, len);
        break;
    case QUORUM_MSG_WRITE:
        on_write(n, st, from, body, len);
        break;
    case QUORUM_MSG_WRITE_ACK:
        on_write_ack(n, st, from, body, len);
        break;
    default:
        break;
    }
}

/* Every role quorum_role returns (for scenario triggers). */
static const char *const quorum_roles[] = {"replica", NULL};

static const char *quorum_role(const void *state)
{
    (void)state;
    return "replica";
}

static void quorum_describe(const void *state, struct sim_describe *d)
{
    const struct quorum_state *st = state;
    sim_describe_text(d, "N=%lld W=%lld R=%lld %s · coordinating %d", (long long)st->cfg->n,
                      (long long)st->cfg->w, (long long)st->cfg->r,
                      st->cfg->resolve == QUORUM_LWW ? "lww" : "vector clocks", st->nreqs);
    for (int k = 0; k < st->nkeys && k < 8; k++) {
        const struct quorum_set *s = &st->keys[k];
        if (!s->n)
            continue;
        int tokens = 0;
        for (int i = 0; i < s->n; i++)
            tokens += s->v[i].len;
        if (s->n > 1)
            sim_describe_text(d, " · k%d: %d siblings", k + 1, s->n);
        else
            sim_describe_text(d, " · k%d: %d token%s @%lldms", k + 1, tokens, tokens == 1 ? "" : "s",
                              (long long)(s->v[0].clock.ts / SIM_MS));
    }
}

static const char *quorum_message_name(int type)
{
    static const char *const names[QUORUM_MSG_COUNT] = {"Read", "ReadReply", "Write", "WriteAck"};
    return type >= 0 && type < QUORUM_MSG_COUNT ? names[type] : "?";
}

static const char *quorum_timer_name(int kind)
{
    return kind == QUORUM_TIMER_REQUEST ? "request" : "?";
}

static void quorum_message_describe(int type, const void *body, size_t len,
                                    struct sim_describe *d)
{
    struct quorum_read_msg m;
    if (len < sizeof m)
        return;
    memcpy(&m, body, sizeof m);
    if (type == QUORUM_MSG_WRITE && m.req == 0)
        sim_describe_text(d, "read repair of k%d", m.key + 1);
    else
        sim_describe_text(d, "request %llu, k%d", (unsigned long long)m.req, m.key + 1);
}

const struct sim_protocol quorum_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "quorum",
    .summary = "leaderless N/W/R quorum replication (Dynamo): read repair; last-write-wins or vector clocks",
    .config_size = sizeof(struct quorum_config),
    .state_size = sizeof(struct quorum_state),
    .configure = quorum_configure,
    .start = quorum_start,
    .crash = quorum_crash,
    .message = quorum_message,
    .timer = quorum_timer,
    .client_request = quorum_client_request,
    .describe = quorum_describe,
    .role = quorum_role,
    .roles = quorum_roles,
    .message_name = quorum_message_name,
    .timer_name = quorum_timer_name,
    .message_describe = quorum_message_describe,
};
