/* test_quorum.c - leaderless N/W/R quorums: each lesson shows what the canon
 * says (W+R>N no stale reads and read repair; W+R<=N stale reads; LWW with a
 * skewed clock loses writes, vector clocks keep siblings; write-all blocks
 * on one crash), parameters are validated, and across 300 seeds under a
 * random nemesis W+R>N with vector clocks never shows a stale read nor
 * loses an acknowledged write, while last write wins does. */
#include "tests/test_classic.h"

Test(quorum_params, bad_values_are_rejected_with_their_key)
{
    classic_expect_param_error("quorum", "{\"n\": 4}", 3, "params.n");
    classic_expect_param_error("quorum", "{\"n\": 3, \"w\": 4}", 3, "params.w");
    classic_expect_param_error("quorum", "{\"n\": 3, \"r\": 0}", 3, "params.r");
    classic_expect_param_error("quorum", "{\"resolve\": \"newest\"}", 3, "params.resolve");
    classic_expect_param_error("quorum", "{}", 17, "params.n");
}

Test(quorum_lessons, strict_quorum_has_no_stale_reads_and_repairs_a_stale_replica)
{
    struct classic_run run;
    classic_run_lesson(&run, "quorum-strict");
    classic_expect_ok(&run);
    cr_expect_eq(run.r.stale_reads, 0);
    cr_expect_gt(classic_metric(&run, "read_repairs"), 0);
    /* One replica down: still a quorum either way. Writes never stop for
     * long (only clients that picked the dead node wait out their timeout). */
    sim_time gap = classic_longest_gap(&run, "write", NULL, 3 * SIM_S, 6 * SIM_S);
    cr_expect_lt(gap, SIM_S, "writes paused %lldms", (long long)(gap / SIM_MS));
    classic_free(&run);
}

Test(quorum_lessons, weak_quorum_has_stale_reads)
{
    struct classic_run run;
    classic_run_lesson(&run, "quorum-weak");
    classic_expect_ok(&run);
    cr_expect_gt(run.r.stale_reads, 0);
    classic_free(&run);
}

Test(quorum_lessons, same_run_with_w_plus_r_above_n_has_none)
{
    char *text = classic_edit(classic_lesson_text("quorum-weak"), "\"w\": 1, \"r\": 1",
                              "\"w\": 2, \"r\": 2");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    cr_expect_eq(run.r.stale_reads, 0);
    classic_free(&run);
    free(text);
}

Test(quorum_lessons, last_write_wins_with_a_skewed_clock_loses_writes)
{
    struct classic_run run;
    classic_run_lesson(&run, "quorum-lww-skew");
    classic_expect_ok(&run);
    cr_expect_gt(run.r.lost_writes, 0);
    cr_expect_gt(classic_metric(&run, "lww_dropped"), 0);
    cr_expect_eq(classic_violations(&run), 0, "nothing in the system notices");
    classic_free(&run);
}

Test(quorum_lessons, without_the_skew_sequential_writes_survive_lww)
{
    /* One client at a time: no concurrency, clocks right - LWW is fine. */
    char *text = classic_edit(classic_lesson_text("quorum-lww-skew"), "\"skew\": \"-1s\"",
                              "\"skew\": \"0\"");
    text = classic_edit(text, "\"clients\": 3, \"rate\": \"30/s\"", "\"clients\": 1, \"think\": \"20ms\"");
    struct classic_run run;
    classic_run_text(&run, text, 0, true);
    cr_expect_eq(run.r.lost_writes, 0);
    cr_expect_eq(classic_metric(&run, "lww_dropped"), 0);
    classic_free(&run);
    free(text);
}

Test(quorum_lessons, vector_clocks_keep_siblings_and_lose_nothing)
{
    struct classic_run run;
    classic_run_lesson(&run, "quorum-vector-clock");
    classic_expect_ok(&run);
    cr_expect_eq(run.r.lost_writes, 0);
    cr_expect_eq(run.r.stale_reads, 0);
    cr_expect_gt(classic_metric(&run, "sibling_reads"), 0);
    classic_free(&run);
}

