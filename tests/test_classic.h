/* test_classic.h - fixture shared by the tests of the classic protocols
 * (primary-backup, quorum, 2pc, 3pc, chain): run a lesson file or a
 * scenario given as JSON text at a seed, ask about its violations, metrics,
 * roles and client history, and sweep many seeds. Header-only: each test
 * file is its own executable. */
#ifndef FAULTLINE_TEST_CLASSIC_H
#define FAULTLINE_TEST_CLASSIC_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/runner.h"
#include "sim/engine.h"
#include "sim/scenario.h"

/* One finished run and the scenario it borrowed. */
struct classic_run {
    struct scenario *sc;
    struct run_result r;
};

static inline char *classic_read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    fclose(fp);
    return text;
}

/* Runs `protocol` on `nodes` nodes with `params` (JSON text) and expects
 * the run to be refused as bad input, with a message naming `key`. */
static inline void classic_expect_param_error(const char *protocol, const char *params, int nodes,
                                              const char *key)
{
    char text[1024], err[1024];
    snprintf(text, sizeof text,
             "{\"name\": \"t\", \"protocol\": \"%s\", \"nodes\": %d, \"duration\": \"1s\", "
             "\"params\": %s}",
             protocol, nodes, params);
    struct scenario *sc;
    cr_assert_eq(scenario_parse(text, strlen(text), "t.json", &sc, err, sizeof err), 0, "%s", err);
    struct run_result r;
    int rc = runner_run(sc, &(struct run_options){0}, &r, err, sizeof err);
    cr_expect_eq(rc, SIM_EINVAL, "params %s should be rejected", params);
    cr_expect(strstr(err, key) != NULL, "error should name %s: %s", key, err);
    if (rc == 0)
        runner_result_free(&r);
    scenario_free(sc);
}

/* The text of scenarios/<name>.json (caller frees). */
static inline char *classic_lesson_text(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/%s.json", FAULTLINE_SOURCE_DIR, name);
    return classic_read_file(path);
}

/* Replaces the first occurrence of `from` in `text` by `to`; returns a new
 * string (frees `text`). Fails the test when `from` is absent. */
static inline char *classic_edit(char *text, const char *from, const char *to)
{
    char *at = strstr(text, from);
    cr_assert_not_null(at, "scenario text has no \"%s\"", from);
    size_t head = (size_t)(at - text), fl = strlen(from), tl = strlen(to), n = strlen(text);
    char *out = malloc(n - fl + tl + 1);
    cr_assert_not_null(out);
    memcpy(out, text, head);
    memcpy(out + head, to, tl);
    memcpy(out + head + tl, at + fl, n - head - fl + 1);
    free(text);
    return out;
}

/* Runs scenario text; seed 0 keeps the scenario's. `check`: run the history
 * checkers (linearizability, stale reads, lost writes). */
static inline void classic_run_text(struct classic_run *run, const char *text, uint64_t seed,
                                    bool check)
{
    char err[1024];
    int rc = scenario_parse(text, strlen(text), "test", &run->sc, err, sizeof err);
    cr_assert_eq(rc, 0, "scenario: %s", err);
    struct run_options opt = {0};
    opt.seed_set = seed != 0;
    opt.seed = seed;
    opt.no_trace_hash = true;
    opt.no_check = !check;
    rc = runner_run(run->sc, &opt, &run->r, err, sizeof err);
    cr_assert_eq(rc, 0, "run: %s", err);
}

/* The text of tests/data/regress/<name>.json (caller frees): a scenario
 * kept as the regression test of a bug fixed. */
static inline char *classic_regress_text(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/regress/%s.json", FAULTLINE_TEST_DATA, name);
    return classic_read_file(path);
}

static inline void classic_run_lesson(struct classic_run *run, const char *name)
{
    char *text = classic_lesson_text(name);
    classic_run_text(run, text, 0, true);
    free(text);
}

static inline void classic_free(struct classic_run *run)
{
    runner_result_free(&run->r);
    scenario_free(run->sc);
    run->sc = NULL;
}

/* Every expectation of the scenario's expect block holds. */
static inline void classic_expect_ok(const struct classic_run *run)
{
    for (int k = 0; k < run->r.ncheck; k++)
        cr_expect(run->r.checks[k].ok, "expect.%s: %s", run->r.checks[k].key,
                  run->r.checks[k].detail);
}

static inline bool classic_violated(const struct classic_run *run, const char *invariant)
{
    for (int i = 0; i < sim_violation_count(run->r.sim); i++)
        if (strcmp(sim_violation_get(run->r.sim, i)->invariant, invariant) == 0)
            return true;
    return false;
}

static inline int classic_violations(const struct classic_run *run)
{
    return sim_violation_count(run->r.sim);
}

static inline int64_t classic_metric(const struct classic_run *run, const char *name)
{
    return sim_metric_value(run->r.sim, name);
}

static inline const char *classic_role(const struct classic_run *run, int node)
{
    return sim_node_role(run->r.sim, node);
}

