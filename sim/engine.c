/* engine.c - the discrete-event loop of one simulation: creation, dispatch of
 * each event to its module, roles and leader counting, invariant checks
 * after every event, violations, timeline, metrics and the public getters. */
#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/params.h"
#include "sim/trigger.h"

#define TIMELINE_MAX 20000

const char *sim_strerror(int err)
{
    switch (err) {
    case SIM_OK: return "success";
    case SIM_EINVAL: return "invalid input";
    case SIM_ENOMEM: return "out of memory";
    case SIM_EIO: return "input/output error";
    case SIM_ENOENT: return "not found";
    case SIM_ERANGE: return "out of range";
    case SIM_EDOWN: return "node is down";
    default: return "unknown error";
    }
}

void sim_fatal(struct sim *s, int err)
{
    if (!s->error)
        s->error = err;
}

/* ---- timeline, violations, metrics ---------------------------------------------- */

void sim_timeline_add(struct sim *s, enum sim_timeline_kind kind, const char *fmt, ...)
{
    if (s->ntimeline >= TIMELINE_MAX)
        return;
    if (s->ntimeline == s->captimeline) {
        int cap = s->captimeline ? s->captimeline * 2 : 64;
        struct sim_timeline_entry *t = realloc(s->timeline, (size_t)cap * sizeof *t);
        if (!t) {
            sim_fatal(s, SIM_ENOMEM);
            return;
        }
        s->timeline = t;
        s->captimeline = cap;
    }
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    /* the first entry of a triggered fault or caption says what set it off */
    size_t cause = s->tl_cause[0] ? strlen(s->tl_cause) + sizeof " (on )" : 1;
    char *text = len < 0 ? NULL : malloc((size_t)len + cause);
    if (!text) {
        va_end(again);
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    vsnprintf(text, (size_t)len + 1, fmt, again);
    va_end(again);
    if (s->tl_cause[0]) {
        snprintf(text + len, cause, " (on %s)", s->tl_cause);
        s->tl_cause[0] = '\0';
    }
    struct sim_timeline_entry *e = &s->timeline[s->ntimeline++];
    e->time = s->now;
    e->kind = kind;
    e->text = text;
}

/* Records a violation report. Reports repeating the last detail of the same
 * invariant are the same ongoing violation and are not recorded again. */
static void record_violation(struct sim *s, const char *invariant, int node, const char *text)
{
    struct vrec *v = NULL;
    for (int i = 0; i < s->nviolations; i++)
        if (strcmp(s->violations[i].info.invariant, invariant) == 0)
            v = &s->violations[i];
    if (v && strcmp(v->last_text, text) == 0)
        return;
    if (!v) {
        if (s->nviolations == s->capviolations) {
            int cap = s->capviolations ? s->capviolations * 2 : 8;
            struct vrec *nv = realloc(s->violations, (size_t)cap * sizeof *nv);
            if (!nv) {
                sim_fatal(s, SIM_ENOMEM);
                return;
            }
            s->violations = nv;
            s->capviolations = cap;
        }
        v = &s->violations[s->nviolations++];
        memset(v, 0, sizeof *v);
        v->info.time = s->now;
        v->info.node = node;
        snprintf(v->info.invariant, sizeof v->info.invariant, "%s", invariant);
        snprintf(v->info.text, sizeof v->info.text, "%s", text);
        sim_timeline_add(s, TL_VIOLATION, "VIOLATION %s: %s", invariant, text);
    }
    v->info.reports++;
    snprintf(v->last_text, sizeof v->last_text, "%s", text);
    bool known = strcmp(v->info.text, v->last_text) == 0;
    for (int i = 0; i < v->info.more_texts && !known; i++)
        known = strcmp(v->info.more[i], v->last_text) == 0;
    if (!known && v->info.more_texts < SIM_VIOLATION_TEXTS - 1)
        snprintf(v->info.more[v->info.more_texts++], sizeof v->info.more[0], "%s", v->last_text);
    struct jbuf *b = trace_begin(s, "violation");
    if (b) {
        jbuf_kstr(b, "invariant", invariant);
        if (node >= 0)
            jbuf_kstr(b, "node", s->names[node]);
        jbuf_kstr(b, "text", text);
        trace_commit(s);
    }
    if (s->trig_want[TRIG_VIOLATION])
        trigger_violation(s, invariant, node);
}

void sim_node_violation(struct sim_node *n, const char *invariant, const char *fmt, ...)
{
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    record_violation(n->sim, invariant, n->id, text);
}

void sim_violation(struct sim_cluster *c, const char *invariant, int node, const char *fmt, ...)
{
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    record_violation(c->sim, invariant, node, text);
}

void sim_metric_add(struct sim_node *n, const char *name, int64_t delta)
{
    struct sim *s = n->sim;
    for (int i = 0; i < s->nmetrics; i++)
        if (strcmp(s->metrics[i].name, name) == 0) {
            s->metrics[i].value += delta;
            return;
        }
    if (s->nmetrics == s->capmetrics) {
        int cap = s->capmetrics ? s->capmetrics * 2 : 8;
        struct sim_metric *m = realloc(s->metrics, (size_t)cap * sizeof *m);
        if (!m) {
            sim_fatal(s, SIM_ENOMEM);
            return;
        }
        s->metrics = m;
        s->capmetrics = cap;
    }
    struct sim_metric *m = &s->metrics[s->nmetrics++];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->value = delta;
}

/* ---- cluster view --------------------------------------------------------------- */

int sim_cluster_size(const struct sim_cluster *c)
{
    return c->sim->n;
}

const void *sim_cluster_state(const struct sim_cluster *c, int node)
{
    if (node < 0 || node >= c->sim->n || !c->sim->nodes[node].up)
        return NULL;
    return c->sim->nodes[node].state;
}

const void *sim_cluster_config(const struct sim_cluster *c)
{
    return c->sim->config;
}

sim_time sim_cluster_time(const struct sim_cluster *c)
{
    return c->sim->now;
}

sim_time sim_cluster_now(const struct sim_cluster *c, int node)
{
    if (node < 0 || node >= c->sim->n)
        return c->sim->now;
    return node_local_time(&c->sim->nodes[node], c->sim->now);
}

int sim_cluster_last_node(const struct sim_cluster *c)
{
    return c->sim->last_node;
}

const char *sim_cluster_node_name(const struct sim_cluster *c, int node)
{
    return node >= 0 && node < c->sim->n ? c->sim->names[node] : "?";
}

const void *sim_cluster_store_get(const struct sim_cluster *c, int node, const char *key,
                                  size_t *len)
{
    if (node < 0 || node >= c->sim->n)
        return NULL;
    return store_get(c->sim->nodes[node].store, key, len);
}

/* ---- roles ------------------------------------------------------------------------ */

static bool is_leader_role(const char *role)
{
    return role && (strcmp(role, "leader") == 0 || strcmp(role, "primary") == 0);
}

/* " in term 3" (or ballot, view, epoch: the protocol's word) for node id,
 * or "" when the protocol reports no such number. */
static void epoch_text(struct sim *s, int id, char *buf, size_t cap)
{
    buf[0] = '\0';
    const struct node *nd = &s->nodes[id];
    if (!nd->up || !s->proto->describe)
        return;
    struct sim_describe d;
    memset(&d, 0, sizeof d);
    s->proto->describe(nd->state, &d);
    if (d.has_term)
        snprintf(buf, cap, " in %s %lld", s->proto->epoch ? s->proto->epoch : "term",
                 (long long)d.term);
    jbuf_free(&d.text);
}

void sim_update_role(struct sim *s, int id)
{
    struct node *nd = &s->nodes[id];
    const char *role = NULL;
    if (nd->up)
        role = s->proto->role ? s->proto->role(nd->state) : "node";
    if (role == nd->role || (role && nd->role && strcmp(role, nd->role) == 0))
        return;
    bool was = nd->leader, is = is_leader_role(role);
    const char *old = nd->role;
    nd->role = role;
    nd->role_since = s->now;
    nd->leader = is;
    if (s->trig_want[TRIG_ROLE])
        trigger_role(s, id, role ? role : "down");
    const char *name = s->names[id];
    char epoch[48];
    if (was == is) {
        if (s->story >= 1 && role) { /* the rest of the story: -v */
            epoch_text(s, id, epoch, sizeof epoch);
            sim_timeline_add(s, TL_ROLE, "%s became %s%s", name, role, epoch);
        }
        return;
    }
    if (is) {
        s->leaders++;
        epoch_text(s, id, epoch, sizeof epoch);
        sim_timeline_add(s, TL_ROLE, "%s became %s%s (%d leader%s now)", name, role, epoch,
                         s->leaders, s->leaders == 1 ? "" : "s");
        if (s->leaders > s->stats.max_leaders) {
            s->stats.max_leaders = s->leaders;
            s->stats.max_leaders_at = s->now;
        }
        if (s->stats.leader_after_fault < 0)
            s->stats.leader_after_fault = s->now;
        if (s->stats.last_apply_at >= 0 && s->stats.new_leader_after_apply < 0)
            s->stats.new_leader_after_apply = s->now;
        if (s->stats.last_heal_at >= 0 && s->stats.leader_after_heal < 0)
            s->stats.leader_after_heal = s->now;
    } else {
        s->leaders--;
        sim_timeline_add(s, TL_ROLE, "%s is no longer %s (now %s)", name, old ? old : "leader",
                         role ? role : "down");
    }
}

/* ---- node lifecycle -------------------------------------------------------------- */

void sim_node_boot(struct sim *s, int id, bool recovering)
{
    struct node *nd = &s->nodes[id];
    assert(!nd->up);
    memset(nd->state, 0, s->proto->state_size ? s->proto->state_size : 1);
    nd->up = true;
    nd->busy_until = 0;
    struct sim_node h = {s, id};
    int saved = s->current_node;
    s->current_node = id;
    if (recovering && s->proto->recover)
        s->proto->recover(&h, nd->state);
    else
        s->proto->start(&h, nd->state);
    s->current_node = saved;
    s->last_node = id;
}

void sim_node_halt(struct sim *s, int id, bool lose_unsynced)
{
    struct node *nd = &s->nodes[id];
    assert(nd->up);
    struct sim_node h = {s, id};
    int saved = s->current_node;
    s->current_node = id;
    if (s->proto->crash)
        s->proto->crash(&h, nd->state);
    s->current_node = saved;
    nd->up = false;
    node_cancel_all_timers(s, id);
    if (nd->store)
        store_crash(nd->store, lose_unsynced);
    nd->slow_delay = 0;
    free(nd->desc);
    nd->desc = NULL;
    sim_update_role(s, id);
}

/* ---- creation ------------------------------------------------------------------- */

static int check_protocol(const struct sim_protocol *p, char *err, size_t errcap)
{
    if (!p || p->version != SIM_PROTOCOL_VERSION || !p->name || !p->start || !p->message) {
        snprintf(err, errcap, "protocol %s: not a valid version-%d plug-in (needs name, start, message)",
                 p && p->name ? p->name : "?", SIM_PROTOCOL_VERSION);
        return SIM_EINVAL;
    }
    return SIM_OK;
}

int sim_create(const struct scenario *sc, const struct sim_protocol *proto,
               const struct sim_options *opt, struct sim **out, char *err, size_t errcap)
{
    static const struct sim_options none = {0};
    if (!opt)
        opt = &none;
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    int rc = check_protocol(proto, err, errcap);
    if (rc)
        return rc;
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->sc = sc;
    s->proto = proto;
    s->seed = opt->seed_set ? opt->seed : sc->seed;
    s->end = opt->duration > 0 ? opt->duration : sc->duration;
    s->n = sc->nodes;
    s->current_node = -1;
    s->last_node = -1;
    s->free_msg = -1;
    s->next_msg_id = 1;
    s->nemesis_block = -1;
    s->stats.last_fault_at = -1;
    s->stats.leader_after_fault = -1;
    s->stats.last_apply_at = -1;
    s->stats.new_leader_after_apply = -1;
    s->stats.last_heal_at = -1;
    s->stats.leader_after_heal = -1;
    queue_init(&s->q);
    jbuf_init(&s->tline);
    rng_init(&s->rng_net, s->seed, RNG_STREAM_NETWORK);
    rng_init(&s->rng_faults, s->seed, RNG_STREAM_FAULTS);
    rng_init(&s->rng_workload, s->seed, RNG_STREAM_WORKLOAD);
    rng_init(&s->rng_nemesis, s->seed, RNG_STREAM_NEMESIS);

    if (proto->config_size && !(s->config = calloc(1, proto->config_size)))
        goto oom;
    if (proto->ghost_size && !(s->ghost = calloc(1, proto->ghost_size)))
        goto oom;
    rc = params_configure(sc, proto, s->config, err, errcap);
    if (rc)
        goto fail;
    if ((rc = trigger_init(s, err, errcap)))
        goto fail_rc;

    s->nodes = calloc((size_t)s->n, sizeof *s->nodes);
    s->names = malloc((size_t)s->n * sizeof *s->names);
    if (!s->nodes || !s->names)
        goto oom;
    for (int i = 0; i < s->n; i++)
        snprintf(s->names[i], sizeof s->names[i], "n%d", (i + 1) % 100000000);
    for (int i = 0; i < s->n; i++) {
        struct node *nd = &s->nodes[i];
        if (!(nd->state = calloc(1, proto->state_size ? proto->state_size : 1)))
            goto oom;
        rng_init(&nd->rng, s->seed, RNG_STREAM_NODE + (uint64_t)i);
        nd->free_timer = -1;
    }
    if ((rc = net_init(s)) || (rc = workload_init(s)))
        goto fail_rc;

    s->trace_fp = opt->trace;
    s->trace_sink = opt->trace_sink;
    s->sink_ctx = opt->sink_ctx;
    s->trace_on = opt->trace || opt->trace_hash || opt->trace_sink;
    s->story = opt->story;
    s->trace_hash = 1469598103934665603ULL;

    /* Boot every node at time 0, in id order, then the schedule. */
    for (int i = 0; i < s->n; i++)
        if (!queue_push(&s->q, 0, EV_BOOT, i, 0))
            goto oom;
    if ((rc = fault_schedule(s)))
        goto fail_rc;
    for (int i = 0; i < sc->caption_count; i++)
        if (sc->captions[i].on.kind == TRIG_NONE && sc->captions[i].at <= s->end &&
            !queue_push(&s->q, sc->captions[i].at, EV_CAPTION, -1, (uint64_t)i))
            goto oom;
    for (int c = 0; c < s->wl.nclients; c++)
        if (!queue_push(&s->q, sc->workload.start, EV_CLIENT_INVOKE, c, 0))
            goto oom;
    if (!queue_push(&s->q, s->end, EV_END, -1, 0))
        goto oom;
    trace_header(s);
    *out = s;
    return SIM_OK;

oom:
    rc = SIM_ENOMEM;
    snprintf(err, errcap, "out of memory creating the simulation");
    goto fail;
fail_rc:
    if (rc == SIM_ENOMEM)
        snprintf(err, errcap, "out of memory creating the simulation");
fail:
    sim_destroy(s);
    return rc;
}

void sim_destroy(struct sim *s)
{
    if (!s)
        return;
    for (int i = 0; s->nodes && i < s->n; i++) {
        struct node *nd = &s->nodes[i];
        if (nd->up && s->proto->crash) {
            struct sim_node h = {s, i};
            s->proto->crash(&h, nd->state);
        }
        free(nd->state);
        free(nd->timers);
        free(nd->desc);
        store_destroy(nd->store);
    }
    free(s->nodes);
    free(s->names);
    if (s->ghost && s->proto->ghost_free)
        s->proto->ghost_free(s->ghost);
    free(s->ghost);
    free(s->config);
    for (int i = 0; i < s->nmsgs; i++)
        if (s->msgs[i].len > MSG_INLINE)
            free(s->msgs[i].heap);
    free(s->msgs);
    queue_free(&s->q);
    net_free(s);
    workload_free(s);
    free(s->applied);
    free(s->violations);
    for (int i = 0; i < s->ntimeline; i++)
        free(s->timeline[i].text);
    free(s->timeline);
    free(s->metrics);
    for (int i = 0; i < s->nrecorded; i++)
        fault_copy_free(&s->recorded[i]);
    free(s->recorded);
    for (int i = 0; i < s->nnemesis_log; i++)
        fault_copy_free(&s->nemesis_log[i]);
    free(s->nemesis_log);
    trigger_free(s);
    jbuf_free(&s->tline);
    free(s);
}

/* ---- the loop ----------------------------------------------------------------------- */

void sim_caption(struct sim *s, const char *text)
{
    sim_timeline_add(s, TL_CAPTION, "\"%s\"", text);
    struct jbuf *b = trace_begin(s, "caption");
    if (b) {
        jbuf_kstr(b, "text", text);
        trace_commit(s);
    }
}

void sim_after_node_event(struct sim *s, int id)
{
    struct node *nd = &s->nodes[id];
    sim_update_role(s, id);
    if (nd->up && s->proto->check_node) {
        struct sim_node h = {s, id};
        s->proto->check_node(&h, nd->state);
    }
    if (s->trace_on)
        trace_node_state(s, id);
}

static void after_any_event(struct sim *s)
{
    if (s->proto->check_cluster) {
        struct sim_cluster c = {s};
        s->proto->check_cluster(&c, s->ghost);
    }
}

static void finish(struct sim *s)
{
    if (s->finished)
        return;
    workload_finish(s);
    trigger_finish(s);
    struct jbuf *b = trace_begin(s, "end");
    if (b) {
        jbuf_key(b, "events");
        jbuf_uint(b, s->stats.events);
        trace_commit(s);
    }
    if (s->trace_fp)
        fflush(s->trace_fp);
    s->stats.now = s->now;
    s->finished = true;
}

/* A node event waits while its node is slow (a gray failure): handling is
 * serialised behind the node's busy time, each event taking `slow_delay`. */
static bool delay_if_slow(struct sim *s, const struct event *ev)
{
    struct node *nd = &s->nodes[ev->node];
    if (nd->slow_delay <= 0 || (ev->kind & EV_ADMITTED) || !nd->up)
        return false;
    sim_time start = nd->busy_until > s->now ? nd->busy_until : s->now;
    nd->busy_until = start + nd->slow_delay;
    if (!queue_push(&s->q, nd->busy_until, ev->kind | EV_ADMITTED, ev->node, ev->arg))
        sim_fatal(s, SIM_ENOMEM);
    return true;
}

static void deliver(struct sim *s, int32_t slot)
{
    struct msg *m = &s->msgs[slot];
    struct node *dst = &s->nodes[m->to];
    const char *reason = NULL;
    if (m->lost)
        reason = m->lost == 2 ? "by hand" : "loss", s->stats.dropped_loss++;
    else if (!dst->up)
        reason = "down", s->stats.dropped_down++;
    else if (net_blocked(s, m->from, m->to))
        reason = "partition", s->stats.dropped_partition++;
    if (reason) {
        struct jbuf *b = trace_begin(s, "drop");
        if (b) {
            jbuf_key(b, "id");
            jbuf_uint(b, m->id);
            jbuf_kstr(b, "from", s->names[m->from]);
            jbuf_kstr(b, "to", s->names[m->to]);
            const char *tn = s->proto->message_name ? s->proto->message_name(m->type) : NULL;
            if (tn)
                jbuf_kstr(b, "type", tn);
            else
                jbuf_kint(b, "type", m->type);
            jbuf_kstr(b, "reason", reason);
            trace_commit(s);
        }
        msg_free(s, slot);
        return;
    }
    s->stats.messages_delivered++;
    struct jbuf *b = trace_begin(s, "recv");
    if (b) {
        jbuf_key(b, "id");
        jbuf_uint(b, m->id);
        jbuf_kstr(b, "from", s->names[m->from]);
        jbuf_kstr(b, "to", s->names[m->to]);
        trace_commit(s);
    }
    /* The handler may send, which may move the message slab: hand it a body
     * that stays put (a stack copy, or the slot's own heap block, freed
     * only after the handler returns) and do not touch `m` afterwards. */
    int from = m->from, to = m->to, type = m->type;
    size_t len = m->len;
    unsigned char local[MSG_INLINE];
    const void *body = m->len > MSG_INLINE ? m->heap : memcpy(local, m->inl, len);
    if (s->trig_want[TRIG_DELIVER])
        trigger_message(s, TRIG_DELIVER, from, to, type);
    struct sim_node h = {s, to};
    s->current_node = to;
    s->proto->message(&h, dst->state, from, type, body, len);
    s->current_node = -1;
    s->last_node = to;
    msg_free(s, slot);
    sim_after_node_event(s, to);
}

static void boot(struct sim *s, int id)
{
    struct jbuf *b = trace_begin(s, "boot");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        trace_commit(s);
    }
    sim_node_boot(s, id, false);
    sim_after_node_event(s, id);
}

