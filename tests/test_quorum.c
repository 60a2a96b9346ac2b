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

/* What the lesson explains about its NOT linearizable verdict: a write that
 * timed out while n3 was down still reached n1 and n2, a read saw it there,
 * and a later read asked the recovered n3, which never got it, and returned
 * an older value. Finds such a pair in the history. */
struct partial_write {
    char key[16];
    int64_t value, invoked, seen_at; /* seen_at: end of a read that returned it */
};

static bool recovered_replica_misses_a_timed_out_write(const struct classic_run *run, char *why,
                                                       size_t cap)
{
    size_t len;
    const char *hist = sim_history(run->r.sim, &len);
    struct partial_write w[256];
    int nw = 0;
    int64_t invoked[256] = {0};
    bool found = false;
    for (const char *line = hist; line < hist + len && !found;) {
        const char *end = memchr(line, '\n', (size_t)(hist + len - line));
        if (!end)
            end = hist + len;
        cJSON *o = cJSON_ParseWithLength(line, (size_t)(end - line));
        line = end + 1;
        if (!o)
            continue;
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(o, "type"));
        const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(o, "f"));
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(o, "key"));
        const char *node = cJSON_GetStringValue(cJSON_GetObjectItem(o, "node"));
        const cJSON *value = cJSON_GetObjectItem(o, "value");
        int p = cJSON_GetObjectItem(o, "process")->valueint & 255;
        int64_t t = (int64_t)cJSON_GetObjectItem(o, "time")->valuedouble;
        if (strcmp(type, "invoke") == 0) {
            invoked[p] = t;
        } else if (strcmp(type, "info") == 0 && strcmp(f, "write") == 0 && nw < 256 &&
                   invoked[p] >= 3 * SIM_S && invoked[p] < 6 * SIM_S) {
            snprintf(w[nw].key, sizeof w[nw].key, "%s", key);
            w[nw].value = (int64_t)value->valuedouble;
            w[nw].invoked = invoked[p];
            w[nw++].seen_at = -1;
        } else if (strcmp(type, "ok") == 0 && strcmp(f, "read") == 0 && cJSON_IsNumber(value)) {
            for (int i = 0; i < nw && !found; i++) {
                if (strcmp(w[i].key, key) != 0)
                    continue;
                if ((int64_t)value->valuedouble == w[i].value && w[i].seen_at < 0)
                    w[i].seen_at = t;
                else if (w[i].seen_at >= 0 && invoked[p] > w[i].seen_at && t > 6 * SIM_S &&
                         node && strcmp(node, "n3") == 0 && (int64_t)value->valuedouble != w[i].value) {
                    found = true;
                    snprintf(why, cap, "%s=%lld timed out, was read, then n3 answered %lld", key,
                             (long long)w[i].value, (long long)value->valuedouble);
                }
            }
        }
        cJSON_Delete(o);
    }
    return found;
}

Test(quorum_lessons, write_all_read_one_is_not_linearizable_for_the_reason_it_gives)
{
    struct classic_run run;
    classic_run_lesson(&run, "quorum-write-all");
    cr_expect_eq(run.r.linearizable, VERDICT_NO);
    char why[160] = "";
    cr_expect(recovered_replica_misses_a_timed_out_write(&run, why, sizeof why),
              "no read of a timed-out write followed by an older value from the recovered n3");
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
