/* scenario_write.c - writes a scenario back to scenario-file JSON with cJSON:
 * every setting explicit, durations exact to the microsecond, faults merged
 * by time; the file is replaced atomically (temporary file, fsync, rename). */
#include "sim/scenario_write.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The builder's context: the scenario's size (for node names) and whether
 * any cJSON allocation failed (checked once at the end). */
struct wr {
    int nodes;
    bool oom;
    char *err;
    size_t errcap;
    bool bad;
    /* Triggers name faults by their place in "faults": the file's index of
     * each scenario fault -> its place in the written list (-1: left out). */
    int *fault_map;
    int fault_map_count;
};

static cJSON *chk(struct wr *w, cJSON *item)
{
    if (!item)
        w->oom = true;
    return item;
}

static void add(struct wr *w, cJSON *obj, const char *key, cJSON *item)
{
    if (!item) {
        w->oom = true;
        return;
    }
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        w->oom = true;
    }
}

static void push(struct wr *w, cJSON *arr, cJSON *item)
{
    if (!item) {
        w->oom = true;
        return;
    }
    if (!cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        w->oom = true;
    }
}

static void add_str(struct wr *w, cJSON *obj, const char *key, const char *s)
{
    add(w, obj, key, cJSON_CreateString(s ? s : ""));
}

static void add_num(struct wr *w, cJSON *obj, const char *key, double x)
{
    add(w, obj, key, cJSON_CreateNumber(x));
}

static void add_bool(struct wr *w, cJSON *obj, const char *key, bool b)
{
    add(w, obj, key, cJSON_CreateBool(b));
}

/* A duration string that parses back to exactly `t` ("2s", "350ms",
 * "2000123us"); negative only for skews. */
void scenario_exact_duration(sim_time t, char *buf, size_t cap)
{
    if (t == 0)
        snprintf(buf, cap, "0");
    else if (t % SIM_S == 0)
        snprintf(buf, cap, "%llds", (long long)(t / SIM_S));
    else if (t % SIM_MS == 0)
        snprintf(buf, cap, "%lldms", (long long)(t / SIM_MS));
    else
        snprintf(buf, cap, "%lldus", (long long)t);
}

static void add_dur(struct wr *w, cJSON *obj, const char *key, sim_time t)
{
    char buf[40];
    scenario_exact_duration(t, buf, sizeof buf);
    add_str(w, obj, key, buf);
}

static cJSON *node_name(struct wr *w, int id)
{
    char buf[16];
    snprintf(buf, sizeof buf, "n%d", id + 1);
    return chk(w, cJSON_CreateString(buf));
}

static cJSON *node_list(struct wr *w, const int *ids, int count)
{
    cJSON *arr = chk(w, cJSON_CreateArray());
    for (int i = 0; arr && i < count; i++)
        push(w, arr, node_name(w, ids[i]));
    return arr;
}

static cJSON *node_set(struct wr *w, const struct node_set *set)
{
    if (set->all)
        return chk(w, cJSON_CreateString("*"));
    return node_list(w, set->nodes, set->count);
}

static cJSON *latency(struct wr *w, const struct latency *lat)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    switch (lat->dist) {
    case LAT_CONSTANT:
        add_str(w, o, "dist", "constant");
        add_dur(w, o, "value", lat->a);
        break;
    case LAT_UNIFORM:
        add_str(w, o, "dist", "uniform");
        add_dur(w, o, "min", lat->a);
        add_dur(w, o, "max", lat->b);
        break;
    case LAT_EXPONENTIAL:
        add_str(w, o, "dist", "exponential");
        add_dur(w, o, "mean", lat->a);
        add_dur(w, o, "floor", lat->c);
        break;
    case LAT_NORMAL:
        add_str(w, o, "dist", "normal");
        add_dur(w, o, "mean", lat->a);
        add_dur(w, o, "stddev", lat->b);
        add_dur(w, o, "floor", lat->c);
        break;
    }
    return o;
}

