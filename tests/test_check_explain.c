/* test_check_explain.c - the report of a check: verdict line, the longest
 * linearizable prefix with states, the op that cannot be placed, the ops
 * concurrent with it; in text and in JSON. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"

static char err[1024];
static struct check_history h;
static struct check_result r;

static void check_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/histories/%s", FAULTLINE_TEST_DATA, name);
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), 0, "%s", err);
}

static void check_text(const char *text)
{
    cr_assert_eq(check_history_read_buffer(&h, "t.jsonl", text, strlen(text), CHECK_FORMAT_AUTO,
                                           err, sizeof err), 0, "%s", err);
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), 0, "%s", err);
}

static void teardown(void)
{
    check_result_close(&r);
    check_history_close(&h);
}

TestSuite(explain, .fini = teardown);

Test(explain, stale_read_is_the_op_that_cannot_be_placed)
{
    check_file("register-stale-read.jsonl");
    cr_assert_eq(r.verdict, CHECK_NOT_LINEARIZABLE);
    cr_assert_neq(r.blocked, CHECK_NEVER);
    const struct check_op *blocked = &h.ops[r.blocked];
    cr_assert_eq(blocked->fn, CHECK_FN_READ);
    cr_assert_eq(blocked->result.i, 1);
    cr_assert_eq(r.prefix_len, 2, "both writes are linearized before it");
    cr_assert_eq(h.ops[r.prefix[0]].arg.i, 1);
    cr_assert_eq(h.ops[r.prefix[1]].arg.i, 2);
}

Test(explain, text_names_prefix_states_and_blocked_op)
{
    check_file("register-stale-read.jsonl");
    char *text = check_explain_text(&h, &r);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "register-stale-read.jsonl: not-linearizable (model register, 3 ops)\n") != NULL,
              "%s", text);
    cr_assert(strstr(text, "Longest linearizable prefix found: 2 ops") != NULL, "%s", text);
    cr_assert(strstr(text, "   1. p0 write 1 ok  [line 1 t=0.0001s .. line 2 t=0.0002s]\n        => 1\n") != NULL,
              "%s", text);
    cr_assert(strstr(text, "   2. p0 write 2 ok  [line 3 t=0.0003s .. line 4 t=0.0004s]\n        => 2\n") != NULL,
              "%s", text);
    cr_assert(strstr(text, "Cannot be placed next:\n  p1 read -> 1 ok  [line 5 t=0.0005s .. line 6 t=0.0006s]\n") != NULL,
              "%s", text);
    cr_assert(strstr(text, "in state 2 it is not legal") != NULL, "%s", text);
    free(text);
}

Test(explain, concurrent_ops_are_listed_with_their_place)
{
    check_text("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
               "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
               "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":2}\n"
               "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
               "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"value\":3}\n"
               "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"value\":2}\n");
    cr_assert_eq(r.verdict, CHECK_NOT_LINEARIZABLE);
    char *text = check_explain_text(&h, &r);
    cr_assert(strstr(text, "Concurrent with it (1):\n  p1 write 2 ok  [line 3 .. line 6]") != NULL,
              "%s", text);
    free(text);
}

Test(explain, read_of_a_value_nobody_writes_is_blocked_at_once)
{
    check_file("register-read-never-written.jsonl");
    cr_assert_eq(r.verdict, CHECK_NOT_LINEARIZABLE);
    cr_assert_eq(h.ops[r.blocked].result.i, 7);
    char *text = check_explain_text(&h, &r);
    cr_assert(strstr(text, "p1 read -> 7 ok") != NULL, "%s", text);
    free(text);
}

Test(explain, linearizable_report_is_one_line)
{
    check_file("register-cas-success.jsonl");
    char *text = check_explain_text(&h, &r);
    cr_assert_str_eq(text, FAULTLINE_TEST_DATA "/histories/register-cas-success.jsonl: "
                           "linearizable (model register, 3 ops)\n");
    free(text);
}

Test(explain, failing_keys_are_named)
{
    check_file("register-keys-one-bad.jsonl");
    char *text = check_explain_text(&h, &r);
    cr_assert(strstr(text, "2 keys checked one by one: 1 not linearizable, 0 unknown (k2)\n") != NULL,
              "%s", text);
    cr_assert(strstr(text, "key k2: 2 ops checked") != NULL, "%s", text);
    free(text);
}

Test(explain, json_has_verdict_keys_and_explanation)
{
    check_file("register-stale-read.jsonl");
    cJSON *j = check_explain_json(&h, &r);
    cr_assert_not_null(j);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "verdict")->valuestring, "not-linearizable");
    cr_assert_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "register");
    cJSON *keys = cJSON_GetObjectItem(j, "keys");
    cr_assert_eq(cJSON_GetArraySize(keys), 1);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(keys, 0), "key")));
    cJSON *ex = cJSON_GetObjectItem(j, "explanation");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(ex, "linearized")), 2);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(ex, "linearized"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(first, "state_after")->valuestring, "1");
    cr_assert_str_eq(cJSON_GetObjectItem(ex, "state")->valuestring, "2");
    cJSON *blocked = cJSON_GetObjectItem(ex, "cannot_place");
    cr_assert_str_eq(cJSON_GetObjectItem(blocked, "f")->valuestring, "read");
    cr_assert_eq(cJSON_GetObjectItem(blocked, "value")->valuedouble, 1);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(blocked, "invoke"), "line")->valuedouble, 5);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(blocked, "complete"), "time")->valuedouble, 600);
    cJSON_Delete(j);
}

Test(explain, json_explanation_is_null_when_linearizable)
{
    check_file("register-cas-success.jsonl");
    cJSON *j = check_explain_json(&h, &r);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "explanation")));
    cr_assert_str_eq(cJSON_GetObjectItem(j, "verdict")->valuestring, "linearizable");
    cJSON_Delete(j);
}

Test(explain, kv_states_are_quoted_strings)
{
    check_file("kv-appends-order-flips.jsonl");
    cJSON *j = check_explain_json(&h, &r);
    cJSON *ex = cJSON_GetObjectItem(j, "explanation");
    cr_assert_str_eq(cJSON_GetObjectItem(ex, "key")->valuestring, "x");
    cr_assert_str_eq(cJSON_GetObjectItem(ex, "state")->valuestring, "\"a1;a2;\"");
    cJSON *blocked = cJSON_GetObjectItem(ex, "cannot_place");
    cr_assert_str_eq(cJSON_GetObjectItem(blocked, "value")->valuestring, "a2;a1;");
    cJSON_Delete(j);
}

Test(explain, open_op_is_described_as_able_to_act_later)
{
    check_file("register-info-seen-before-invoke.jsonl");
    struct check_buf b;
    check_buf_init(&b);
    check_op_describe(&h, &h.ops[1], &b);
    cr_assert_str_eq(b.text, "p1 write 2 info (timeout)  [line 3 t=0.0003s .. may take effect any time after]");
    check_buf_close(&b);
    cJSON *j = check_op_json(&h, &h.ops[1]);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring, "info");
    cr_assert_str_eq(cJSON_GetObjectItem(j, "error")->valuestring, "timeout");
    cJSON_Delete(j);
}

Test(explain, never_completed_op_has_null_completion)
{
    check_file("register-never-completed.jsonl");
    cJSON *j = check_op_json(&h, &h.ops[0]);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring, "never-completed");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "complete")));
    cJSON_Delete(j);
}

Test(explain, jepsen_report_uses_lines_without_times)
{
    char path[512];
    snprintf(path, sizeof path, "%s/jepsen-etcd/etcd_000.edn", FAULTLINE_TEST_DATA);
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0);
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), 0);
    char *text = check_explain_text(&h, &r);
    cr_assert(strstr(text, "not-linearizable") != NULL);
    cr_assert(strstr(text, "t=") == NULL, "no times in an EDN history without :time");
    cr_assert(strstr(text, "Cannot be placed next:\n  p") != NULL, "%s", text);
    free(text);
}

Test(explain, times_are_printed_in_seconds)
{
    check_file("register-info-seen-before-invoke.jsonl");
    h.ops[1].invoke_time = 2744683;
    struct check_buf b;
    check_buf_init(&b);
    check_op_describe(&h, &h.ops[1], &b);
    cr_assert(strstr(b.text, "[line 3 t=2.744683s .. ") != NULL, "%s", b.text);
    check_buf_close(&b);
    h.ops[1].invoke_time = 3000000;
    check_buf_init(&b);
    check_op_describe(&h, &h.ops[1], &b);
    cr_assert(strstr(b.text, "[line 3 t=3s .. ") != NULL, "%s", b.text);
    check_buf_close(&b);
}