Test(quorum_lessons, write_all_read_one_blocks_writes_on_one_crash)
{
    struct classic_run run;
    classic_run_lesson(&run, "quorum-write-all");
    classic_expect_ok(&run);
    /* No write completes while n3 is down; reads go on. */
    sim_time wgap = classic_longest_gap(&run, "write", NULL, 3 * SIM_S, 6 * SIM_S);
    cr_expect_geq(wgap, 2800 * SIM_MS, "writes paused only %lldms", (long long)(wgap / SIM_MS));
    sim_time rgap = classic_longest_gap(&run, "read", NULL, 3 * SIM_S, 6 * SIM_S);
    cr_expect_lt(rgap, SIM_S, "reads paused %lldms", (long long)(rgap / SIM_MS));
    cr_expect_gt(classic_metric(&run, "write_timeouts"), 0);
    classic_free(&run);
}

Test(quorum_behaviour, cas_always_fails)
{
    const char *text =
        "{\"name\": \"q\", \"protocol\": \"quorum\", \"nodes\": 3, \"duration\": \"2s\","
        " \"workload\": {\"clients\": 2, \"rate\": \"40/s\", \"mix\": {\"read\": 1, \"write\": 1, \"cas\": 1}}}";
    struct classic_run run;
    classic_run_text(&run, text, 3, true);
    cr_expect_gt(classic_count_ops(&run, "cas", "fail"), 0);
    cr_expect_eq(classic_count_ops(&run, "cas", "ok"), 0);
    cr_expect_eq(run.r.stale_reads, 0);
    classic_free(&run);
}

/* ---- sweeps -------------------------------------------------------------------------- */

static char *sweep_text(const char *resolve, int nodes, int n, int w, int r)
{
    char *text = malloc(4096);
    cr_assert_not_null(text);
    snprintf(text, 4096,
             "{\"name\": \"q-sweep\", \"protocol\": \"quorum\","
             " \"params\": {\"n\": %d, \"w\": %d, \"r\": %d, \"resolve\": \"%s\", \"request_timeout\": \"300ms\"},"
             " \"nodes\": %d, \"duration\": \"10s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"20ms\"}},"
             " \"workload\": {\"clients\": 4, \"rate\": \"50/s\", \"keys\": 3,"
             "   \"mix\": {\"get\": 0.5, \"append\": 0.5}, \"timeout\": \"600ms\", \"connect\": \"random\"},"
             " \"nemesis\": {\"until\": \"7s\", \"interval\": {\"min\": \"200ms\", \"max\": \"800ms\"},"
             "   \"duration\": {\"min\": \"200ms\", \"max\": \"2s\"}, \"lose_unsynced\": true}}",
             n, w, r, resolve, nodes);
    return text;
}

static bool consistent(const struct classic_run *run, char *why, size_t cap)
{
    snprintf(why, cap, "%lld stale reads, %lld lost writes", (long long)run->r.stale_reads,
             (long long)run->r.lost_writes);
    return run->r.stale_reads == 0 && run->r.lost_writes == 0 && !classic_violations(run);
}

Test(quorum_sweep, vector_clocks_with_overlapping_quorums_hold_across_300_seeds, .timeout = 600)
{
    static const int shapes[3][4] = {{3, 3, 2, 2}, {5, 3, 2, 2}, {5, 5, 3, 3}}; /* nodes N W R */
    int runs = 0;
    for (int i = 0; i < 3; i++) {
        char *text = sweep_text("vector-clock", shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3]);
        struct classic_sweep s;
        classic_sweep(&s, text, 1, 100, true, consistent, false);
        cr_expect_eq(s.failed, 0, "nodes %d N=%d W=%d R=%d: %d of %d seeds broke; seed %llu: %s",
                     shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3], s.failed, s.runs,
                     (unsigned long long)s.first_failed, s.why);
        runs += s.runs;
        free(text);
    }
    cr_expect_eq(runs, 300);
}

Test(quorum_sweep, last_write_wins_loses_writes_within_300_seeds, .timeout = 600)
{
    char *text = sweep_text("lww", 3, 3, 2, 2);
    struct classic_sweep s;
    classic_sweep(&s, text, 1, 300, true, consistent, true);
    cr_expect_gt(s.failed, 0, "LWW lost nothing in %d seeds", s.runs);
    free(text);
}
