/* compare.c - the rows of a comparison (one per protocol spec: a protocol
 * name with its params), the same scenario rewritten for each, every row
 * run for every seed on worker processes, and the statistics over seeds.
 *
 * A row's params: the scenario's own when the row runs the scenario's
 * protocol, then the --params file's entry for the protocol, then its entry
 * for the row's exact label, then the label's inline "key=value" pairs;
 * later ones win key by key. Other protocols start from their defaults. */
#include "cli/compare.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/sweep_pool.h"
#include "protocols/registry.h"
#include "sim/scenario_write.h"

/* ---- rows ------------------------------------------------------------------------------ */

/* Copies every key of `from` into `into`, replacing. Returns 0 or SIM_ENOMEM. */
static int merge(cJSON *into, const cJSON *from)
{
    for (const cJSON *it = from ? from->child : NULL; it; it = it->next) {
        cJSON *copy = cJSON_Duplicate(it, true);
        if (!copy)
            return SIM_ENOMEM;
        if (cJSON_GetObjectItemCaseSensitive(into, it->string))
            cJSON_ReplaceItemInObjectCaseSensitive(into, it->string, copy);
        else
            cJSON_AddItemToObject(into, it->string, copy);
    }
    return SIM_OK;
}

/* "key=value": the value as JSON when it is JSON (2, true, "x", [..]),
 * else as a string (lease=1s, failover=lease). */
static int inline_param(cJSON *params, const char *kv, const char *label, char *err, size_t errcap)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || !eq[1]) {
        snprintf(err, errcap, "--protocols: \"%s\": expected key=value after the protocol name "
                 "(e.g. primary-backup:failover=lease), got \"%s\"", label, kv);
        return SIM_EINVAL;
    }
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    cJSON *v = cJSON_Parse(eq + 1);
    if (!v && !(v = cJSON_CreateString(eq + 1)))
        return SIM_ENOMEM;
    if (cJSON_GetObjectItemCaseSensitive(params, key))
        cJSON_ReplaceItemInObjectCaseSensitive(params, key, v);
    else
        cJSON_AddItemToObject(params, key, v);
    return SIM_OK;
}

/* The scenario as `row` runs it: its protocol and params in place of the
 * scenario's, no expect block and no captions (the scenario's expectations
 * and narration are about its own protocol: a caption waiting for a
 * "primary" means nothing to Raft). A fault set off by one protocol's own
 * events is refused for the others, naming its path. */
static int row_scenario(const struct scenario *sc, const struct compare_row *row, sim_time duration,
                        char *err, size_t errcap, struct scenario **out)
{
    struct scenario_write_opts wo = {.drop_expect = true, .duration = duration};
    cJSON *doc = scenario_to_json(sc, &wo, err, errcap);
    if (!doc)
        return SIM_EINVAL;
    cJSON *proto = cJSON_CreateString(row->protocol);
    cJSON *params = row->params ? cJSON_Duplicate(row->params, true) : NULL;
    int rc = SIM_OK;
    if (!proto || (row->params && !params)) {
        cJSON_Delete(proto);
        cJSON_Delete(params);
        rc = SIM_ENOMEM;
    } else {
        cJSON_ReplaceItemInObjectCaseSensitive(doc, "protocol", proto);
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "params");
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "captions");
        if (params)
            cJSON_AddItemToObject(doc, "params", params);
    }
    char *text = rc ? NULL : cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!text) {
        snprintf(err, errcap, "out of memory preparing the rows");
        return SIM_ENOMEM;
    }
    rc = scenario_parse(text, strlen(text), sc->file ? sc->file : sc->name, out, err, errcap);
    cJSON_free(text);
    return rc;
}

