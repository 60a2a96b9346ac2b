/* test_shrink.c - `faultline sweep --shrink`: the nemesis's schedule
 * replays exactly as explicit faults; a failing seed shrinks to a smaller
 * scenario (fewer faults, shorter, fewer clients) that still fails the
 * same way, written as a file that `faultline run` loads and fails on. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/shrink.h"
#include "cli/sweep.h"
#include "sim/scenario_write.h"

static struct scenario *parse(const char *json)
{
    struct scenario *sc;
    char err[1024];
    cr_assert_eq(scenario_parse(json, strlen(json), "test.json", &sc, err, sizeof err), 0, "%s", err);
    return sc;
}

static struct sweep_config config(const struct scenario *sc)
{
    struct sweep_config c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.scenario_path = "test.json";
    c.first = c.last = 1;
    c.jobs = 1;
    return c;
}

static uint64_t first_failing(const struct sweep_config *c, uint64_t upto)
{
    for (uint64_t seed = 1; seed <= upto; seed++) {
        struct sweep_seed s;
        sweep_one(c, seed, &s);
        if (sweep_failed(&s))
            return seed;
    }
    cr_assert_fail("no failing seed in 1..%llu", (unsigned long long)upto);
    return 0;
}

static const char *const split_brain =
    "{\"name\": \"pb-split-brain-nemesis\", \"protocol\": \"primary-backup\","
    " \"params\": {\"failover\": \"heartbeat\", \"heartbeat\": \"100ms\", \"suspect_after\": \"300ms\","
    "   \"replica_timeout\": \"200ms\"},"
    " \"nodes\": 3, \"duration\": \"6s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"5ms\", \"max\": \"15ms\"}},"
    " \"workload\": {\"clients\": 3, \"rate\": \"50/s\", \"keys\": 1, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
    "   \"timeout\": \"500ms\", \"connect\": \"random\"},"
    " \"nemesis\": {\"until\": \"5s\", \"interval\": {\"min\": \"300ms\", \"max\": \"1s\"},"
    "   \"duration\": {\"min\": \"200ms\", \"max\": \"1.5s\"}, \"faults\": {\"partition\": 1, \"isolate\": 1}},"
    " \"expect\": {\"violations\": \"none\"}}";

/* Every kind of nemesis fault, on five nodes. */
static const char *const every_kind =
    "{\"name\": \"every-kind\", \"protocol\": \"raft\", \"nodes\": 5, \"duration\": \"5s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"12ms\"}},"
    " \"workload\": {\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
    "   \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\", \"retries\": 1},"
    " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"30ms\", \"max\": \"250ms\"},"
    "   \"duration\": {\"min\": \"20ms\", \"max\": \"700ms\"}, \"lose_unsynced\": true,"
    "   \"faults\": {\"crash\": 3, \"partition\": 1, \"isolate\": 1, \"oneway\": 1,"
    "     \"bridge\": 1, \"clock\": 1, \"slow\": 1, \"flap\": 1, \"loss\": 1, \"duplicate\": 1}}}";

/* The engine's record of the nemesis, written as faults without the
 * nemesis, replays the run: the client history is the same byte for byte. */
Test(shrink, the_nemesis_schedule_replays_as_explicit_faults, .timeout = 600)
{
    struct scenario *sc = parse(every_kind);
    int replayed = 0, kinds[FAULT_KIND_COUNT] = {0};
    for (uint64_t seed = 1; seed <= 8; seed++) {
        char err[1024];
        struct run_options opt = {.seed_set = true, .seed = seed, .no_check = true};
        struct run_result r;
        cr_assert_eq(runner_run(sc, &opt, &r, err, sizeof err), 0, "%s", err);
        int n = sim_nemesis_count(r.sim);
        cr_assert_gt(n, 5);
        for (int i = 0; i < n; i++)
            kinds[sim_nemesis_get(r.sim, i)->kind]++;
        struct scenario_write_opts wo = {.extra = sim_nemesis_get(r.sim, 0), .extra_count = n,
                                         .seed_set = true, .seed = seed};
        cJSON *doc = scenario_to_json(sc, &wo, err, sizeof err);
        cr_assert_not_null(doc, "%s", err);
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "nemesis");
        char *text = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        struct scenario *flat = parse(text);
        cJSON_free(text);
        cr_expect_eq(flat->fault_count, n);
        cr_expect(!flat->nemesis.enabled);
        struct run_result again;
        cr_assert_eq(runner_run(flat, &(struct run_options){.no_check = true}, &again, err, sizeof err), 0,
                     "%s", err);
        size_t la, lb;
        const char *ha = sim_history(r.sim, &la), *hb = sim_history(again.sim, &lb);
        bool same = la == lb && memcmp(ha, hb, la) == 0;
        cr_expect(same, "seed %llu: the schedule did not replay", (unsigned long long)seed);
        replayed += same;
        const struct sim_stats *x = sim_get_stats(r.sim), *y = sim_get_stats(again.sim);
        cr_expect_eq(x->messages_sent, y->messages_sent);
        cr_expect_eq(x->crashes, y->crashes);
        runner_result_free(&again);
        scenario_free(flat);
        runner_result_free(&r);
    }
    cr_log_info("%d of 8 seeds replayed", replayed);
    for (int k = 0; k < FAULT_KIND_COUNT; k++)
        if (k != FAULT_RECOVER && k != FAULT_HEAL && k != FAULT_DROP_MESSAGE)
            cr_expect_gt(kinds[k], 0, "no %s fault among the seeds", scenario_fault_name(k));
    scenario_free(sc);
}

