/* test_pb.c - primary-backup: each lesson shows what the canon says it shows
 * (asserted beyond its expect block: who is primary, how long writes stop,
 * what was lost), parameters are validated, lease failover never waits
 * forever for a promoted backup that does not start (regressions), runs are
 * deterministic. The seed sweeps are in test_pb_sweep.c. */
#include "tests/test_classic.h"

/* ---- parameters ------------------------------------------------------------------- */

Test(pb_params, bad_values_are_rejected_with_their_key)
{
    classic_expect_param_error("primary-backup", "{\"replication\": \"sometimes\"}", 3, "params.replication");
    classic_expect_param_error("primary-backup", "{\"failover\": \"vote\"}", 3, "params.failover");
    classic_expect_param_error("primary-backup", "{\"heartbeat\": \"100ms\", \"suspect_after\": \"50ms\"}", 3, "params.suspect_after");
    classic_expect_param_error("primary-backup", "{\"lease\": \"150ms\"}", 3, "params.lease");
    classic_expect_param_error("primary-backup", "{\"lease\": \"1s\", \"lease_margin\": \"950ms\"}", 3, "params.lease_margin");
    classic_expect_param_error("primary-backup", "{\"replication\": \"semi-sync\", \"acks\": 3}", 3, "params.acks");
    classic_expect_param_error("primary-backup", "{\"replica_timeout\": \"10ms\"}", 3, "params.replica_timeout");
    classic_expect_param_error("primary-backup", "{\"monitor\": \"n9\"}", 3, "params.monitor");
    classic_expect_param_error("primary-backup", "{\"quorum\": 2}", 3, "params.quorum");
}

/* ---- heartbeat failover ---------------------------------------------------------------- */

Test(pb_heartbeat, cut_off_primary_keeps_serving_alongside_the_new_one)
{
    struct classic_run run;
    classic_run_lesson(&run, "pb-heartbeat-split-brain");
    classic_expect_ok(&run);
    const struct sim_stats *st = sim_get_stats(run.r.sim);
    cr_expect_eq(st->max_leaders, 2, "two primaries at once");
    cr_expect(classic_violated(&run, "split-brain"));
    /* Both primaries took writes: there was never a long pause in acknowledged writes. */
    sim_time gap = classic_longest_gap(&run, "write", NULL, 2 * SIM_S, 6 * SIM_S);
    cr_expect_lt(gap, 600 * SIM_MS, "writes paused %lldms", (long long)(gap / SIM_MS));
    cr_expect_eq(run.r.linearizable, VERDICT_NO);
    cr_expect_gt(run.r.stale_reads, 0);
    /* After the heal the old primary has stepped down: one primary again. */
    cr_expect_str_eq(classic_role(&run, 0), "backup");
    cr_expect_str_eq(classic_role(&run, 1), "primary");
    classic_free(&run);
}

/* ---- lease failover ---------------------------------------------------------------- */

Test(pb_lease, one_primary_at_a_time_with_a_gap_of_about_one_lease)
{
    struct classic_run run;
    classic_run_lesson(&run, "lease-failover");
    classic_expect_ok(&run);
    cr_expect_eq(sim_get_stats(run.r.sim)->max_leaders, 1);
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    /* The price: no write completes for about one lease (1s) plus the
     * failover, from the cut to the new primary. */
    sim_time gap = classic_longest_gap(&run, "write", NULL, 2 * SIM_S, 6 * SIM_S);
    cr_expect_geq(gap, 900 * SIM_MS, "write gap %lldms", (long long)(gap / SIM_MS));
    cr_expect_leq(gap, 2 * SIM_S, "write gap %lldms", (long long)(gap / SIM_MS));
    cr_expect_str_eq(classic_role(&run, 1), "primary");
    classic_free(&run);
}

