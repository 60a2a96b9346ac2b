/* scenario.c - loads scenario files with cJSON, strictly: unknown keys, wrong
 * types, bad durations, unknown nodes and overlapping partition groups are
 * errors that name the file, the JSON path and what was expected. Reads
 * format version 2's event triggers ("on") too; the names they use that
 * only the protocol knows are checked by sim/trigger.c at sim_create. */
#include "sim/scenario.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loader's context: where we are reading and where errors go. */
struct rd {
    const char *file;
    char *err;
    size_t errcap;
    int nodes;  /* known once "nodes" is read; node names are checked against it */
    int version;  /* the file's "version", 0 when absent */
};

#define PATH_MAX_LEN 160

static int fail(struct rd *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct rd *r, const char *path, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->errcap)
        snprintf(r->err, r->errcap, "%s: %s: %s", r->file, path && *path ? path : "top level",
                 msg);
    return SIM_EINVAL;
}

static void subpath(char *out, const char *path, const char *key)
{
    if (path && *path)
        snprintf(out, PATH_MAX_LEN, "%s.%s", path, key);
    else
        snprintf(out, PATH_MAX_LEN, "%s", key);
}

static void indexpath(char *out, const char *path, int i)
{
    snprintf(out, PATH_MAX_LEN, "%s[%d]", path, i);
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "something else";
}

/* Rejects keys outside `allowed` (NULL-terminated) and duplicate keys. */
static int check_keys(struct rd *r, const cJSON *obj, const char *path,
                      const char *const *allowed)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(it->string, *a) == 0)
                ok = 1;
        if (!ok) {
            char list[256] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a && used + 2 < sizeof list; a++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         a == allowed ? "" : ", ", *a);
            char p[PATH_MAX_LEN];
            subpath(p, path, it->string);
            return fail(r, p, "unknown key \"%s\" (expected one of: %s)", it->string, list);
        }
        for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
            if (strcmp(prev->string, it->string) == 0) {
                char p[PATH_MAX_LEN];
                subpath(p, path, it->string);
                return fail(r, p, "duplicate key \"%s\"", it->string);
            }
    }
    return SIM_OK;
}

static int want_object(struct rd *r, const cJSON *v, const char *path)
{
    if (!cJSON_IsObject(v))
        return fail(r, path, "expected an object, got %s", type_name(v));
    return SIM_OK;
}

static int want_string(struct rd *r, const cJSON *v, const char *path, char **out)
{
    if (!cJSON_IsString(v))
        return fail(r, path, "expected a string, got %s", type_name(v));
    char *s = strdup(v->valuestring);
    if (!s)
        return SIM_ENOMEM;
    free(*out);
    *out = s;
    return SIM_OK;
}

static int want_bool(struct rd *r, const cJSON *v, const char *path, bool *out)
{
    if (!cJSON_IsBool(v))
        return fail(r, path, "expected true or false, got %s", type_name(v));
    *out = cJSON_IsTrue(v);
    return SIM_OK;
}

static int want_int(struct rd *r, const cJSON *v, const char *path, int64_t min, int64_t max,
                    int64_t *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 9007199254740992.0)
        return fail(r, path, "expected an integer, got %s",
                    cJSON_IsNumber(v) ? "a fraction" : type_name(v));
    int64_t x = (int64_t)v->valuedouble;
    if (x < min || x > max)
        return fail(r, path, "expected an integer from %lld to %lld, got %lld", (long long)min,
                    (long long)max, (long long)x);
    *out = x;
    return SIM_OK;
}

static int want_number(struct rd *r, const cJSON *v, const char *path, double min, double max,
                       double *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return fail(r, path, "expected a number, got %s", type_name(v));
    if (v->valuedouble < min || v->valuedouble > max)
        return fail(r, path, "expected a number from %g to %g, got %g", min, max,
                    v->valuedouble);
    *out = v->valuedouble;
    return SIM_OK;
}

static int want_probability(struct rd *r, const cJSON *v, const char *path, double *out)
{
    return want_number(r, v, path, 0.0, 1.0, out);
}

static int want_duration(struct rd *r, const cJSON *v, const char *path, bool allow_negative,
                         sim_time *out)
{
    if (!cJSON_IsString(v))
        return fail(r, path, "expected a duration string such as \"10ms\", \"1.5s\" or \"250us\", got %s",
                    type_name(v));
    if (scenario_parse_duration(v->valuestring, allow_negative, out) != SIM_OK)
        return fail(r, path,
                    "expected a duration such as \"10ms\", \"1.5s\" or \"250us\"%s, got \"%s\"",
                    allow_negative ? " (a leading - is allowed)" : "", v->valuestring);
    return SIM_OK;
}

static int want_node(struct rd *r, const cJSON *v, const char *path, int *out)
{
    if (!cJSON_IsString(v))
        return fail(r, path, "expected a node name (n1..n%d), got %s", r->nodes, type_name(v));
    int id = scenario_node_id(v->valuestring, r->nodes);
    if (id < 0)
        return fail(r, path, "expected a node name (n1..n%d), got \"%s\"", r->nodes,
                    v->valuestring);
    *out = id;
    return SIM_OK;
}

/* A target: a node name, a role name resolved when the fault fires, or
 * "$node" (the node of the triggering event) when `triggered`. */
static int want_target(struct rd *r, const cJSON *v, const char *path, bool triggered,
                       struct fault_target *t)
{
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail(r, path, "expected a node name (n1..n%d) or a role such as \"leader\", got %s",
                    r->nodes, type_name(v));
    const char *s = v->valuestring;
    if (strcmp(s, "$node") == 0) {
        if (!triggered)
            return fail(r, path, "\"$node\" stands for the node of the event in \"on\", and this fault has no \"on\"");
        t->node = TARGET_EVENT_NODE;
        snprintf(t->role, sizeof t->role, "$node");
        return SIM_OK;
    }
    int id = scenario_node_id(s, r->nodes);
    if (id >= 0) {
        t->node = id;
        t->role[0] = '\0';
        return SIM_OK;
    }
    if (s[0] == 'n' && s[1] >= '0' && s[1] <= '9')
        return fail(r, path, "unknown node \"%s\" (this scenario has n1..n%d)", s, r->nodes);
    if (strlen(s) >= sizeof t->role)
        return fail(r, path, "role name \"%.40s...\" is too long", s);
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_'))
            return fail(r, path,
                        "expected a node name (n1..n%d) or a role in lower case such as \"leader\", got \"%s\"",
                        r->nodes, s);
    t->node = -1;
    snprintf(t->role, sizeof t->role, "%s", s);
    return SIM_OK;
}

/* "n1", ["n1", "n2"] or "*" (every node). */
static int want_node_set(struct rd *r, const cJSON *v, const char *path, struct node_set *set)
{
    set->all = false;
    set->count = 0;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "*") == 0) {
        set->all = true;
        return SIM_OK;
    }
    if (cJSON_IsString(v)) {
        set->nodes = malloc(sizeof *set->nodes);
        if (!set->nodes)
            return SIM_ENOMEM;
        set->count = 1;
        return want_node(r, v, path, &set->nodes[0]);
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return fail(r, path, "expected a node name, a non-empty list of node names, or \"*\", got %s",
                    type_name(v));
    int n = cJSON_GetArraySize(v);
    set->nodes = calloc((size_t)n, sizeof *set->nodes);
    if (!set->nodes)
        return SIM_ENOMEM;
    int i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char p[PATH_MAX_LEN];
        indexpath(p, path, i);
        int rc = want_node(r, it, p, &set->nodes[i]);
        if (rc)
            return rc;
        for (int j = 0; j < i; j++)
            if (set->nodes[j] == set->nodes[i])
                return fail(r, p, "node \"%s\" is listed twice", it->valuestring);
        set->count = i + 1;
    }
    return SIM_OK;
}

