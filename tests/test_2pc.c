/* test_2pc.c - two-phase commit: a coordinator crash after the votes blocks
 * every participant (holding its lock) until recovery; a participant crash
 * makes the coordinator abort, which is safe; parameters are validated; and
 * across 300 seeds under a random nemesis no transaction is ever committed
 * at one participant and aborted at another, and the history is
 * linearizable (2PC gives up availability, never atomicity). */
#include "tests/test_classic.h"

Test(twopc_params, bad_values_are_rejected_with_their_key)
{
    classic_expect_param_error("2pc", "{\"spread\": 4}", 4, "params.spread");
    classic_expect_param_error("2pc", "{\"vote_timeout\": \"500ms\", \"decision_timeout\": \"400ms\"}", 4,
                       "params.decision_timeout");
    classic_expect_param_error("2pc", "{\"retry\": \"0\"}", 4, "params.retry");
    classic_expect_param_error("2pc", "{\"coordinator\": \"n7\"}", 4, "params.coordinator");
    classic_expect_param_error("2pc", "{}", 1, "params.coordinator");
    classic_expect_param_error("3pc", "{\"spread\": 0}", 4, "params.spread");
}

Test(twopc_lessons, coordinator_crash_after_the_votes_blocks_until_recovery)
{
    struct classic_run run;
    classic_run_lesson(&run, "2pc-coordinator-crash");
    classic_expect_ok(&run);
    /* Every transaction caught in the window blocks all three participants. */
    int64_t blocked = classic_metric(&run, "blocked_total");
    cr_expect_gt(blocked, 0);
    cr_expect_eq(blocked % 3, 0, "%lld blocked participants: not 3 per transaction", (long long)blocked);
    /* ... from their timeout (about 3.6s) to the recovery at 7s. */
    cr_expect_geq(classic_metric(&run, "blocked_ms"), blocked * 3000);
    cr_expect_eq(sim_metric_value(run.r.sim, "blocked"), 0, "released at recovery");
    cr_expect_eq(classic_metric(&run, "locks_held"), 0);
    cr_expect_gt(classic_metric(&run, "lock_waits"), 0, "reads waited behind the locks");
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    classic_free(&run);
}

Test(twopc_lessons, without_recovery_the_participants_stay_blocked)
{
    struct classic_run run;
    classic_run_lesson(&run, "2pc-blocked");
    classic_expect_ok(&run);
    int64_t blocked = sim_metric_value(run.r.sim, "blocked");
    cr_expect_gt(blocked, 0);
    cr_expect_eq(blocked % 3, 0, "%lld blocked participants", (long long)blocked);
    cr_expect_eq(classic_metric(&run, "locks_held"), blocked, "each holds its lock");
    for (int p = 1; p <= 3; p++)
        cr_expect_str_eq(classic_role(&run, p), "blocked");
    /* Reads of the locked keys hang and time out. */
    cr_expect_gt(classic_count_ops(&run, "get", "info"), 0);
    classic_free(&run);
}

Test(twopc_lessons, cooperative_termination_does_not_help_when_all_are_ready)
{
    char *text = classic_edit(classic_lesson_text("2pc-blocked"), "\"retry\": \"200ms\"",
                              "\"retry\": \"200ms\", \"cooperative\": false");
    struct classic_run run;
    classic_run_text(&run, text, 0, false);
    struct classic_run coop;
    classic_run_lesson(&coop, "2pc-blocked");
    cr_expect_eq(sim_metric_value(run.r.sim, "blocked"), sim_metric_value(coop.r.sim, "blocked"));
    classic_free(&run);
    classic_free(&coop);
    free(text);
}

Test(twopc_lessons, participant_crash_aborts_safely_without_blocking)
{
    struct classic_run run;
    classic_run_lesson(&run, "2pc-participant-crash");
    classic_expect_ok(&run);
    cr_expect_gt(classic_metric(&run, "aborts"), 0);
    cr_expect_eq(classic_metric(&run, "blocked_total"), 0);
    cr_expect_gt(classic_count_ops(&run, "append", "fail"), 0, "aborted writes are reported failed");
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    classic_free(&run);
}

Test(twopc_behaviour, cas_is_checked_by_every_participant)
{
    const char *text =
        "{\"name\": \"t\", \"protocol\": \"2pc\", \"nodes\": 4, \"duration\": \"4s\","
        " \"workload\": {\"clients\": 3, \"rate\": \"40/s\", \"keys\": 2, \"mix\": {\"read\": 1, \"write\": 1, \"cas\": 2}}}";
    struct classic_run run;
    classic_run_text(&run, text, 5, true);
    cr_expect_gt(classic_count_ops(&run, "cas", "ok"), 0);
    cr_expect_gt(classic_count_ops(&run, "cas", "fail"), 0);
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    cr_expect_eq(classic_violations(&run), 0);
    classic_free(&run);
}