Test(pb_lease, drift_beyond_the_margin_makes_two_primaries)
{
    struct classic_run run;
    classic_run_lesson(&run, "lease-clock-drift");
    classic_expect_ok(&run);
    cr_expect_eq(sim_get_stats(run.r.sim)->max_leaders, 2);
    cr_expect(classic_violated(&run, "split-brain"));
    cr_expect_gt(run.r.stale_reads, 0);
    classic_free(&run);
}

Test(pb_lease, drift_within_the_margin_is_safe)
{
    /* The same lesson with the slow clock at 5% (the margin is 10%). */
    char *text = classic_edit(classic_lesson_text("lease-clock-drift"), "\"drift\": -0.4",
                              "\"drift\": -0.05");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    cr_expect_eq(sim_get_stats(run.r.sim)->max_leaders, 1);
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    cr_expect_eq(run.r.stale_reads, 0);
    classic_free(&run);
    free(text);
}

Test(pb_lease, no_margin_and_a_slow_clock_overlap)
{
    /* Margin 0: any slow clock on the holder lets the leases overlap. */
    char *text = classic_edit(classic_lesson_text("lease-clock-drift"), "\"lease_margin\": \"200ms\"",
                              "\"lease_margin\": \"0\"");
    text = classic_edit(text, "\"drift\": -0.4", "\"drift\": -0.1");
    struct classic_run run;
    classic_run_text(&run, text, 0, false);
    cr_expect(classic_violated(&run, "split-brain"));
    classic_free(&run);
    free(text);
}

/* ---- replication modes ------------------------------------------------------------------ */

Test(pb_async, failover_loses_acknowledged_writes)
{
    struct classic_run run;
    classic_run_lesson(&run, "pb-async-lost-writes");
    classic_expect_ok(&run);
    cr_expect_gt(run.r.lost_writes, 0, "acknowledged appends are missing at the end");
    cr_expect(classic_violated(&run, "commit-lost"));
    cr_expect_gt(classic_metric(&run, "dirty_discarded"), 0);
    classic_free(&run);
}

Test(pb_semi_sync, promotes_the_most_up_to_date_backup_and_loses_nothing)
{
    struct classic_run run;
    classic_run_lesson(&run, "pb-semi-sync");
    classic_expect_ok(&run);
    cr_expect_eq(run.r.lost_writes, 0);
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    /* n3, not the lower-numbered but lagging n2, is the primary. */
    cr_expect_str_eq(classic_role(&run, 2), "primary");
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    classic_free(&run);
}

Test(pb_sync, backup_crash_stops_writes_until_it_is_dropped)
{
    struct classic_run run;
    classic_run_lesson(&run, "pb-sync-backup-crash");
    classic_expect_ok(&run);
    /* Writes stop from the crash until the drop is confirmed (replica
     * timeout, counted in heartbeats), then flow again on fewer copies. */
    sim_time gap = classic_longest_gap(&run, "append", NULL, 2 * SIM_S, 2700 * SIM_MS);
    cr_expect_geq(gap, 300 * SIM_MS, "write gap %lldms", (long long)(gap / SIM_MS));
    cr_expect_leq(gap, 600 * SIM_MS, "write gap %lldms", (long long)(gap / SIM_MS));
    cr_expect_eq(classic_metric(&run, "backups_dropped"), 1);
    cr_expect_eq(classic_metric(&run, "catch_ups"), 1, "the backup caught up from the log");
    cr_expect_gt(classic_metric(&run, "redo_replayed"), 0, "it replayed its own redo log first");
    cr_expect_str_eq(classic_role(&run, 1), "backup");
    classic_free(&run);
}

Test(pb_reconcile, dirty_entries_are_discarded_and_nothing_acknowledged_is_lost)
{
    struct classic_run run;
    classic_run_lesson(&run, "pb-reconcile");
    classic_expect_ok(&run);
    cr_expect_gt(classic_metric(&run, "dirty_discarded"), 0);
    cr_expect_eq(run.r.lost_writes, 0);
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    /* The old primary ends with the primary's history: same log length and
     * commit point in the description. */
    char a[512], b[512];
    sim_node_describe(run.r.sim, 0, a, sizeof a);
    sim_node_describe(run.r.sim, 1, b, sizeof b);
    const char *la = strstr(a, "log "), *lb = strstr(b, "log ");
    cr_assert(la && lb);
    cr_expect_eq(atoi(la + 4), atoi(lb + 4), "n1: %s / n2: %s", a, b);
    classic_free(&run);
}

