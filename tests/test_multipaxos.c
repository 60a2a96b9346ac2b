/* test_multipaxos.c - Multi-Paxos behaviours one at a time: phase 1 once
 * per leader, re-proposal of open slots by a new leader, catch-up of a
 * lagging learner, reads through the log, retries, parameters. */
#include "tests/test_consensus.h"

static int64_t describe_number(const struct crun *cr, int node, const char *key)
{
    char text[512];
    sim_node_describe(cr->r.sim, node, text, sizeof text);
    const char *p = strstr(text, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void run_mp(struct crun *cr, int nodes, const char *params, const char *workload,
                   const char *faults, const char *duration)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\": \"t\", \"protocol\": \"multi-paxos\", \"params\": %s, \"nodes\": %d,"
             " \"seed\": 4, \"duration\": \"%s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"6ms\"}},"
             " \"workload\": %s, \"faults\": %s}",
             params ? params : "{}", nodes, duration, workload, faults ? faults : "[]");
    crun_json(cr, json, 0, true);
}

static const char *const kv =
    "{\"clients\": 4, \"rate\": \"100/s\", \"keys\": 3,"
    " \"mix\": {\"get\": 0.4, \"put\": 0.3, \"append\": 0.3}, \"timeout\": \"400ms\", \"stop\": \"3s\"}";

Test(multipaxos, a_stable_leader_runs_phase_1_once)
{
    struct crun cr;
    run_mp(&cr, 5, NULL, kv, NULL, "4s");
    cr_expect_eq(sim_metric_value(cr.r.sim, "leaders_elected"), 1);
    cr_expect_leq(sim_metric_value(cr.r.sim, "phase1_rounds"), 2,
                  "phase 1 only to elect the leader");
    cr_expect_gt(sim_get_stats(cr.r.sim)->ops_ok, 200);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

/* Every node ends with the same chosen prefix: the whole log. */
Test(multipaxos, every_node_learns_every_slot_in_order)
{
    struct crun cr;
    run_mp(&cr, 5, NULL, kv, NULL, "4s");
    int64_t chosen = describe_number(&cr, 0, "chosen ");
    cr_expect_gt(chosen, 200);
    for (int i = 1; i < 5; i++)
        cr_expect_eq(describe_number(&cr, i, "chosen "), chosen, "n%d", i + 1);
    crun_free(&cr);
}

Test(multipaxos, a_new_leader_reproposes_what_the_old_one_left_open)
{
    struct crun cr;
    run_mp(&cr, 5, "{\"batch\": 8}",
           "{\"clients\": 8, \"rate\": \"400/s\", \"keys\": 3,"
           " \"mix\": {\"get\": 0.4, \"put\": 0.3, \"append\": 0.3}, \"timeout\": \"400ms\"}",
           "[{\"at\": \"1s\", \"crash\": \"leader\"}]", "3s");
    cr_expect_eq(sim_metric_value(cr.r.sim, "leaders_elected"), 2);
    cr_expect_gt(sim_metric_value(cr.r.sim, "reproposed"), 0, "slots in flight at the crash");
    cr_expect_eq(sim_violation_count(cr.r.sim), 0);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES, "%s", cr.r.lin_detail);
    crun_free(&cr);
}

/* A follower down for two seconds misses hundreds of slots; once back it
 * learns them (Commit messages) and ends with the same chosen log. */
Test(multipaxos, a_lagging_follower_catches_up)
{
    struct crun cr;
    run_mp(&cr, 3, NULL, kv, "[{\"at\": \"500ms\", \"crash\": \"n1\", \"for\": \"2s\"},"
                             " {\"at\": \"500ms\", \"crash\": \"n2\", \"for\": \"10ms\"}]", "4s");
    int64_t c0 = describe_number(&cr, 0, "chosen "), c1 = describe_number(&cr, 1, "chosen "),
            c2 = describe_number(&cr, 2, "chosen ");
    cr_expect_gt(c1, 200);
    cr_expect_eq(c0, c1);
    cr_expect_eq(c2, c1);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

Test(multipaxos, retried_commands_take_effect_once)
{
    const char *json =
        "{\"name\": \"t\", \"protocol\": \"multi-paxos\", \"nodes\": 3, \"seed\": 9, \"duration\": \"4s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"12ms\"},"
        "   \"clients\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"50/s\", \"keys\": 1,"
        "   \"mix\": {\"get\": 0.3, \"append\": 0.7}, \"timeout\": \"15ms\","
        "   \"retries\": 5, \"retry_backoff\": \"1ms\"}}";
    struct crun cr;
    crun_json(&cr, json, 0, true);
    cr_expect_gt(sim_get_stats(cr.r.sim)->retries, 30);
    cr_expect_eq(sim_violation_count(cr.r.sim), 0);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES, "%s", cr.r.lin_detail);
    crun_free(&cr);
}

Test(multipaxos, bad_params_are_rejected_with_their_path)
{
    static const char *const bad[][2] = {
        {"{\"heartbeat\": \"0\"}", "params.heartbeat"},
        {"{\"election_min\": \"200ms\", \"election_max\": \"100ms\"}", "params.election_max"},
        {"{\"batch\": 0}", "params.batch"},
        {"{\"bug\": \"none\"}", "params.bug"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[1024], err[1024];
        snprintf(json, sizeof json,
                 "{\"name\": \"t\", \"protocol\": \"multi-paxos\", \"params\": %s, \"nodes\": 3,"
                 " \"duration\": \"1s\"}",
                 bad[i][0]);
        struct scenario *sc;
        cr_assert_eq(scenario_parse(json, strlen(json), "t.json", &sc, err, sizeof err), 0, "%s", err);
        struct run_result r;
        int rc = runner_run(sc, &(struct run_options){0}, &r, err, sizeof err);
        cr_expect_eq(rc, SIM_EINVAL, "%s accepted", bad[i][0]);
        cr_expect_not_null(strstr(err, bad[i][1]), "%s: \"%s\" does not name %s", bad[i][0], err,
                           bad[i][1]);
        if (rc == 0)
            runner_result_free(&r);
        scenario_free(sc);
    }
}