static int want_rate(struct rd *r, const cJSON *v, const char *path, double *out)
{
    if (cJSON_IsNumber(v))
        return want_number(r, v, path, 1e-9, 1e9, out);
    if (cJSON_IsString(v)) {
        char *end;
        errno = 0;
        double x = strtod(v->valuestring, &end);
        if (errno == 0 && end != v->valuestring && x > 0 && x < 1e9 && isfinite(x)) {
            if (strcmp(end, "/s") == 0) {
                *out = x;
                return SIM_OK;
            }
            if (strcmp(end, "/ms") == 0) {
                *out = x * 1000.0;
                return SIM_OK;
            }
        }
    }
    return fail(r, path, "expected a rate such as \"50/s\" or \"2/ms\", got %s%s%s",
                cJSON_IsString(v) ? "\"" : type_name(v), cJSON_IsString(v) ? v->valuestring : "",
                cJSON_IsString(v) ? "\"" : "");
}

/* ---- network ----------------------------------------------------------------- */

static int read_latency(struct rd *r, const cJSON *v, const char *path, struct latency *lat)
{
    if (cJSON_IsString(v)) { /* shorthand: a constant */
        lat->dist = LAT_CONSTANT;
        return want_duration(r, v, path, false, &lat->a);
    }
    int rc = want_object(r, v, path);
    if (rc)
        return rc;
    const cJSON *dist = cJSON_GetObjectItemCaseSensitive(v, "dist");
    char p[PATH_MAX_LEN];
    subpath(p, path, "dist");
    if (!dist)
        return fail(r, path, "missing \"dist\" (constant, uniform, exponential or normal)");
    if (!cJSON_IsString(dist))
        return fail(r, p, "expected \"constant\", \"uniform\", \"exponential\" or \"normal\", got %s",
                    type_name(dist));
    static const char *const k_constant[] = {"dist", "value", NULL};
    static const char *const k_uniform[] = {"dist", "min", "max", NULL};
    static const char *const k_exponential[] = {"dist", "mean", "floor", NULL};
    static const char *const k_normal[] = {"dist", "mean", "stddev", "floor", NULL};
    struct {
        const char *name;
        enum latency_dist dist;
        const char *const *keys;
        const char *a, *b, *c; /* required, required (or NULL), optional floor */
    } kinds[] = {
        {"constant", LAT_CONSTANT, k_constant, "value", NULL, NULL},
        {"uniform", LAT_UNIFORM, k_uniform, "min", "max", NULL},
        {"exponential", LAT_EXPONENTIAL, k_exponential, "mean", NULL, "floor"},
        {"normal", LAT_NORMAL, k_normal, "mean", "stddev", "floor"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(dist->valuestring, kinds[i].name) != 0)
            continue;
        if ((rc = check_keys(r, v, path, kinds[i].keys)))
            return rc;
        lat->dist = kinds[i].dist;
        lat->a = lat->b = lat->c = 0;
        const char *names[3] = {kinds[i].a, kinds[i].b, kinds[i].c};
        sim_time *slots[3] = {&lat->a, &lat->b, &lat->c};
        for (int k = 0; k < 3; k++) {
            if (!names[k])
                continue;
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, names[k]);
            subpath(p, path, names[k]);
            if (!f) {
                if (k == 2)
                    continue; /* the floor is optional */
                return fail(r, path, "missing \"%s\" for dist \"%s\"", names[k], kinds[i].name);
            }
            if ((rc = want_duration(r, f, p, false, slots[k])))
                return rc;
        }
        if (lat->dist == LAT_UNIFORM && lat->b < lat->a) {
            subpath(p, path, "max");
            return fail(r, p, "max must not be below min");
        }
        return SIM_OK;
    }
    return fail(r, p, "expected \"constant\", \"uniform\", \"exponential\" or \"normal\", got \"%s\"",
                dist->valuestring);
}

static int read_link_fields(struct rd *r, const cJSON *v, const char *path, struct link_cfg *cfg)
{
    char p[PATH_MAX_LEN];
    int rc = 0;
    const cJSON *f;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "latency"))) {
        subpath(p, path, "latency");
        if ((rc = read_latency(r, f, p, &cfg->latency)))
            return rc;
        cfg->has_latency = true;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "drop"))) {
        subpath(p, path, "drop");
        if ((rc = want_probability(r, f, p, &cfg->drop)))
            return rc;
        cfg->has_drop = true;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "duplicate"))) {
        subpath(p, path, "duplicate");
        if ((rc = want_probability(r, f, p, &cfg->duplicate)))
            return rc;
        cfg->has_duplicate = true;
    }
    return SIM_OK;
}

static int read_network(struct rd *r, const cJSON *v, struct network_cfg *net)
{
    static const char *const keys[] = {"latency", "drop", "duplicate", "fifo", "clients", "links",
                                       NULL};
    int rc;
    if ((rc = want_object(r, v, "network")) || (rc = check_keys(r, v, "network", keys)) ||
        (rc = read_link_fields(r, v, "network", &net->link)))
        return rc;
    const cJSON *f;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "fifo")) &&
        (rc = want_bool(r, f, "network.fifo", &net->fifo)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "clients"))) {
        static const char *const ck[] = {"latency", "drop", "duplicate", NULL};
        if ((rc = want_object(r, f, "network.clients")) ||
            (rc = check_keys(r, f, "network.clients", ck)) ||
            (rc = read_link_fields(r, f, "network.clients", &net->clients)))
            return rc;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "links"))) {
        if (!cJSON_IsArray(f))
            return fail(r, "network.links", "expected an array of link overrides, got %s",
                        type_name(f));
        int n = cJSON_GetArraySize(f);
        net->links = calloc((size_t)(n ? n : 1), sizeof *net->links);
        if (!net->links)
            return SIM_ENOMEM;
        int i = 0;
        static const char *const lk[] = {"from", "to", "latency", "drop", "duplicate", NULL};
        for (const cJSON *it = f->child; it; it = it->next, i++) {
            char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
            indexpath(p, "network.links", i);
            struct link_override *o = &net->links[i];
            net->link_count = i + 1;
            if ((rc = want_object(r, it, p)) || (rc = check_keys(r, it, p, lk)))
                return rc;
            const cJSON *from = cJSON_GetObjectItemCaseSensitive(it, "from");
            const cJSON *to = cJSON_GetObjectItemCaseSensitive(it, "to");
            if (!from || !to)
                return fail(r, p, "a link override needs \"from\" and \"to\" (node, list or \"*\")");
            subpath(q, p, "from");
            if ((rc = want_node_set(r, from, q, &o->from)))
                return rc;
            subpath(q, p, "to");
            if ((rc = want_node_set(r, to, q, &o->to)))
                return rc;
            if ((rc = read_link_fields(r, it, p, &o->cfg)))
                return rc;
        }
    }
    return SIM_OK;
}

/* ---- workload -------------------------------------------------------------------- */

static const char *const op_names[7] = {"read", "write", "cas", "get", "put", "append", NULL};