Test(pb_sync, lose_unsynced_crashes_keep_acknowledged_writes)
{
    /* Every write is synced before it is acknowledged: crashes that lose
     * unsynced writes lose nothing a client was told about. */
    char *text = classic_edit(classic_lesson_text("pb-reconcile"), "\"crash\": \"n1\", \"for\": \"3s\"",
                              "\"crash\": \"n1\", \"for\": \"3s\", \"lose_unsynced\": true");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    cr_expect_eq(run.r.lost_writes, 0);
    cr_expect_eq(run.r.linearizable, VERDICT_YES);
    cr_expect_eq(classic_violations(&run), 0, "%s", classic_first_violation(&run));
    classic_free(&run);
    free(text);
}

/* ---- regressions: a promoted backup that never starts (found by scripts/soak.sh) ---- */

Test(pb_lease, a_lost_view_is_sent_again_until_the_promoted_backup_starts)
{
    /* The one VIEW naming n2 primary is cut off; the monitor used to wait
     * for its lease request forever. */
    char *text = classic_regress_text("pb-lease-view-lost");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    classic_expect_ok(&run);
    cr_expect_str_eq(classic_role(&run, 1), "primary");
    cr_expect_eq(classic_metric(&run, "failovers"), 1);
    classic_free(&run);
    free(text);
}

Test(pb_lease, a_promoted_backup_that_never_starts_is_replaced_after_a_lease)
{
    /* n4 crashes between answering the probe and hearing it was promoted:
     * a lease later the monitor fails over again and n5 takes view 3. */
    char *text = classic_regress_text("pb-lease-promoted-crashes");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    classic_expect_ok(&run);
    cr_expect_eq(classic_metric(&run, "failovers"), 2);
    cr_expect_str_eq(classic_role(&run, 4), "primary");
    const struct sim_stats *st = sim_get_stats(run.r.sim);
    sim_time wait = st->leader_after_fault - st->last_fault_at;
    cr_expect(st->leader_after_fault >= 0 && wait <= 1200 * SIM_MS,
              "a primary %lldms after the crash of the promoted backup", (long long)(wait / SIM_MS));
    classic_free(&run);
    free(text);
}

Test(pb_lease, a_clock_step_back_while_paused_gives_the_lease_up)
{
    /* n1's lease end, reckoned on a clock 500ms ahead, would outlast the
     * monitor's count once the clock steps back while n1 is slow. */
    char *text = classic_regress_text("pb-lease-clock-step-while-slow");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    classic_expect_ok(&run);
    cr_expect(!classic_violated(&run, "split-brain"), "%s", classic_first_violation(&run));
    cr_expect_str_eq(classic_role(&run, 1), "primary");
    classic_free(&run);
    free(text);
}

/* ---- determinism --------------------------------------------------------------------- */

Test(pb_determinism, same_seed_same_trace_other_seed_other_trace)
{
    char *text = classic_lesson_text("lease-failover");
    char err[512];
    struct scenario *sc;
    cr_assert_eq(scenario_parse(text, strlen(text), "t", &sc, err, sizeof err), 0);
    uint64_t hash[3];
    for (int i = 0; i < 3; i++) {
        struct run_result r;
        struct run_options opt = {.seed_set = true, .seed = i < 2 ? 7 : 8, .no_check = true};
        cr_assert_eq(runner_run(sc, &opt, &r, err, sizeof err), 0, "%s", err);
        hash[i] = r.trace_hash;
        runner_result_free(&r);
    }
    cr_expect_eq(hash[0], hash[1]);
    cr_expect_neq(hash[0], hash[2]);
    scenario_free(sc);
    free(text);
}
