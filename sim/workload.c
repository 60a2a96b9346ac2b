/* workload.c - workload clients and the history they record. Each client is
 * a Jepsen "process": one operation at a time, sent to a node over the
 * client network, with a timeout and optional retries; replies and redirects
 * come back over the network. Outcomes are ok, fail (an answer, or a
 * refusal when the protocol marks it so), or info (unknown); after an info
 * the client continues as a fresh process, as in Jepsen. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

static const char *const f_names[6] = {"read", "write", "cas", "get", "put", "append"};

#define TOKEN(op_id, attempt, redirect) (((op_id) << 8) | (uint64_t)(attempt) | ((redirect) ? 0x80u : 0u))

int workload_init(struct sim *s)
{
    const struct workload_cfg *w = &s->sc->workload;
    struct workload *wl = &s->wl;
    jbuf_init(&wl->history);
    jbuf_init(&wl->line);
    wl->next_op_id = 1;
    wl->next_value = 1;
    wl->nclients = w->clients;
    if (!w->clients)
        return SIM_OK;
    wl->clients = calloc((size_t)w->clients, sizeof *wl->clients);
    if (!wl->clients)
        return SIM_ENOMEM;
    for (int c = 0; c < w->clients; c++) {
        struct client *cl = &wl->clients[c];
        cl->process = c;
        cl->target = w->connect >= 0 ? w->connect : -1;
        cl->next_arrival = w->start;
        cl->last_seen = calloc((size_t)w->keys, sizeof *cl->last_seen);
        cl->seen = calloc((size_t)w->keys, sizeof *cl->seen);
        if (!cl->last_seen || !cl->seen)
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

void workload_free(struct sim *s)
{
    struct workload *wl = &s->wl;
    for (int c = 0; wl->clients && c < wl->nclients; c++) {
        free(wl->clients[c].last_seen);
        free(wl->clients[c].seen);
    }
    free(wl->clients);
    jbuf_free(&wl->history);
    jbuf_free(&wl->line);
}

/* ---- history ------------------------------------------------------------------------- */

static void key_name(int key, char *buf, size_t cap)
{
    snprintf(buf, cap, "k%d", key + 1);
}

/* A kv value: the list of tokens rendered as "v3;v17;", or null when absent. */
static void put_list(struct jbuf *b, bool present, const int64_t *list, size_t n)
{
    if (!present) {
        jbuf_null(b);
        return;
    }
    struct jbuf text;
    jbuf_init(&text);
    char tok[24];
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(tok, sizeof tok, "v%lld;", (long long)list[i]);
        jbuf_raw(&text, tok, (size_t)k);
    }
    jbuf_strn(b, text.data ? text.data : "", text.len);
    if (text.oom)
        b->oom = true;
    jbuf_free(&text);
}

static void put_op_value(struct jbuf *b, const struct sim_op *op)
{
    switch (op->f) {
    case SIM_F_READ:
    case SIM_F_GET:
        jbuf_null(b);
        break;
    case SIM_F_CAS:
        jbuf_open(b, '[');
        jbuf_int(b, op->value);
        jbuf_int(b, op->value2);
        jbuf_close(b, ']');
        break;
    case SIM_F_WRITE:
        jbuf_int(b, op->value);
        break;
    default: /* put, append: one token */
        put_list(b, true, &op->value, 1);
        break;
    }
}

static void history_line(struct sim *s, const struct client *c, const char *type,
                         const struct sim_result *res, const char *error, int node)
{
    struct workload *wl = &s->wl;
    struct jbuf *b = &wl->history;
    char key[16];
    key_name(c->op.key, key, sizeof key);
    b->need_comma = false;
    jbuf_open(b, '{');
    jbuf_key(b, "index");
    jbuf_uint(b, wl->history_index++);
    jbuf_kint(b, "time", s->now);
    jbuf_kint(b, "process", c->process);
    jbuf_kstr(b, "type", type);
    jbuf_kstr(b, "f", f_names[c->op.f]);
    jbuf_kstr(b, "key", key);
    jbuf_key(b, "value");
    if (res && res->outcome == SIM_OUT_OK && c->op.f == SIM_F_READ) {
        if (res->has_value)
            jbuf_int(b, res->value);
        else
            jbuf_null(b);
    } else if (res && res->outcome == SIM_OUT_OK && c->op.f == SIM_F_GET)
        put_list(b, res->has_value, res->list, res->list_len);
    else
        put_op_value(b, &c->op);
    if (error)
        jbuf_kstr(b, "error", error);
    if (node >= 0)
        jbuf_kstr(b, "node", s->names[node]);
    jbuf_close(b, '}');
    jbuf_raw(b, "\n", 1);
    if (b->oom)
        sim_fatal(s, SIM_ENOMEM);
}

