/* test_check_consistency.c - stale reads, the inconsistency window, and
 * session guarantees per process, on small hand-made histories. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"

static char err[1024];
static struct check_history h;
static struct check_consistency c;

static void run_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/histories/%s", FAULTLINE_TEST_DATA, name);
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
    cr_assert_eq(check_consistency_run(&h, &c, err, sizeof err), 0, "%s", err);
}

static void run_text(const char *text)
{
    cr_assert_eq(check_history_read_buffer(&h, "t", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0, "%s", err);
    cr_assert_eq(check_consistency_run(&h, &c, err, sizeof err), 0, "%s", err);
}

static const struct check_session *session(int64_t process)
{
    for (size_t i = 0; i < c.n_sessions; i++)
        if (c.sessions[i].process == process)
            return &c.sessions[i];
    cr_assert_fail("no session for process %lld", (long long)process);
    return NULL;
}

static size_t count(enum check_anomaly_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < c.n_anomalies; i++)
        n += c.anomalies[i].kind == kind;
    return n;
}

static void teardown(void)
{
    check_consistency_close(&c);
    check_history_close(&h);
}

TestSuite(consistency, .fini = teardown);

Test(consistency, clean_history_has_no_anomaly)
{
    run_file("consistency-clean.jsonl");
    cr_assert_eq(c.reads, 2);
    cr_assert_eq(c.stale_reads, 0);
    cr_assert_eq(c.window, 0);
    cr_assert_eq(c.n_anomalies, 0);
    cr_assert_eq(c.n_sessions, 2);
    cr_assert_eq(session(0)->writes, 1);
    cr_assert_eq(session(0)->reads, 1);
}

Test(consistency, stale_read_and_its_window)
{
    run_file("consistency-stale-window.jsonl");
    cr_assert_eq(c.stale_reads, 1);
    cr_assert(c.window_in_us);
    cr_assert_eq(c.window, 300, "acknowledged at 200us, read began at 500us");
    cr_assert_eq(c.anomalies[0].kind, CHECK_ANOMALY_STALE_READ);
    cr_assert_eq(c.anomalies[0].write, 0);
    cr_assert_eq(c.anomalies[0].read, 1);
    cr_assert_eq(session(1)->stale_reads, 1);
}

Test(consistency, read_your_writes_violation)
{
    run_file("consistency-read-your-writes.jsonl");
    cr_assert_eq(session(0)->read_your_writes, 1);
    cr_assert_eq(count(CHECK_ANOMALY_READ_YOUR_WRITES), 1);
    cr_assert_eq(c.stale_reads, 1);
}

Test(consistency, monotonic_reads_violation_without_stale_read)
{
    /* The write never was acknowledged, so no read is stale; but p1 saw
     * its value and then read the older null. */
    run_file("consistency-monotonic-reads.jsonl");
    cr_assert_eq(c.stale_reads, 0);
    cr_assert_eq(session(1)->monotonic_reads, 1);
    cr_assert_eq(count(CHECK_ANOMALY_MONOTONIC_READS), 1);
    const struct check_anomaly *a = &c.anomalies[0];
    cr_assert_eq(a->other, 1, "the earlier read");
    cr_assert_eq(a->write, 0);
}

Test(consistency, monotonic_writes_violation_kv)
{
    run_file("consistency-monotonic-writes-kv.jsonl");
    cr_assert_eq(session(0)->monotonic_writes, 1);
    cr_assert_eq(count(CHECK_ANOMALY_MONOTONIC_WRITES), 1);
    cr_assert_eq(c.stale_reads, 1);
}

Test(consistency, monotonic_writes_violation_register)
{
    run_file("consistency-monotonic-writes-register.jsonl");
    cr_assert_eq(session(0)->monotonic_writes, 1);
    cr_assert_eq(session(1)->monotonic_reads, 1);
    const struct check_anomaly *mw = NULL;
    for (size_t i = 0; i < c.n_anomalies; i++)
        if (c.anomalies[i].kind == CHECK_ANOMALY_MONOTONIC_WRITES)
            mw = &c.anomalies[i];
    cr_assert_not_null(mw);
    cr_assert_eq(h.ops[mw->write].arg.i, 1, "the earlier write shown late");
    cr_assert_eq(h.ops[mw->other].arg.i, 2, "the later write shown first");
}

Test(consistency, concurrent_write_is_never_stale)
{
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n");
    cr_assert_eq(c.stale_reads, 0);
}

Test(consistency, repeated_value_is_not_counted_when_ambiguous)
{
    /* 1 is written twice; the second write of 1 may come after the write
     * of 2, so a read of 1 after both is not provably stale. */
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":2}\n"
             "{\"process\":2,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"value\":2}\n"
             "{\"process\":2,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":3,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
             "{\"process\":3,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n");
    cr_assert_eq(c.stale_reads, 0);
}

Test(consistency, info_write_may_be_the_newest)
{
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":0,\"type\":\"info\",\"f\":\"write\",\"value\":1}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":2}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"value\":2}\n"
             "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
             "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n");
    cr_assert_eq(c.stale_reads, 0);
}

