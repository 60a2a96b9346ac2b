/* test_pb_sweep.c - primary-backup across 300 seeds each, under a random
 * nemesis (crashes that lose unsynced writes, partitions of every kind,
 * clock drift and jumps, slow nodes, loss, duplication), on 3, 4 and 5
 * nodes. Where the protocol promises safety - lease failover with sync or
 * semi-sync replication, clocks drifting less than the margin covers - no
 * invariant breaks, the history is linearizable and no acknowledged write is
 * lost. Where the canon says it breaks - heartbeat failover, async
 * replication - the sweep finds the break. */
#include "tests/test_classic.h"

/* The margin (150ms of a 1s lease) covers 3% drift on both clocks plus a
 * 50ms pause of a slow node: (1000-150)/0.97 + 50 < 1000/1.03. */
static char *sweep_text(const char *replication, int acks, const char *failover, int nodes)
{
    char *text = malloc(4096);
    cr_assert_not_null(text);
    snprintf(text, 4096,
             "{\"name\": \"pb-sweep\", \"protocol\": \"primary-backup\","
             " \"params\": {\"replication\": \"%s\", \"acks\": %d, \"failover\": \"%s\","
             "   \"lease\": \"1s\", \"lease_margin\": \"150ms\", \"heartbeat\": \"100ms\","
             "   \"suspect_after\": \"300ms\", \"replica_timeout\": \"300ms\"},"
             " \"nodes\": %d, \"duration\": \"10s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"20ms\"}},"
             " \"workload\": {\"clients\": 4, \"rate\": \"50/s\", \"keys\": 2,"
             "   \"mix\": {\"get\": 0.5, \"append\": 0.5}, \"timeout\": \"600ms\", \"connect\": \"random\"},"
             " \"nemesis\": {\"until\": \"7s\", \"interval\": {\"min\": \"300ms\", \"max\": \"1s\"},"
             "   \"duration\": {\"min\": \"200ms\", \"max\": \"2s\"}, \"lose_unsynced\": true,"
             "   \"drift_max\": 0.03, \"skew_max\": \"200ms\", \"slow_max\": \"50ms\"}}",
             replication, acks, failover, nodes);
    return text;
}

static bool safe(const struct classic_run *run, char *why, size_t cap)
{
    if (classic_violations(run)) {
        snprintf(why, cap, "violation %s: %s", sim_violation_get(run->r.sim, 0)->invariant,
                 classic_first_violation(run));
        return false;
    }
    if (run->r.linearizable != VERDICT_YES) {
        snprintf(why, cap, "history %s: %s",
                 run->r.linearizable == VERDICT_NO ? "not linearizable" : "not decided",
                 run->r.lin_detail);
        return false;
    }
    if (run->r.lost_writes != 0) {
        snprintf(why, cap, "%lld acknowledged writes lost", (long long)run->r.lost_writes);
        return false;
    }
    return true;
}

static void sweep_safe(const char *replication, int acks)
{
    int runs = 0;
    for (int nodes = 3; nodes <= 5; nodes++) {
        char *text = sweep_text(replication, nodes == 3 ? 1 : acks, "lease", nodes);
        struct classic_sweep s;
        classic_sweep(&s, text, 1, 100, true, safe, false);
        cr_expect_eq(s.failed, 0, "%s lease on %d nodes: %d of %d seeds broke; seed %llu: %s",
                     replication, nodes, s.failed, s.runs, (unsigned long long)s.first_failed,
                     s.why);
        runs += s.runs;
        free(text);
    }
    cr_expect_eq(runs, 300);
}

Test(pb_sweep, lease_sync_holds_across_300_seeds, .timeout = 600)
{
    sweep_safe("sync", 1);
}

Test(pb_sweep, lease_semi_sync_holds_across_300_seeds, .timeout = 600)
{
    sweep_safe("semi-sync", 2);
}

static bool single_primary(const struct classic_run *run, char *why, size_t cap)
{
    if (classic_violated(run, "split-brain")) {
        snprintf(why, cap, "%s", classic_first_violation(run));
        return false;
    }
    return true;
}

static bool linearizable(const struct classic_run *run, char *why, size_t cap)
{
    snprintf(why, cap, "%s", run->r.lin_detail);
    return run->r.linearizable != VERDICT_NO;
}

static bool nothing_lost(const struct classic_run *run, char *why, size_t cap)
{
    snprintf(why, cap, "%lld lost", (long long)run->r.lost_writes);
    return run->r.lost_writes == 0 && !classic_violated(run, "commit-lost");
}

Test(pb_sweep, heartbeat_failover_breaks_within_300_seeds, .timeout = 600)
{
    char *text = sweep_text("sync", 1, "heartbeat", 3);
    struct classic_sweep s;
    classic_sweep(&s, text, 1, 300, false, single_primary, true);
    cr_expect_gt(s.failed, 0, "no split brain in %d seeds", s.runs);
    classic_sweep(&s, text, 1, 300, true, linearizable, true);
    cr_expect_gt(s.failed, 0, "every history linearizable in %d seeds", s.runs);
    free(text);
}

Test(pb_sweep, async_replication_loses_writes_within_300_seeds, .timeout = 600)
{
    char *text = sweep_text("async", 1, "lease", 3);
    struct classic_sweep s;
    classic_sweep(&s, text, 1, 300, true, nothing_lost, true);
    cr_expect_gt(s.failed, 0, "no acknowledged write lost in %d seeds", s.runs);
    /* ... while the lease still keeps one primary at a time. */
    classic_sweep(&s, text, 1, 60, false, single_primary, false);
    cr_expect_eq(s.failed, 0, "seed %llu: %s", (unsigned long long)s.first_failed, s.why);
    free(text);
}