int sim_step(struct sim *s)
{
    if (s->error)
        return s->error;
    if (s->finished)
        return 0;
    struct event ev;
    if (!queue_pop(&s->q, &ev)) {
        finish(s);
        return 0;
    }
    assert(ev.time >= s->now);
    s->now = ev.time;
    s->stats.events++;
    s->last_node = -1;
    unsigned kind = ev.kind & EV_KIND_MASK;
    bool node_event = kind == EV_DELIVER || kind == EV_TIMER || kind == EV_CLIENT_REQUEST;
    if (node_event && delay_if_slow(s, &ev))
        return s->error ? s->error : 1;
    switch (kind) {
    case EV_BOOT:
        boot(s, ev.node);
        break;
    case EV_DELIVER:
        deliver(s, (int32_t)ev.arg);
        break;
    case EV_TIMER:
        if (node_fire_timer(s, ev.node, ev.arg) >= 0)
            sim_after_node_event(s, ev.node);
        break;
    case EV_CLIENT_REQUEST: {
        struct msg *m = &s->msgs[ev.arg];
        int to = m->to;
        workload_request_arrived(s, m);
        msg_free(s, (int32_t)ev.arg);
        if (s->last_node == to)
            sim_after_node_event(s, to);
        break;
    }
    case EV_CLIENT_REPLY:
        workload_reply_arrived(s, &s->msgs[ev.arg]);
        msg_free(s, (int32_t)ev.arg);
        break;
    case EV_CLIENT_INVOKE:
        workload_invoke(s, ev.node);
        break;
    case EV_CLIENT_TIMEOUT:
        workload_timeout(s, ev.node, ev.arg);
        break;
    case EV_CLIENT_RESEND:
        workload_resend(s, ev.node, ev.arg);
        break;
    case EV_FAULT:
        s->fault_source = s->sc->faults[ev.arg].index;
        fault_fire(s, &s->sc->faults[ev.arg], false);
        s->fault_source = -1;
        break;
    case EV_TRIGGER:
        trigger_fire(s, ev.arg);
        break;
    case EV_INJECT:
        fault_fire(s, &s->recorded[ev.arg], false);
        break;
    case EV_FAULT_REVERT:
        fault_revert(s, (int)ev.arg);
        break;
    case EV_NEMESIS:
        fault_nemesis(s);
        break;
    case EV_FLAP:
        fault_flap(s, (int)ev.arg);
        break;
    case EV_CAPTION:
        sim_caption(s, s->sc->captions[ev.arg].text);
        break;
    case EV_END:
        finish(s);
        return s->error ? s->error : 0;
    default:
        assert(!"unknown event kind");
    }
    after_any_event(s);
    return s->error ? s->error : 1;
}