/* ---- choosing and sending operations --------------------------------------------------- */

static int random_node(struct sim *s, int avoid)
{
    if (s->n == 1)
        return 0;
    int k = (int)rng_below(&s->rng_workload, (uint64_t)(avoid >= 0 ? s->n - 1 : s->n));
    if (avoid >= 0 && k >= avoid)
        k++;
    return k;
}

static void send_request(struct sim *s, int ci)
{
    struct client *c = &s->wl.clients[ci];
    if (net_send(s, MSG_CLIENT_REQUEST, ci, c->target, 0, &c->op, sizeof c->op))
        sim_fatal(s, SIM_ENOMEM);
}

static void arm_timeout(struct sim *s, int ci)
{
    struct client *c = &s->wl.clients[ci];
    if (!queue_push(&s->q, s->now + s->sc->workload.timeout, EV_CLIENT_TIMEOUT, ci,
                    TOKEN(c->op.id, c->attempt, false)))
        sim_fatal(s, SIM_ENOMEM);
}

static void schedule_next(struct sim *s, int ci)
{
    const struct workload_cfg *w = &s->sc->workload;
    struct client *c = &s->wl.clients[ci];
    sim_time at;
    if (w->closed)
        at = s->now + (w->think > 0 ? rng_between(&s->rng_workload, w->think / 2, w->think + w->think / 2) : 0);
    else
        at = c->next_arrival > s->now ? c->next_arrival : s->now;
    if (at < w->stop && at < s->end && !queue_push(&s->q, at, EV_CLIENT_INVOKE, ci, 0))
        sim_fatal(s, SIM_ENOMEM);
}

static int choose_f(struct sim *s)
{
    const double *mix = s->sc->workload.mix;
    double total = 0;
    for (int i = 0; i < 6; i++)
        total += mix[i];
    double x = rng_unit(&s->rng_workload) * total;
    int f = 0;
    while (f < 5 && (x >= mix[f] || mix[f] == 0)) {
        x -= mix[f];
        f++;
    }
    return f;
}

void workload_invoke(struct sim *s, int ci)
{
    const struct workload_cfg *w = &s->sc->workload;
    struct workload *wl = &s->wl;
    struct client *c = &wl->clients[ci];
    if (c->busy || s->now >= w->stop)
        return;
    if (!w->closed) {
        /* Poisson arrivals at rate/clients per client */
        double mean_us = (double)w->clients * 1e6 / w->rate;
        double gap = -log1p(-rng_unit(&s->rng_workload)) * mean_us;
        c->next_arrival = (c->next_arrival > s->now ? c->next_arrival : s->now) + (sim_time)gap + 1;
    }
    struct sim_op *op = &c->op;
    memset(op, 0, sizeof *op);
    op->f = choose_f(s);
    op->key = (int32_t)rng_below(&s->rng_workload, (uint64_t)w->keys);
    if (op->f == SIM_F_CAS && !c->seen[op->key])
        op->f = SIM_F_WRITE; /* nothing known to compare against yet */
    if (op->f == SIM_F_CAS) {
        op->value = c->last_seen[op->key];
        op->value2 = wl->next_value++;
    } else if (op->f != SIM_F_READ && op->f != SIM_F_GET)
        op->value = wl->next_value++;
    op->id = wl->next_op_id++;
    op->client = ci;
    op->seq = ++c->seq;
    c->busy = true;
    c->attempt = 1;
    c->redirects = 0;
    c->invoked_at = s->now;
    if (c->target < 0 || w->connect == CONNECT_RANDOM)
        c->target = random_node(s, -1);
    s->stats.ops_invoked++;
    history_line(s, c, "invoke", NULL, NULL, -1);
    struct jbuf *b = trace_begin(s, "invoke");
    if (b) {
        char key[16];
        key_name(op->key, key, sizeof key);
        jbuf_kint(b, "client", ci);
        jbuf_kint(b, "process", c->process);
        jbuf_key(b, "op");
        jbuf_uint(b, op->id);
        jbuf_kstr(b, "f", f_names[op->f]);
        jbuf_kstr(b, "key", key);
        jbuf_key(b, "value");
        put_op_value(b, op);
        jbuf_kstr(b, "node", s->names[c->target]);
        trace_commit(s);
    }
    send_request(s, ci);
    arm_timeout(s, ci);
}

/* ---- completion ------------------------------------------------------------------------- */

static const char *const outcome_names[3] = {"ok", "fail", "info"};