static void link_fields(struct wr *w, cJSON *o, const struct link_cfg *c)
{
    if (c->has_latency)
        add(w, o, "latency", latency(w, &c->latency));
    if (c->has_drop)
        add_num(w, o, "drop", c->drop);
    if (c->has_duplicate)
        add_num(w, o, "duplicate", c->duplicate);
}

static cJSON *network(struct wr *w, const struct network_cfg *n)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    link_fields(w, o, &n->link);
    if (n->fifo)
        add_bool(w, o, "fifo", true);
    cJSON *cl = chk(w, cJSON_CreateObject());
    if (cl) {
        link_fields(w, cl, &n->clients);
        add(w, o, "clients", cl);
    }
    if (n->link_count) {
        cJSON *links = chk(w, cJSON_CreateArray());
        for (int i = 0; links && i < n->link_count; i++) {
            const struct link_override *lo = &n->links[i];
            cJSON *l = chk(w, cJSON_CreateObject());
            if (!l)
                break;
            add(w, l, "from", node_set(w, &lo->from));
            add(w, l, "to", node_set(w, &lo->to));
            link_fields(w, l, &lo->cfg);
            push(w, links, l);
        }
        add(w, o, "links", links);
    }
    return o;
}

static const char *const op_names[6] = {"read", "write", "cas", "get", "put", "append"};

static cJSON *workload(struct wr *w, const struct workload_cfg *c)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    add_num(w, o, "clients", c->clients);
    if (c->closed)
        add_dur(w, o, "think", c->think);
    else
        add_num(w, o, "rate", c->rate);
    add_num(w, o, "keys", c->keys);
    cJSON *mix = chk(w, cJSON_CreateObject());
    for (int i = 0; mix && i < 6; i++)
        if (c->mix[i] > 0)
            add_num(w, mix, op_names[i], c->mix[i]);
    add(w, o, "mix", mix);
    add_dur(w, o, "timeout", c->timeout);
    add_num(w, o, "retries", c->attempts > 1 ? c->attempts - 1 : 0);
    add_dur(w, o, "retry_backoff", c->retry_backoff);
    add_dur(w, o, "redirect_backoff", c->redirect_backoff);
    add_dur(w, o, "start", c->start);
    add_dur(w, o, "stop", c->stop);
    if (c->connect == CONNECT_STICKY)
        add_str(w, o, "connect", "sticky");
    else if (c->connect == CONNECT_RANDOM)
        add_str(w, o, "connect", "random");
    else
        add(w, o, "connect", node_name(w, c->connect));
    return o;
}

static cJSON *target(struct wr *w, const struct fault_target *t)
{
    if (t->node >= 0)
        return node_name(w, t->node);
    return chk(w, cJSON_CreateString(t->role));
}

static void bad(struct wr *w, const char *what)
{
    if (!w->bad)
        snprintf(w->err, w->errcap, "%s", what);
    w->bad = true;
}