static int read_workload(struct rd *r, const cJSON *v, struct workload_cfg *w, sim_time duration)
{
    static const char *const keys[] = {"clients", "rate", "think", "keys", "mix", "timeout",
                                       "retries", "retry_backoff", "redirect_backoff", "start",
                                       "stop", "connect", NULL};
    int rc;
    if ((rc = want_object(r, v, "workload")) || (rc = check_keys(r, v, "workload", keys)))
        return rc;
    const cJSON *f;
    int64_t x;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "clients"))) {
        if ((rc = want_int(r, f, "workload.clients", 0, 100000, &x)))
            return rc;
        w->clients = (int)x;
    }
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(v, "rate");
    const cJSON *think = cJSON_GetObjectItemCaseSensitive(v, "think");
    if (rate && think)
        return fail(r, "workload", "give either \"rate\" (open loop) or \"think\" (closed loop), not both");
    if (rate) {
        w->closed = false;
        if ((rc = want_rate(r, rate, "workload.rate", &w->rate)))
            return rc;
    }
    if (think && (rc = want_duration(r, think, "workload.think", false, &w->think)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "keys"))) {
        if ((rc = want_int(r, f, "workload.keys", 1, 1000000, &x)))
            return rc;
        w->keys = (int)x;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "mix"))) {
        if ((rc = want_object(r, f, "workload.mix")) ||
            (rc = check_keys(r, f, "workload.mix", op_names)))
            return rc;
        double total = 0;
        bool reg = false, kv = false;
        for (int i = 0; i < 6; i++) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, op_names[i]);
            w->mix[i] = 0;
            if (!m)
                continue;
            char p[PATH_MAX_LEN];
            subpath(p, "workload.mix", op_names[i]);
            if ((rc = want_number(r, m, p, 0.0, 1e9, &w->mix[i])))
                return rc;
            total += w->mix[i];
            if (w->mix[i] > 0)
                *(i < 3 ? &reg : &kv) = true;
        }
        if (total <= 0)
            return fail(r, "workload.mix", "expected at least one operation with a weight above 0");
        if (reg && kv)
            return fail(r, "workload.mix",
                        "register operations (read, write, cas) and key-value operations (get, put, append) cannot be mixed");
        w->model = kv ? MODEL_KV : MODEL_REGISTER;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "timeout")) &&
        (rc = want_duration(r, f, "workload.timeout", false, &w->timeout)))
        return rc;
    if (w->timeout <= 0)
        return fail(r, "workload.timeout", "expected a timeout above 0");
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "retries"))) {
        if ((rc = want_int(r, f, "workload.retries", 0, 100, &x)))
            return rc;
        w->attempts = (int)x + 1;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "retry_backoff")) &&
        (rc = want_duration(r, f, "workload.retry_backoff", false, &w->retry_backoff)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "redirect_backoff")) &&
        (rc = want_duration(r, f, "workload.redirect_backoff", false, &w->redirect_backoff)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "start")) &&
        (rc = want_duration(r, f, "workload.start", false, &w->start)))
        return rc;
    w->stop = duration;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "stop")) &&
        (rc = want_duration(r, f, "workload.stop", false, &w->stop)))
        return rc;
    if (w->stop < w->start)
        return fail(r, "workload.stop", "must not be before workload.start");
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "connect"))) {
        if (cJSON_IsString(f) && strcmp(f->valuestring, "sticky") == 0)
            w->connect = CONNECT_STICKY;
        else if (cJSON_IsString(f) && strcmp(f->valuestring, "random") == 0)
            w->connect = CONNECT_RANDOM;
        else if (!cJSON_IsString(f) || (w->connect = scenario_node_id(f->valuestring, r->nodes)) < 0)
            return fail(r, "workload.connect",
                        "expected \"sticky\", \"random\" or a node name (n1..n%d)", r->nodes);
    }
    return SIM_OK;
}

/* ---- event triggers (format version 2) ------------------------------------------ */

static const char *const trigger_names[TRIG_KIND_COUNT] = {
    [TRIG_NONE] = "at",         [TRIG_ROLE] = "role",           [TRIG_SEND] = "send",
    [TRIG_DELIVER] = "deliver", [TRIG_NOTE] = "note",           [TRIG_VIOLATION] = "violation",
    [TRIG_FAULT] = "fault",
};

const char *scenario_trigger_name(enum trigger_kind kind)
{
    return (unsigned)kind < TRIG_KIND_COUNT ? trigger_names[kind] : "?";
}

int scenario_fault_kind(const char *name)
{
    for (int k = 0; k < FAULT_KIND_COUNT; k++)
        if (strcmp(name, scenario_fault_name((enum fault_kind)k)) == 0)
            return k;
    return -1;
}

/* Fault kinds that hit one node (and so give "$node" a value). */
static bool fault_kind_hits_node(int kind)
{
    return kind < 0 || kind == FAULT_CRASH || kind == FAULT_RECOVER || kind == FAULT_ISOLATE ||
           kind == FAULT_CLOCK || kind == FAULT_SLOW;
}

bool scenario_trigger_has_node(const struct trigger *t, const struct scenario *sc)
{
    if (t->kind == TRIG_NONE)
        return false;
    if (t->kind != TRIG_FAULT)
        return true;
    if (t->fault_index >= 0) {
        for (int i = 0; i < sc->fault_count; i++)
            if (sc->faults[i].index == t->fault_index)
                return fault_kind_hits_node(sc->faults[i].kind);
        return false;
    }
    return fault_kind_hits_node(t->fault_kind);
}

/* A non-empty string that fits `cap` bytes with its NUL. */
static int want_name(struct rd *r, const cJSON *v, const char *path, const char *what,
                     char *out, size_t cap)
{
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail(r, path, "expected %s, got %s", what,
                    cJSON_IsString(v) ? "an empty string" : type_name(v));
    if (strlen(v->valuestring) >= cap)
        return fail(r, path, "at most %zu characters, got \"%.40s...\"", cap - 1, v->valuestring);
    snprintf(out, cap, "%s", v->valuestring);
    return SIM_OK;
}

/* "on": {"<event>": ..., filters..., "count"?, "delay"?, "repeat"?}. Names
 * of roles and message types are checked against the protocol when the
 * simulation is created (sim/trigger.c); everything else here. */
static int read_trigger(struct rd *r, const cJSON *v, const char *path, struct trigger *t)
{
    static const char *const keys[TRIG_KIND_COUNT][8] = {
        [TRIG_ROLE] = {"role", "node", "term", "count", "delay", "repeat"},
        [TRIG_SEND] = {"send", "from", "to", "count", "delay", "repeat"},
        [TRIG_DELIVER] = {"deliver", "from", "to", "count", "delay", "repeat"},
        [TRIG_NOTE] = {"note", "node", "count", "delay", "repeat"},
        [TRIG_VIOLATION] = {"violation", "node", "count", "delay", "repeat"},
        [TRIG_FAULT] = {"fault", "node", "count", "delay", "repeat"},
    };
    int rc;
    if ((rc = want_object(r, v, path)))
        return rc;
    if (r->version == 1)
        return fail(r, path, "event triggers need scenario format version 2 (\"version\": 2, or no \"version\")");
    memset(t, 0, sizeof *t);
    t->node = t->peer = -1;
    t->fault_kind = t->fault_index = -1;
    t->count = 1;
    const cJSON *event = NULL;
    for (const cJSON *it = v->child; it; it = it->next)
        for (int k = TRIG_ROLE; k < TRIG_KIND_COUNT; k++)
            if (strcmp(it->string, trigger_names[k]) == 0) {
                if (event)
                    return fail(r, path, "one event per trigger: found both \"%s\" and \"%s\"",
                                event->string, it->string);
                event = it;
                t->kind = (enum trigger_kind)k;
            }
    if (!event)
        return fail(r, path, "expected one event: role, send, deliver, note, violation or fault");
    if ((rc = check_keys(r, v, path, keys[t->kind])))
        return rc;
    char p[PATH_MAX_LEN];
    subpath(p, path, event->string);
    switch (t->kind) {
    case TRIG_ROLE:
        rc = want_name(r, event, p, "a role name such as \"leader\"", t->name, sizeof t->name);
        break;
    case TRIG_SEND:
    case TRIG_DELIVER:
        rc = want_name(r, event, p, "a message type such as \"AppendEntries\"", t->name,
                       sizeof t->name);
        break;
    case TRIG_NOTE:
        rc = want_name(r, event, p, "text to find in a protocol note", t->name, sizeof t->name);
        break;
    case TRIG_VIOLATION:
        rc = want_name(r, event, p, "an invariant name such as \"split-brain\", or \"any\"",
                       t->name, sizeof t->name);
        if (!rc && strcmp(t->name, "any") == 0)
            t->name[0] = '\0';
        break;
    case TRIG_FAULT:
        if (cJSON_IsNumber(event)) {
            int64_t x;
            if ((rc = want_int(r, event, p, 0, 1000000, &x)))
                return rc;
            t->fault_index = (int)x;
            snprintf(t->name, sizeof t->name, "faults[%d]", t->fault_index);
        } else if (cJSON_IsString(event) && strcmp(event->valuestring, "any") == 0) {
            snprintf(t->name, sizeof t->name, "any");
        } else if (cJSON_IsString(event) && scenario_fault_kind(event->valuestring) >= 0) {
            t->fault_kind = scenario_fault_kind(event->valuestring);
            snprintf(t->name, sizeof t->name, "%s", event->valuestring);
        } else
            return fail(r, p, "expected a fault kind (crash, recover, partition, isolate, cut, heal, flap, clock, slow, drop, duplicate, drop_message), \"any\" or a position in \"faults\" such as 0, got %s%s%s",
                        cJSON_IsString(event) ? "\"" : type_name(event),
                        cJSON_IsString(event) ? event->valuestring : "",
                        cJSON_IsString(event) ? "\"" : "");
        break;
    default:
        break;
    }
    if (rc)
        return rc;
    const cJSON *f;
    bool msg = t->kind == TRIG_SEND || t->kind == TRIG_DELIVER;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "node"))) {
        subpath(p, path, "node");
        if ((rc = want_node(r, f, p, &t->node)))
            return rc;
    }
    if (msg && (f = cJSON_GetObjectItemCaseSensitive(v, "from"))) {
        subpath(p, path, "from");
        if ((rc = want_node(r, f, p, t->kind == TRIG_SEND ? &t->node : &t->peer)))
            return rc;
    }
    if (msg && (f = cJSON_GetObjectItemCaseSensitive(v, "to"))) {
        subpath(p, path, "to");
        if ((rc = want_node(r, f, p, t->kind == TRIG_SEND ? &t->peer : &t->node)))
            return rc;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "term"))) {
        subpath(p, path, "term");
        if ((rc = want_int(r, f, p, 0, INT64_MAX / 2, &t->term)))
            return rc;
        t->has_term = true;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "count"))) {
        subpath(p, path, "count");
        if ((rc = want_int(r, f, p, 1, 1000000000, &t->count)))
            return rc;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "delay"))) {
        subpath(p, path, "delay");
        if ((rc = want_duration(r, f, p, false, &t->delay)))
            return rc;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "repeat"))) {
        subpath(p, path, "repeat");
        if (cJSON_IsString(f) && strcmp(f->valuestring, "once") == 0)
            t->every = false;
        else if (cJSON_IsString(f) && strcmp(f->valuestring, "every") == 0)
            t->every = true;
        else
            return fail(r, p, "expected \"once\" (the default) or \"every\", got %s%s%s",
                        cJSON_IsString(f) ? "\"" : type_name(f),
                        cJSON_IsString(f) ? f->valuestring : "", cJSON_IsString(f) ? "\"" : "");
    }
    return SIM_OK;
}

