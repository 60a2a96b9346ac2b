/* test_3pc.c - three-phase commit: the coordinator crash that blocks 2PC
 * does not block 3PC; a partition splits the decision; across 300 seeds of
 * crashes (no partitions, no loss: the failures 3PC is designed for) it
 * never blocks for good nor breaks atomicity, and under a full random
 * nemesis the sweep finds the split decision the canon predicts. */
#include "tests/test_classic.h"

Test(threepc_lessons, coordinator_crash_does_not_block)
{
    struct classic_run run;
    classic_run_lesson(&run, "3pc-coordinator-crash");
    classic_expect_ok(&run);
    cr_expect_eq(classic_metric(&run, "blocked_total"), 0);
    cr_expect_gt(classic_metric(&run, "terminations"), 0);
    cr_expect_eq(classic_metric(&run, "locks_held"), 0);
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    /* The participants decided while the coordinator was down (3s-7s). */
    for (int p = 1; p <= 3; p++)
        cr_expect_str_eq(classic_role(&run, p), "participant");
    classic_free(&run);
}

Test(threepc_lessons, same_crash_blocks_2pc)
{
    char *text = classic_edit(classic_lesson_text("3pc-coordinator-crash"), "\"protocol\": \"3pc\"",
                              "\"protocol\": \"2pc\"");
    struct classic_run run;
    classic_run_text(&run, text, 0, false);
    cr_expect_gt(classic_metric(&run, "blocked_total"), 0);
    classic_free(&run);
    free(text);
}

Test(threepc_lessons, partition_splits_the_decision)
{
    struct classic_run run;
    classic_run_lesson(&run, "3pc-partition");
    classic_expect_ok(&run);
    cr_expect(classic_violated(&run, "atomicity"));
    cr_expect_eq(run.r.linearizable, VERDICT_NO);
    classic_free(&run);
}

Test(threepc_lessons, same_partition_under_2pc_blocks_instead)
{
    char *text = classic_edit(classic_lesson_text("3pc-partition"), "\"protocol\": \"3pc\"",
                              "\"protocol\": \"2pc\"");
    /* 2PC decides sooner after the votes: widen the window the cut catches. */
    text = classic_edit(text, "\"decision_delay\": \"50ms\"", "\"decision_delay\": \"200ms\"");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    free(text);
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    cr_expect_gt(classic_metric(&run, "blocked_total"), 0);
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    classic_free(&run);
}

/* ---- sweeps -------------------------------------------------------------------------- */

static char *sweep_text(int nodes, const char *faults)
{
    char *text = malloc(4096);
    cr_assert_not_null(text);
    snprintf(text, 4096,
             "{\"name\": \"3pc-sweep\", \"protocol\": \"3pc\","
             " \"params\": {\"decision_delay\": \"20ms\"},"
             " \"nodes\": %d, \"duration\": \"10s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"20ms\"}},"
             " \"workload\": {\"clients\": 4, \"rate\": \"50/s\", \"keys\": 3,"
             "   \"mix\": {\"get\": 0.5, \"append\": 0.5}, \"timeout\": \"1s\", \"connect\": \"random\", \"stop\": \"8s\"},"
             " \"nemesis\": {\"until\": \"7s\", \"interval\": {\"min\": \"200ms\", \"max\": \"800ms\"},"
             "   \"duration\": {\"min\": \"200ms\", \"max\": \"2s\"}, \"lose_unsynced\": true %s}}",
             nodes, faults);
    return text;
}

static const char crash_only[] =
    ", \"faults\": {\"crash\": 1, \"partition\": 0, \"isolate\": 0, \"oneway\": 0, \"bridge\": 0,"
    " \"clock\": 1, \"slow\": 0, \"flap\": 0, \"loss\": 0, \"duplicate\": 1}";

static bool atomic_and_unblocked(const struct classic_run *run, char *why, size_t cap)
{
    if (classic_violations(run)) {
        snprintf(why, cap, "%s", classic_first_violation(run));
        return false;
    }
    if (sim_metric_value(run->r.sim, "blocked") != 0) {
        snprintf(why, cap, "%lld participants blocked at the end",
                 (long long)sim_metric_value(run->r.sim, "blocked"));
        return false;
    }
    snprintf(why, cap, "history: %s", run->r.lin_detail);
    return run->r.linearizable == VERDICT_YES;
}

static bool atomic(const struct classic_run *run, char *why, size_t cap)
{
    snprintf(why, cap, "%s", classic_first_violation(run));
    return !classic_violated(run, "atomicity");
}

Test(threepc_sweep, crashes_never_block_or_split_across_300_seeds, .timeout = 600)
{
    int runs = 0;
    for (int nodes = 4; nodes <= 6; nodes++) {
        char *text = sweep_text(nodes, crash_only);
        struct classic_sweep s;
        classic_sweep(&s, text, 1, 100, true, atomic_and_unblocked, false);
        cr_expect_eq(s.failed, 0, "%d nodes: %d of %d seeds broke; seed %llu: %s", nodes, s.failed,
                     s.runs, (unsigned long long)s.first_failed, s.why);
        runs += s.runs;
        free(text);
    }
    cr_expect_eq(runs, 300);
}

Test(threepc_sweep, partitions_split_the_decision_within_300_seeds, .timeout = 600)
{
    char *text = sweep_text(5, "");
    struct classic_sweep s;
    classic_sweep(&s, text, 1, 300, false, atomic, true);
    cr_expect_gt(s.failed, 0, "atomicity held in all %d seeds", s.runs);
    free(text);
}