/* An "on" object (format version 2); every field the loader reads back. */
static cJSON *trigger(struct wr *w, const struct trigger *t)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    const char *key = scenario_trigger_name(t->kind);
    switch (t->kind) {
    case TRIG_ROLE:
    case TRIG_NOTE:
        add_str(w, o, key, t->name);
        break;
    case TRIG_SEND:
    case TRIG_DELIVER:
        add_str(w, o, key, t->name);
        if (t->kind == TRIG_SEND ? t->node >= 0 : t->peer >= 0)
            add(w, o, "from", node_name(w, t->kind == TRIG_SEND ? t->node : t->peer));
        if (t->kind == TRIG_SEND ? t->peer >= 0 : t->node >= 0)
            add(w, o, "to", node_name(w, t->kind == TRIG_SEND ? t->peer : t->node));
        break;
    case TRIG_VIOLATION:
        add_str(w, o, key, t->name[0] ? t->name : "any");
        break;
    case TRIG_FAULT:
        if (t->fault_index >= 0) {
            int at = w->fault_map && t->fault_index < w->fault_map_count ? w->fault_map[t->fault_index]
                                                                          : -1;
            if (at < 0)
                bad(w, "a trigger waits for a fault that is left out (after the end of the run)");
            add_num(w, o, key, at);
        } else
            add_str(w, o, key, t->fault_kind >= 0 ? scenario_fault_name((enum fault_kind)t->fault_kind)
                                                  : "any");
        break;
    default:
        bad(w, "cannot write an unknown trigger kind to a scenario file");
        break;
    }
    if (t->kind != TRIG_SEND && t->kind != TRIG_DELIVER && t->node >= 0)
        add(w, o, "node", node_name(w, t->node));
    if (t->has_term)
        add_num(w, o, "term", (double)t->term);
    if (t->count > 1)
        add_num(w, o, "count", (double)t->count);
    if (t->delay > 0)
        add_dur(w, o, "delay", t->delay);
    if (t->every)
        add_str(w, o, "repeat", "every");
    return o;
}

static cJSON *fault(struct wr *w, const struct fault *f)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    if (f->on.kind == TRIG_NONE || f->at > 0)
        add_dur(w, o, "at", f->at);
    if (f->on.kind != TRIG_NONE)
        add(w, o, "on", trigger(w, &f->on));
    const char *name = scenario_fault_name(f->kind);
    switch (f->kind) {
    case FAULT_CRASH:
    case FAULT_RECOVER:
    case FAULT_ISOLATE:
        add(w, o, name, target(w, &f->target));
        if (f->kind == FAULT_CRASH && f->lose_unsynced)
            add_bool(w, o, "lose_unsynced", true);
        break;
    case FAULT_PARTITION: {
        cJSON *groups = chk(w, cJSON_CreateArray());
        for (int g = 0; groups && g < f->group_count; g++)
            push(w, groups, node_list(w, f->groups[g], f->group_sizes[g]));
        add(w, o, name, groups);
        if (f->bridge >= 0)
            add(w, o, "bridge", node_name(w, f->bridge));
        break;
    }
    case FAULT_CUT: {
        cJSON *cut = chk(w, cJSON_CreateObject());
        if (cut) {
            add(w, cut, "from", node_set(w, &f->from));
            add(w, cut, "to", node_set(w, &f->to));
            if (f->both)
                add_bool(w, cut, "both", true);
        }
        add(w, o, name, cut);
        break;
    }
    case FAULT_HEAL:
        add_bool(w, o, name, true);
        break;
    case FAULT_FLAP:
        add(w, o, name, node_list(w, f->from.nodes, f->from.count));
        add_dur(w, o, "period", f->period);
        break;
    case FAULT_CLOCK:
        add(w, o, name, target(w, &f->target));
        if (f->has_drift)
            add_num(w, o, "drift", (double)f->drift_ppm / 1e6);
        if (f->has_skew)
            add_dur(w, o, "skew", f->skew);
        break;
    case FAULT_SLOW:
        add(w, o, name, target(w, &f->target));
        add_dur(w, o, "delay", f->delay);
        break;
    case FAULT_DROP:
    case FAULT_DUPLICATE:
        add_num(w, o, name, f->probability);
        break;
    case FAULT_DROP_MESSAGE:
        add_num(w, o, name, (double)f->msg_id);
        break;
    default:
        if (!w->bad)
            snprintf(w->err, w->errcap, "cannot write fault kind %d (%s) to a scenario file",
                     (int)f->kind, name);
        w->bad = true;
        break;
    }
    if (f->duration > 0 && f->kind != FAULT_RECOVER && f->kind != FAULT_HEAL &&
        f->kind != FAULT_DROP_MESSAGE)
        add_dur(w, o, "for", f->duration);
    return o;
}