int sim_run_until(struct sim *s, sim_time t)
{
    while (!s->finished) {
        if (queue_peek_time(&s->q) > t)
            break;
        int rc = sim_step(s);
        if (rc < 0)
            return rc;
    }
    return SIM_OK;
}

int sim_run(struct sim *s)
{
    int rc;
    while ((rc = sim_step(s)) > 0)
        ;
    return rc;
}

/* ---- getters ------------------------------------------------------------------------- */

bool sim_done(const struct sim *s) { return s->finished; }
sim_time sim_clock(const struct sim *s) { return s->now; }
sim_time sim_end_time(const struct sim *s) { return s->end; }
uint64_t sim_seed(const struct sim *s) { return s->seed; }

sim_time sim_next_time(const struct sim *s)
{
    /* Peeking may file the queue's buckets differently; what it holds, and
     * so the simulation, does not change: the sim is logically const. */
    return s->finished ? SIM_TIME_NEVER : queue_peek_time((struct queue *)&s->q);
}

const struct sim_stats *sim_get_stats(const struct sim *s)
{
    ((struct sim *)s)->stats.now = s->now;
    return &s->stats;
}

int sim_violation_count(const struct sim *s) { return s->nviolations; }

const struct sim_violation_info *sim_violation_get(const struct sim *s, int i)
{
    return i >= 0 && i < s->nviolations ? &s->violations[i].info : NULL;
}

