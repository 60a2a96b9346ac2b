/* trigger.c - event triggers (scenario format version 2): matches the events
 * the engine processes against the scenario's "on" objects and queues what
 * they set off (a fault, a caption) at now + delay, with the queue's own
 * deterministic sequence numbers; also checks trigger names against the
 * protocol and reports triggers that never fired. */
#include "sim/trigger.h"

#include <stdlib.h>
#include <string.h>

/* A trigger fires at most this many times: a cycle of faults setting each
 * other off with no delay would otherwise never let time move on. */
#define TRIGGER_MAX_FIRES 10000

/* One fault or caption with "on", and what it has seen so far. */
struct trig {
    const struct trigger *t;
    int fault;             /* index into sc->faults, or -1 */
    int caption;           /* index into sc->captions, or -1 */
    sim_time not_before;   /* its "at" */
    int type;              /* send, deliver: the message type `t->name` names */
    int64_t matches;
    int64_t fires;         /* firings queued */
    bool done;             /* "once" fired, or the limit was reached */
    bool late;             /* a match came too late to fire before the end */
};

/* A match waiting in the queue. */
struct firing {
    int trig;
    int node;              /* the event's node ("$node"), or -1 */
    char cause[96];        /* the event in words: the "on" of the trace line */
};

/* "faults[2]" or "captions[0]": the trigger's place in the file. */
static void owner_path(const struct sim *s, const struct trig *tr, char *buf, size_t cap)
{
    if (tr->fault >= 0)
        snprintf(buf, cap, "%s", s->sc->faults[tr->fault].path);
    else
        snprintf(buf, cap, "captions[%d]", tr->caption);
}

/* ---- setup: names checked against the protocol ------------------------------------- */

/* Message type for `name` (-1 if none), and the known names in `known`. */
static int message_type(const struct sim_protocol *p, const char *name, char *known, size_t cap)
{
    size_t used = 0;
    int found = -1;
    if (cap)
        known[0] = '\0';
    for (int type = 0; p->message_name && type < 1024; type++) {
        const char *m = p->message_name(type);
        if (!m || strcmp(m, "?") == 0)
            break;
        if (strcmp(m, name) == 0 && found < 0)
            found = type;
        if (used < cap)
            used += (size_t)snprintf(known + used, cap - used, "%s%s", type ? ", " : "", m);
    }
    if (!p->message_name) { /* types are bare numbers in the trace */
        char *end;
        long x = strtol(name, &end, 10);
        if (*name && !*end && x >= 0 && x < 1 << 30)
            found = (int)x;
        snprintf(known, cap, "numbers: the protocol names no message types");
    }
    return found;
}

/* True when the protocol can take `role`; `known` lists what it can. */
static bool role_known(const struct sim_protocol *p, const char *role, char *known, size_t cap)
{
    if (strcmp(role, "down") == 0)
        return true;
    if (!p->role) {
        snprintf(known, cap, "node, down");
        return strcmp(role, "node") == 0;
    }
    if (!p->roles)
        return true; /* the protocol does not list its roles: anything may come */
    size_t used = 0;
    bool found = false;
    if (cap)
        known[0] = '\0';
    for (int i = 0; p->roles[i]; i++) {
        found = found || strcmp(p->roles[i], role) == 0;
        if (used < cap)
            used += (size_t)snprintf(known + used, cap - used, "%s, ", p->roles[i]);
    }
    if (used < cap)
        snprintf(known + used, cap - used, "down");
    return found;
}

static int check_names(struct sim *s, struct trig *tr, char *err, size_t errcap)
{
    const struct trigger *t = tr->t;
    char known[512], owner[48];
    owner_path(s, tr, owner, sizeof owner);
    if (t->kind == TRIG_SEND || t->kind == TRIG_DELIVER) {
        tr->type = message_type(s->proto, t->name, known, sizeof known);
        if (tr->type < 0) {
            snprintf(err, errcap, "%s: %s.on.%s: unknown message type \"%s\" for protocol %s (known: %s)",
                     s->sc->file, owner, scenario_trigger_name(t->kind), t->name, s->proto->name,
                     known);
            return SIM_EINVAL;
        }
    }
    if (t->kind == TRIG_ROLE && !role_known(s->proto, t->name, known, sizeof known)) {
        snprintf(err, errcap, "%s: %s.on.role: unknown role \"%s\" for protocol %s (known: %s)",
                 s->sc->file, owner, t->name, s->proto->name, known);
        return SIM_EINVAL;
    }
    return SIM_OK;
}

