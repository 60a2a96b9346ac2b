/* test_workload.c - workload clients and their history: well-formed Jepsen
 * histories, open and closed loops, timeouts becoming info with a fresh
 * process, retries of the same operation, redirects, key-value values. */
#include <cjson/cJSON.h>

#include "tests/probe.h"

#include "protocols/registry.h"

/* Walks the history, checking that each process alternates invoke and one
 * completion; counts completions by type. Returns the number of ops. */
struct hist_counts {
    int ops, ok, fail, info, run_ended, max_process;
};

static struct hist_counts check_history(const struct sim *s)
{
    struct hist_counts c = {0};
    size_t len;
    const char *text = sim_history(s, &len);
    char *copy = strndup(text, len);
    int open_op[4096];
    memset(open_op, 0, sizeof open_op);
    int expect_index = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        cr_assert_not_null(o, "not JSON: %s", line);
        cr_assert_eq(cJSON_GetObjectItem(o, "index")->valueint, expect_index++);
        int p = cJSON_GetObjectItem(o, "process")->valueint;
        cr_assert_lt(p, 4096);
        c.max_process = p > c.max_process ? p : c.max_process;
        const char *type = cJSON_GetObjectItem(o, "type")->valuestring;
        cr_assert_not_null(cJSON_GetObjectItem(o, "time"));
        cr_assert_not_null(cJSON_GetObjectItem(o, "f"));
        cr_assert_not_null(cJSON_GetObjectItem(o, "key"));
        if (strcmp(type, "invoke") == 0) {
            cr_assert_eq(open_op[p], 0, "process %d invoked twice: %s", p, line);
            open_op[p] = 1;
            c.ops++;
        } else {
            cr_assert_eq(open_op[p], 1, "completion without invoke: %s", line);
            open_op[p] = 0;
            if (strcmp(type, "ok") == 0)
                c.ok++;
            else if (strcmp(type, "fail") == 0)
                c.fail++;
            else if (strcmp(type, "info") == 0) {
                c.info++;
                const cJSON *e = cJSON_GetObjectItem(o, "error");
                if (e && strcmp(e->valuestring, "run ended") == 0)
                    c.run_ended++;
                open_op[p] = -1; /* a process that got info never invokes again */
            } else
                cr_assert_fail("bad type %s", type);
        }
        cJSON_Delete(o);
    }
    for (int p = 0; p < 4096; p++)
        cr_expect_neq(open_op[p], 1, "process %d left open", p);
    free(copy);
    return c;
}

#define ECHO_HEAD "\"name\":\"w\",\"protocol\":\"echo\",\"params\":{\"interval\":\"0\"}"

Test(workload, history_is_well_formed_and_counts_match_stats)
{
    struct run r;
    run_json_with(&r,
                  "{\"name\":\"w\",\"protocol\":\"primary-backup\",\"nodes\":3,\"duration\":\"5s\","
                  "\"workload\":{\"clients\":5,\"rate\":\"200/s\",\"connect\":\"random\",\"retries\":1,"
                  "\"mix\":{\"read\":1,\"write\":1,\"cas\":1}},"
                  "\"faults\":[{\"at\":\"1s\",\"crash\":\"primary\",\"for\":\"1s\"},"
                  "{\"at\":\"3s\",\"partition\":[[\"n2\"],[\"n1\",\"n3\"]],\"for\":\"500ms\"}]}",
                  protocol_find("primary-backup"));
    struct hist_counts c = check_history(r.sim);
    const struct sim_stats *st = sim_get_stats(r.sim);
    cr_expect_eq((uint64_t)c.ops, st->ops_invoked);
    cr_expect_eq((uint64_t)c.ok, st->ops_ok);
    cr_expect_eq((uint64_t)c.fail, st->ops_fail);
    cr_expect_eq((uint64_t)c.info, st->ops_info);
    cr_expect_gt(c.ok, 300);
    cr_expect_gt(c.fail, 0, "some cas should fail");
    run_free(&r);
}

Test(workload, open_loop_issues_operations_at_the_given_rate)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"10s\","
                 "\"network\":{\"clients\":{\"latency\":\"1ms\"}},"
                 "\"workload\":{\"clients\":4,\"rate\":\"200/s\"}}");
    uint64_t n = sim_get_stats(r.sim)->ops_invoked;
    cr_expect(n > 1800 && n < 2200, "invoked %llu, expected about 2000", (unsigned long long)n);
    run_free(&r);
}

Test(workload, closed_loop_waits_think_time_between_operations)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"10s\","
                 "\"network\":{\"clients\":{\"latency\":\"1ms\"}},"
                 "\"workload\":{\"clients\":2,\"think\":\"18ms\"}}");
    /* each op: 2ms of round trip + 18ms of think on average: 50/s per client */
    uint64_t n = sim_get_stats(r.sim)->ops_invoked;
    cr_expect(n > 900 && n < 1100, "invoked %llu, expected about 1000", (unsigned long long)n);
    run_free(&r);
}