/* A trigger waiting for a fault by position must name an existing one. */
static int check_fault_ref(struct rd *r, const struct trigger *t, const char *owner,
                           int fault_count)
{
    if (t->kind != TRIG_FAULT || t->fault_index < 0 || t->fault_index < fault_count)
        return SIM_OK;
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s.on.fault", owner);
    return fail(r, p, "there is no faults[%d] (this scenario has %d fault%s)", t->fault_index,
                fault_count, fault_count == 1 ? "" : "s");
}

/* After every fault is read: triggers that wait for faults by position, and
 * "$node" targets whose event has no node. */
static int check_fault_triggers(struct rd *r, const struct scenario *sc)
{
    int rc;
    for (int i = 0; i < sc->fault_count; i++) {
        const struct fault *f = &sc->faults[i];
        const struct trigger *t = &f->on;
        if ((rc = check_fault_ref(r, t, f->path, sc->fault_count)))
            return rc;
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "%s.on.fault", f->path);
        if (t->kind == TRIG_FAULT && t->fault_index == f->index)
            return fail(r, p, "a fault cannot wait for itself");
        if (t->kind == TRIG_FAULT && t->fault_index < 0 && t->every && t->delay == 0 &&
            (t->fault_kind < 0 || t->fault_kind == (int)f->kind))
            return fail(r, p, "with \"repeat\": \"every\" and no \"delay\" this fault would set itself off again and again at the same instant; give a \"delay\"");
        if (f->target.node == TARGET_EVENT_NODE && !scenario_trigger_has_node(t, sc)) {
            char what[96];
            if (t->fault_index >= 0) {
                int kind = -1;
                for (int j = 0; j < sc->fault_count; j++)
                    if (sc->faults[j].index == t->fault_index)
                        kind = (int)sc->faults[j].kind;
                snprintf(what, sizeof what, "faults[%d] (%s)", t->fault_index,
                         scenario_fault_name((enum fault_kind)kind));
            } else
                snprintf(what, sizeof what, "a %s fault", t->name);
            snprintf(p, sizeof p, "%s.%s", f->path, scenario_fault_name(f->kind));
            return fail(r, p, "\"$node\" needs an event with a node, and %s hits no node", what);
        }
    }
    return SIM_OK;
}

/* ---- faults ------------------------------------------------------------------------ */

static int read_partition_groups(struct rd *r, const cJSON *v, const char *path, struct fault *ft)
{
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return fail(r, path, "expected a list of node groups such as [[\"n1\"], [\"n2\", \"n3\"]], got %s",
                    type_name(v));
    int n = cJSON_GetArraySize(v);
    ft->groups = calloc((size_t)n, sizeof *ft->groups);
    ft->group_sizes = calloc((size_t)n, sizeof *ft->group_sizes);
    int *owner = malloc((size_t)r->nodes * sizeof *owner);
    if (!ft->groups || !ft->group_sizes || !owner) {
        free(owner);
        return SIM_ENOMEM;
    }
    for (int i = 0; i < r->nodes; i++)
        owner[i] = -1;
    int g = 0, rc = SIM_OK;
    for (const cJSON *grp = v->child; grp && !rc; grp = grp->next, g++) {
        char p[PATH_MAX_LEN];
        indexpath(p, path, g);
        ft->group_count = g + 1;
        if (!cJSON_IsArray(grp) || cJSON_GetArraySize(grp) == 0) {
            rc = fail(r, p, "expected a non-empty list of node names, got %s", type_name(grp));
            break;
        }
        int m = cJSON_GetArraySize(grp);
        ft->groups[g] = calloc((size_t)m, sizeof **ft->groups);
        if (!ft->groups[g]) {
            rc = SIM_ENOMEM;
            break;
        }
        int k = 0;
        for (const cJSON *it = grp->child; it; it = it->next, k++) {
            char q[PATH_MAX_LEN];
            indexpath(q, p, k);
            int id;
            if ((rc = want_node(r, it, q, &id)))
                break;
            if (owner[id] >= 0) {
                rc = fail(r, q, "node \"%s\" is already in group %d: partition groups must not overlap (use \"bridge\" for a node that sees both sides)",
                          it->valuestring, owner[id]);
                break;
            }
            owner[id] = g;
            ft->groups[g][k] = id;
            ft->group_sizes[g] = k + 1;
        }
    }
    free(owner);
    return rc;
}