/* The first violation's text, for messages. */
static inline const char *classic_first_violation(const struct classic_run *run)
{
    const struct sim_violation_info *v = sim_violation_get(run->r.sim, 0);
    return v ? v->text : "none";
}

/* ---- the client history --------------------------------------------------------- */

/* Calls `fn` for each completed operation of the history with its f, type,
 * invoke and completion times. */
struct classic_op {
    const char *f;        /* "read", "append", ... */
    const char *type;     /* "ok", "fail", "info" */
    const char *key;
    int64_t invoked, completed;
};

static inline void classic_each_op(const struct classic_run *run,
                                   void (*fn)(const struct classic_op *op, void *ctx), void *ctx)
{
    size_t len;
    const char *hist = sim_history(run->r.sim, &len);
    int64_t *invoked = calloc(65536, sizeof *invoked);
    cr_assert_not_null(invoked);
    const char *line = hist;
    while (line < hist + len) {
        const char *end = memchr(line, '\n', (size_t)(hist + len - line));
        if (!end)
            end = hist + len;
        cJSON *o = cJSON_ParseWithLength(line, (size_t)(end - line));
        if (o) {
            const cJSON *process = cJSON_GetObjectItem(o, "process");
            const cJSON *type = cJSON_GetObjectItem(o, "type");
            const cJSON *time = cJSON_GetObjectItem(o, "time");
            int p = process ? process->valueint : 0;
            if (p >= 0 && p < 65536 && type && time) {
                if (strcmp(type->valuestring, "invoke") == 0) {
                    invoked[p] = (int64_t)time->valuedouble;
                } else {
                    struct classic_op op = {cJSON_GetObjectItem(o, "f")->valuestring,
                                            type->valuestring,
                                            cJSON_GetObjectItem(o, "key")->valuestring,
                                            invoked[p], (int64_t)time->valuedouble};
                    fn(&op, ctx);
                }
            }
            cJSON_Delete(o);
        }
        line = end + 1;
    }
    free(invoked);
}

struct classic_gap {
    const char *f1, *f2;  /* operations counted (f2 may be NULL) */
    sim_time from, to;    /* window looked at */
    sim_time last, longest;
};

static inline void classic_gap_fn(const struct classic_op *op, void *ctx)
{
    struct classic_gap *g = ctx;
    bool counted = strcmp(op->f, g->f1) == 0 || (g->f2 && strcmp(op->f, g->f2) == 0);
    if (!counted || strcmp(op->type, "ok") != 0 || op->completed < g->from || op->completed > g->to)
        return;
    if (op->completed - g->last > g->longest)
        g->longest = op->completed - g->last;
    g->last = op->completed;
}

/* The longest time in [from, to] without an operation of kind f1 (or f2)
 * completing ok: how long clients could not write, or read. */
static inline sim_time classic_longest_gap(const struct classic_run *run, const char *f1,
                                           const char *f2, sim_time from, sim_time to)
{
    struct classic_gap g = {f1, f2, from, to, from, 0};
    classic_each_op(run, classic_gap_fn, &g);
    if (to - g.last > g.longest)
        g.longest = to - g.last;
    return g.longest;
}

struct classic_count {
    const char *f, *type;
    int64_t n;
};

static inline void classic_count_fn(const struct classic_op *op, void *ctx)
{
    struct classic_count *c = ctx;
    if ((!c->f || strcmp(op->f, c->f) == 0) && (!c->type || strcmp(op->type, c->type) == 0))
        c->n++;
}

/* Completed operations of kind f (NULL: any) with outcome type (NULL: any). */
static inline int64_t classic_count_ops(const struct classic_run *run, const char *f,
                                        const char *type)
{
    struct classic_count c = {f, type, 0};
    classic_each_op(run, classic_count_fn, &c);
    return c.n;
}

/* ---- sweeps ------------------------------------------------------------------------ */

/* Outcome of one seed, judged by the test. */
typedef bool (*classic_judge)(const struct classic_run *run, char *why, size_t cap);

struct classic_sweep {
    int runs;
    int failed;           /* seeds the judge rejected */
    uint64_t first_failed;
    char why[512];
};

/* Runs `text` at seeds [from, to]; the judge says whether each run is good.
 * With stop_at_first, stops at the first seed the judge rejects. */
static inline void classic_sweep(struct classic_sweep *out, const char *text, uint64_t from,
                                 uint64_t to, bool check, classic_judge judge, bool stop_at_first)
{
    memset(out, 0, sizeof *out);
    for (uint64_t seed = from; seed <= to; seed++) {
        struct classic_run run;
        classic_run_text(&run, text, seed, check);
        char why[512] = "";
        bool good = judge(&run, why, sizeof why);
        out->runs++;
        if (!good) {
            if (!out->failed) {
                out->first_failed = seed;
                snprintf(out->why, sizeof out->why, "%s", why);
            }
            out->failed++;
        }
        classic_free(&run);
        if (!good && stop_at_first)
            break;
    }
}

#endif