static void complete(struct sim *s, int ci, const struct sim_result *res, const char *error,
                     int node)
{
    struct client *c = &s->wl.clients[ci];
    int outcome = res ? res->outcome : SIM_OUT_INFO;
    if (outcome < 0 || outcome > 2)
        outcome = SIM_OUT_INFO;
    bool refused = outcome == SIM_OUT_FAIL && res && res->refused;
    if (refused && !error)
        error = "refused";
    history_line(s, c, outcome_names[outcome], res, error, node);
    struct jbuf *b = trace_begin(s, "complete");
    if (b) {
        jbuf_kint(b, "client", ci);
        jbuf_key(b, "op");
        jbuf_uint(b, c->op.id);
        jbuf_kstr(b, "type", outcome_names[outcome]);
        if (res && outcome == SIM_OUT_OK && c->op.f == SIM_F_READ) {
            jbuf_key(b, "value");
            if (res->has_value)
                jbuf_int(b, res->value);
            else
                jbuf_null(b);
        } else if (res && outcome == SIM_OUT_OK && c->op.f == SIM_F_GET) {
            jbuf_key(b, "value");
            put_list(b, res->has_value, res->list, res->list_len);
        }
        if (error)
            jbuf_kstr(b, "error", error);
        if (node >= 0)
            jbuf_kstr(b, "node", s->names[node]);
        jbuf_kint(b, "latency", s->now - c->invoked_at);
        trace_commit(s);
    }
    if (outcome == SIM_OUT_OK) {
        s->stats.ops_ok++;
        int k = c->op.key;
        if (c->op.f == SIM_F_WRITE) {
            c->last_seen[k] = c->op.value;
            c->seen[k] = true;
        } else if (c->op.f == SIM_F_CAS) {
            c->last_seen[k] = c->op.value2;
            c->seen[k] = true;
        } else if (c->op.f == SIM_F_READ && res->has_value) {
            c->last_seen[k] = res->value;
            c->seen[k] = true;
        }
    } else if (outcome == SIM_OUT_FAIL) {
        if (refused)
            s->stats.ops_refused++;
        else
            s->stats.ops_fail++;
        if (c->op.f == SIM_F_CAS && res && res->has_value) { /* learn the current value */
            c->last_seen[c->op.key] = res->value;
            c->seen[c->op.key] = true;
        }
    } else {
        s->stats.ops_info++;
        c->process += s->wl.nclients; /* a crashed Jepsen process never returns */
        c->target = s->sc->workload.connect >= 0 ? s->sc->workload.connect : -1;
    }
    c->busy = false;
    if (!s->finished)
        schedule_next(s, ci);
}

/* ---- requests at nodes, replies at clients --------------------------------------------- */

void workload_request_arrived(struct sim *s, struct msg *m)
{
    int node = m->to;
    struct sim_op op;
    memcpy(&op, msg_body(m), sizeof op);
    struct node *nd = &s->nodes[node];
    struct jbuf *b = trace_begin(s, "request");
    if (b) {
        jbuf_key(b, "op");
        jbuf_uint(b, op.id);
        jbuf_kint(b, "client", op.client);
        jbuf_kstr(b, "node", s->names[node]);
        if (!nd->up)
            jbuf_kstr(b, "dropped", "down");
        trace_commit(s);
    }
    if (!nd->up)
        return; /* the client will time out */
    struct sim_node h = {s, node};
    s->current_node = node;
    if (s->proto->client_request)
        s->proto->client_request(&h, nd->state, &op);
    else {
        struct sim_result r = {.outcome = SIM_OUT_FAIL, .refused = true};
        sim_reply(&h, &op, &r);
    }
    s->current_node = -1;
    s->last_node = node;
}

static void send_reply(struct sim_node *n, const struct sim_op *op, const struct sim_result *res,
                       int redirect, int leader)
{
    struct sim *s = n->sim;
    if (op->client < 0 || op->client >= s->wl.nclients)
        return;
    size_t list_len = res && res->list ? res->list_len : 0;
    size_t len = sizeof(struct reply) + list_len * sizeof(int64_t);
    unsigned char stackbuf[256];
    unsigned char *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf) {
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    struct reply r = {.op_id = op->id,
                      .outcome = res ? res->outcome : SIM_OUT_INFO,
                      .redirect = redirect,
                      .leader = leader,
                      .has_value = res ? res->has_value : 0,
                      .refused = res ? res->refused : 0,
                      .value = res ? res->value : 0,
                      .list_len = list_len};
    memcpy(buf, &r, sizeof r);
    if (list_len)
        memcpy(buf + sizeof r, res->list, list_len * sizeof(int64_t));
    if (net_send(s, MSG_CLIENT_REPLY, n->id, op->client, 0, buf, len))
        sim_fatal(s, SIM_ENOMEM);
    if (buf != stackbuf)
        free(buf);
}

