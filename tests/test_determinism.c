/* test_determinism.c - same scenario and seed give the same trace, byte for
 * byte; another seed gives another trace; simulations share no state, so
 * two interleaved in one process trace exactly as they do alone. */
#include "tests/probe.h"

#include "protocols/registry.h"

static const char *const lesson =
    "{\"name\":\"d\",\"protocol\":\"primary-backup\",\"nodes\":3,\"seed\":7,\"duration\":\"4s\","
    "\"network\":{\"latency\":{\"dist\":\"exponential\",\"mean\":\"4ms\",\"floor\":\"1ms\"},\"drop\":0.02,\"duplicate\":0.02},"
    "\"workload\":{\"clients\":4,\"rate\":\"100/s\",\"connect\":\"random\",\"retries\":1},"
    "\"faults\":[{\"at\":\"1s\",\"partition\":[[\"n1\"],[\"n2\",\"n3\"]],\"for\":\"1s\"},"
    "{\"at\":\"2.5s\",\"crash\":\"primary\",\"for\":\"300ms\"}],"
    "\"nemesis\":{\"start\":\"3s\",\"until\":\"3.8s\",\"interval\":\"100ms\",\"duration\":\"50ms\"}}";

/* Runs `json` with seed `seed`, returning the whole trace. */
static struct capture trace_of(const char *json, uint64_t seed, uint64_t *hash)
{
    char err[512];
    struct scenario *sc;
    cr_assert_eq(scenario_parse(json, strlen(json), "d.json", &sc, err, sizeof err), 0, "%s", err);
    struct capture cap = {0};
    struct sim_options opt = {.seed_set = true, .seed = seed, .trace_sink = capture_sink, .sink_ctx = &cap};
    struct sim *s;
    cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &opt, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run(s), 0);
    *hash = sim_trace_hash(s);
    sim_destroy(s);
    scenario_free(sc);
    return cap;
}

Test(determinism, same_seed_gives_identical_trace_bytes)
{
    uint64_t h1, h2;
    struct capture a = trace_of(lesson, 7, &h1), b = trace_of(lesson, 7, &h2);
    cr_assert_gt(a.lines, 1000);
    cr_assert_eq(a.len, b.len);
    cr_expect_eq(memcmp(a.data, b.data, a.len), 0);
    cr_expect_eq(h1, h2);
    capture_free(&a);
    capture_free(&b);
}

Test(determinism, different_seed_gives_a_different_trace)
{
    uint64_t h1, h2;
    struct capture a = trace_of(lesson, 7, &h1), b = trace_of(lesson, 8, &h2);
    cr_expect_neq(h1, h2);
    cr_expect(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
    capture_free(&a);
    capture_free(&b);
}

Test(determinism, hash_is_fnv1a_of_the_trace_bytes)
{
    uint64_t h;
    struct capture a = trace_of(lesson, 3, &h);
    uint64_t x = 1469598103934665603ULL;
    for (size_t i = 0; i < a.len; i++)
        x = (x ^ (unsigned char)a.data[i]) * 1099511628211ULL;
    cr_expect_eq(x, h);
    capture_free(&a);
}

Test(determinism, interleaved_simulations_do_not_disturb_each_other)
{
    uint64_t alone7, alone9;
    struct capture a = trace_of(lesson, 7, &alone7), b = trace_of(lesson, 9, &alone9);
    char err[512];
    struct scenario *sc;
    cr_assert_eq(scenario_parse(lesson, strlen(lesson), "d.json", &sc, err, sizeof err), 0);
    struct sim *s1, *s2;
    struct sim_options o1 = {.seed_set = true, .seed = 7, .trace_hash = true};
    struct sim_options o2 = {.seed_set = true, .seed = 9, .trace_hash = true};
    cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &o1, &s1, err, sizeof err), 0);
    cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &o2, &s2, err, sizeof err), 0);
    int r1 = 1, r2 = 1;
    while (r1 > 0 || r2 > 0) { /* step them in lock-step, one event each */
        if (r1 > 0)
            r1 = sim_step(s1);
        if (r2 > 0)
            r2 = sim_step(s2);
    }
    cr_expect_eq(r1, 0);
    cr_expect_eq(r2, 0);
    cr_expect_eq(sim_trace_hash(s1), alone7);
    cr_expect_eq(sim_trace_hash(s2), alone9);
    sim_destroy(s1);
    sim_destroy(s2);
    scenario_free(sc);
    capture_free(&a);
    capture_free(&b);
}

Test(determinism, run_until_in_slices_equals_one_run)
{
    uint64_t whole;
    struct capture a = trace_of(lesson, 5, &whole);
    char err[512];
    struct scenario *sc;
    cr_assert_eq(scenario_parse(lesson, strlen(lesson), "d.json", &sc, err, sizeof err), 0);
    struct sim *s;
    struct sim_options o = {.seed_set = true, .seed = 5, .trace_hash = true};
    cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &o, &s, err, sizeof err), 0);
    for (sim_time t = 0; !sim_done(s); t += 33333)
        cr_assert_eq(sim_run_until(s, t), 0);
    cr_expect_eq(sim_trace_hash(s), whole);
    sim_destroy(s);
    scenario_free(sc);
    capture_free(&a);
}

Test(determinism, history_is_identical_for_the_same_seed)
{
    char err[512];
    struct scenario *sc;
    cr_assert_eq(scenario_parse(lesson, strlen(lesson), "d.json", &sc, err, sizeof err), 0);
    char *h[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        struct sim *s;
        struct sim_options o = {0};
        cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &o, &s, err, sizeof err), 0);
        cr_assert_eq(sim_run(s), 0);
        const char *text = sim_history(s, &len[i]);
        h[i] = strndup(text, len[i]);
        sim_destroy(s);
    }
    cr_assert_gt(len[0], 1000);
    cr_expect_eq(len[0], len[1]);
    cr_expect_str_eq(h[0], h[1]);
    free(h[0]);
    free(h[1]);
    scenario_free(sc);
}