static int read_fault(struct rd *r, const cJSON *v, const char *path, struct fault *ft)
{
    static const char *const actions[] = {"crash", "recover", "partition", "isolate", "cut",
                                          "heal", "flap", "clock", "slow", "drop", "duplicate",
                                          "drop_message", NULL};
    /* Modifiers allowed with each action, besides "at" and the action itself. */
    static const char *const mods[FAULT_KIND_COUNT][5] = {
        [FAULT_CRASH] = {"for", "lose_unsynced"},
        [FAULT_PARTITION] = {"for", "bridge"},
        [FAULT_ISOLATE] = {"for"},
        [FAULT_CUT] = {"for"},
        [FAULT_FLAP] = {"for", "period"},
        [FAULT_CLOCK] = {"for", "drift", "skew"},
        [FAULT_SLOW] = {"for", "delay"},
        [FAULT_DROP] = {"for"},
        [FAULT_DUPLICATE] = {"for"},
    };
    int rc;
    if ((rc = want_object(r, v, path)))
        return rc;
    snprintf(ft->path, sizeof ft->path, "%s", path);
    ft->bridge = -1;
    const cJSON *action = NULL;
    int kind = -1;
    for (const cJSON *it = v->child; it; it = it->next)
        for (int k = 0; actions[k]; k++)
            if (strcmp(it->string, actions[k]) == 0) {
                if (action)
                    return fail(r, path, "one action per fault: found both \"%s\" and \"%s\"",
                                action->string, it->string);
                action = it;
                kind = k;
            }
    if (!action)
        return fail(r, path, "expected one action: crash, recover, partition, isolate, cut, heal, flap, clock, slow, drop, duplicate or drop_message");
    ft->kind = (enum fault_kind)kind;
    const char *allowed[10] = {"at", "on", actions[kind]};
    int na = 3;
    for (int m = 0; m < 5 && mods[kind][m]; m++)
        allowed[na++] = mods[kind][m];
    allowed[na] = NULL;
    if ((rc = check_keys(r, v, path, allowed)))
        return rc;

    char p[PATH_MAX_LEN];
    const cJSON *f;
    bool triggered = false;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "on"))) {
        subpath(p, path, "on");
        if ((rc = read_trigger(r, f, p, &ft->on)))
            return rc;
        triggered = true;
    }
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(v, "at");
    if (!at && !triggered)
        return fail(r, path, "missing \"at\" (when the fault happens, e.g. \"2s\") or \"on\" (the event it waits for)");
    subpath(p, path, "at");
    if (at && (rc = want_duration(r, at, p, false, &ft->at)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "for"))) {
        subpath(p, path, "for");
        if ((rc = want_duration(r, f, p, false, &ft->duration)))
            return rc;
        if (ft->duration <= 0)
            return fail(r, p, "expected a duration above 0");
    }
    subpath(p, path, actions[kind]);
    switch (ft->kind) {
    case FAULT_CRASH:
    case FAULT_RECOVER:
    case FAULT_ISOLATE:
        rc = want_target(r, action, p, triggered, &ft->target);
        if (!rc && ft->kind == FAULT_RECOVER && ft->target.node == -1)
            return fail(r, p, "recover needs a node name (a down node has no role); to bring back a node crashed by role, give the crash a \"for\"");
        if (!rc && (f = cJSON_GetObjectItemCaseSensitive(v, "lose_unsynced"))) {
            subpath(p, path, "lose_unsynced");
            rc = want_bool(r, f, p, &ft->lose_unsynced);
        }
        return rc;
    case FAULT_PARTITION:
        if ((rc = read_partition_groups(r, action, p, ft)))
            return rc;
        if ((f = cJSON_GetObjectItemCaseSensitive(v, "bridge"))) {
            subpath(p, path, "bridge");
            if ((rc = want_node(r, f, p, &ft->bridge)))
                return rc;
            for (int g = 0; g < ft->group_count; g++)
                for (int k = 0; k < ft->group_sizes[g]; k++)
                    if (ft->groups[g][k] == ft->bridge)
                        return fail(r, p, "the bridge node must not be in a group: it sees every group");
        }
        {
            int listed = 0;
            for (int g = 0; g < ft->group_count; g++)
                listed += ft->group_sizes[g];
            if (ft->group_count == 1 && listed + (ft->bridge >= 0) == r->nodes)
                return fail(r, p, "a single group holding every node cuts nothing");
        }
        return SIM_OK;
    case FAULT_CUT: {
        static const char *const ck[] = {"from", "to", "both", NULL};
        if ((rc = want_object(r, action, p)) || (rc = check_keys(r, action, p, ck)))
            return rc;
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(action, "from");
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(action, "to");
        if (!from || !to)
            return fail(r, p, "a cut needs \"from\" and \"to\" (a node, a list of nodes, or \"*\")");
        char q[PATH_MAX_LEN];
        subpath(q, p, "from");
        if ((rc = want_node_set(r, from, q, &ft->from)))
            return rc;
        subpath(q, p, "to");
        if ((rc = want_node_set(r, to, q, &ft->to)))
            return rc;
        if ((f = cJSON_GetObjectItemCaseSensitive(action, "both"))) {
            subpath(q, p, "both");
            if ((rc = want_bool(r, f, q, &ft->both)))
                return rc;
        }
        return SIM_OK;
    }
    case FAULT_HEAL:
        if (!cJSON_IsTrue(action))
            return fail(r, p, "expected true");
        return SIM_OK;
    case FAULT_FLAP: {
        if (!cJSON_IsArray(action) || cJSON_GetArraySize(action) != 2)
            return fail(r, p, "expected the two ends of a link, such as [\"n1\", \"n2\"]");
        if ((rc = want_node_set(r, action, p, &ft->from)))
            return rc;
        ft->period = 200 * SIM_MS;
        if ((f = cJSON_GetObjectItemCaseSensitive(v, "period"))) {
            subpath(p, path, "period");
            if ((rc = want_duration(r, f, p, false, &ft->period)))
                return rc;
            if (ft->period <= 0)
                return fail(r, p, "expected a period above 0");
        }
        return SIM_OK;
    }
    case FAULT_CLOCK:
        if ((rc = want_target(r, action, p, triggered, &ft->target)))
            return rc;
        if ((f = cJSON_GetObjectItemCaseSensitive(v, "drift"))) {
            double d;
            subpath(p, path, "drift");
            if ((rc = want_number(r, f, p, -0.5, 0.5, &d)))
                return rc;
            ft->has_drift = true;
            ft->drift_ppm = llround(d * 1e6);
        }
        if ((f = cJSON_GetObjectItemCaseSensitive(v, "skew"))) {
            subpath(p, path, "skew");
            if ((rc = want_duration(r, f, p, true, &ft->skew)))
                return rc;
            ft->has_skew = true;
        }
        if (!ft->has_drift && !ft->has_skew)
            return fail(r, path, "a clock fault needs \"drift\" (a rate such as 0.05) and/or \"skew\" (a duration such as \"-200ms\")");
        return SIM_OK;
    case FAULT_SLOW:
        if ((rc = want_target(r, action, p, triggered, &ft->target)))
            return rc;
        if (!(f = cJSON_GetObjectItemCaseSensitive(v, "delay")))
            return fail(r, path, "a slow fault needs \"delay\" (extra handling time per event, e.g. \"50ms\")");
        subpath(p, path, "delay");
        return want_duration(r, f, p, false, &ft->delay);
    case FAULT_DROP:
    case FAULT_DUPLICATE:
        return want_probability(r, action, p, &ft->probability);
    case FAULT_DROP_MESSAGE: {
        int64_t id;
        if ((rc = want_int(r, action, p, 1, INT64_MAX / 2, &id)))
            return rc;
        ft->msg_id = (uint64_t)id;
        return SIM_OK;
    }
    default:
        return fail(r, path, "internal: unhandled fault kind");
    }
}

/* Stable insertion sort by time: faults at equal times keep file order. */
static void sort_faults(struct fault *f, int n)
{
    for (int i = 1; i < n; i++) {
        struct fault x = f[i];
        int j = i - 1;
        while (j >= 0 && f[j].at > x.at) {
            f[j + 1] = f[j];
            j--;
        }
        f[j + 1] = x;
    }
}

static int read_faults(struct rd *r, const cJSON *v, struct scenario *sc)
{
    if (!cJSON_IsArray(v))
        return fail(r, "faults", "expected an array of faults, got %s", type_name(v));
    int n = cJSON_GetArraySize(v);
    sc->faults = calloc((size_t)(n ? n : 1), sizeof *sc->faults);
    if (!sc->faults)
        return SIM_ENOMEM;
    int i = 0, rc;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char p[PATH_MAX_LEN];
        indexpath(p, "faults", i);
        sc->fault_count = i + 1;
        sc->faults[i].index = i;
        if ((rc = read_fault(r, it, p, &sc->faults[i])))
            return rc;
        if (sc->faults[i].at > sc->duration)
            return fail(r, p, "fault at %s is after the end of the run (duration)",
                        cJSON_GetObjectItemCaseSensitive(it, "at")->valuestring);
    }
    if ((rc = check_fault_triggers(r, sc)))
        return rc;
    sort_faults(sc->faults, sc->fault_count);
    return SIM_OK;
}

/* ---- nemesis --------------------------------------------------------------------- */

