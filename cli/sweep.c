/* sweep.c - one seed judged (invariants, linearizability, the scenario's
 * expectations) and a range of seeds run on worker processes: the seeds
 * are tasks of sweep_pool, each verdict a fixed-size record. */
#include "cli/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/sweep_pool.h"

/* ---- one seed ------------------------------------------------------------------------ */

static bool wants_linearizable(const struct sweep_config *cfg)
{
    return cfg->require_linearizable || cfg->sc->expect.linearizable == 1;
}

static bool violations_expected(const struct scenario *sc)
{
    return sc->expect.violations == EXPECT_SOME || sc->expect.violations == EXPECT_LIST;
}

void sweep_run_options(const struct sweep_config *cfg, uint64_t seed, struct run_options *opt)
{
    const struct expect_cfg *e = &cfg->sc->expect;
    memset(opt, 0, sizeof *opt);
    opt->seed_set = true;
    opt->seed = seed;
    opt->duration = cfg->duration;
    opt->no_trace_hash = true;
    /* The checker is the costly part of a seed: only when a verdict needs it. */
    opt->no_check = !(wants_linearizable(cfg) || e->linearizable >= 0 || e->stale_reads != -1 ||
                      e->lost_writes != -1);
    opt->check_timeout = cfg->check_timeout > 0 ? cfg->check_timeout : 20.0;
}

/* Appends ", text" (or "text" at the start) to a fixed buffer. */
static void append(char *buf, size_t cap, const char *text)
{
    size_t used = strlen(buf);
    if (used + 3 >= cap)
        return;
    snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", text);
}