static int add_row(struct compare *cmp, const char *spec, const struct compare_options *o,
                   bool from_all, char *err, size_t errcap)
{
    struct compare_row *rows = realloc(cmp->rows, (size_t)(cmp->nrows + 1) * sizeof *rows);
    if (!rows)
        return SIM_ENOMEM;
    cmp->rows = rows;
    struct compare_row *row = &rows[cmp->nrows];
    memset(row, 0, sizeof *row);
    snprintf(row->label, sizeof row->label, "%s", spec);
    size_t nlen = strcspn(spec, ":");
    snprintf(row->protocol, sizeof row->protocol, "%.*s", (int)nlen, spec);
    if (!protocol_find(row->protocol)) {
        char known[300] = "";
        size_t used = 0;
        for (const struct sim_protocol *const *p = protocol_all(); *p && used + 40 < sizeof known; p++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "",
                                     (*p)->name);
        snprintf(err, errcap, "--protocols: unknown protocol \"%s\" (known: %s; or \"all\")",
                 row->protocol, known);
        return SIM_EINVAL;
    }
    cJSON *params = cJSON_CreateObject();
    if (!params)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    if (strcmp(row->protocol, cmp->sc->protocol) == 0 && cmp->sc->params &&
        cmp->sc->params->child) {
        rc = merge(params, cmp->sc->params);
        row->scenario_params = true;
    }
    if (!rc && o->params_file) {
        rc = merge(params, cJSON_GetObjectItemCaseSensitive(o->params_file, row->protocol));
        if (!rc && strcmp(row->label, row->protocol) != 0)
            rc = merge(params, cJSON_GetObjectItemCaseSensitive(o->params_file, row->label));
    }
    /* inline pairs, ':'-separated */
    const char *p = spec + nlen;
    while (!rc && *p == ':') {
        p++;
        size_t len = strcspn(p, ":");
        char kv[256];
        snprintf(kv, sizeof kv, "%.*s", (int)len, p);
        rc = inline_param(params, kv, spec, err, errcap);
        p += len;
    }
    if (rc) {
        cJSON_Delete(params);
        if (rc == SIM_ENOMEM)
            snprintf(err, errcap, "out of memory preparing the rows");
        return rc;
    }
    if (!params->child) {
        cJSON_Delete(params);
        params = NULL;
    }
    row->params = params;
    char e2[1024];
    rc = row_scenario(cmp->sc, row, o->duration, e2, sizeof e2, &row->sc);
    if (!rc) {
        /* a run of one microsecond: the protocol validates its params */
        struct run_options probe = {.seed_set = true, .seed = cmp->first, .duration = 1,
                                    .no_trace_hash = true, .no_check = true};
        struct run_result r;
        rc = runner_run(row->sc, &probe, &r, e2, sizeof e2);
        if (!rc)
            runner_result_free(&r);
    }
    if (rc) {
        if (from_all && rc == SIM_EINVAL && o->note) {
            char msg[1300];
            snprintf(msg, sizeof msg, "%s left out: %s", row->label, e2);
            o->note(o->note_ctx, msg);
            cJSON_Delete(row->params);
            scenario_free(row->sc);
            return SIM_OK;
        }
        snprintf(err, errcap, "%s: %s", row->label, e2);
        cJSON_Delete(row->params);
        scenario_free(row->sc);
        return rc;
    }
    cmp->nrows++;
    return SIM_OK;
}

