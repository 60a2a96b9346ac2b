/* store.c - indexes trace lines as they arrive (from a file or a live
 * engine): one compact record per line, message flights matched by id,
 * message type names interned, timeline markers collected. */
#include "viz/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "viz/jscan.h"
#include "viz/palette.h"

static const char *const ev_names[VIZ_EV_KIND_COUNT] = {
    [VIZ_EV_OTHER] = "?",           [VIZ_EV_BOOT] = "boot",
    [VIZ_EV_SEND] = "send",         [VIZ_EV_RECV] = "recv",
    [VIZ_EV_DROP] = "drop",         [VIZ_EV_TIMER] = "timer",
    [VIZ_EV_STATE] = "state",       [VIZ_EV_NOTE] = "note",
    [VIZ_EV_CRASH] = "crash",       [VIZ_EV_RECOVER] = "recover",
    [VIZ_EV_PARTITION] = "partition", [VIZ_EV_ISOLATE] = "isolate",
    [VIZ_EV_CUT] = "cut",           [VIZ_EV_FLAP] = "flap",
    [VIZ_EV_HEAL] = "heal",         [VIZ_EV_CLOCK] = "clock",
    [VIZ_EV_SLOW] = "slow",         [VIZ_EV_LOSS] = "loss",
    [VIZ_EV_DUPLICATION] = "duplication", [VIZ_EV_DROP_MESSAGE] = "drop_message",
    [VIZ_EV_FAULT_SKIPPED] = "fault_skipped", [VIZ_EV_INVOKE] = "invoke",
    [VIZ_EV_REQUEST] = "request",   [VIZ_EV_REDIRECT] = "redirect",
    [VIZ_EV_RETRY] = "retry",       [VIZ_EV_COMPLETE] = "complete",
    [VIZ_EV_VIOLATION] = "violation", [VIZ_EV_CAPTION] = "caption",
    [VIZ_EV_END] = "end",
};

const char *viz_ev_name(enum viz_ev_kind kind)
{
    return (unsigned)kind < VIZ_EV_KIND_COUNT ? ev_names[kind] : "?";
}

void viz_store_init(struct viz_store *s, const char *name)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name ? name : "trace");
}

void viz_store_free(struct viz_store *s)
{
    free(s->hdr.lesson);
    if (s->mapped)
        munmap(s->text, s->cap);
    else
        free(s->text);
    free(s->ev);
    free(s->msg);
    free(s->faults.ev);
    free(s->captions.ev);
    free(s->log.ev);
    free(s->violations.ev);
    free(s->completes.ev);
    free(s->last_state);
    memset(s, 0, sizeof *s);
}