static int read_range(struct rd *r, const cJSON *v, const char *path, sim_time *lo, sim_time *hi)
{
    if (cJSON_IsString(v)) {
        int rc = want_duration(r, v, path, false, lo);
        *hi = *lo;
        return rc;
    }
    static const char *const keys[] = {"min", "max", NULL};
    int rc;
    if ((rc = want_object(r, v, path)) || (rc = check_keys(r, v, path, keys)))
        return rc;
    const cJSON *mn = cJSON_GetObjectItemCaseSensitive(v, "min");
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(v, "max");
    if (!mn || !mx)
        return fail(r, path, "expected {\"min\": duration, \"max\": duration} or one duration");
    char p[PATH_MAX_LEN];
    subpath(p, path, "min");
    if ((rc = want_duration(r, mn, p, false, lo)))
        return rc;
    subpath(p, path, "max");
    if ((rc = want_duration(r, mx, p, false, hi)))
        return rc;
    if (*hi < *lo)
        return fail(r, p, "max must not be below min");
    return SIM_OK;
}

static int read_nemesis(struct rd *r, const cJSON *v, struct scenario *sc)
{
    static const char *const keys[] = {"start", "until", "interval", "duration", "faults",
                                       "max_down", "lose_unsynced", "drift_max", "skew_max",
                                       "slow_max", "loss_max", "duplicate_max", "flap_period",
                                       NULL};
    struct nemesis_cfg *nm = &sc->nemesis;
    int rc;
    if ((rc = want_object(r, v, "nemesis")) || (rc = check_keys(r, v, "nemesis", keys)))
        return rc;
    nm->enabled = true;
    const cJSON *f;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "start")) &&
        (rc = want_duration(r, f, "nemesis.start", false, &nm->start)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "until")) &&
        (rc = want_duration(r, f, "nemesis.until", false, &nm->until)))
        return rc;
    if (nm->until < nm->start)
        return fail(r, "nemesis.until", "must not be before nemesis.start");
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "interval")) &&
        (rc = read_range(r, f, "nemesis.interval", &nm->interval_min, &nm->interval_max)))
        return rc;
    if (nm->interval_max <= 0)
        return fail(r, "nemesis.interval", "expected an interval above 0");
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "duration")) &&
        (rc = read_range(r, f, "nemesis.duration", &nm->duration_min, &nm->duration_max)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "faults"))) {
        if ((rc = want_object(r, f, "nemesis.faults")))
            return rc;
        const char *names[NEM_KIND_COUNT + 1];
        for (int k = 0; k < NEM_KIND_COUNT; k++)
            names[k] = scenario_nemesis_name((enum nemesis_kind)k);
        names[NEM_KIND_COUNT] = NULL;
        if ((rc = check_keys(r, f, "nemesis.faults", names)))
            return rc;
        double total = 0;
        for (int k = 0; k < NEM_KIND_COUNT; k++) {
            const cJSON *w = cJSON_GetObjectItemCaseSensitive(f, names[k]);
            nm->weight[k] = 0;
            if (!w)
                continue;
            char p[PATH_MAX_LEN];
            subpath(p, "nemesis.faults", names[k]);
            if ((rc = want_number(r, w, p, 0.0, 1e6, &nm->weight[k])))
                return rc;
            total += nm->weight[k];
        }
        if (total <= 0)
            return fail(r, "nemesis.faults", "expected at least one fault kind with a weight above 0");
    }
    int64_t x;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "max_down"))) {
        if ((rc = want_int(r, f, "nemesis.max_down", 0, r->nodes, &x)))
            return rc;
        nm->max_down = (int)x;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "lose_unsynced")) &&
        (rc = want_bool(r, f, "nemesis.lose_unsynced", &nm->lose_unsynced)))
        return rc;
    double d;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "drift_max"))) {
        if ((rc = want_number(r, f, "nemesis.drift_max", 0.0, 0.5, &d)))
            return rc;
        nm->drift_max_ppm = llround(d * 1e6);
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "skew_max")) &&
        (rc = want_duration(r, f, "nemesis.skew_max", false, &nm->skew_max)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "slow_max")) &&
        (rc = want_duration(r, f, "nemesis.slow_max", false, &nm->slow_max)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "loss_max")) &&
        (rc = want_probability(r, f, "nemesis.loss_max", &nm->loss_max)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "duplicate_max")) &&
        (rc = want_probability(r, f, "nemesis.duplicate_max", &nm->duplicate_max)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "flap_period")) &&
        (rc = want_duration(r, f, "nemesis.flap_period", false, &nm->flap_period)))
        return rc;
    return SIM_OK;
}

/* ---- captions and expectations ---------------------------------------------------- */

static int read_captions(struct rd *r, const cJSON *v, struct scenario *sc)
{
    if (!cJSON_IsArray(v))
        return fail(r, "captions", "expected an array of {\"at\" or \"on\", \"text\"}, got %s",
                    type_name(v));
    int n = cJSON_GetArraySize(v);
    sc->captions = calloc((size_t)(n ? n : 1), sizeof *sc->captions);
    if (!sc->captions)
        return SIM_ENOMEM;
    static const char *const keys[] = {"at", "on", "text", NULL};
    int i = 0, rc;
    sim_time last = -1;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
        indexpath(p, "captions", i);
        sc->caption_count = i + 1;
        if ((rc = want_object(r, it, p)) || (rc = check_keys(r, it, p, keys)))
            return rc;
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(it, "at");
        const cJSON *on = cJSON_GetObjectItemCaseSensitive(it, "on");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "text");
        if ((!at && !on) || !text)
            return fail(r, p, "a caption needs \"at\" (or \"on\", an event) and \"text\"");
        if (on) {
            subpath(q, p, "on");
            if ((rc = read_trigger(r, on, q, &sc->captions[i].on)) ||
                (rc = check_fault_ref(r, &sc->captions[i].on, p, sc->fault_count)))
                return rc;
        }
        subpath(q, p, "at");
        if (at && (rc = want_duration(r, at, q, false, &sc->captions[i].at)))
            return rc;
        if (on && sc->captions[i].at > sc->duration)
            return fail(r, q, "caption at %s is after the end of the run (duration)", at->valuestring);
        /* Triggered captions come when their event does: no order among them. */
        if (!on && sc->captions[i].at < last)
            return fail(r, q, "captions must be in time order");
        if (!on)
            last = sc->captions[i].at;
        subpath(q, p, "text");
        if ((rc = want_string(r, text, q, &sc->captions[i].text)))
            return rc;
    }
    return SIM_OK;
}

/* A count that may also be "some". */
static int want_count_or_some(struct rd *r, const cJSON *v, const char *path, int64_t *out)
{
    if (cJSON_IsString(v) && strcmp(v->valuestring, "some") == 0) {
        *out = -2;
        return SIM_OK;
    }
    if (cJSON_IsNumber(v))
        return want_int(r, v, path, 0, INT64_MAX / 2, out);
    return fail(r, path, "expected a count (0, 1, ...) or \"some\", got %s", type_name(v));
}

/* "leader_within": a duration string (from the last fault event), or
 * {"after": "fault"|"heal", "within": duration}. */
static int want_leader_within(struct rd *r, const cJSON *v, struct expect_cfg *e)
{
    static const char *const keys[] = {"after", "within", NULL};
    static const char *const path = "expect.leader_within";
    if (cJSON_IsString(v)) {
        e->leader_from = LEADER_FROM_ANY;
        return want_duration(r, v, path, false, &e->leader_within);
    }
    if (!cJSON_IsObject(v))
        return fail(r, path, "expected a duration such as \"1s\", or {\"after\": \"fault\" or \"heal\", \"within\": \"1s\"}, got %s",
                    type_name(v));
    int rc;
    if ((rc = check_keys(r, v, path, keys)))
        return rc;
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(v, "after");
    const cJSON *within = cJSON_GetObjectItemCaseSensitive(v, "within");
    if (!after)
        return fail(r, path, "missing \"after\": \"fault\" (a new leader after the last fault) or \"heal\" (a leader after the last heal)");
    if (!within)
        return fail(r, path, "missing \"within\": a duration such as \"1s\"");
    if (cJSON_IsString(after) && strcmp(after->valuestring, "fault") == 0)
        e->leader_from = LEADER_FROM_FAULT;
    else if (cJSON_IsString(after) && strcmp(after->valuestring, "heal") == 0)
        e->leader_from = LEADER_FROM_HEAL;
    else if (cJSON_IsString(after))
        return fail(r, "expect.leader_within.after", "expected \"fault\" or \"heal\", got \"%s\"",
                    after->valuestring);
    else
        return fail(r, "expect.leader_within.after", "expected \"fault\" or \"heal\", got %s",
                    type_name(after));
    return want_duration(r, within, "expect.leader_within.within", false, &e->leader_within);
}

