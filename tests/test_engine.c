/* test_engine.c - engine behaviours a protocol relies on: message bodies
 * stay valid while the handler sends, timers cancel, injected faults are
 * recorded so that a scenario listing them replays the same run, the
 * violation and metric plumbing, and parameters reaching configure. */
#include <cjson/cJSON.h>

#include "tests/probe.h"

/* ---- a protocol that floods from inside its message handler ---------------- */

struct flood_state {
    int64_t bad_bodies;
    int64_t handled;
};

static void flood_start(struct sim_node *n, void *state)
{
    (void)state;
    if (sim_self(n) == 0) {
        char body[200]; /* bigger than the inline size: a heap body */
        memset(body, 'x', sizeof body);
        sim_send(n, 1, 1, body, sizeof body);
        int64_t small = 42;
        sim_send(n, 1, 2, &small, sizeof small);
    }
}

static void flood_message(struct sim_node *n, void *state, int from, int type, const void *body,
                          size_t len)
{
    (void)from;
    struct flood_state *st = state;
    unsigned char before[256];
    memcpy(before, body, len);
    /* enough sends to move the engine's message slab several times */
    for (int i = 0; i < 2000; i++)
        sim_send(n, 0, 9, &i, sizeof i);
    if (type != 9 && memcmp(before, body, len) != 0)
        st->bad_bodies++;
    st->handled++;
}

static void flood_describe(const void *state, struct sim_describe *d)
{
    const struct flood_state *st = state;
    sim_describe_text(d, "bad=%lld handled=%lld", (long long)st->bad_bodies, (long long)st->handled);
}

static const struct sim_protocol flood_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "flood",
    .state_size = sizeof(struct flood_state),
    .start = flood_start,
    .message = flood_message,
    .describe = flood_describe,
};

Test(engine, message_body_stays_valid_while_the_handler_sends)
{
    /* regression: the body pointed into the message slab, which a send from
     * inside the handler could reallocate (use after free under ASan) */
    struct run r;
    run_json_with(&r, "{\"name\":\"f\",\"protocol\":\"flood\",\"nodes\":2,\"duration\":\"100ms\"}",
                  &flood_protocol);
    char text[100];
    sim_node_describe(r.sim, 1, text, sizeof text);
    cr_expect_str_eq(text, "bad=0 handled=2");
    run_free(&r);
}

/* ---- timers ----------------------------------------------------------------------- */

struct timer_state {
    sim_timer keep, cancel;
    int fired_keep, fired_cancel;
};

static void timer_start(struct sim_node *n, void *state)
{
    struct timer_state *st = state;
    st->keep = sim_set_timer(n, 10 * SIM_MS, 1, 0);
    st->cancel = sim_set_timer(n, 5 * SIM_MS, 2, 0);
    sim_cancel_timer(n, st->cancel);
    sim_cancel_timer(n, st->cancel); /* twice is harmless */
    sim_cancel_timer(n, 0);
}

static void timer_fired(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)arg;
    struct timer_state *st = state;
    if (kind == 1) {
        st->fired_keep++;
        sim_cancel_timer(n, st->keep); /* cancelling a fired timer: no-op */
    } else
        st->fired_cancel++;
}

static void timer_message(struct sim_node *n, void *s, int f, int t, const void *b, size_t l)
{
    (void)n, (void)s, (void)f, (void)t, (void)b, (void)l;
}

static void timer_describe(const void *state, struct sim_describe *d)
{
    const struct timer_state *st = state;
    sim_describe_text(d, "keep=%d cancel=%d", st->fired_keep, st->fired_cancel);
}

static const struct sim_protocol timer_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "timers",
    .state_size = sizeof(struct timer_state),
    .start = timer_start,
    .message = timer_message,
    .timer = timer_fired,
    .describe = timer_describe,
};

Test(engine, cancelled_timers_never_fire)
{
    struct run r;
    run_json_with(&r, "{\"name\":\"t\",\"protocol\":\"timers\",\"nodes\":1,\"duration\":\"1s\"}",
                  &timer_protocol);
    char text[100];
    sim_node_describe(r.sim, 0, text, sizeof text);
    cr_expect_str_eq(text, "keep=1 cancel=0");
    run_free(&r);
}