Test(shrink, a_failing_seed_shrinks_to_a_smaller_scenario_that_still_fails, .timeout = 600)
{
    struct scenario *sc = parse(split_brain);
    struct sweep_config c = config(sc);
    uint64_t seed = first_failing(&c, 30);
    struct shrink_options so = {&c, 0, NULL};
    struct shrink_result res;
    char err[1024];
    cr_assert_eq(shrink_seed(&so, seed, &res, err, sizeof err), 0, "%s", err);
    cr_expect(!res.nemesis_kept);
    cr_expect_gt(res.nemesis_faults, 0);
    cr_expect_eq(res.faults_before, res.nemesis_faults);
    cr_expect_lt(res.faults_after, res.faults_before);
    cr_expect_geq(res.faults_after, 1, "split brain needs a partition");
    cr_expect_lt(res.duration_after, res.duration_before);
    cr_expect_leq(res.clients_after, res.clients_before);
    cr_expect_leq(res.runs, 400);
    cr_expect_str_eq(res.failure.invariant, "split-brain");
    cr_log_info("seed %llu: %d -> %d faults, %lld -> %lld us, %d -> %d clients in %d runs",
                (unsigned long long)seed, res.faults_before, res.faults_after,
                (long long)res.duration_before, (long long)res.duration_after, res.clients_before,
                res.clients_after, res.runs);

    /* the file: loads back, has no nemesis, and fails the same way */
    char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-shrunk-%ld.json", (long)getpid());
    cr_assert_eq(shrink_write(&res, path, err, sizeof err), 0, "%s", err);
    struct scenario *back;
    cr_assert_eq(scenario_load(path, &back, err, sizeof err), 0, "%s", err);
    cr_expect(!back->nemesis.enabled);
    cr_expect_eq(back->fault_count, res.faults_after);
    cr_expect_eq(back->duration, res.duration_after);
    cr_expect_eq(back->workload.clients, res.clients_after);
    cr_expect_eq(back->seed, seed);
    struct sweep_config bc = config(back);
    struct sweep_seed again;
    sweep_one(&bc, back->seed, &again);
    cr_expect(again.reasons & SWEEP_VIOLATION, "%s", again.detail);
    cr_expect_str_eq(again.invariant, "split-brain");
    scenario_free(back);

    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run %s --quiet", FAULTLINE_BIN, path);
    int status = system(cmd);
    cr_expect_eq(WEXITSTATUS(status), 1, "faultline run on the shrunk scenario should fail");
    unlink(path);
    shrink_result_free(&res);
    scenario_free(sc);
}