static int read_expect(struct rd *r, const cJSON *v, struct expect_cfg *e)
{
    static const char *const keys[] = {"violations", "linearizable", "ok_ops_at_least",
                                       "availability_at_least", "lost_writes", "stale_reads",
                                       "blocked_at_end", "leader_within", "max_leaders",
                                       "metrics", NULL};
    int rc;
    if ((rc = want_object(r, v, "expect")) || (rc = check_keys(r, v, "expect", keys)))
        return rc;
    const cJSON *f;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "violations"))) {
        if (cJSON_IsString(f) && strcmp(f->valuestring, "none") == 0)
            e->violations = EXPECT_NONE;
        else if (cJSON_IsString(f) && strcmp(f->valuestring, "some") == 0)
            e->violations = EXPECT_SOME;
        else if (cJSON_IsArray(f) && cJSON_GetArraySize(f) > 0) {
            e->violations = EXPECT_LIST;
            int n = cJSON_GetArraySize(f);
            e->violation_names = calloc((size_t)n, sizeof *e->violation_names);
            if (!e->violation_names)
                return SIM_ENOMEM;
            int i = 0;
            for (const cJSON *it = f->child; it; it = it->next, i++) {
                char p[PATH_MAX_LEN];
                indexpath(p, "expect.violations", i);
                e->violation_count = i + 1;
                if ((rc = want_string(r, it, p, &e->violation_names[i])))
                    return rc;
            }
        } else
            return fail(r, "expect.violations",
                        "expected \"none\", \"some\" or a non-empty list of invariant names such as [\"split-brain\"]");
    }
    bool b = false;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "linearizable"))) {
        if ((rc = want_bool(r, f, "expect.linearizable", &b)))
            return rc;
        e->linearizable = b;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "ok_ops_at_least")) &&
        (rc = want_int(r, f, "expect.ok_ops_at_least", 0, INT64_MAX / 2, &e->ok_ops_at_least)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "availability_at_least")) &&
        (rc = want_number(r, f, "expect.availability_at_least", 0.0, 1.0,
                          &e->availability_at_least)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "lost_writes")) &&
        (rc = want_count_or_some(r, f, "expect.lost_writes", &e->lost_writes)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "stale_reads")) &&
        (rc = want_count_or_some(r, f, "expect.stale_reads", &e->stale_reads)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "blocked_at_end")) &&
        (rc = want_count_or_some(r, f, "expect.blocked_at_end", &e->blocked_at_end)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "leader_within")) &&
        (rc = want_leader_within(r, f, e)))
        return rc;
    int64_t x;
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "max_leaders"))) {
        if ((rc = want_int(r, f, "expect.max_leaders", 0, 1000000, &x)))
            return rc;
        e->max_leaders = (int)x;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(v, "metrics"))) {
        if ((rc = want_object(r, f, "expect.metrics")))
            return rc;
        int n = cJSON_GetArraySize(f);
        e->metrics = calloc((size_t)(n ? n : 1), sizeof *e->metrics);
        if (!e->metrics)
            return SIM_ENOMEM;
        for (const cJSON *it = f->child; it; it = it->next) {
            char p[PATH_MAX_LEN];
            subpath(p, "expect.metrics", it->string);
            struct metric_expect *m = &e->metrics[e->metric_count++];
            if (strlen(it->string) >= sizeof m->name)
                return fail(r, p, "metric names are at most %zu characters", sizeof m->name - 1);
            snprintf(m->name, sizeof m->name, "%s", it->string);
            if (cJSON_IsNumber(it)) {
                if ((rc = want_int(r, it, p, INT64_MIN / 2, INT64_MAX / 2, &m->min)))
                    return rc;
                m->max = m->min;
                m->has_min = m->has_max = true;
                continue;
            }
            static const char *const mk[] = {"min", "max", NULL};
            if ((rc = want_object(r, it, p)) || (rc = check_keys(r, it, p, mk)))
                return rc;
            const cJSON *mn = cJSON_GetObjectItemCaseSensitive(it, "min");
            const cJSON *mx = cJSON_GetObjectItemCaseSensitive(it, "max");
            char q[PATH_MAX_LEN];
            if (mn) {
                subpath(q, p, "min");
                if ((rc = want_int(r, mn, q, INT64_MIN / 2, INT64_MAX / 2, &m->min)))
                    return rc;
                m->has_min = true;
            }
            if (mx) {
                subpath(q, p, "max");
                if ((rc = want_int(r, mx, q, INT64_MIN / 2, INT64_MAX / 2, &m->max)))
                    return rc;
                m->has_max = true;
            }
            if (!mn && !mx)
                return fail(r, p, "expected a number or {\"min\": n, \"max\": n}");
        }
    }
    return SIM_OK;
}

/* ---- top level ------------------------------------------------------------------ */

static void set_defaults(struct scenario *sc)
{
    sc->seed = 1;
    sc->network.link.latency = (struct latency){LAT_UNIFORM, 1 * SIM_MS, 5 * SIM_MS, 0};
    sc->network.link.has_latency = true;
    sc->network.clients.latency = (struct latency){LAT_UNIFORM, 1 * SIM_MS, 5 * SIM_MS, 0};
    sc->network.clients.has_latency = true;
    struct workload_cfg *w = &sc->workload;
    w->clients = 0;
    w->closed = true;
    w->think = 10 * SIM_MS;
    w->keys = 1;
    w->model = MODEL_REGISTER;
    w->mix[SIM_F_READ] = 0.5;
    w->mix[SIM_F_WRITE] = 0.5;
    w->timeout = 500 * SIM_MS;
    w->attempts = 1;
    w->retry_backoff = 10 * SIM_MS;
    w->redirect_backoff = 20 * SIM_MS;
    w->connect = CONNECT_STICKY;
    struct nemesis_cfg *nm = &sc->nemesis;
    nm->interval_min = 500 * SIM_MS;
    nm->interval_max = 2 * SIM_S;
    nm->duration_min = 200 * SIM_MS;
    nm->duration_max = 2 * SIM_S;
    nm->drift_max_ppm = 50000;
    nm->skew_max = 200 * SIM_MS;
    nm->slow_max = 50 * SIM_MS;
    nm->loss_max = 0.3;
    nm->duplicate_max = 0.2;
    nm->flap_period = 100 * SIM_MS;
    struct expect_cfg *e = &sc->expect;
    e->violations = EXPECT_UNSET;
    e->linearizable = -1;
    e->ok_ops_at_least = -1;
    e->availability_at_least = -1.0;
    e->lost_writes = -1;
    e->stale_reads = -1;
    e->blocked_at_end = -1;
    e->leader_within = -1;
    e->leader_from = LEADER_FROM_ANY;
    e->max_leaders = -1;
}