static bool has_triggers(const struct scenario *sc)
{
    for (int i = 0; i < sc->fault_count; i++)
        if (sc->faults[i].on.kind != TRIG_NONE)
            return true;
    for (int i = 0; i < sc->caption_count; i++)
        if (sc->captions[i].on.kind != TRIG_NONE)
            return true;
    return false;
}

/* The faults to write, in order, into *out (malloc'd; NULL when none);
 * returns how many, or -1 when out of memory. Faults after `end` are left
 * out. Without triggers: a stable merge of two lists in time order, the
 * scenario's faults first at equal times, which is the order the engine
 * applies them in. With triggers, which name faults by their place in the
 * file: the scenario's faults in file order, then the extra ones in time
 * order; loading sorts them by time, stably, to the same schedule. */
/* Whether the fault at file index `index` is written: it is not after the
 * end, and a fault it waits for ("on": {"fault": I}) is written too (a fault
 * left out never fires, so what waits for it would never fire either). */
static bool fault_kept(const struct scenario *sc, int index, sim_time end, int depth)
{
    for (int i = 0; i < sc->fault_count; i++) {
        const struct fault *f = &sc->faults[i];
        if (f->index != index)
            continue;
        if (f->at > end)
            return false;
        if (f->on.kind == TRIG_FAULT && f->on.fault_index >= 0 && depth < sc->fault_count)
            return fault_kept(sc, f->on.fault_index, end, depth + 1);
        return true;
    }
    return false;
}

static int fault_order(const struct scenario *sc, const struct scenario_write_opts *o,
                       sim_time end, const struct fault ***out)
{
    *out = NULL;
    int total = sc->fault_count + o->extra_count, n = 0;
    if (!total)
        return 0;
    const struct fault **list = malloc((size_t)total * sizeof *list);
    if (!list)
        return -1;
    if (has_triggers(sc)) {
        for (int k = 0; k < sc->fault_count; k++) /* file order: index k */
            for (int i = 0; i < sc->fault_count; i++)
                if (sc->faults[i].index == k && fault_kept(sc, k, end, 0))
                    list[n++] = &sc->faults[i];
        for (int j = 0; j < o->extra_count; j++)
            if (o->extra[j].at <= end)
                list[n++] = &o->extra[j];
    } else {
        int i = 0, j = 0;
        while (i < sc->fault_count || j < o->extra_count) {
            const struct fault *f;
            if (j >= o->extra_count || (i < sc->fault_count && sc->faults[i].at <= o->extra[j].at))
                f = &sc->faults[i++];
            else
                f = &o->extra[j++];
            if (f->at <= end)
                list[n++] = f;
        }
    }
    *out = list;
    return n;
}

static cJSON *faults(struct wr *w, const struct scenario *sc, const struct scenario_write_opts *o,
                     sim_time end)
{
    cJSON *arr = chk(w, cJSON_CreateArray());
    const struct fault **list;
    int n = fault_order(sc, o, end, &list);
    if (n < 0)
        w->oom = true;
    /* Where each scenario fault lands, for the triggers that name it. */
    if (sc->fault_count && has_triggers(sc)) {
        w->fault_map_count = sc->fault_count;
        if (!(w->fault_map = malloc((size_t)sc->fault_count * sizeof *w->fault_map)))
            w->oom = true;
        for (int i = 0; w->fault_map && i < sc->fault_count; i++) {
            int index = sc->faults[i].index;
            if (index < 0 || index >= sc->fault_count)
                continue;
            w->fault_map[index] = -1;
            for (int k = 0; k < n; k++)
                if (list[k] == &sc->faults[i])
                    w->fault_map[index] = k;
        }
    }
    for (int k = 0; arr && k < n; k++)
        push(w, arr, fault(w, list[k]));
    free(list);
    return arr;
}