/* The trace tells each timer's life, so the viewer can draw it running down:
 * set with its due time, then fired at exactly that time, or cancelled. A
 * clock running slow moves the due time (a second timer_set). */
Test(engine, the_trace_tells_each_timer_set_fired_and_cancelled)
{
    struct run r;
    run_json_with(&r, "{\"name\":\"t\",\"protocol\":\"timers\",\"nodes\":1,\"duration\":\"1s\","
                      " \"faults\": [{\"at\": \"2ms\", \"clock\": \"n1\", \"drift\": -0.5}]}",
                  &timer_protocol);
    long due[8];
    int sets = 0, cancels = 0, fires = 0;
    for (int i = 0; i < 8; i++)
        due[i] = -1;
    size_t pos = 0;
    char *line;
    while ((line = next_line(&r.trace, &pos))) {
        cJSON *j = cJSON_Parse(line);
        free(line);
        cr_assert_not_null(j);
        const char *ev = cJSON_GetStringValue(cJSON_GetObjectItem(j, "ev"));
        if (!ev) { /* the header */
            cJSON_Delete(j);
            continue;
        }
        const cJSON *id = cJSON_GetObjectItem(j, "timer");
        long t = (long)cJSON_GetObjectItem(j, "t")->valuedouble;
        if (strcmp(ev, "timer_set") == 0) {
            sets++;
            due[id->valueint & 7] = (long)cJSON_GetObjectItem(j, "due")->valuedouble;
        } else if (strcmp(ev, "timer_cancel") == 0) {
            cancels++;
            cr_expect_geq(due[id->valueint & 7], 0, "a cancel of a timer never set");
            due[id->valueint & 7] = -1;
        } else if (strcmp(ev, "timer") == 0) {
            fires++;
            cr_expect_eq(t, due[id->valueint & 7], "fired at %ld, due at %ld", t, due[id->valueint & 7]);
            due[id->valueint & 7] = -1;
        }
        cJSON_Delete(j);
    }
    /* keep (10ms) and cancel (5ms) set; cancel cancelled; keep moved by the
     * slow clock at 2ms (due 2 + 8/0.5 = 18ms) and fired then */
    cr_expect_eq(sets, 3);
    cr_expect_eq(cancels, 1);
    cr_expect_eq(fires, 1);
    run_free(&r);
}

/* ---- recorded faults replay -------------------------------------------------------- */