static int read_scenario(struct rd *r, cJSON *root, struct scenario *sc)
{
    static const char *const keys[] = {"version", "name", "title", "lesson", "protocol",
                                       "params", "nodes", "seed", "duration", "storage",
                                       "network", "workload", "faults", "nemesis", "captions",
                                       "expect", NULL};
    int rc;
    if (!cJSON_IsObject(root))
        return fail(r, NULL, "expected a JSON object at the top level, got %s", type_name(root));
    if ((rc = check_keys(r, root, "", keys)))
        return rc;
    const char *required[] = {"name", "protocol", "nodes", "duration"};
    for (size_t i = 0; i < 4; i++)
        if (!cJSON_GetObjectItemCaseSensitive(root, required[i]))
            return fail(r, NULL, "missing required key \"%s\"", required[i]);
    const cJSON *f;
    int64_t x;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "version"))) {
        if ((rc = want_int(r, f, "version", 1, 2, &x)))
            return rc;
        r->version = (int)x;
    }
    if ((rc = want_string(r, cJSON_GetObjectItemCaseSensitive(root, "name"), "name", &sc->name)))
        return rc;
    if ((rc = want_string(r, cJSON_GetObjectItemCaseSensitive(root, "protocol"), "protocol",
                          &sc->protocol)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "title")) &&
        (rc = want_string(r, f, "title", &sc->title)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "lesson")) &&
        (rc = want_string(r, f, "lesson", &sc->lesson)))
        return rc;
    if ((rc = want_int(r, cJSON_GetObjectItemCaseSensitive(root, "nodes"), "nodes", 1, 1000000,
                       &x)))
        return rc;
    sc->nodes = r->nodes = (int)x;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "seed"))) {
        if ((rc = want_int(r, f, "seed", 0, (int64_t)1 << 53, &x)))
            return rc;
        sc->seed = (uint64_t)x;
    }
    if ((rc = want_duration(r, cJSON_GetObjectItemCaseSensitive(root, "duration"), "duration",
                            false, &sc->duration)))
        return rc;
    if (sc->duration <= 0)
        return fail(r, "duration", "expected a duration above 0");
    sc->nemesis.until = sc->duration;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "params"))) {
        if ((rc = want_object(r, f, "params")))
            return rc;
        sc->params = cJSON_DetachItemViaPointer(root, (cJSON *)f);
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "storage"))) {
        static const char *const sk[] = {"lose_unsynced", NULL};
        const cJSON *lu;
        if ((rc = want_object(r, f, "storage")) || (rc = check_keys(r, f, "storage", sk)))
            return rc;
        if ((lu = cJSON_GetObjectItemCaseSensitive(f, "lose_unsynced")) &&
            (rc = want_bool(r, lu, "storage.lose_unsynced", &sc->lose_unsynced)))
            return rc;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "network")) &&
        (rc = read_network(r, f, &sc->network)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "workload")) &&
        (rc = read_workload(r, f, &sc->workload, sc->duration)))
        return rc;
    if (!f)
        sc->workload.stop = sc->duration;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "faults")) && (rc = read_faults(r, f, sc)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "nemesis")) && (rc = read_nemesis(r, f, sc)))
        return rc;
    if (sc->nemesis.enabled && !cJSON_GetObjectItemCaseSensitive(f, "max_down"))
        sc->nemesis.max_down = (sc->nodes - 1) / 2;
    if (sc->nemesis.enabled && !cJSON_GetObjectItemCaseSensitive(f, "faults")) {
        for (int k = 0; k < NEM_KIND_COUNT; k++)
            sc->nemesis.weight[k] = 1.0;
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "captions")) && (rc = read_captions(r, f, sc)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "expect")) &&
        (rc = read_expect(r, f, &sc->expect)))
        return rc;
    /* A file without "version" that uses triggers is read as version 2. */
    sc->version = r->version ? r->version : 1;
    for (int i = 0; i < sc->fault_count && sc->version < 2; i++)
        if (sc->faults[i].on.kind != TRIG_NONE)
            sc->version = 2;
    for (int i = 0; i < sc->caption_count && sc->version < 2; i++)
        if (sc->captions[i].on.kind != TRIG_NONE)
            sc->version = 2;
    if (!sc->title && !(sc->title = strdup(sc->name)))
        return SIM_ENOMEM;
    if (!sc->lesson && !(sc->lesson = strdup("")))
        return SIM_ENOMEM;
    return SIM_OK;
}

/* Turns a byte offset into line and column (both from 1). */
static void locate(const char *text, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else
            (*col)++;
    }
}

int scenario_parse(const char *text, size_t len, const char *name, struct scenario **out,
                   char *err, size_t errcap)
{
    struct rd r = {name, err, errcap, 0, 0};
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        if (off > len)
            off = len;
        /* cJSON may point just past the offending character: step back over
         * whitespace to the last thing written. */
        while (off > 0 && (off >= len || text[off] == '\n' || text[off] == ' ' ||
                           text[off] == '\t' || text[off] == '\r'))
            off--;
        /* ... and back to the start of a bare word (an unquoted key, say). */
        while (off > 0 && off < len && isalnum((unsigned char)text[off]) &&
               isalnum((unsigned char)text[off - 1]))
            off--;
        size_t first = 0;
        while (first < len && isspace((unsigned char)text[first]))
            first++;
        if (first == len) {
            snprintf(err, errcap, "%s: the file is empty (expected a JSON object)", name);
            return SIM_EINVAL;
        }
        /* Input that ends inside an open object or array is truncated. */
        int depth = 0;
        bool in_string = false;
        for (size_t i = 0; i < len; i++) {
            char ch = text[i];
            if (in_string) {
                if (ch == '\\')
                    i++;
                else if (ch == '"')
                    in_string = false;
            } else if (ch == '"')
                in_string = true;
            else if (ch == '{' || ch == '[')
                depth++;
            else if (ch == '}' || ch == ']')
                depth--;
        }
        bool tail_only = true;
        for (size_t i = off; i < len; i++)
            if (strchr("{}[],:\n", text[i]))
                tail_only = false;
        int line, col;
        locate(text, off, &line, &col);
        char near[24] = "";
        size_t k = 0;
        for (size_t i = off; i < len && k + 1 < sizeof near && text[i] != '\n'; i++)
            near[k++] = text[i];
        near[k] = '\0';
        if (depth > 0 && tail_only)
            snprintf(err, errcap, "%s:%d:%d: malformed JSON: unexpected end of input (a missing } or ]?)",
                     name, line, col);
        else
            snprintf(err, errcap,
                     "%s:%d:%d: malformed JSON near '%s' (expected a value, a quoted key, ',' or a closing bracket)",
                     name, line, col, near);
        return SIM_EINVAL;
    }
    struct scenario *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->file = strdup(name))) {
        free(sc);
        cJSON_Delete(root);
        return SIM_ENOMEM;
    }
    set_defaults(sc);
    int rc = read_scenario(&r, root, sc);
    cJSON_Delete(root);
    if (rc) {
        if (rc == SIM_ENOMEM && errcap)
            snprintf(err, errcap, "%s: out of memory", name);
        scenario_free(sc);
        return rc;
    }
    *out = sc;
    return SIM_OK;
}

int scenario_load(const char *path, struct scenario **out, char *err, size_t errcap)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
        return SIM_EIO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                snprintf(err, errcap, "%s: out of memory", path);
                return SIM_ENOMEM;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        snprintf(err, errcap, "%s: read error", path);
        return SIM_EIO;
    }
    buf[len] = '\0';
    int rc = scenario_parse(buf, len, path, out, err, errcap);
    free(buf);
    return rc;
}

static void node_set_free(struct node_set *s)
{
    free(s->nodes);
    s->nodes = NULL;
}

void scenario_free(struct scenario *sc)
{
    if (!sc)
        return;
    free(sc->file);
    free(sc->name);
    free(sc->title);
    free(sc->lesson);
    free(sc->protocol);
    cJSON_Delete(sc->params);
    for (int i = 0; i < sc->network.link_count; i++) {
        node_set_free(&sc->network.links[i].from);
        node_set_free(&sc->network.links[i].to);
    }
    free(sc->network.links);
    for (int i = 0; i < sc->fault_count; i++) {
        struct fault *f = &sc->faults[i];
        for (int g = 0; g < f->group_count; g++)
            free(f->groups[g]);
        free(f->groups);
        free(f->group_sizes);
        node_set_free(&f->from);
        node_set_free(&f->to);
    }
    free(sc->faults);
    for (int i = 0; i < sc->caption_count; i++)
        free(sc->captions[i].text);
    free(sc->captions);
    for (int i = 0; i < sc->expect.violation_count; i++)
        free(sc->expect.violation_names[i]);
    free(sc->expect.violation_names);
    free(sc->expect.metrics);
    free(sc);
}