static cJSON *nemesis(struct wr *w, const struct nemesis_cfg *nm)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    add_dur(w, o, "start", nm->start);
    add_dur(w, o, "until", nm->until);
    cJSON *r = chk(w, cJSON_CreateObject());
    if (r) {
        add_dur(w, r, "min", nm->interval_min);
        add_dur(w, r, "max", nm->interval_max);
    }
    add(w, o, "interval", r);
    r = chk(w, cJSON_CreateObject());
    if (r) {
        add_dur(w, r, "min", nm->duration_min);
        add_dur(w, r, "max", nm->duration_max);
    }
    add(w, o, "duration", r);
    cJSON *weights = chk(w, cJSON_CreateObject());
    for (int k = 0; weights && k < NEM_KIND_COUNT; k++)
        add_num(w, weights, scenario_nemesis_name((enum nemesis_kind)k), nm->weight[k]);
    add(w, o, "faults", weights);
    add_num(w, o, "max_down", nm->max_down);
    if (nm->lose_unsynced)
        add_bool(w, o, "lose_unsynced", true);
    add_num(w, o, "drift_max", (double)nm->drift_max_ppm / 1e6);
    add_dur(w, o, "skew_max", nm->skew_max);
    add_dur(w, o, "slow_max", nm->slow_max);
    add_num(w, o, "loss_max", nm->loss_max);
    add_num(w, o, "duplicate_max", nm->duplicate_max);
    add_dur(w, o, "flap_period", nm->flap_period);
    return o;
}

static void count_or_some(struct wr *w, cJSON *o, const char *key, int64_t v)
{
    if (v == -2)
        add_str(w, o, key, "some");
    else if (v >= 0)
        add_num(w, o, key, (double)v);
}

static cJSON *expect(struct wr *w, const struct expect_cfg *e)
{
    cJSON *o = chk(w, cJSON_CreateObject());
    if (!o)
        return NULL;
    if (e->violations == EXPECT_NONE)
        add_str(w, o, "violations", "none");
    else if (e->violations == EXPECT_SOME)
        add_str(w, o, "violations", "some");
    else if (e->violations == EXPECT_LIST) {
        cJSON *arr = chk(w, cJSON_CreateArray());
        for (int i = 0; arr && i < e->violation_count; i++)
            push(w, arr, chk(w, cJSON_CreateString(e->violation_names[i])));
        add(w, o, "violations", arr);
    }
    if (e->linearizable >= 0)
        add_bool(w, o, "linearizable", e->linearizable == 1);
    if (e->ok_ops_at_least >= 0)
        add_num(w, o, "ok_ops_at_least", (double)e->ok_ops_at_least);
    if (e->availability_at_least >= 0)
        add_num(w, o, "availability_at_least", e->availability_at_least);
    count_or_some(w, o, "lost_writes", e->lost_writes);
    count_or_some(w, o, "stale_reads", e->stale_reads);
    count_or_some(w, o, "blocked_at_end", e->blocked_at_end);
    if (e->leader_within >= 0 && e->leader_from == LEADER_FROM_ANY)
        add_dur(w, o, "leader_within", e->leader_within);
    else if (e->leader_within >= 0) {
        cJSON *lw = chk(w, cJSON_CreateObject());
        if (lw) {
            add_str(w, lw, "after", e->leader_from == LEADER_FROM_FAULT ? "fault" : "heal");
            add_dur(w, lw, "within", e->leader_within);
        }
        add(w, o, "leader_within", lw);
    }
    if (e->max_leaders >= 0)
        add_num(w, o, "max_leaders", e->max_leaders);
    if (e->metric_count) {
        cJSON *m = chk(w, cJSON_CreateObject());
        for (int i = 0; m && i < e->metric_count; i++) {
            const struct metric_expect *me = &e->metrics[i];
            cJSON *r = chk(w, cJSON_CreateObject());
            if (!r)
                break;
            if (me->has_min)
                add_num(w, r, "min", (double)me->min);
            if (me->has_max)
                add_num(w, r, "max", (double)me->max);
            add(w, m, me->name, r);
        }
        add(w, o, "metrics", m);
    }
    return o;
}