int compare_prepare(const struct scenario *sc, const char *path, const struct compare_options *o,
                    struct compare *cmp, char *err, size_t errcap)
{
    memset(cmp, 0, sizeof *cmp);
    cmp->sc = sc;
    cmp->scenario_path = path;
    cmp->first = o->seeds_given ? o->first : sc->seed;
    cmp->last = o->seeds_given ? o->last : sc->seed;
    cmp->bucket = compare_bucket_for(o->duration > 0 ? o->duration : sc->duration);
    if (o->params_file && !cJSON_IsObject(o->params_file)) {
        snprintf(err, errcap, "--params: expected a JSON object mapping protocols to params objects");
        return SIM_EINVAL;
    }
    for (const cJSON *it = o->params_file ? o->params_file->child : NULL; it; it = it->next)
        if (!cJSON_IsObject(it)) {
            snprintf(err, errcap, "--params: \"%s\": expected a params object such as "
                     "{\"failover\": \"lease\"}", it->string);
            return SIM_EINVAL;
        }
    const char *list = o->protocols && *o->protocols ? o->protocols : "all";
    int rc = SIM_OK;
    for (const char *p = list; *p && !rc;) {
        size_t len = strcspn(p, ",");
        char spec[256];
        snprintf(spec, sizeof spec, "%.*s", (int)len, p);
        if (!spec[0]) {
            snprintf(err, errcap, "--protocols: an empty name in \"%s\"", list);
            rc = SIM_EINVAL;
        } else if (strcmp(spec, "all") == 0) {
            /* every protocol that serves clients, but the engine's own test protocol */
            for (const struct sim_protocol *const *pr = protocol_all(); *pr && !rc; pr++)
                if ((*pr)->client_request && strcmp((*pr)->name, "echo") != 0)
                    rc = add_row(cmp, (*pr)->name, o, true, err, errcap);
        } else {
            rc = add_row(cmp, spec, o, false, err, errcap);
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (!rc && cmp->nrows == 0) {
        snprintf(err, errcap, "--protocols: no protocol to compare");
        rc = SIM_EINVAL;
    }
    if (rc)
        compare_free(cmp);
    return rc;
}

void compare_free(struct compare *cmp)
{
    for (int i = 0; i < cmp->nrows; i++) {
        struct compare_row *row = &cmp->rows[i];
        for (int k = 0; k < row->nruns; k++)
            compare_run_clear(&row->runs[k]);
        free(row->runs);
        cJSON_Delete(row->params);
        scenario_free(row->sc);
    }
    free(cmp->rows);
    memset(cmp, 0, sizeof *cmp);
}

/* ---- running --------------------------------------------------------------------------- */

struct run_ctx {
    struct compare *cmp;
    const struct compare_options *o;
    uint64_t nseeds, done, total;
    int rc;
};

static void run_task(void *vctx, uint64_t task, void **blob, size_t *len)
{
    struct run_ctx *ctx = vctx;
    struct compare *cmp = ctx->cmp;
    int row = (int)(task % (uint64_t)cmp->nrows);
    uint64_t seed = cmp->first + task / (uint64_t)cmp->nrows;
    const struct scenario *sc = cmp->rows[row].sc;
    struct compare_run run;
    memset(&run, 0, sizeof run);
    run.row = row;
    run.seed = seed;
    struct run_options opt = {.seed_set = true, .seed = seed, .no_trace_hash = true,
                              .check_timeout = ctx->o->check_timeout > 0 ? ctx->o->check_timeout : 20.0};
    struct run_result r;
    char err[sizeof run.error_text];
    if (runner_run(sc, &opt, &r, err, sizeof err) != SIM_OK) {
        run.error = true;
        snprintf(run.error_text, sizeof run.error_text, "%s", err);
    } else {
        if (compare_measure(sc, &r, cmp->bucket, &run) != SIM_OK) {
            compare_run_clear(&run);
            run.error = true;
            snprintf(run.error_text, sizeof run.error_text, "out of memory measuring the run");
        }
        runner_result_free(&r);
    }
    *blob = compare_run_pack(&run, len);
    compare_run_clear(&run);
}

static uint64_t run_result(void *vctx, uint64_t task, const void *blob, size_t len,
                           const char *died)
{
    struct run_ctx *ctx = vctx;
    struct compare *cmp = ctx->cmp;
    int row = (int)(task % (uint64_t)cmp->nrows);
    uint64_t k = task / (uint64_t)cmp->nrows;
    struct compare_run *run = &cmp->rows[row].runs[k];
    compare_run_clear(run);
    int rc = blob ? compare_run_unpack(blob, len, run) : SIM_EINVAL;
    if (rc) {
        memset(run, 0, sizeof *run);
        run->row = row;
        run->seed = cmp->first + k;
        run->error = true;
        snprintf(run->error_text, sizeof run->error_text, "%s",
                 died ? died : rc == SIM_ENOMEM ? "out of memory" : "the worker sent no result");
        if (rc == SIM_ENOMEM)
            ctx->rc = rc;
    }
    ctx->done++;
    if (ctx->o->progress)
        ctx->o->progress(ctx->o->progress_ctx, ctx->done, ctx->total, 0);
    return UINT64_MAX;
}

static void stat_add(struct compare_stat *s, double x)
{
    if (!isfinite(x))
        return;
    if (s->n == 0 || x < s->min)
        s->min = x;
    if (s->n == 0 || x > s->max)
        s->max = x;
    /* Welford: mean and the sum of squares, sd finished below */
    s->n++;
    double d = x - s->mean;
    s->mean += d / s->n;
    s->sd += d * (x - s->mean);
}

static void stat_finish(struct compare_stat *s)
{
    s->sd = s->n > 1 ? sqrt(s->sd / (s->n - 1)) : 0.0;
}

static void row_stats(struct compare_row *row)
{
    struct compare_stat *all[] = {&row->availability, &row->write_availability, &row->longest_gap,
                                  &row->longest_write_gap, &row->throughput, &row->p50, &row->p99,
                                  &row->msgs_per_op, &row->recover_worst, &row->violations,
                                  &row->stale_reads, &row->lost_writes, &row->blocked};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        memset(all[i], 0, sizeof *all[i]);
    for (int k = 0; k < row->nruns; k++) {
        const struct compare_run *r = &row->runs[k];
        if (r->error) {
            row->errors++;
            continue;
        }
        /* available: the share the system answered (ok, or a definite
         * fail such as a cas mismatch), as `run` counts it */
        if (r->ops_invoked)
            stat_add(&row->availability,
                     (double)(r->ops_ok + r->ops_fail) / (double)r->ops_invoked);
        if (r->writes_invoked) {
            stat_add(&row->write_availability,
                     (double)r->writes_answered / (double)r->writes_invoked);
            stat_add(&row->longest_write_gap, (double)r->longest_write_gap / 1e6);
        }
        if (r->ops_invoked)
            stat_add(&row->longest_gap, (double)r->longest_gap / 1e6);
        if (r->to > r->from)
            stat_add(&row->throughput, (double)r->ops_ok / ((double)(r->to - r->from) / 1e6));
        if (r->p50 >= 0)
            stat_add(&row->p50, (double)r->p50 / 1e3);
        if (r->p99 >= 0)
            stat_add(&row->p99, (double)r->p99 / 1e3);
        if (r->ops_ok)
            stat_add(&row->msgs_per_op, (double)r->messages / (double)r->ops_ok);
        sim_time worst = -1;
        for (int f = 0; f < r->nfaults; f++) {
            if (r->faults[f].recover == -1)
                row->never_recovered++;
            if (r->faults[f].recover > worst)
                worst = r->faults[f].recover;
        }
        if (worst >= 0)
            stat_add(&row->recover_worst, (double)worst / 1e6);
        stat_add(&row->violations, r->violations);
        row->seeds_violating += r->violations > 0;
        row->seeds_linearizable += r->linearizable == VERDICT_YES;
        row->seeds_not_linearizable += r->linearizable == VERDICT_NO;
        row->seeds_unknown += r->linearizable == VERDICT_UNKNOWN;
        if (r->stale_reads >= 0)
            stat_add(&row->stale_reads, (double)r->stale_reads);
        if (r->lost_writes >= 0)
            stat_add(&row->lost_writes, (double)r->lost_writes);
        stat_add(&row->blocked, (double)r->blocked);
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        stat_finish(all[i]);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int compare_run(struct compare *cmp, const struct compare_options *o, char *err, size_t errcap)
{
    uint64_t nseeds = cmp->last - cmp->first + 1;
    for (int i = 0; i < cmp->nrows; i++) {
        struct compare_row *row = &cmp->rows[i];
        row->runs = calloc((size_t)nseeds, sizeof *row->runs);
        if (!row->runs) {
            snprintf(err, errcap, "out of memory for %llu seeds", (unsigned long long)nseeds);
            return SIM_ENOMEM;
        }
        row->nruns = (int)nseeds;
    }
    struct run_ctx ctx = {cmp, o, nseeds, 0, nseeds * (uint64_t)cmp->nrows, SIM_OK};
    struct sweep_pool_config pc = {
        .ntasks = ctx.total,
        .jobs = o->jobs,
        .run = run_task,
        .result = run_result,
        .ctx = &ctx,
    };
    double t0 = wall_now();
    int rc = sweep_pool_run(&pc, err, errcap);
    cmp->wall_seconds = wall_now() - t0;
    if (!rc && ctx.rc) {
        snprintf(err, errcap, "out of memory collecting the runs");
        rc = ctx.rc;
    }
    if (rc)
        return rc;
    for (int i = 0; i < cmp->nrows; i++)
        row_stats(&cmp->rows[i]);
    cmp->same_schedule = true;
    for (uint64_t k = 0; k < nseeds; k++) {
        const struct compare_run *first = NULL;
        for (int i = 0; i < cmp->nrows; i++) {
            const struct compare_run *r = &cmp->rows[i].runs[k];
            if (r->error)
                continue;
            if (!first)
                first = r;
            else if (r->schedule_hash != first->schedule_hash)
                cmp->same_schedule = false;
        }
    }
    return SIM_OK;
}