static bool grow(void **p, int32_t *cap, int32_t need, size_t size)
{
    if (need <= *cap)
        return true;
    int32_t c = *cap ? *cap : 1024;
    while (c < need) {
        if (c > INT32_MAX / 2)
            return false;
        c *= 2;
    }
    void *q = realloc(*p, (size_t)c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static bool mark(struct viz_marks *m, int32_t ev)
{
    if (!grow((void **)&m->ev, &m->cap, m->n + 1, sizeof *m->ev))
        return false;
    m->ev[m->n++] = ev;
    return true;
}

int viz_store_node(const struct viz_store *s, const char *p, size_t n)
{
    if (n < 2 || n > 10 || p[0] != 'n' || p[1] < '1' || p[1] > '9')
        return -1;
    long v = 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v >= 1 && v <= s->hdr.nodes ? (int)(v - 1) : -1;
}

static int node_of(const struct viz_store *s, const struct viz_jval *v)
{
    if (v->type != VIZ_J_STR || v->escaped)
        return -1;
    return viz_store_node(s, v->p, v->n);
}

static enum viz_ev_kind kind_of(const struct viz_jval *v)
{
    if (v->type != VIZ_J_STR || v->escaped)
        return VIZ_EV_OTHER;
    for (int k = 1; k < VIZ_EV_KIND_COUNT; k++) {
        size_t n = strlen(ev_names[k]);
        if (v->n == n && memcmp(v->p, ev_names[k], n) == 0)
            return (enum viz_ev_kind)k;
    }
    return VIZ_EV_OTHER;
}

static uint16_t intern_type(struct viz_store *s, const struct viz_jval *v, int32_t ev)
{
    char name[32];
    if (v->type == VIZ_J_STR)
        viz_json_str(v, name, sizeof name);
    else if (v->type == VIZ_J_NUM)
        snprintf(name, sizeof name, "type %.*s", (int)(v->n < 20 ? v->n : 20), v->p);
    else
        snprintf(name, sizeof name, "?");
    for (int i = 0; i < s->ntypes; i++)
        if (strcmp(s->types[i], name) == 0)
            return (uint16_t)i;
    if (s->ntypes == VIZ_MAX_TYPES)
        return VIZ_MAX_TYPES - 1; /* too many kinds: the last one stands for the rest */
    snprintf(s->types[s->ntypes], sizeof s->types[0], "%s", name);
    s->type_first[s->ntypes] = ev;
    return (uint16_t)s->ntypes++;
}

/* Roles are few ("leader", "follower", ...): kept by index so the
 * space-time diagram colours lanes without reading lines again. Role names
 * are never forgotten (truncation keeps them: an index stays meaningful). */
static uint8_t intern_role(struct viz_store *s, const struct viz_jval *v)
{
    char name[24];
    viz_json_str(v, name, sizeof name);
    for (int i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i], name) == 0)
            return (uint8_t)i;
    if (s->nroles == VIZ_MAX_ROLES)
        return VIZ_MAX_ROLES - 1;
    snprintf(s->roles[s->nroles], sizeof s->roles[0], "%s", name);
    return (uint8_t)s->nroles++;
}

static int fail(struct viz_store *s, char *err, size_t errcap, const char *what)
{
    snprintf(err, errcap, "%s:%d: %s", s->name, (int)s->nev + (s->has_header ? 2 : 1), what);
    return SIM_EINVAL;
}

static int read_header(struct viz_store *s, const char *line, size_t len, char *err, size_t errcap)
{
    struct viz_jiter it;
    struct viz_jval k, v;
    if (!viz_json_object(&it, line, len))
        return fail(s, err, errcap, "not a faultline trace: expected a JSON object header line");
    bool is_trace = false;
    int64_t version = -1, x;
    struct viz_header *h = &s->hdr;
    int r;
    while ((r = viz_json_member(&it, &k, &v)) == 1) {
        if (viz_json_is(&k, "trace"))
            is_trace = viz_json_is(&v, "faultline");
        else if (viz_json_is(&k, "version") && viz_json_int(&v, &x))
            version = x;
        else if (viz_json_is(&k, "scenario"))
            viz_json_str(&v, h->scenario, sizeof h->scenario);
        else if (viz_json_is(&k, "title"))
            viz_json_str(&v, h->title, sizeof h->title);
        else if (viz_json_is(&k, "protocol"))
            viz_json_str(&v, h->protocol, sizeof h->protocol);
        else if (viz_json_is(&k, "epoch"))
            viz_json_str(&v, h->epoch, sizeof h->epoch);
        else if (viz_json_is(&k, "model"))
            viz_json_str(&v, h->model, sizeof h->model);
        else if (viz_json_is(&k, "lesson") && v.type == VIZ_J_STR) {
            free(h->lesson);
            if (!(h->lesson = malloc(v.n + 1)))
                return SIM_ENOMEM;
            viz_json_str(&v, h->lesson, v.n + 1);
        } else if (viz_json_is(&k, "seed") && viz_json_int(&v, &x))
            h->seed = (uint64_t)x;
        else if (viz_json_is(&k, "nodes") && viz_json_int(&v, &x))
            h->nodes = x > 0 && x <= 1000000 ? (int)x : -1;
        else if (viz_json_is(&k, "clients") && viz_json_int(&v, &x))
            h->clients = (int)x;
        else if (viz_json_is(&k, "keys") && viz_json_int(&v, &x))
            h->keys = (int)x;
        else if (viz_json_is(&k, "duration") && viz_json_int(&v, &x))
            h->duration = x;
    }
    if (r < 0 || !viz_json_at_end(&it))
        return fail(s, err, errcap, "not a faultline trace: the header line is not valid JSON");
    if (!is_trace)
        return fail(s, err, errcap, "not a faultline trace: the header lacks \"trace\": \"faultline\"");
    if (version != 1) {
        char what[128];
        snprintf(what, sizeof what, "trace format version %lld is not supported (this faultline reads version 1)",
                 (long long)version);
        return fail(s, err, errcap, what);
    }
    if (h->nodes <= 0)
        return fail(s, err, errcap, "the header needs \"nodes\": a count from 1 to 1000000");
    if (h->duration <= 0)
        return fail(s, err, errcap, "the header needs \"duration\" in microseconds, above 0");
    if (!h->epoch[0])
        snprintf(h->epoch, sizeof h->epoch, "term"); /* traces before "epoch" */
    if (!h->lesson && !(h->lesson = strdup("")))
        return SIM_ENOMEM;
    free(s->last_state);
    if (!(s->last_state = malloc((size_t)h->nodes * sizeof *s->last_state)))
        return SIM_ENOMEM;
    for (int i = 0; i < h->nodes; i++)
        s->last_state[i] = -1;
    s->has_header = true;
    return SIM_OK;
}