Test(twopc_behaviour, spread_writes_each_key_on_that_many_participants)
{
    const char *text =
        "{\"name\": \"t\", \"protocol\": \"2pc\", \"params\": {\"spread\": 2}, \"nodes\": 5, \"duration\": \"3s\","
        " \"workload\": {\"clients\": 3, \"rate\": \"40/s\", \"keys\": 4, \"mix\": {\"get\": 1, \"append\": 1}, \"stop\": \"2s\"}}";
    struct classic_run run;
    classic_run_text(&run, text, 9, true);
    int64_t commits = classic_metric(&run, "commits");
    cr_expect_gt(commits, 0);
    /* 4 participants, 2 per transaction: each holds half the commits. */
    int64_t held = 0;
    for (int p = 1; p <= 4; p++) {
        char d[512];
        sim_node_describe(run.r.sim, p, d, sizeof d);
        held += atoll(d + strlen("committed "));
    }
    cr_expect_eq(held, 2 * commits);
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    classic_free(&run);
}

struct latency_sum {
    int64_t n, total;
};

static void sum_append_latency(const struct classic_op *op, void *ctx)
{
    struct latency_sum *l = ctx;
    if (strcmp(op->f, "append") == 0 && strcmp(op->type, "ok") == 0) {
        l->n++;
        l->total += op->completed - op->invoked;
    }
}

Test(twopc_behaviour, four_messages_per_participant_and_the_slowest_sets_the_pace)
{
    /* The canon's 2PC cost: PREPARE, VOTE, DECISION, ACK per participant;
     * a client waits at least for the slowest participant's vote. */
    const char *text =
        "{\"name\": \"t\", \"protocol\": \"2pc\", \"nodes\": 4, \"duration\": \"5s\","
        " \"network\": {\"latency\": \"5ms\", \"clients\": {\"latency\": \"1ms\"},"
        "   \"links\": [{\"from\": \"*\", \"to\": \"n4\", \"latency\": \"40ms\"},"
        "              {\"from\": \"n4\", \"to\": \"*\", \"latency\": \"40ms\"}]},"
        " \"workload\": {\"clients\": 2, \"think\": \"20ms\", \"keys\": 4, \"mix\": {\"append\": 1},"
        "   \"connect\": \"n1\", \"stop\": \"4s\"}}";
    struct classic_run run;
    classic_run_text(&run, text, 1, true);
    int64_t commits = classic_metric(&run, "commits");
    cr_assert_gt(commits, 20);
    cr_expect_eq(classic_metric(&run, "aborts"), 0);
    const struct sim_stats *st = sim_get_stats(run.r.sim);
    cr_expect_eq(st->messages_sent, (uint64_t)(4 * 3 * commits), "%llu messages for %lld commits",
                 (unsigned long long)st->messages_sent, (long long)commits);
    struct latency_sum l = {0, 0};
    classic_each_op(&run, sum_append_latency, &l);
    cr_assert_gt(l.n, 0);
    /* A round trip to n4 (80ms), not to the 5ms participants (10ms). */
    cr_expect_geq(l.total / l.n, 80 * SIM_MS, "mean commit latency %lldms",
                  (long long)(l.total / l.n / SIM_MS));
    classic_free(&run);
}

/* ---- sweep ----------------------------------------------------------------------------- */

static char *sweep_text(int nodes, int spread)
{
    char *text = malloc(4096);
    cr_assert_not_null(text);
    snprintf(text, 4096,
             "{\"name\": \"2pc-sweep\", \"protocol\": \"2pc\","
             " \"params\": {\"spread\": %d, \"decision_delay\": \"20ms\"},"
             " \"nodes\": %d, \"duration\": \"10s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"20ms\"}},"
             " \"workload\": {\"clients\": 4, \"rate\": \"50/s\", \"keys\": 3,"
             "   \"mix\": {\"get\": 0.5, \"append\": 0.5}, \"timeout\": \"1s\", \"connect\": \"random\"},"
             " \"nemesis\": {\"until\": \"7s\", \"interval\": {\"min\": \"200ms\", \"max\": \"800ms\"},"
             "   \"duration\": {\"min\": \"200ms\", \"max\": \"2s\"}, \"lose_unsynced\": true}}",
             spread, nodes);
    return text;
}

static bool atomic(const struct classic_run *run, char *why, size_t cap)
{
    if (classic_violations(run)) {
        snprintf(why, cap, "%s", classic_first_violation(run));
        return false;
    }
    snprintf(why, cap, "history: %s", run->r.lin_detail);
    return run->r.linearizable == VERDICT_YES;
}

Test(twopc_sweep, atomicity_holds_across_300_seeds, .timeout = 600)
{
    static const int shapes[3][2] = {{3, 2}, {4, 3}, {5, 2}}; /* nodes, spread */
    int runs = 0;
    for (int i = 0; i < 3; i++) {
        char *text = sweep_text(shapes[i][0], shapes[i][1]);
        struct classic_sweep s;
        classic_sweep(&s, text, 1, 100, true, atomic, false);
        cr_expect_eq(s.failed, 0, "%d nodes, spread %d: %d of %d seeds broke; seed %llu: %s",
                     shapes[i][0], shapes[i][1], s.failed, s.runs,
                     (unsigned long long)s.first_failed, s.why);
        runs += s.runs;
        free(text);
    }
    cr_expect_eq(runs, 300);
}