int sim_timeline_count(const struct sim *s) { return s->ntimeline; }

const struct sim_timeline_entry *sim_timeline_get(const struct sim *s, int i)
{
    return i >= 0 && i < s->ntimeline ? &s->timeline[i] : NULL;
}

int sim_metric_count(const struct sim *s) { return s->nmetrics; }

const struct sim_metric *sim_metric_get(const struct sim *s, int i)
{
    return i >= 0 && i < s->nmetrics ? &s->metrics[i] : NULL;
}

int64_t sim_metric_value(const struct sim *s, const char *name)
{
    for (int i = 0; i < s->nmetrics; i++)
        if (strcmp(s->metrics[i].name, name) == 0)
            return s->metrics[i].value;
    return 0;
}

const char *sim_history(const struct sim *s, size_t *len)
{
    *len = s->wl.history.len;
    return s->wl.history.data ? s->wl.history.data : "";
}

uint64_t sim_trace_hash(const struct sim *s) { return s->trace_on ? s->trace_hash : 0; }
uint64_t sim_trace_bytes(const struct sim *s) { return s->trace_bytes; }
int sim_nodes(const struct sim *s) { return s->n; }

bool sim_node_up(const struct sim *s, int node)
{
    return node >= 0 && node < s->n && s->nodes[node].up;
}

const char *sim_node_role(const struct sim *s, int node)
{
    if (node < 0 || node >= s->n || !s->nodes[node].up)
        return "down";
    return s->proto->role ? s->proto->role(s->nodes[node].state) : "node";
}

int sim_recorded_count(const struct sim *s) { return s->nrecorded; }

const struct fault *sim_recorded_get(const struct sim *s, int i)
{
    return i >= 0 && i < s->nrecorded ? &s->recorded[i] : NULL;
}

int sim_nemesis_count(const struct sim *s) { return s->nnemesis_log; }

const struct fault *sim_nemesis_get(const struct sim *s, int i)
{
    return i >= 0 && i < s->nnemesis_log ? &s->nemesis_log[i] : NULL;
}