void sim_reply(struct sim_node *n, const struct sim_op *op, const struct sim_result *result)
{
    send_reply(n, op, result, 0, -1);
}

void sim_redirect(struct sim_node *n, const struct sim_op *op, int leader)
{
    struct sim_result none = {.outcome = SIM_OUT_FAIL, .refused = true}; /* not an outcome */
    if (leader >= n->sim->n)
        leader = -1;
    send_reply(n, op, &none, 1, leader);
}

void workload_reply_arrived(struct sim *s, struct msg *m)
{
    int ci = m->to;
    struct client *c = &s->wl.clients[ci];
    struct reply r;
    memcpy(&r, msg_body(m), sizeof r);
    if (!c->busy || r.op_id != c->op.id)
        return; /* an answer to an operation the client gave up on */
    if (r.redirect) {
        s->stats.redirects++;
        c->redirects++;
        bool known = r.leader >= 0 && r.leader != c->target;
        c->target = known ? r.leader : random_node(s, c->target);
        struct jbuf *b = trace_begin(s, "redirect");
        if (b) {
            jbuf_kint(b, "client", ci);
            jbuf_key(b, "op");
            jbuf_uint(b, c->op.id);
            jbuf_kstr(b, "from", s->names[m->from]);
            jbuf_kstr(b, "to", s->names[c->target]);
            jbuf_key(b, "known");
            jbuf_bool(b, known);
            trace_commit(s);
        }
        /* Follow a named leader at once, but back off when nobody knows one
         * or when redirects go around in circles (an election in progress). */
        if (known && c->redirects <= 2 * s->n)
            send_request(s, ci);
        else if (!queue_push(&s->q, s->now + s->sc->workload.redirect_backoff, EV_CLIENT_RESEND,
                             ci, TOKEN(c->op.id, c->attempt, true)))
            sim_fatal(s, SIM_ENOMEM);
        return;
    }
    struct sim_result res = {.outcome = r.outcome, .has_value = r.has_value != 0, .value = r.value,
                             .list_len = (size_t)r.list_len, .refused = r.refused != 0};
    if (r.list_len)
        res.list = (const int64_t *)(const void *)(msg_body(m) + sizeof r);
    int64_t *aligned = NULL;
    if (r.list_len) { /* the body may not be 8-byte aligned for int64 */
        aligned = malloc((size_t)r.list_len * sizeof *aligned);
        if (!aligned) {
            sim_fatal(s, SIM_ENOMEM);
            return;
        }
        memcpy(aligned, msg_body(m) + sizeof r, (size_t)r.list_len * sizeof *aligned);
        res.list = aligned;
    }
    complete(s, ci, &res, NULL, m->from);
    free(aligned);
}

void workload_timeout(struct sim *s, int ci, uint64_t token)
{
    struct client *c = &s->wl.clients[ci];
    if (!c->busy || token != TOKEN(c->op.id, c->attempt, false))
        return;
    if (c->attempt < s->sc->workload.attempts) {
        c->attempt++;
        c->redirects = 0;
        s->stats.retries++;
        c->target = random_node(s, c->target); /* a retry goes elsewhere */
        struct jbuf *b = trace_begin(s, "retry");
        if (b) {
            jbuf_kint(b, "client", ci);
            jbuf_key(b, "op");
            jbuf_uint(b, c->op.id);
            jbuf_kint(b, "attempt", c->attempt);
            jbuf_kstr(b, "node", s->names[c->target]);
            trace_commit(s);
        }
        if (!queue_push(&s->q, s->now + s->sc->workload.retry_backoff, EV_CLIENT_RESEND, ci,
                        TOKEN(c->op.id, c->attempt, false)))
            sim_fatal(s, SIM_ENOMEM);
        return;
    }
    complete(s, ci, NULL, "timeout", -1);
}

void workload_resend(struct sim *s, int ci, uint64_t token)
{
    struct client *c = &s->wl.clients[ci];
    bool redirect = (token & 0x80u) != 0;
    if (!c->busy || (token & ~(uint64_t)0x80u) != TOKEN(c->op.id, c->attempt, false))
        return;
    send_request(s, ci);
    if (!redirect)
        arm_timeout(s, ci);
}

void workload_finish(struct sim *s)
{
    for (int ci = 0; ci < s->wl.nclients; ci++)
        if (s->wl.clients[ci].busy)
            complete(s, ci, NULL, "run ended", -1);
}