Test(engine, injected_faults_replay_from_a_scenario)
{
    const char *base = "{\"name\":\"i\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"1s\"%s}";
    char json[1024], err[512];
    snprintf(json, sizeof json, base, "");
    struct scenario *sc;
    cr_assert_eq(scenario_parse(json, strlen(json), "i.json", &sc, err, sizeof err), 0);
    struct sim *s;
    struct sim_options o = {.trace_hash = true};
    cr_assert_eq(sim_create(sc, &probe_protocol, &o, &s, err, sizeof err), 0);
    /* a person clicks: at ~200ms crash n2, at ~400ms partition, at ~700ms heal */
    cr_assert_eq(sim_run_until(s, 200 * SIM_MS), 0);
    struct fault crash = {.kind = FAULT_CRASH, .target = {.node = 1}, .bridge = -1};
    cr_assert_eq(sim_inject(s, &crash, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run_until(s, 400 * SIM_MS), 0);
    int g1[] = {0}, g2[] = {2};
    int *groups[] = {g1, g2};
    int sizes[] = {1, 1};
    struct fault part = {.kind = FAULT_PARTITION, .groups = groups, .group_sizes = sizes,
                         .group_count = 2, .bridge = -1};
    cr_assert_eq(sim_inject(s, &part, err, sizeof err), 0, "%s", err);
    (void)sim_next_time(s); /* a peek before the next injection */
    cr_assert_eq(sim_run_until(s, 700 * SIM_MS), 0);
    struct fault heal = {.kind = FAULT_HEAL, .bridge = -1};
    cr_assert_eq(sim_inject(s, &heal, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run(s), 0);
    cr_assert_eq(sim_recorded_count(s), 3);
    uint64_t live = sim_trace_hash(s);
    sim_time at[3];
    for (int i = 0; i < 3; i++)
        at[i] = sim_recorded_get(s, i)->at;
    cr_expect_gt(at[0], 200 * SIM_MS);
    sim_destroy(s);
    scenario_free(sc);

    /* the same faults written into the scenario */
    char faults[512];
    snprintf(faults, sizeof faults,
             ",\"faults\":[{\"at\":\"%lldus\",\"crash\":\"n2\"},"
             "{\"at\":\"%lldus\",\"partition\":[[\"n1\"],[\"n3\"]]},"
             "{\"at\":\"%lldus\",\"heal\":true}]",
             (long long)at[0], (long long)at[1], (long long)at[2]);
    snprintf(json, sizeof json, base, faults);
    cr_assert_eq(scenario_parse(json, strlen(json), "i.json", &sc, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_create(sc, &probe_protocol, &o, &s, err, sizeof err), 0);
    cr_assert_eq(sim_run(s), 0);
    cr_expect_eq(sim_trace_hash(s), live, "the replayed run differs from the recorded one");
    sim_destroy(s);
    scenario_free(sc);
}

/* ---- violations and metrics --------------------------------------------------------- */

static void check_start(struct sim_node *n, void *state)
{
    (void)state;
    sim_set_timer(n, 100 * SIM_MS, 0, 0);
}

static void check_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)kind, (void)arg;
    int64_t *ticks = state;
    (*ticks)++;
    sim_metric_add(n, "ticks", 1);
    sim_set_timer(n, 100 * SIM_MS, 0, 0);
}

static void check_node(struct sim_node *n, const void *state)
{
    const int64_t *ticks = state;
    if (*ticks >= 3 && sim_self(n) == 1)
        sim_node_violation(n, "too-many-ticks", "n2 ticked %lld times", (long long)*ticks);
}

static void check_cluster(struct sim_cluster *c, void *ghost)
{
    int64_t *max_seen = ghost;
    for (int i = 0; i < sim_cluster_size(c); i++) {
        const int64_t *t = sim_cluster_state(c, i);
        if (t && *t > *max_seen)
            *max_seen = *t;
    }
    if (*max_seen >= 5)
        sim_violation(c, "five", -1, "someone ticked five times"); /* same text: one report */
}

static const struct sim_protocol check_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "checks",
    .state_size = sizeof(int64_t),
    .ghost_size = sizeof(int64_t),
    .start = check_start,
    .message = timer_message,
    .timer = check_timer,
    .check_node = check_node,
    .check_cluster = check_cluster,
};

Test(engine, violations_are_recorded_once_per_distinct_report)
{
    struct run r;
    run_json_with(&r, "{\"name\":\"c\",\"protocol\":\"checks\",\"nodes\":2,\"duration\":\"1s\"}",
                  &check_protocol);
    cr_assert_eq(sim_violation_count(r.sim), 2);
    const struct sim_violation_info *v = sim_violation_get(r.sim, 0);
    cr_expect_str_eq(v->invariant, "too-many-ticks");
    cr_expect_eq(v->time, 300 * SIM_MS);
    cr_expect_eq(v->node, 1);
    cr_expect_str_eq(v->text, "n2 ticked 3 times");
    cr_expect_eq(v->reports, 7, "one report per new text: ticks 3..9 (the run ends before 1s)");
    const struct sim_violation_info *w = sim_violation_get(r.sim, 1);
    cr_expect_str_eq(w->invariant, "five");
    cr_expect_eq(w->reports, 1);
    cr_expect_eq(sim_metric_value(r.sim, "ticks"), 18);
    cr_expect_eq(COUNT(&r, 0, SIM_S, "\"ev\":\"violation\"", "\"invariant\":\"five\""), 1);
    run_free(&r);
}