Test(consistency, kv_get_missing_an_append_is_stale)
{
    run_file("kv-get-misses-append.jsonl");
    cr_assert_eq(c.stale_reads, 1);
}

Test(consistency, kv_put_in_between_excuses_a_missing_append)
{
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a1;\"}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a1;\"}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"x\",\"value\":\"p;\"}\n"
             "{\"process\":2,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"x\",\"value\":null}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"put\",\"key\":\"x\",\"value\":\"p;\"}\n"
             "{\"process\":2,\"type\":\"ok\",\"f\":\"get\",\"key\":\"x\",\"value\":\"p;\"}\n");
    cr_assert_eq(c.stale_reads, 0);
}

Test(consistency, kv_appends_seen_in_order_are_fine)
{
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a1;\"}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a1;\"}\n"
             "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a2;\"}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a2;\"}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"x\",\"value\":null}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"get\",\"key\":\"x\",\"value\":\"a1;a2;\"}\n");
    cr_assert_eq(c.n_anomalies, 0);
}

Test(consistency, kv_appends_seen_reversed_break_monotonic_writes)
{
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a1;\"}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a1;\"}\n"
             "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a2;\"}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"x\",\"value\":\"a2;\"}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"x\",\"value\":null}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"get\",\"key\":\"x\",\"value\":\"a2;a1;\"}\n");
    cr_assert_eq(session(0)->monotonic_writes, 1);
    cr_assert_eq(c.stale_reads, 0, "both appends are there");
}

Test(consistency, keys_are_judged_separately)
{
    run_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
             "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
             "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"b\",\"value\":null}\n"
             "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"b\",\"value\":null}\n");
    cr_assert_eq(c.stale_reads, 0);
}

Test(consistency, window_in_events_without_times)
{
    run_text("{:process 0, :type :invoke, :f :write, :value 1}\n"
             "{:process 0, :type :ok, :f :write, :value 1}\n"
             "{:process 2, :type :invoke, :f :write, :value 5}\n"
             "{:process 1, :type :invoke, :f :read, :value nil}\n"
             "{:process 1, :type :ok, :f :read, :value nil}\n");
    cr_assert_not(c.window_in_us);
    cr_assert_eq(c.window, 2, "acknowledged at event 1, read invoked at event 3");
}

Test(consistency, text_report_has_window_table_and_anomalies)
{
    run_file("consistency-stale-window.jsonl");
    char *text = check_consistency_text(&h, &c);
    cr_assert(strstr(text, "stale reads: 1; inconsistency window at least 300us") != NULL, "%s", text);
    cr_assert(strstr(text, "process   reads  writes   stale  read-your-writes  monotonic-reads  monotonic-writes") != NULL,
              "%s", text);
    cr_assert(strstr(text, "  stale-read: p1 read -> null ok") != NULL, "%s", text);
    free(text);
}

Test(consistency, text_report_gives_window_in_plain_units)
{
    run_text("{\"time\":100,\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
             "{\"time\":200,\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
             "{\"time\":175500,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
             "{\"time\":175600,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n");
    char *text = check_consistency_text(&h, &c);
    cr_assert(strstr(text, "inconsistency window at least 175.3ms") != NULL, "%s", text);
    cr_assert(strstr(text, "acknowledged 175.3ms before the read began") != NULL, "%s", text);
    free(text);
}

Test(consistency, json_report_lists_sessions_and_anomalies)
{
    run_file("consistency-monotonic-writes-register.jsonl");
    cJSON *j = check_consistency_json(&h, &c);
    cr_assert_eq(cJSON_GetObjectItem(j, "stale_reads")->valuedouble, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "window_unit")->valuestring, "us");
    cJSON *sessions = cJSON_GetObjectItem(j, "sessions");
    cr_assert_eq(cJSON_GetArraySize(sessions), 2);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(sessions, 0), "monotonic_writes")->valuedouble, 1);
    cJSON *anomalies = cJSON_GetObjectItem(j, "anomalies");
    cr_assert_eq(cJSON_GetArraySize(anomalies), 3);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(anomalies, 0), "kind")->valuestring, "stale-read");
    cJSON_Delete(j);
}

Test(consistency_errors, mixed_models_are_refused)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                       "{\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"value\":null}\n";
    struct check_history mixed;
    cr_assert_eq(check_history_read_buffer(&mixed, "m", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0);
    struct check_consistency report;
    cr_assert_eq(check_consistency_run(&mixed, &report, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert(strstr(err, "m:2: expected only register operations") == err, "%s", err);
    check_history_close(&mixed);
}

Test(consistency_names, anomaly_kinds)
{
    cr_assert_str_eq(check_anomaly_name(CHECK_ANOMALY_STALE_READ), "stale-read");
    cr_assert_str_eq(check_anomaly_name(CHECK_ANOMALY_READ_YOUR_WRITES), "read-your-writes");
    cr_assert_str_eq(check_anomaly_name(CHECK_ANOMALY_MONOTONIC_READS), "monotonic-reads");
    cr_assert_str_eq(check_anomaly_name(CHECK_ANOMALY_MONOTONIC_WRITES), "monotonic-writes");
}