Test(workload, timeout_is_info_and_the_client_continues_as_a_new_process)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"3s\","
                 "\"workload\":{\"clients\":3,\"rate\":\"30/s\",\"timeout\":\"100ms\"},"
                 "\"faults\":[{\"at\":\"1s\",\"crash\":\"n1\",\"for\":\"1s\"}]}");
    struct hist_counts c = check_history(r.sim);
    cr_expect_gt(c.info, 10);
    cr_expect_geq(c.max_process, 3, "processes after an info must be renumbered");
    cr_expect_gt(COUNT(&r, 0, 3 * SIM_S, "\"ev\":\"complete\"", "\"type\":\"info\"", "\"error\":\"timeout\""), 10);
    run_free(&r);
}

Test(workload, retry_resends_the_same_operation_to_another_node)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":3,\"duration\":\"2s\","
                 "\"workload\":{\"clients\":1,\"rate\":\"20/s\",\"timeout\":\"50ms\",\"retries\":1,\"connect\":\"random\"},"
                 "\"faults\":[{\"at\":\"0\",\"crash\":\"n1\"}]}");
    const struct sim_stats *st = sim_get_stats(r.sim);
    /* a third of the operations go to the crashed n1 first */
    cr_expect_gt(st->retries, 5);
    struct hist_counts c = check_history(r.sim);
    cr_expect_eq(st->ops_info, (uint64_t)c.run_ended, "each op should succeed on its retry");
    cr_expect_gt(st->ops_ok, 10);
    /* the retry names the same op id as the invoke */
    const char *retry = strstr(r.trace.data, "\"ev\":\"retry\"");
    cr_assert_not_null(retry);
    long long op = line_int(retry, "op");
    char want[64];
    snprintf(want, sizeof want, "\"ev\":\"invoke\",\"client\":0,\"process\":0,\"op\":%lld,", op);
    cr_expect_not_null(strstr(r.trace.data, want));
    run_free(&r);
}

Test(workload, redirect_sends_the_client_to_the_named_node)
{
    struct run r;
    run_json_with(&r,
                  "{\"name\":\"w\",\"protocol\":\"primary-backup\",\"nodes\":3,\"duration\":\"2s\","
                  "\"workload\":{\"clients\":1,\"rate\":\"20/s\",\"connect\":\"random\"}}",
                  protocol_find("primary-backup"));
    const struct sim_stats *st = sim_get_stats(r.sim);
    cr_expect_gt(st->redirects, 5);
    cr_expect_eq(st->ops_info, 0);
    cr_expect_gt(COUNT(&r, 0, 2 * SIM_S, "\"ev\":\"redirect\"", "\"to\":\"n1\"", "\"known\":true"), 5);
    /* every ok was answered by the primary */
    cr_expect_eq(COUNT(&r, 0, 2 * SIM_S, "\"ev\":\"complete\"", "\"type\":\"ok\"", "\"node\":\"n1\""),
                 st->ops_ok);
    run_free(&r);
}

Test(workload, key_value_values_are_token_strings)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"2s\","
                 "\"workload\":{\"clients\":2,\"rate\":\"50/s\",\"keys\":2,\"mix\":{\"get\":1,\"append\":2,\"put\":0.1}}}");
    size_t len;
    const char *h = sim_history(r.sim, &len);
    cr_expect_not_null(strstr(h, "\"f\":\"append\",\"key\":\"k1\",\"value\":\"v"));
    const char *get = strstr(h, "\"type\":\"ok\",\"f\":\"get\"");
    cr_assert_not_null(get);
    cr_expect(strstr(get, "\"value\":\"v") != NULL || strstr(get, "\"value\":null") != NULL);
    cr_expect_not_null(strstr(h, "\"key\":\"k2\""));
    run_free(&r);
}

Test(workload, operations_pending_at_the_end_complete_as_info)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"1s\","
                 "\"network\":{\"clients\":{\"latency\":\"300ms\"}},"
                 "\"workload\":{\"clients\":3,\"think\":\"1ms\",\"timeout\":\"2s\"}}");
    struct hist_counts c = check_history(r.sim);
    cr_expect_eq(c.run_ended, 3);
    run_free(&r);
}

Test(workload, lost_client_messages_time_out)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"2s\","
                 "\"network\":{\"clients\":{\"drop\":1.0}},"
                 "\"workload\":{\"clients\":2,\"rate\":\"10/s\",\"timeout\":\"100ms\"}}");
    const struct sim_stats *st = sim_get_stats(r.sim);
    cr_expect_eq(st->ops_ok, 0);
    cr_expect_gt(st->ops_info, 10);
    run_free(&r);
}

Test(workload, stop_ends_new_operations)
{
    struct run r;
    run_json(&r, "{" ECHO_HEAD ",\"nodes\":1,\"duration\":\"2s\","
                 "\"workload\":{\"clients\":2,\"rate\":\"100/s\",\"start\":\"500ms\",\"stop\":\"1s\"}}");
    cr_expect_eq(COUNT(&r, 0, 499 * SIM_MS, "\"ev\":\"invoke\""), 0);
    cr_expect_gt(COUNT(&r, 500 * SIM_MS, SIM_S, "\"ev\":\"invoke\""), 20);
    cr_expect_eq(COUNT(&r, SIM_S, 2 * SIM_S, "\"ev\":\"invoke\""), 0);
    run_free(&r);
}