int trigger_init(struct sim *s, char *err, size_t errcap)
{
    const struct scenario *sc = s->sc;
    s->fault_source = -1;
    int n = 0;
    for (int i = 0; i < sc->fault_count; i++)
        n += sc->faults[i].on.kind != TRIG_NONE;
    for (int i = 0; i < sc->caption_count; i++)
        n += sc->captions[i].on.kind != TRIG_NONE;
    if (!n)
        return SIM_OK;
    if (!(s->trigs = calloc((size_t)n, sizeof *s->trigs)))
        return SIM_ENOMEM;
    /* Faults in the order they are kept (by time, then file order), then
     * captions: events offered to several triggers queue them in this order. */
    for (int i = 0; i < sc->fault_count + sc->caption_count; i++) {
        bool is_fault = i < sc->fault_count;
        const struct trigger *t = is_fault ? &sc->faults[i].on : &sc->captions[i - sc->fault_count].on;
        if (t->kind == TRIG_NONE)
            continue;
        struct trig *tr = &s->trigs[s->ntrigs++];
        tr->t = t;
        tr->fault = is_fault ? i : -1;
        tr->caption = is_fault ? -1 : i - sc->fault_count;
        tr->not_before = is_fault ? sc->faults[i].at : sc->captions[i - sc->fault_count].at;
        tr->type = -1;
        s->trig_want[t->kind] = true;
        int rc = check_names(s, tr, err, errcap);
        if (rc)
            return rc;
    }
    return SIM_OK;
}

void trigger_free(struct sim *s)
{
    free(s->trigs);
    free(s->firings);
    s->trigs = NULL;
    s->firings = NULL;
    s->ntrigs = s->nfirings = s->capfirings = 0;
}

/* ---- matching ------------------------------------------------------------------------ */

/* An event as offered to the triggers. */
struct tev {
    enum trigger_kind kind;
    int node, peer;        /* as struct trigger's node and peer */
    const char *name;      /* role, note text, invariant, fault kind name */
    int type;              /* send, deliver */
    int fault_kind, fault_index;
};

/* The node's term as its describe hook reports it, or -1. */
static int64_t node_term(struct sim *s, int node)
{
    const struct node *nd = &s->nodes[node];
    if (!nd->up || !s->proto->describe)
        return -1;
    struct sim_describe d;
    memset(&d, 0, sizeof d);
    s->proto->describe(nd->state, &d);
    jbuf_free(&d.text);
    return d.has_term ? d.term : -1;
}

static bool matches(struct sim *s, const struct trig *tr, const struct tev *e)
{
    const struct trigger *t = tr->t;
    if (t->node >= 0 && t->node != e->node)
        return false;
    if (t->peer >= 0 && t->peer != e->peer)
        return false;
    switch (t->kind) {
    case TRIG_ROLE:
        return strcmp(t->name, e->name) == 0 && (!t->has_term || node_term(s, e->node) == t->term);
    case TRIG_SEND:
    case TRIG_DELIVER:
        return tr->type == e->type;
    case TRIG_NOTE:
        return strstr(e->name, t->name) != NULL;
    case TRIG_VIOLATION:
        return !t->name[0] || strcmp(t->name, e->name) == 0;
    case TRIG_FAULT:
        if (t->fault_index >= 0)
            return t->fault_index == e->fault_index;
        return t->fault_kind < 0 || t->fault_kind == e->fault_kind;
    default:
        return false;
    }
}