cJSON *scenario_to_json(const struct scenario *sc, const struct scenario_write_opts *o,
                        char *err, size_t errcap)
{
    static const struct scenario_write_opts none = {0};
    if (!o)
        o = &none;
    if (errcap)
        err[0] = '\0';
    struct wr w = {sc->nodes, false, err, errcap, false, NULL, 0};
    sim_time end = o->duration > 0 ? o->duration : sc->duration;
    uint64_t seed = o->seed_set ? o->seed : sc->seed;
    if (seed > ((uint64_t)1 << 53)) {
        /* JSON numbers are exact only up to 2^53; the loader refuses more. */
        snprintf(err, errcap, "seed %llu is too large for a scenario file (at most 2^53)",
                 (unsigned long long)seed);
        return NULL;
    }
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        snprintf(err, errcap, "out of memory writing the scenario");
        return NULL;
    }
    if (sc->version >= 2) /* version 1 files are written as they always were */
        add_num(&w, root, "version", sc->version);
    add_str(&w, root, "name", sc->name);
    add_str(&w, root, "title", sc->title);
    add_str(&w, root, "lesson", sc->lesson);
    add_str(&w, root, "protocol", sc->protocol);
    if (sc->params)
        add(&w, root, "params", cJSON_Duplicate(sc->params, true));
    add_num(&w, root, "nodes", sc->nodes);
    add_num(&w, root, "seed", (double)seed);
    add_dur(&w, root, "duration", end);
    if (sc->lose_unsynced) {
        cJSON *st = chk(&w, cJSON_CreateObject());
        if (st)
            add_bool(&w, st, "lose_unsynced", true);
        add(&w, root, "storage", st);
    }
    add(&w, root, "network", network(&w, &sc->network));
    add(&w, root, "workload", workload(&w, &sc->workload));
    if (sc->fault_count || o->extra_count)
        add(&w, root, "faults", faults(&w, sc, o, end));
    if (sc->nemesis.enabled)
        add(&w, root, "nemesis", nemesis(&w, &sc->nemesis));
    if (sc->caption_count) {
        cJSON *caps = chk(&w, cJSON_CreateArray());
        for (int i = 0; caps && i < sc->caption_count; i++) {
            cJSON *c = chk(&w, cJSON_CreateObject());
            if (!c)
                break;
            const struct caption *cap = &sc->captions[i];
            if (cap->on.kind == TRIG_FAULT && cap->on.fault_index >= 0 &&
                !fault_kept(sc, cap->on.fault_index, end, 0)) {
                cJSON_Delete(c); /* it waits for a fault left out: it never fires */
                continue;
            }
            if (cap->on.kind == TRIG_NONE || cap->at > 0)
                add_dur(&w, c, "at", cap->at);
            if (cap->on.kind != TRIG_NONE)
                add(&w, c, "on", trigger(&w, &cap->on));
            add_str(&w, c, "text", cap->text);
            push(&w, caps, c);
        }
        add(&w, root, "captions", caps);
    }
    const struct expect_cfg *e = &sc->expect;
    bool has_expect = e->violations != EXPECT_UNSET || e->linearizable >= 0 ||
                      e->ok_ops_at_least >= 0 || e->availability_at_least >= 0 ||
                      e->lost_writes != -1 || e->stale_reads != -1 || e->blocked_at_end != -1 ||
                      e->leader_within >= 0 || e->max_leaders >= 0 || e->metric_count;
    if (has_expect && !o->drop_expect)
        add(&w, root, "expect", expect(&w, e));
    free(w.fault_map);
    if (w.bad || w.oom) {
        if (w.oom)
            snprintf(err, errcap, "out of memory writing the scenario");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* ---- text: the layout people write by hand ------------------------------------------- */

struct sbuf {
    char *data;
    size_t len, cap;
    bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* Appends cJSON's compact form with a space after each ':' and ',' outside
 * strings, for legibility ({"at": "2s", "crash": "n1"}). */
static void sb_item(struct sbuf *b, const cJSON *item)
{
    char *s = cJSON_PrintUnformatted(item);
    if (!s) {
        b->oom = true;
        return;
    }
    bool in_str = false;
    for (const char *p = s; *p; p++) {
        sb_put(b, p, 1);
        if (in_str) {
            if (*p == '\\' && p[1])
                sb_put(b, ++p, 1);
            else if (*p == '"')
                in_str = false;
        } else if (*p == '"')
            in_str = true;
        else if (*p == ':' || *p == ',')
            sb_put(b, " ", 1);
    }
    cJSON_free(s);
}

char *scenario_to_text(const struct scenario *sc, const struct scenario_write_opts *o,
                       char *err, size_t errcap)
{
    cJSON *root = scenario_to_json(sc, o, err, errcap);
    if (!root)
        return NULL;
    struct sbuf b = {0};
    sb_str(&b, "{\n");
    for (const cJSON *it = root->child; it; it = it->next) {
        char *key = cJSON_PrintUnformatted(&(cJSON){.type = cJSON_String, .valuestring = it->string});
        if (!key) {
            b.oom = true;
            break;
        }
        sb_str(&b, "  ");
        sb_str(&b, key);
        sb_str(&b, ": ");
        cJSON_free(key);
        if (cJSON_IsArray(it) && it->child && cJSON_IsObject(it->child)) {
            sb_str(&b, "[\n");
            for (const cJSON *el = it->child; el; el = el->next) {
                sb_str(&b, "    ");
                sb_item(&b, el);
                sb_str(&b, el->next ? ",\n" : "\n");
            }
            sb_str(&b, "  ]");
        } else
            sb_item(&b, it);
        sb_str(&b, it->next ? ",\n" : "\n");
    }
    sb_str(&b, "}\n");
    cJSON_Delete(root);
    if (b.oom) {
        free(b.data);
        snprintf(err, errcap, "out of memory writing the scenario");
        return NULL;
    }
    return b.data;
}

/* ---- files ---------------------------------------------------------------------------- */

int scenario_write_file(const char *path, const struct scenario *sc,
                        const struct scenario_write_opts *o, char *err, size_t errcap)
{
    char *text = scenario_to_text(sc, o, err, errcap);
    if (!text)
        return strstr(err, "out of memory") ? SIM_ENOMEM : SIM_EINVAL;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(text);
        snprintf(err, errcap, "out of memory writing %s", path);
        return SIM_ENOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        free(tmp);
        free(text);
        return SIM_EIO;
    }
    size_t len = strlen(text), done = 0;
    int rc = SIM_OK;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errcap, "%s: cannot write: %s", path, n < 0 ? strerror(errno) : "short write");
            rc = SIM_EIO;
            break;
        }
        done += (size_t)n;
    }
    /* mkstemp makes the file private; a scenario is meant to be shared. */
    mode_t mask = umask(0);
    umask(mask);
    if (!rc && fchmod(fd, 0666 & ~mask) != 0) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        rc = SIM_EIO;
    }
    if (!rc && fsync(fd) != 0) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        rc = SIM_EIO;
    }
    if (close(fd) != 0 && !rc) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        rc = SIM_EIO;
    }
    if (!rc && rename(tmp, path) != 0) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        rc = SIM_EIO;
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    free(text);
    return rc;
}

int scenario_with_faults(const struct scenario *sc, const struct scenario_write_opts *o,
                         struct scenario **out, char *err, size_t errcap)
{
    *out = NULL;
    char *text = scenario_to_text(sc, o, err, errcap);
    if (!text)
        return strstr(err, "out of memory") ? SIM_ENOMEM : SIM_EINVAL;
    int rc = scenario_parse(text, strlen(text), sc->file ? sc->file : sc->name, out, err, errcap);
    free(text);
    return rc;
}