/* The first line of `text`, at most cap-1 bytes. */
static void first_line(char *buf, size_t cap, const char *text)
{
    size_t n = strcspn(text, "\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
}

void sweep_judge(const struct sweep_config *cfg, uint64_t seed, const struct run_result *r,
                 struct sweep_seed *out)
{
    memset(out, 0, sizeof *out);
    out->seed = seed;
    out->fail_at = -1;
    out->linearizable = (int32_t)r->linearizable;
    const struct sim *s = r->sim;
    int nv = sim_violation_count(s);
    out->violations = nv;
    char detail[sizeof out->detail] = "";
    if (nv > 0) {
        const struct sim_violation_info *v = sim_violation_get(s, 0);
        snprintf(out->invariant, sizeof out->invariant, "%s", v->invariant);
        out->fail_at = v->time;
        if (!violations_expected(cfg->sc)) {
            out->reasons |= SWEEP_VIOLATION;
            char t[32];
            scenario_format_time(v->time, t, sizeof t);
            snprintf(detail, sizeof detail, "%s at %s: %s", v->invariant, t, v->text);
        }
    }
    if (wants_linearizable(cfg)) {
        if (r->linearizable == VERDICT_NO) {
            out->reasons |= SWEEP_NOT_LINEARIZABLE;
            if (!detail[0])
                snprintf(detail, sizeof detail, "history not linearizable");
            else
                append(detail, sizeof detail, "history not linearizable");
        } else if (r->linearizable == VERDICT_UNKNOWN) {
            out->reasons |= SWEEP_UNDECIDED;
        }
    }
    for (int i = 0; i < r->ncheck; i++) {
        const struct expect_check *c = &r->checks[i];
        if (c->ok)
            continue;
        /* covered above: a violation the scenario forbids, a linearizable
         * history it asks for (not met, or undecided) */
        if (strcmp(c->key, "violations") == 0 && !violations_expected(cfg->sc))
            continue;
        if (strcmp(c->key, "linearizable") == 0 && cfg->sc->expect.linearizable == 1)
            continue;
        out->reasons |= SWEEP_EXPECT;
        append(out->failed, sizeof out->failed, c->key);
        if (!detail[0])
            snprintf(detail, sizeof detail, "expect.%s: %s", c->key, c->detail);
    }
    first_line(out->detail, sizeof out->detail, detail);
}

void sweep_one(const struct sweep_config *cfg, uint64_t seed, struct sweep_seed *out)
{
    struct run_options opt;
    sweep_run_options(cfg, seed, &opt);
    struct run_result r;
    char err[sizeof out->detail];
    int rc = runner_run(cfg->sc, &opt, &r, err, sizeof err);
    if (rc != SIM_OK) {
        memset(out, 0, sizeof *out);
        out->seed = seed;
        out->fail_at = -1;
        out->linearizable = VERDICT_NOT_CHECKED;
        out->reasons = SWEEP_ERROR;
        first_line(out->detail, sizeof out->detail, err);
        return;
    }
    sweep_judge(cfg, seed, &r, out);
    runner_result_free(&r);
}

bool sweep_failed(const struct sweep_seed *s)
{
    return (s->reasons & SWEEP_FAILURE) != 0;
}

int sweep_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ---- the local share of a range (MPI ranks take interleaved chunks) ------------------ */

static uint64_t span(const struct sweep_config *cfg)
{
    return cfg->last - cfg->first + 1;
}

uint64_t sweep_local_count(const struct sweep_config *cfg)
{
    uint64_t n = span(cfg);
    if (cfg->stride <= 1)
        return n;
    uint64_t c = cfg->chunk ? cfg->chunk : 1, stride = (uint64_t)cfg->stride;
    uint64_t off = (uint64_t)cfg->offset;
    uint64_t full = n / c, rest = n % c;    /* full chunks, then one partial */
    uint64_t mine = full / stride + (off < full % stride ? 1 : 0);
    uint64_t count = mine * c;
    if (rest && full % stride == off)       /* the partial chunk is ours */
        count += rest;
    return count;
}

uint64_t sweep_local_seed(const struct sweep_config *cfg, uint64_t i)
{
    if (cfg->stride <= 1)
        return cfg->first + i;
    uint64_t c = cfg->chunk ? cfg->chunk : 1;
    uint64_t k = (i / c) * (uint64_t)cfg->stride + (uint64_t)cfg->offset;
    return cfg->first + k * c + i % c;
}

/* ---- outcome ------------------------------------------------------------------------- */

int sweep_outcome_add(struct sweep_outcome *o, const struct sweep_seed *s)
{
    if (!s->reasons)
        return SIM_OK;
    if (o->nbad == o->capbad) {
        size_t cap = o->capbad ? o->capbad * 2 : 16;
        struct sweep_seed *b = realloc(o->bad, cap * sizeof *b);
        if (!b)
            return SIM_ENOMEM;
        o->bad = b;
        o->capbad = cap;
    }
    o->bad[o->nbad++] = *s;
    return SIM_OK;
}

static int by_seed(const void *a, const void *b)
{
    uint64_t x = ((const struct sweep_seed *)a)->seed, y = ((const struct sweep_seed *)b)->seed;
    return x < y ? -1 : x > y;
}

void sweep_outcome_finish(struct sweep_outcome *o, uint64_t limit)
{
    if (o->nbad > 1)
        qsort(o->bad, o->nbad, sizeof *o->bad, by_seed);
    size_t keep = 0;
    for (size_t i = 0; i < o->nbad; i++)
        if (o->bad[i].seed <= limit)
            o->bad[keep++] = o->bad[i];
    o->nbad = keep;
}

void sweep_outcome_free(struct sweep_outcome *o)
{
    free(o->bad);
    memset(o, 0, sizeof *o);
}

/* ---- the run ------------------------------------------------------------------------- */

struct sweep_ctx {
    const struct sweep_config *cfg;
    struct sweep_outcome *out;
    uint64_t failing;
    int rc;
};

static void seed_task(void *vctx, uint64_t task, void **blob, size_t *len)
{
    struct sweep_ctx *ctx = vctx;
    struct sweep_seed *s = malloc(sizeof *s);
    if (!s)
        return; /* the parent sees an empty result and blames the seed */
    sweep_one(ctx->cfg, sweep_local_seed(ctx->cfg, task), s);
    *blob = s;
    *len = sizeof *s;
}

static uint64_t seed_result(void *vctx, uint64_t task, const void *blob, size_t len,
                            const char *died)
{
    struct sweep_ctx *ctx = vctx;
    struct sweep_seed s;
    uint64_t seed = sweep_local_seed(ctx->cfg, task);
    if (blob && len == sizeof s) {
        memcpy(&s, blob, sizeof s);
    } else {
        memset(&s, 0, sizeof s);
        s.seed = seed;
        s.fail_at = -1;
        s.linearizable = VERDICT_NOT_CHECKED;
        s.reasons = SWEEP_ERROR;
        snprintf(s.detail, sizeof s.detail, "%s", died ? died : "the worker sent no verdict");
    }
    ctx->out->done++;
    if (sweep_failed(&s))
        ctx->failing++;
    if (sweep_outcome_add(ctx->out, &s))
        ctx->rc = SIM_ENOMEM;
    uint64_t limit = UINT64_MAX;
    if (ctx->cfg->stop_at_first && sweep_failed(&s)) {
        if (s.seed < ctx->out->stop)
            ctx->out->stop = s.seed;
        limit = task + 1;
    }
    if (ctx->cfg->progress)
        ctx->cfg->progress(ctx->cfg->progress_ctx, ctx->out->done, ctx->out->total, ctx->failing);
    return limit;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int sweep_run(const struct sweep_config *cfg, struct sweep_outcome *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    out->stop = UINT64_MAX;
    out->total = sweep_local_count(cfg);
    struct sweep_ctx ctx = {cfg, out, 0, SIM_OK};
    struct sweep_pool_config pc = {
        .ntasks = out->total,
        .jobs = cfg->jobs,
        .run = seed_task,
        .result = seed_result,
        .ctx = &ctx,
    };
    double t0 = wall_now();
    int rc = sweep_pool_run(&pc, err, errcap);
    out->wall_seconds = wall_now() - t0;
    if (!rc && ctx.rc) {
        snprintf(err, errcap, "out of memory keeping the sweep's verdicts");
        rc = ctx.rc;
    }
    sweep_outcome_finish(out, out->stop);
    return rc;
}