/* The event in words, for the "on" of the trace line it sets off. */
static void describe_event(struct sim *s, const struct trig *tr, const struct tev *e, char *buf,
                           size_t cap)
{
    const struct trigger *t = tr->t;
    const char *node = e->node >= 0 ? s->names[e->node] : NULL;
    size_t used;
    switch (e->kind) {
    case TRIG_ROLE:
        used = (size_t)snprintf(buf, cap, "role %s %s", e->name, node);
        if (t->has_term && used < cap)
            used += (size_t)snprintf(buf + used, cap - used, " term %lld", (long long)t->term);
        break;
    case TRIG_SEND:
    case TRIG_DELIVER:
        used = (size_t)snprintf(buf, cap, "%s %s %s->%s", scenario_trigger_name(e->kind), t->name,
                                s->names[e->kind == TRIG_SEND ? e->node : e->peer],
                                s->names[e->kind == TRIG_SEND ? e->peer : e->node]);
        break;
    case TRIG_NOTE:
        used = (size_t)snprintf(buf, cap, "note %s \"%s\"", node, t->name);
        break;
    case TRIG_VIOLATION:
        used = (size_t)snprintf(buf, cap, "violation %s%s%s", e->name, node ? " " : "",
                                node ? node : "");
        break;
    case TRIG_FAULT:
        used = (size_t)snprintf(buf, cap, "fault %s", e->name);
        if (e->fault_index >= 0 && used < cap)
            used += (size_t)snprintf(buf + used, cap - used, " faults[%d]", e->fault_index);
        if (node && used < cap)
            used += (size_t)snprintf(buf + used, cap - used, " %s", node);
        break;
    default:
        used = (size_t)snprintf(buf, cap, "?");
        break;
    }
    if ((t->count > 1 || t->every) && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, " #%lld", (long long)tr->matches);
    if (t->delay > 0 && used < cap) {
        char d[32];
        scenario_format_duration(t->delay, d, sizeof d);
        snprintf(buf + used, cap - used, " +%s", d);
    }
}