/* A Raft bug found by the nemesis shrinks too; the invariant stays. */
Test(shrink, a_raft_bug_shrinks_and_keeps_its_invariant, .timeout = 900)
{
    struct scenario *sc = parse(
        "{\"name\": \"hunt\", \"protocol\": \"raft\", \"params\": {\"bug\": \"no_persist_vote\"},"
        " \"nodes\": 3, \"duration\": \"7s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"12ms\"}},"
        " \"workload\": {\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
        "   \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\", \"retries\": 1},"
        " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"30ms\", \"max\": \"250ms\"},"
        "   \"duration\": {\"min\": \"20ms\", \"max\": \"700ms\"}, \"lose_unsynced\": true,"
        "   \"faults\": {\"crash\": 3, \"partition\": 1, \"isolate\": 1, \"oneway\": 1,"
        "     \"bridge\": 1, \"clock\": 1, \"slow\": 1, \"flap\": 1, \"loss\": 1, \"duplicate\": 1}}}");
    struct sweep_config c = config(sc);
    uint64_t seed = first_failing(&c, 300);
    struct shrink_options so = {&c, 300, NULL};
    struct shrink_result res;
    char err[1024];
    cr_assert_eq(shrink_seed(&so, seed, &res, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(res.original.invariant, res.failure.invariant);
    cr_expect_lt(res.faults_after * 2, res.faults_before, "%d of %d faults left", res.faults_after,
                 res.faults_before);
    cr_expect_leq(res.duration_after, res.duration_before);
    cr_log_info("raft no_persist_vote seed %llu: %d -> %d faults, %lld -> %lld us in %d runs",
                (unsigned long long)seed, res.faults_before, res.faults_after,
                (long long)res.duration_before, (long long)res.duration_after, res.runs);
    shrink_result_free(&res);
    scenario_free(sc);
}

/* A failure of the history alone (no invariant) shrinks on the verdict. */
Test(shrink, a_non_linearizable_history_shrinks_on_the_verdict, .timeout = 600)
{
    struct scenario *sc = parse(
        "{\"name\": \"weak\", \"protocol\": \"quorum\", \"params\": {\"w\": 1, \"r\": 1},"
        " \"nodes\": 3, \"duration\": \"4s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"10ms\"}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"40/s\", \"keys\": 1, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
        "   \"timeout\": \"500ms\", \"connect\": \"random\"},"
        " \"nemesis\": {\"until\": \"3s\", \"interval\": {\"min\": \"200ms\", \"max\": \"600ms\"},"
        "   \"duration\": {\"min\": \"200ms\", \"max\": \"800ms\"}, \"faults\": {\"partition\": 1, \"crash\": 1}}}");
    struct sweep_config c = config(sc);
    c.require_linearizable = true;
    uint64_t seed = first_failing(&c, 20);
    struct shrink_options so = {&c, 150, NULL};
    struct shrink_result res;
    char err[1024];
    cr_assert_eq(shrink_seed(&so, seed, &res, err, sizeof err), 0, "%s", err);
    cr_expect(res.original.reasons & SWEEP_NOT_LINEARIZABLE);
    cr_expect(res.failure.reasons & SWEEP_NOT_LINEARIZABLE);
    cr_expect_leq(res.faults_after, res.faults_before);
    cr_expect_lt(res.duration_after, res.duration_before);
    /* written with "linearizable": true, so that `faultline run` fails on it */
    cr_expect_eq(res.sc->expect.linearizable, 1);
    shrink_result_free(&res);
    scenario_free(sc);
}

Test(shrink, a_seed_that_passes_is_not_shrunk)
{
    struct scenario *sc = parse(split_brain);
    struct sweep_config c = config(sc);
    uint64_t seed = 0;
    for (uint64_t s = 1; s <= 40 && !seed; s++) {
        struct sweep_seed v;
        sweep_one(&c, s, &v);
        if (!sweep_failed(&v))
            seed = s;
    }
    cr_assert_neq(seed, 0, "every seed failed");
    struct shrink_options so = {&c, 0, NULL};
    struct shrink_result res;
    char err[1024];
    cr_expect_eq(shrink_seed(&so, seed, &res, err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "does not fail"), "%s", err);
    scenario_free(sc);
}

Test(shrink, the_command_writes_the_file_and_says_how_to_run_it, .timeout = 600)
{
    char path[256], outp[300], cmd[2048];
    snprintf(path, sizeof path, "/tmp/faultline-shrinkcli-%ld.json", (long)getpid());
    snprintf(outp, sizeof outp, "/tmp/faultline-shrinkcli-%ld-min.json", (long)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(split_brain, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s sweep %s --seeds 1..8 --shrink --shrink-out %s --quiet --no-color 2>&1",
             FAULTLINE_BIN, path, outp);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    static char out[1 << 16];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_expect_eq(WEXITSTATUS(status), 1, "%s", out);
    cr_expect_not_null(strstr(out, "shrunk seed"), "%s", out);
    cr_expect_not_null(strstr(out, "reproduce:"), "%s", out);
    cr_expect_eq(access(outp, R_OK), 0, "%s was not written", outp);
    struct scenario *sc;
    char err[1024];
    cr_expect_eq(scenario_load(outp, &sc, err, sizeof err), 0, "%s", err);
    scenario_free(sc);
    unlink(path);
    unlink(outp);
}
