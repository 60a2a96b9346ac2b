/* params.c - typed, validated access to a scenario's "params" object for a
 * protocol's configure hook (sim_param_* in sim.h). Every key must be read:
 * what the protocol did not ask for is an unknown key, an error. */
#include "sim/params.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_params {
    const cJSON *obj;      /* may be NULL: no params given */
    const char *file;
    const char *protocol;
    int nodes;
    char *err;
    size_t errcap;
    bool failed;
    bool *used;            /* per member of obj, in order */
    int count;
};

static int perr(struct sim_params *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct sim_params *p, const char *key, const char *fmt, ...)
{
    if (p->failed)
        return SIM_EINVAL; /* keep the first error */
    p->failed = true;
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errcap, "%s: params.%s: %s", p->file, key, msg);
    return SIM_EINVAL;
}

int sim_param_error(struct sim_params *p, const char *key, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return perr(p, key, "%s", msg);
}

/* The member `key`, marked as read; NULL when absent. */
static const cJSON *take(struct sim_params *p, const char *key)
{
    if (!p->obj)
        return NULL;
    int i = 0;
    for (const cJSON *it = p->obj->child; it; it = it->next, i++)
        if (strcmp(it->string, key) == 0) {
            p->used[i] = true;
            return it;
        }
    return NULL;
}

int sim_params_node_count(const struct sim_params *p)
{
    return p->nodes;
}

int sim_param_duration(struct sim_params *p, const char *key, sim_time dflt, sim_time *out)
{
    const cJSON *v = take(p, key);
    *out = dflt;
    if (!v)
        return SIM_OK;
    if (!cJSON_IsString(v) || scenario_parse_duration(v->valuestring, false, out) != SIM_OK)
        return perr(p, key, "expected a duration such as \"100ms\", \"1.5s\" or \"250us\"");
    return SIM_OK;
}

int sim_param_int(struct sim_params *p, const char *key, int64_t dflt, int64_t min, int64_t max,
                  int64_t *out)
{
    const cJSON *v = take(p, key);
    *out = dflt;
    if (!v)
        return SIM_OK;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return perr(p, key, "expected an integer from %lld to %lld", (long long)min,
                    (long long)max);
    if (v->valuedouble < (double)min || v->valuedouble > (double)max)
        return perr(p, key, "expected an integer from %lld to %lld, got %g", (long long)min,
                    (long long)max, v->valuedouble);
    *out = (int64_t)v->valuedouble;
    return SIM_OK;
}

int sim_param_double(struct sim_params *p, const char *key, double dflt, double min, double max,
                     double *out)
{
    const cJSON *v = take(p, key);
    *out = dflt;
    if (!v)
        return SIM_OK;
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max)
        return perr(p, key, "expected a number from %g to %g", min, max);
    *out = v->valuedouble;
    return SIM_OK;
}

int sim_param_bool(struct sim_params *p, const char *key, bool dflt, bool *out)
{
    const cJSON *v = take(p, key);
    *out = dflt;
    if (!v)
        return SIM_OK;
    if (!cJSON_IsBool(v))
        return perr(p, key, "expected true or false");
    *out = cJSON_IsTrue(v);
    return SIM_OK;
}

int sim_param_enum(struct sim_params *p, const char *key, const char *const *choices, int dflt,
                   int *out)
{
    const cJSON *v = take(p, key);
    *out = dflt;
    if (!v)
        return SIM_OK;
    if (cJSON_IsString(v))
        for (int i = 0; choices[i]; i++)
            if (strcmp(v->valuestring, choices[i]) == 0) {
                *out = i;
                return SIM_OK;
            }
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; choices[i] && used + 4 < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "",
                                 choices[i]);
    return perr(p, key, "expected one of %s", list);
}

int sim_param_node(struct sim_params *p, const char *key, int dflt, int *out)
{
    const cJSON *v = take(p, key);
    *out = dflt;
    if (!v)
        return SIM_OK;
    int id = cJSON_IsString(v) ? scenario_node_id(v->valuestring, p->nodes) : -1;
    if (id < 0)
        return perr(p, key, "expected a node name (n1..n%d)", p->nodes);
    *out = id;
    return SIM_OK;
}

int params_configure(const struct scenario *sc, const struct sim_protocol *proto, void *config,
                     char *err, size_t errcap)
{
    struct sim_params p = {sc->params, sc->file, proto->name, sc->nodes, err, errcap, false,
                           NULL, 0};
    if (p.obj) {
        p.count = cJSON_GetArraySize(p.obj);
        p.used = calloc((size_t)(p.count ? p.count : 1), sizeof *p.used);
        if (!p.used)
            return SIM_ENOMEM;
    }
    int rc = SIM_OK;
    if (proto->configure)
        rc = proto->configure(&p, config);
    if (rc == SIM_OK && p.failed)
        rc = SIM_EINVAL;
    if (rc == SIM_OK && p.obj) {
        int i = 0;
        for (const cJSON *it = p.obj->child; it; it = it->next, i++) {
            if (p.used[i])
                continue;
            for (const cJSON *prev = p.obj->child; prev != it; prev = prev->next)
                if (strcmp(prev->string, it->string) == 0) {
                    rc = perr(&p, it->string, "duplicate key");
                    break;
                }
            if (rc)
                break;
            rc = perr(&p, it->string, "unknown parameter for protocol \"%s\"%s", proto->name,
                      proto->configure ? "" : " (it takes no params)");
            break;
        }
    }
    if (rc && !p.failed && rc != SIM_ENOMEM)
        snprintf(err, errcap, "%s: params: protocol \"%s\" rejected its parameters (%s)",
                 sc->file, proto->name, sim_strerror(rc));
    free(p.used);
    return rc;
}