int32_t viz_store_find_msg(const struct viz_store *s, uint64_t id)
{
    int32_t lo = 0, hi = s->nmsg;
    /* most lookups are for recent messages: try the tail first */
    if (hi > 0 && s->msg[hi - 1].id == id)
        return hi - 1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (s->msg[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nmsg && s->msg[lo].id == id ? lo : -1;
}

/* Fields of one event line, before its kind decides what they mean. */
struct fields {
    bool has_t, has_ev, has_id, has_arrive;
    int64_t t, arrive, client;
    struct viz_jval ev, node, from, to, id, copy, type, reason, up, by, role;
};

static enum viz_drop_reason reason_of(const struct viz_jval *v)
{
    if (viz_json_is(v, "partition"))
        return VIZ_DROP_PARTITION;
    if (viz_json_is(v, "loss"))
        return VIZ_DROP_LOSS;
    if (viz_json_is(v, "down"))
        return VIZ_DROP_DOWN;
    if (viz_json_is(v, "by hand"))
        return VIZ_DROP_BY_HAND;
    return VIZ_DROP_OTHER;
}

/* A fail the system refused rather than answered (sim_result.refused): the
 * line says "refused": true, or (as the engine words it) "error": "refused". */
static bool is_refusal(const char *line, size_t len)
{
    struct viz_jval v;
    if (viz_json_get(line, len, "refused", &v))
        return v.type == VIZ_J_BOOL && v.n == 4 && v.p[0] == 't';
    return viz_json_get(line, len, "error", &v) && viz_json_is(&v, "refused");
}

/* Roles that move the protocol's epoch on (a new term, ballot or view). */
static bool drives_epoch(const char *role)
{
    static const char *const roles[] = {"leader", "primary", "candidate", "proposer", "coordinator"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

static bool term_of(const char *line, size_t len, int64_t *term)
{
    struct viz_jval v;
    return viz_json_get(line, len, "term", &v) && viz_json_int(&v, term);
}

/* What the event log tells: a protocol's notes; a change of role (not a
 * node's first role, which every node gets at boot, unless it leads) or of
 * epoch in a role that moves it (a proposer's new ballot); faults,
 * violations and captions. `line` is e's own line. */
static bool logged(const struct viz_store *s, const struct viz_event *e, const char *line, size_t len)
{
    switch (e->kind) {
    case VIZ_EV_NOTE:
    case VIZ_EV_VIOLATION:
    case VIZ_EV_CAPTION:
        return true;
    case VIZ_EV_STATE: {
        if (e->ref < 0)
            return e->sub < s->nroles && viz_role_is_leader(s->roles[e->sub]);
        if (s->ev[e->ref].sub != e->sub)
            return true;
        int64_t now, before;
        return e->sub < s->nroles && drives_epoch(s->roles[e->sub]) && term_of(line, len, &now) &&
               term_of(viz_store_line(s, e->ref), viz_store_len(s, e->ref), &before) && now != before;
    }
    case VIZ_EV_FLAP: /* its start, not every time the link goes down or up */
        return (e->flags & VIZ_EVF_START) != 0;
    default:
        return e->kind >= VIZ_EV_CRASH && e->kind <= VIZ_EV_FAULT_SKIPPED;
    }
}

static int index_event(struct viz_store *s, uint64_t off, size_t len, char *err, size_t errcap)
{
    if (off >> 40)
        return fail(s, err, errcap, "trace too large (the viewer reads up to 1 TB)");
    const char *line = s->text + off;
    struct viz_jiter it;
    struct viz_jval k, v;
    if (!viz_json_object(&it, line, len))
        return fail(s, err, errcap, "expected a JSON object (one trace event per line)");
    struct fields f;
    memset(&f, 0, sizeof f);
    f.client = -1;
    int r;
    while ((r = viz_json_member(&it, &k, &v)) == 1) {
        if (k.n < 1 || k.escaped)
            continue;
        switch (k.p[0]) {
        case 't':
            if (k.n == 1) {
                if (!viz_json_int(&v, &f.t))
                    return fail(s, err, errcap, "\"t\" must be an integer time in microseconds");
                f.has_t = true;
            } else if (viz_json_is(&k, "to"))
                f.to = v;
            else if (viz_json_is(&k, "type"))
                f.type = v;
            break;
        case 'e':
            if (viz_json_is(&k, "ev")) {
                f.ev = v;
                f.has_ev = true;
            }
            break;
        case 'n':
            if (viz_json_is(&k, "node"))
                f.node = v;
            break;
        case 'f':
            if (viz_json_is(&k, "from"))
                f.from = v;
            break;
        case 'i':
            if (viz_json_is(&k, "id")) {
                f.id = v;
                f.has_id = true;
            }
            break;
        case 'a':
            if (viz_json_is(&k, "arrive") && viz_json_int(&v, &f.arrive))
                f.has_arrive = true;
            break;
        case 'c':
            if (viz_json_is(&k, "copy"))
                f.copy = v;
            else if (viz_json_is(&k, "client"))
                viz_json_int(&v, &f.client);
            break;
        case 'r':
            if (viz_json_is(&k, "reason"))
                f.reason = v;
            else if (viz_json_is(&k, "role"))
                f.role = v;
            break;
        case 'u':
            if (viz_json_is(&k, "up"))
                f.up = v;
            break;
        case 'b':
            if (viz_json_is(&k, "by"))
                f.by = v;
            break;
        default:
            break;
        }
    }
    if (r < 0 || !viz_json_at_end(&it))
        return fail(s, err, errcap, "malformed JSON (a trace line must be one complete object)");
    if (!f.has_t || !f.has_ev)
        return fail(s, err, errcap, "an event needs \"t\" (microseconds) and \"ev\" (its kind)");
    if (s->nev && f.t < s->ev[s->nev - 1].t)
        return fail(s, err, errcap, "time goes backwards (events must be in time order)");
    if (f.t < 0)
        return fail(s, err, errcap, "\"t\" must not be negative");
    if (!grow((void **)&s->ev, &s->capev, s->nev + 1, sizeof *s->ev))
        return SIM_ENOMEM;
    int32_t idx = s->nev;
    struct viz_event *e = &s->ev[idx];
    memset(e, 0, sizeof *e);
    e->t = f.t;
    e->off_lo = (uint32_t)off;
    e->off_hi = (uint8_t)(off >> 32);
    e->kind = (uint8_t)kind_of(&f.ev);
    e->node = -1;
    e->ref = -1;
    if (viz_json_is(&f.by, "nemesis"))
        e->flags |= VIZ_EVF_NEMESIS;
    int64_t x;
    switch (e->kind) {
    case VIZ_EV_SEND:
    case VIZ_EV_RECV:
    case VIZ_EV_DROP: {
        e->node = node_of(s, &f.from);
        int to = node_of(s, &f.to);
        if (e->node < 0 || to < 0 || !viz_json_int(&f.id, &x) || x < 0)
            return fail(s, err, errcap, "a message event needs \"id\", \"from\" and \"to\" (node names)");
        uint64_t id = (uint64_t)x;
        int32_t m = viz_store_find_msg(s, id);
        if (e->kind == VIZ_EV_SEND || (e->kind == VIZ_EV_DROP && m < 0)) {
            if (m >= 0)
                return fail(s, err, errcap, "a message id is sent twice");
            if (s->nmsg && s->msg[s->nmsg - 1].id > id)
                return fail(s, err, errcap, "message ids must increase in send order");
            if (e->kind == VIZ_EV_SEND && (!f.has_arrive || f.arrive < f.t))
                return fail(s, err, errcap, "a send needs \"arrive\", a time not before \"t\"");
            if (!grow((void **)&s->msg, &s->capmsg, s->nmsg + 1, sizeof *s->msg))
                return SIM_ENOMEM;
            struct viz_msg *msg = &s->msg[s->nmsg];
            memset(msg, 0, sizeof *msg);
            msg->id = id;
            msg->sent = f.t;
            msg->arrive = e->kind == VIZ_EV_SEND ? f.arrive : f.t;
            msg->end = SIM_TIME_NEVER;
            msg->send_ev = idx;
            msg->end_ev = INT32_MAX;
            msg->cut_ev = INT32_MAX;
            msg->from = e->node;
            msg->to = to;
            msg->type = intern_type(s, &f.type, idx);
            int32_t sender_state = e->node >= 0 ? s->last_state[e->node] : -1;
            msg->role = sender_state >= 0 ? s->ev[sender_state].sub : VIZ_ROLE_NONE;
            if (viz_json_is(&f.copy, "duplicate"))
                msg->flags |= VIZ_MSG_DUP;
            m = s->nmsg++;
            if (e->kind == VIZ_EV_DROP) /* dropped at the cut as it was sent */
                msg->flags |= VIZ_MSG_AT_SEND;
        }
        if (m < 0)
            return fail(s, err, errcap, "a received message was never sent");
        e->ref = m;
        struct viz_msg *msg = &s->msg[m];
        if (e->kind == VIZ_EV_RECV || e->kind == VIZ_EV_DROP) {
            if (msg->end_kind != VIZ_END_NONE)
                return fail(s, err, errcap, "a message is received or dropped twice");
            msg->end = f.t;
            msg->end_ev = idx;
            msg->end_kind = e->kind == VIZ_EV_RECV ? VIZ_END_RECV : VIZ_END_DROP;
            if (e->kind == VIZ_EV_DROP) {
                e->sub = (uint8_t)reason_of(&f.reason);
                msg->reason = e->sub;
            }
        }
        break;
    }
    case VIZ_EV_DROP_MESSAGE: {
        if (viz_json_int(&f.id, &x) && x >= 0) {
            int32_t m = viz_store_find_msg(s, (uint64_t)x);
            e->ref = m;
            if (m >= 0 && s->msg[m].cut_ev == INT32_MAX) {
                s->msg[m].cut_ev = idx;
                e->node = s->msg[m].from;
            }
        }
        if (!mark(&s->faults, idx))
            return SIM_ENOMEM;
        break;
    }
    case VIZ_EV_BOOT:
    case VIZ_EV_TIMER:
    case VIZ_EV_STATE:
    case VIZ_EV_NOTE:
    case VIZ_EV_CRASH:
    case VIZ_EV_RECOVER:
    case VIZ_EV_CLOCK:
    case VIZ_EV_SLOW:
    case VIZ_EV_REQUEST:
        e->node = node_of(s, &f.node);
        if (e->node < 0)
            return fail(s, err, errcap, "this event needs \"node\": a node name n1..nN of the header's nodes");
        if ((e->kind == VIZ_EV_CRASH || e->kind == VIZ_EV_RECOVER || e->kind == VIZ_EV_CLOCK ||
             e->kind == VIZ_EV_SLOW) && !mark(&s->faults, idx))
            return SIM_ENOMEM;
        if (e->kind == VIZ_EV_STATE) {
            e->ref = s->last_state[e->node];
            s->last_state[e->node] = idx;
            e->sub = intern_role(s, &f.role);
        }
        break;
    case VIZ_EV_PARTITION:
    case VIZ_EV_ISOLATE:
    case VIZ_EV_CUT:
    case VIZ_EV_FLAP:
    case VIZ_EV_HEAL:
        if (viz_json_int(&f.id, &x))
            e->ref = (int32_t)x;
        else if (e->kind == VIZ_EV_HEAL && viz_json_is(&f.id, "all"))
            e->flags |= VIZ_EVF_ALL;
        else
            return fail(s, err, errcap, "a network fault needs \"id\" (heal: a number or \"all\")");
        if (e->kind == VIZ_EV_ISOLATE)
            e->node = node_of(s, &f.node);
        if (e->kind == VIZ_EV_FLAP) {
            if (f.up.type == VIZ_J_BOOL && f.up.p[0] == 't')
                e->flags |= VIZ_EVF_UP;
            if (f.from.type == VIZ_J_ARR)
                e->flags |= VIZ_EVF_START;
        }
        if ((e->kind != VIZ_EV_FLAP || (e->flags & VIZ_EVF_START)) && !mark(&s->faults, idx))
            return SIM_ENOMEM;
        break;
    case VIZ_EV_LOSS:
    case VIZ_EV_DUPLICATION:
    case VIZ_EV_FAULT_SKIPPED:
        if (!mark(&s->faults, idx))
            return SIM_ENOMEM;
        break;
    case VIZ_EV_INVOKE:
    case VIZ_EV_COMPLETE:
        e->node = node_of(s, &f.node);
        e->ref = (int32_t)f.client;
        if (e->kind == VIZ_EV_COMPLETE) {
            e->sub = viz_json_is(&f.type, "ok") ? VIZ_OUT_OK
                     : viz_json_is(&f.type, "fail") ? VIZ_OUT_FAIL : VIZ_OUT_INFO;
            if (e->sub == VIZ_OUT_FAIL && is_refusal(line, len))
                e->sub = VIZ_OUT_REFUSED;
            if (!mark(&s->completes, idx))
                return SIM_ENOMEM;
        }
        break;
    case VIZ_EV_VIOLATION:
        e->node = node_of(s, &f.node);
        if (!mark(&s->violations, idx))
            return SIM_ENOMEM;
        break;
    case VIZ_EV_CAPTION: {
        struct viz_jval on;
        if (viz_json_get(line, len, "on", &on))
            e->flags |= VIZ_EVF_ON;
        if (!mark(&s->captions, idx))
            return SIM_ENOMEM;
        break;
    }
    case VIZ_EV_END:
        s->ended = true;
        break;
    default:
        break;
    }
    if (logged(s, e, line, len) && !mark(&s->log, idx))
        return SIM_ENOMEM;
    s->nev++;
    return SIM_OK;
}

static int index_line(struct viz_store *s, uint64_t off, size_t len, char *err, size_t errcap)
{
    if (!s->has_header)
        return read_header(s, s->text + off, len, err, errcap);
    return index_event(s, off, len, err, errcap);
}

/* Undoes what a failed index_event may have left in the message table and
 * the marks (everything it adds refers to event index nev, not yet kept). */
static void forget_partial(struct viz_store *s)
{
    viz_store_truncate(s, s->nev);
}

int viz_store_add(struct viz_store *s, const char *line, size_t len, char *err, size_t errcap)
{
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (s->mapped) { /* appending to a file's lines: copy them out first */
        char *t = malloc(s->len + len + 2);
        if (!t)
            return SIM_ENOMEM;
        memcpy(t, s->text, s->len);
        munmap(s->text, s->cap);
        s->text = t;
        s->cap = s->len + len + 2;
        s->mapped = false;
    }
    if (s->len + len + 2 > s->cap) {
        size_t cap = s->cap ? s->cap : 1 << 16;
        while (s->len + len + 2 > cap)
            cap *= 2;
        char *t = realloc(s->text, cap);
        if (!t)
            return SIM_ENOMEM;
        s->text = t;
        s->cap = cap;
    }
    uint64_t off = s->len;
    memcpy(s->text + off, line, len);
    s->text[off + len] = '\n';
    s->text[off + len + 1] = '\0';
    int rc = index_line(s, off, len, err, errcap);
    if (rc) {
        forget_partial(s);
        s->text[off] = '\0';
        return rc;
    }
    s->len += len + 1;
    return SIM_OK;
}

int viz_store_adopt(struct viz_store *s, char *text, size_t len, bool mapped, char *err,
                    size_t errcap)
{
    if (s->mapped)
        munmap(s->text, s->cap);
    else
        free(s->text);
    s->text = text;
    s->cap = len;
    s->mapped = mapped;
    s->len = 0;
    /* Reserve for the shortest plausible lines: untouched capacity costs
     * address space only, and no reallocation copies the array later. */
    int32_t guess = len / 32 + 16 < INT32_MAX / 2 ? (int32_t)(len / 32 + 16) : INT32_MAX / 2;
    if (!grow((void **)&s->ev, &s->capev, guess, sizeof *s->ev) ||
        !grow((void **)&s->msg, &s->capmsg, guess / 3, sizeof *s->msg))
        return SIM_ENOMEM;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end;
        if (n > pos && text[n - 1] == '\r')
            n--;
        bool blank = true;
        for (size_t i = pos; i < n && blank; i++)
            blank = text[i] == ' ' || text[i] == '\t';
        if (!blank || !s->has_header) {
            int rc = index_line(s, pos, n - pos, err, errcap);
            if (rc) {
                forget_partial(s);
                return rc;
            }
        }
        pos = end + 1;
        s->len = pos < len ? pos : len;
    }
    if (!s->has_header) {
        snprintf(err, errcap, "%s: empty file (expected a faultline trace)", s->name);
        return SIM_EINVAL;
    }
    return SIM_OK;
}

void viz_store_truncate(struct viz_store *s, int32_t nev)
{
    if (nev < 0)
        nev = 0;
    if (nev < s->nev) {
        s->len = viz_ev_off(&s->ev[nev]);
        s->nev = nev;
    }
    while (s->nmsg > 0 && s->msg[s->nmsg - 1].send_ev >= nev)
        s->nmsg--;
    for (int32_t i = 0; i < s->nmsg; i++) {
        struct viz_msg *m = &s->msg[i];
        if (m->end_ev != INT32_MAX && m->end_ev >= nev) {
            m->end = SIM_TIME_NEVER;
            m->end_ev = INT32_MAX;
            m->end_kind = VIZ_END_NONE;
            m->reason = VIZ_DROP_NONE;
        }
        if (m->cut_ev != INT32_MAX && m->cut_ev >= nev)
            m->cut_ev = INT32_MAX;
    }
    while (s->ntypes > 0 && s->type_first[s->ntypes - 1] >= nev)
        s->ntypes--;
    for (int n = 0; s->last_state && n < s->hdr.nodes; n++)
        while (s->last_state[n] >= nev)
            s->last_state[n] = s->ev[s->last_state[n]].ref;
    struct viz_marks *lists[] = {&s->faults, &s->captions, &s->violations, &s->completes, &s->log};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
        while (lists[l]->n > 0 && lists[l]->ev[lists[l]->n - 1] >= nev)
            lists[l]->n--;
    s->ended = s->nev > 0 && s->ev[s->nev - 1].kind == VIZ_EV_END;
}

int32_t viz_store_count_until(const struct viz_store *s, sim_time t)
{
    int32_t lo = 0, hi = s->nev;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (s->ev[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t viz_store_msgs_until(const struct viz_store *s, sim_time t)
{
    int32_t lo = 0, hi = s->nmsg;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (s->msg[mid].sent <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t viz_marks_lower(const struct viz_marks *m, int32_t k)
{
    int32_t lo = 0, hi = m->n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (m->ev[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
