/* probe.h - test fixture shared by the engine tests: the "probe" protocol
 * (every node pings every other node on a timer and counts what arrives;
 * it keeps a boot counter and two marker keys in stable storage, one synced
 * and one not), a trace sink that captures every line, and helpers to run a
 * scenario given as JSON text and to query the captured trace. Header-only:
 * each test file is its own executable. */
#ifndef FAULTLINE_TEST_PROBE_H
#define FAULTLINE_TEST_PROBE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/scenario.h"
#include "sim/sim.h"

/* ---- the probe protocol ----------------------------------------------------- */

enum { PROBE_PING };
enum { PROBE_TICK, PROBE_ONCE };

struct probe_config {
    sim_time interval;   /* every node pings every other this often */
    sim_time once;       /* >0: a one-shot timer this long after boot */
};

struct probe_state {
    int64_t boots;       /* from stable storage */
    int64_t received;    /* volatile: pings received since boot */
    int has_synced, has_unsynced;
};

static inline int probe_configure(struct sim_params *p, void *config)
{
    struct probe_config *c = config;
    int rc = sim_param_duration(p, "interval", 10 * SIM_MS, &c->interval);
    if (!rc)
        rc = sim_param_duration(p, "once", 0, &c->once);
    return rc;
}

static inline void probe_boot(struct sim_node *n, void *state, int first)
{
    struct probe_state *st = state;
    const struct probe_config *c = sim_config(n);
    st->has_synced = sim_store_get(n, "synced", NULL) != NULL;
    st->has_unsynced = sim_store_get(n, "unsynced", NULL) != NULL;
    st->boots = sim_store_get_i64(n, "boots", 0) + 1;
    sim_store_put_i64(n, "boots", st->boots);
    if (first) {
        sim_store_put_i64(n, "synced", 1);
        sim_store_sync(n); /* boots and synced are durable ... */
        sim_store_put_i64(n, "unsynced", 1); /* ... this one is not */
    } else
        sim_store_sync(n);
    if (c->interval > 0)
        sim_set_timer(n, c->interval, PROBE_TICK, 0);
    if (c->once > 0)
        sim_set_timer(n, c->once, PROBE_ONCE, 0);
}

static inline void probe_start(struct sim_node *n, void *state) { probe_boot(n, state, 1); }
static inline void probe_recover(struct sim_node *n, void *state) { probe_boot(n, state, 0); }

static inline void probe_message(struct sim_node *n, void *state, int from, int type, const void *body,
                          size_t len)
{
    (void)n;
    (void)from;
    (void)type;
    (void)body;
    (void)len;
    ((struct probe_state *)state)->received++;
}

static inline void probe_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)state;
    (void)arg;
    if (kind != PROBE_TICK)
        return;
    int64_t now = sim_now(n);
    sim_broadcast(n, PROBE_PING, &now, sizeof now);
    sim_set_timer(n, ((const struct probe_config *)sim_config(n))->interval, PROBE_TICK, 0);
}

static inline void probe_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    (void)state;
    struct sim_result r = {.outcome = SIM_OUT_OK};
    if (op->f == SIM_F_READ)
        r.has_value = false;
    sim_reply(n, op, &r);
}

static inline void probe_describe(const void *state, struct sim_describe *d)
{
    const struct probe_state *st = state;
    sim_describe_text(d, "boots=%lld received=%lld synced=%d unsynced=%d", (long long)st->boots,
                      (long long)st->received, st->has_synced, st->has_unsynced);
}

static inline const char *probe_role(const void *state)
{
    (void)state;
    return "probe";
}

static inline const char *probe_message_name(int type)
{
    return type == PROBE_PING ? "Ping" : "?";
}

static inline const char *probe_timer_name(int kind)
{
    return kind == PROBE_TICK ? "tick" : "once";
}

static const struct sim_protocol probe_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "probe",
    .summary = "test probe",
    .config_size = sizeof(struct probe_config),
    .state_size = sizeof(struct probe_state),
    .configure = probe_configure,
    .start = probe_start,
    .recover = probe_recover,
    .message = probe_message,
    .timer = probe_timer,
    .client_request = probe_client_request,
    .describe = probe_describe,
    .role = probe_role,
    .message_name = probe_message_name,
    .timer_name = probe_timer_name,
};

/* ---- capturing the trace ------------------------------------------------------- */

struct capture {
    char *data;
    size_t len, cap;
    size_t lines;
};

static inline void capture_sink(void *ctx, const char *line, size_t len)
{
    struct capture *c = ctx;
    if (c->len + len + 1 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1 << 16;
        while (cap < c->len + len + 1)
            cap *= 2;
        c->data = realloc(c->data, cap);
        cr_assert_not_null(c->data);
        c->cap = cap;
    }
    memcpy(c->data + c->len, line, len);
    c->len += len;
    c->data[c->len] = '\0';
    c->lines++;
}

static inline void capture_free(struct capture *c)
{
    free(c->data);
    memset(c, 0, sizeof *c);
}

/* A probe run: the scenario, the simulation, and its captured trace. */
struct run {
    struct scenario *sc;
    struct sim *sim;
    struct capture trace;
};

/* Parses `json`, runs it to the end with `proto` (NULL: probe), capturing the
 * trace. Fails the test on any error. */
static inline void run_json_with(struct run *r, const char *json, const struct sim_protocol *proto)
{
    char err[512];
    memset(r, 0, sizeof *r);
    int rc = scenario_parse(json, strlen(json), "test.json", &r->sc, err, sizeof err);
    cr_assert_eq(rc, 0, "scenario did not load: %s", err);
    struct sim_options opt = {0};
    opt.trace_sink = capture_sink;
    opt.sink_ctx = &r->trace;
    rc = sim_create(r->sc, proto ? proto : &probe_protocol, &opt, &r->sim, err, sizeof err);
    cr_assert_eq(rc, 0, "sim_create failed: %s", err);
    cr_assert_eq(sim_run(r->sim), 0);
    cr_assert(sim_done(r->sim));
}

static inline void run_json(struct run *r, const char *json)
{
    run_json_with(r, json, NULL);
}

static inline void run_free(struct run *r)
{
    sim_destroy(r->sim);
    scenario_free(r->sc);
    capture_free(&r->trace);
}

/* The next captured line as a NUL-terminated copy (caller frees), or NULL
 * at the end; *pos starts at 0. Walks the capture once, never rescanning. */
static inline char *next_line(const struct capture *c, size_t *pos)
{
    if (*pos >= c->len)
        return NULL;
    const char *p = c->data + *pos;
    const char *nl = memchr(p, '\n', c->len - *pos);
    size_t len = nl ? (size_t)(nl - p) : c->len - *pos;
    *pos += len + 1;
    return strndup(p, len);
}

/* The value of integer field "key" in a trace line, or -1. */
static inline long long line_int(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* Calls fn for every captured line containing every string in `needles`
 * (NULL-terminated) whose time "t" is within [from, to]; returns how many. */
static inline size_t count_lines(const struct capture *c, sim_time from, sim_time to,
                          const char *const *needles)
{
    size_t n = 0, pos = 0;
    for (char *line; (line = next_line(c, &pos)); free(line)) {
        long long t = line_int(line, "t");
        bool ok = t >= from && t <= to;
        for (const char *const *s = needles; ok && *s; s++)
            if (!strstr(line, *s))
                ok = false;
        n += ok;
    }
    return n;
}

#define COUNT(run, from, to, ...) \
    count_lines(&(run)->trace, (from), (to), (const char *const[]){__VA_ARGS__, NULL})

#endif
