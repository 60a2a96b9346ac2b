/* test_paxos.c - single-decree Paxos behaviours one at a time: one value
 * per key, losing writes fail, reads, proposers and redirects, ballots
 * never reused after a crash, every learner learns, parameters. */
#include "tests/test_consensus.h"

static void run_paxos(struct crun *cr, int nodes, const char *params, const char *workload,
                      const char *faults)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\": \"t\", \"protocol\": \"paxos\", \"params\": %s, \"nodes\": %d, \"seed\": 3,"
             " \"duration\": \"3s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"8ms\"}},"
             " \"workload\": %s, \"faults\": %s}",
             params ? params : "{}", nodes, workload, faults ? faults : "[]");
    crun_json(cr, json, 0, true);
}

Test(paxos, each_key_takes_one_value_and_other_writes_fail)
{
    struct crun cr;
    run_paxos(&cr, 5, NULL,
              "{\"clients\": 5, \"rate\": \"100/s\", \"keys\": 10, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
              " \"timeout\": \"400ms\", \"connect\": \"random\"}",
              NULL);
    const struct sim_stats *st = sim_get_stats(cr.r.sim);
    cr_expect_eq(sim_violation_count(cr.r.sim), 0);
    cr_expect_gt(st->ops_fail, 50, "writes after the decision fail");
    cr_expect_gt(st->ops_ok, 100);
    int64_t chosen = sim_metric_value(cr.r.sim, "chosen");
    cr_expect_geq(chosen, 10, "every key decided");
    cr_expect_eq(cr.r.linearizable, VERDICT_YES, "%s", cr.r.lin_detail);
    crun_free(&cr);
}

Test(paxos, every_learner_learns_the_chosen_value)
{
    struct crun cr;
    run_paxos(&cr, 3, NULL,
              "{\"clients\": 2, \"rate\": \"20/s\", \"keys\": 1, \"mix\": {\"write\": 1},"
              " \"timeout\": \"400ms\", \"stop\": \"1s\"}",
              NULL);
    char text[512], first[512] = "";
    for (int i = 0; i < 3; i++) {
        sim_node_describe(cr.r.sim, i, text, sizeof text);
        const char *l = strstr(text, "learned ");
        cr_assert_not_null(l, "n%d has not learned: %s", i + 1, text);
        if (!*first)
            snprintf(first, sizeof first, "%s", l);
        cr_expect_str_eq(l, first, "n%d learned something else", i + 1);
    }
    crun_free(&cr);
}

Test(paxos, non_proposers_redirect_to_the_proposers)
{
    struct crun cr;
    run_paxos(&cr, 5, "{\"proposers\": 2}",
              "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 20, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
              " \"timeout\": \"400ms\", \"connect\": \"random\"}",
              NULL);
    cr_expect_str_eq(sim_node_role(cr.r.sim, 0), "proposer");
    cr_expect_str_eq(sim_node_role(cr.r.sim, 1), "proposer");
    for (int i = 2; i < 5; i++)
        cr_expect_str_eq(sim_node_role(cr.r.sim, i), "acceptor");
    cr_expect_gt(sim_get_stats(cr.r.sim)->redirects, 10);
    cr_expect_eq(sim_violation_count(cr.r.sim), 0);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

/* A read of a key nobody wrote runs phase 1 only: it finds nothing
 * accepted, answers "absent", and chooses nothing. */
Test(paxos, reads_of_an_unwritten_key_choose_nothing)
{
    struct crun cr;
    run_paxos(&cr, 3, NULL,
              "{\"clients\": 3, \"rate\": \"60/s\", \"keys\": 2, \"mix\": {\"read\": 1}, \"timeout\": \"400ms\"}",
              NULL);
    cr_expect_gt(sim_get_stats(cr.r.sim)->ops_ok, 100);
    cr_expect_eq(sim_metric_value(cr.r.sim, "chosen"), 0);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

/* Proposers crash mid-round over and over, losing what was not synced: a
 * restarted proposer must never reuse a ballot (unique-ballot). */
Test(paxos, restarted_proposers_never_reuse_a_ballot)
{
    struct crun cr;
    run_paxos(&cr, 3, "{\"backoff\": \"2ms\"}",
              "{\"clients\": 6, \"rate\": \"200/s\", \"keys\": 50, \"mix\": {\"read\": 0.3, \"write\": 0.7},"
              " \"timeout\": \"300ms\", \"connect\": \"random\"}",
              "[{\"at\": \"200ms\", \"crash\": \"n1\", \"for\": \"3ms\", \"lose_unsynced\": true},"
              " {\"at\": \"400ms\", \"crash\": \"n2\", \"for\": \"3ms\", \"lose_unsynced\": true},"
              " {\"at\": \"600ms\", \"crash\": \"n3\", \"for\": \"3ms\", \"lose_unsynced\": true},"
              " {\"at\": \"800ms\", \"crash\": \"n1\", \"for\": \"3ms\", \"lose_unsynced\": true},"
              " {\"at\": \"1s\", \"crash\": \"n2\", \"for\": \"3ms\", \"lose_unsynced\": true}]");
    cr_expect_gt(sim_metric_value(cr.r.sim, "rounds"), 50);
    char v[400];
    cr_expect_eq(sim_violation_count(cr.r.sim), 0, "%s", crun_violation(&cr, v, sizeof v));
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

Test(paxos, bad_params_are_rejected_with_their_path)
{
    static const char *const bad[][2] = {
        {"{\"proposers\": 0}", "params.proposers"},
        {"{\"proposers\": 4}", "params.proposers"},
        {"{\"backoff\": \"-1ms\"}", "params.backoff"},
        {"{\"retry\": \"0\"}", "params.retry"},
        {"{\"bug\": \"forget\"}", "params.bug"},
        {"{\"leader\": \"n1\"}", "params.leader"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[1024], err[1024];
        snprintf(json, sizeof json,
                 "{\"name\": \"t\", \"protocol\": \"paxos\", \"params\": %s, \"nodes\": 3, \"duration\": \"1s\"}",
                 bad[i][0]);
        struct scenario *sc;
        int rc = scenario_parse(json, strlen(json), "t.json", &sc, err, sizeof err);
        if (rc == 0) {
            struct run_result r;
            rc = runner_run(sc, &(struct run_options){0}, &r, err, sizeof err);
            if (rc == 0)
                runner_result_free(&r);
            scenario_free(sc);
        }
        cr_expect_eq(rc, SIM_EINVAL, "%s accepted", bad[i][0]);
        cr_expect_not_null(strstr(err, bad[i][1]), "%s: \"%s\" does not name %s", bad[i][0], err,
                           bad[i][1]);
    }
}