static void queue_firing(struct sim *s, int index, const struct tev *e)
{
    struct trig *tr = &s->trigs[index];
    sim_time at = s->now + tr->t->delay;
    /* The end of the run was queued first: a firing at the very end would
     * come after it and never run. */
    if (at >= s->end) {
        tr->late = true;
        return;
    }
    if (s->nfirings == s->capfirings) {
        int cap = s->capfirings ? s->capfirings * 2 : 16;
        struct firing *f = realloc(s->firings, (size_t)cap * sizeof *f);
        if (!f) {
            sim_fatal(s, SIM_ENOMEM);
            return;
        }
        s->firings = f;
        s->capfirings = cap;
    }
    struct firing *f = &s->firings[s->nfirings];
    f->trig = index;
    f->node = e->node;
    describe_event(s, tr, e, f->cause, sizeof f->cause);
    if (!queue_push(&s->q, at, EV_TRIGGER, -1, (uint64_t)s->nfirings)) {
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    s->nfirings++;
    if (++tr->fires >= TRIGGER_MAX_FIRES) {
        tr->done = true;
        char owner[48];
        owner_path(s, tr, owner, sizeof owner);
        sim_timeline_add(s, TL_SKIPPED, "%s: trigger stops after %d firings", owner,
                         TRIGGER_MAX_FIRES);
    }
}

/* Offers an event to every trigger, in their fixed order. */
static void offer(struct sim *s, const struct tev *e)
{
    for (int i = 0; i < s->ntrigs; i++) {
        struct trig *tr = &s->trigs[i];
        const struct trigger *t = tr->t;
        if (t->kind != e->kind || tr->done || s->now < tr->not_before || !matches(s, tr, e))
            continue;
        tr->matches++;
        if (tr->matches % t->count != 0) /* the count-th match, and with "every" each count-th */
            continue;
        if (!t->every)
            tr->done = true;
        queue_firing(s, i, e);
    }
}

void trigger_role(struct sim *s, int node, const char *role)
{
    struct tev e = {TRIG_ROLE, node, -1, role, -1, -1, -1};
    offer(s, &e);
}

void trigger_message(struct sim *s, enum trigger_kind kind, int from, int to, int type)
{
    /* node: the sender of a send, the receiver of a delivery */
    struct tev e = {kind, kind == TRIG_SEND ? from : to, kind == TRIG_SEND ? to : from, "", type,
                    -1, -1};
    offer(s, &e);
}

void trigger_note(struct sim *s, int node, const char *text)
{
    struct tev e = {TRIG_NOTE, node, -1, text, -1, -1, -1};
    offer(s, &e);
}

void trigger_violation(struct sim *s, const char *invariant, int node)
{
    struct tev e = {TRIG_VIOLATION, node, -1, invariant, -1, -1, -1};
    offer(s, &e);
}

void trigger_fault(struct sim *s, enum fault_kind kind, int index, int node)
{
    struct tev e = {TRIG_FAULT, node, -1, scenario_fault_name(kind), -1, (int)kind, index};
    offer(s, &e);
}

/* ---- firing ------------------------------------------------------------------------------ */

/* The caption's text with each "$node" replaced by the event's node: a new
 * string the caller frees, or NULL when out of memory. */
static char *caption_text(struct sim *s, const char *text, int node)
{
    const char *name = node >= 0 ? s->names[node] : "(no node)";
    size_t marks = 0, len = strlen(text), nlen = strlen(name);
    for (const char *p = text; (p = strstr(p, "$node")); p += 5)
        marks++;
    char *buf = malloc(len + marks * nlen + 1), *out = buf;
    if (!buf)
        return NULL;
    while (*text) {
        if (strncmp(text, "$node", 5) == 0) {
            memcpy(out, name, nlen);
            out += nlen;
            text += 5;
        } else
            *out++ = *text++;
    }
    *out = '\0';
    return buf;
}

void trigger_fire(struct sim *s, uint64_t index)
{
    const struct firing *fi = &s->firings[index];
    const struct trig *tr = &s->trigs[fi->trig];
    snprintf(s->cause, sizeof s->cause, "%s", fi->cause);
    snprintf(s->tl_cause, sizeof s->tl_cause, "%s", fi->cause);
    if (tr->caption >= 0) {
        char *text = caption_text(s, s->sc->captions[tr->caption].text, fi->node);
        if (text)
            sim_caption(s, text);
        else
            sim_fatal(s, SIM_ENOMEM);
        free(text);
    } else {
        struct fault f = s->sc->faults[tr->fault]; /* a shallow copy: only the target changes */
        if (f.target.node == TARGET_EVENT_NODE && fi->node < 0)
            fault_skip(s, &f, "the event has no node for \"$node\"");
        else {
            if (f.target.node == TARGET_EVENT_NODE)
                f.target.node = fi->node;
            s->fault_source = f.index;
            fault_fire(s, &f, false);
            s->fault_source = -1;
        }
    }
    s->cause[0] = s->tl_cause[0] = '\0';
}

/* ---- the end --------------------------------------------------------------------------- */

/* The trigger in words ("deliver Vote to n1 #3"), for one that never fired. */
static void describe_trigger(struct sim *s, const struct trigger *t, char *buf, size_t cap)
{
    const char *q = t->kind == TRIG_NOTE ? "\"" : ""; /* note text, quoted as in "on" */
    size_t used = (size_t)snprintf(buf, cap, "%s %s%s%s", scenario_trigger_name(t->kind), q,
                                   t->kind == TRIG_VIOLATION && !t->name[0] ? "any" : t->name, q);
    bool msg = t->kind == TRIG_SEND || t->kind == TRIG_DELIVER;
    int from = t->kind == TRIG_SEND ? t->node : t->peer, to = t->kind == TRIG_SEND ? t->peer : t->node;
    if (msg && from >= 0 && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, " from %s", s->names[from]);
    if (msg && to >= 0 && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, " to %s", s->names[to]);
    if (!msg && t->node >= 0 && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, " %s", s->names[t->node]);
    if (t->has_term && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, " term %lld", (long long)t->term);
    if (t->count > 1 && used < cap)
        snprintf(buf + used, cap - used, " #%lld", (long long)t->count);
}

void trigger_finish(struct sim *s)
{
    for (int i = 0; i < s->ntrigs; i++) {
        const struct trig *tr = &s->trigs[i];
        if (tr->fires > 0)
            continue;
        char owner[48], what[128];
        owner_path(s, tr, owner, sizeof owner);
        describe_trigger(s, tr->t, what, sizeof what);
        const char *why = tr->late ? "its event came too late to fire before the end"
                                   : "its event never happened";
        const char *kind = tr->fault >= 0 ? scenario_fault_name(s->sc->faults[tr->fault].kind)
                                          : "caption";
        sim_timeline_add(s, TL_SKIPPED, "%s (%s) never fired on %s: %s", owner, kind, what, why);
        struct jbuf *b = trace_begin(s, "unfired");
        if (b) {
            jbuf_kstr(b, tr->fault >= 0 ? "fault" : "caption", owner);
            jbuf_kstr(b, "kind", kind);
            jbuf_kstr(b, "trigger", what);
            jbuf_kstr(b, "reason", tr->late ? "late" : "no event");
            trace_commit(s);
        }
    }
}
