/* test_check_budget.c - the time, memory and step budgets: past any of
 * them the verdict is unknown, and never a wrong answer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"

static char err[1024];

static enum check_verdict verdict_with(const char *path, struct check_options opt,
                                       enum check_limit *limit)
{
    struct check_history h;
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    *limit = r.limit;
    check_result_close(&r);
    check_history_close(&h);
    return v;
}

#define HEAVY FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_002.edn"

Test(budget, step_limit_gives_unknown)
{
    enum check_limit limit;
    cr_assert_eq(verdict_with(HEAVY, (struct check_options){.max_steps = 10}, &limit), CHECK_UNKNOWN);
    cr_assert_eq(limit, CHECK_LIMIT_STEPS);
}

Test(budget, step_limit_is_deterministic)
{
    enum check_limit limit;
    /* The search takes the same steps every run: a limit above its need never bites. */
    cr_assert_eq(verdict_with(HEAVY, (struct check_options){.max_steps = 10000000}, &limit),
                 CHECK_LINEARIZABLE);
    cr_assert_eq(limit, CHECK_LIMIT_NONE);
}

Test(budget, time_limit_gives_unknown)
{
    enum check_limit limit;
    cr_assert_eq(verdict_with(HEAVY, (struct check_options){.timeout_us = 1}, &limit), CHECK_UNKNOWN);
    cr_assert_eq(limit, CHECK_LIMIT_TIME);
}

Test(budget, memory_limit_gives_unknown)
{
    enum check_limit limit;
    cr_assert_eq(verdict_with(HEAVY, (struct check_options){.max_bytes = 1}, &limit), CHECK_UNKNOWN);
    cr_assert_eq(limit, CHECK_LIMIT_MEMORY);
}

Test(budget, definite_violation_wins_over_unknown)
{
    /* Key a is refuted in a few steps; key b runs out of budget. A known
     * violation in one key makes the whole history not linearizable. */
    struct check_buf b;
    check_buf_init(&b);
    check_buf_printf(&b, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
                         "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
                         "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\",\"value\":null}\n"
                         "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\",\"value\":null}\n");
    for (int v = 1; v <= 20; v++)
        check_buf_printf(&b, "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"b\",\"value\":%d}\n"
                             "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"key\":\"b\",\"value\":%d}\n", v, v);
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "two-keys", b.text, b.len, CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0, "%s", err);
    struct check_options opt = {.max_steps = 8};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0);
    cr_assert_eq(r.keys[0].verdict, CHECK_NOT_LINEARIZABLE);
    cr_assert_eq(r.keys[1].verdict, CHECK_UNKNOWN);
    cr_assert_eq(r.verdict, CHECK_NOT_LINEARIZABLE);
    check_result_close(&r);
    check_history_close(&h);
    check_buf_close(&b);
}

Test(budget, unknown_report_names_the_limit)
{
    struct check_history h;
    cr_assert_eq(check_history_read_file(&h, HEAVY, CHECK_FORMAT_AUTO, err, sizeof err), 0);
    struct check_options opt = {.max_steps = 10};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0);
    char *text = check_explain_text(&h, &r);
    cr_assert(strstr(text, ": unknown (model register, 77 ops)\n") != NULL, "%s", text);
    cr_assert(strstr(text, "The steps budget ran out after 11 search steps") != NULL, "%s", text);
    free(text);
    cJSON *j = check_explain_json(&h, &r);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "limit")->valuestring, "steps");
    cJSON_Delete(j);
    check_result_close(&r);
    check_history_close(&h);
}

Test(budget, counter_stops_once_hit_and_stays_stopped)
{
    struct check_budget b;
    check_budget_start(&b, 0, 0, 3);
    cr_assert(check_budget_step(&b, 0));
    cr_assert(check_budget_step(&b, 0));
    cr_assert(check_budget_step(&b, 0));
    cr_assert_not(check_budget_step(&b, 0));
    cr_assert_eq(b.hit, CHECK_LIMIT_STEPS);
    cr_assert_not(check_budget_step(&b, 0));
    cr_assert_str_eq(check_limit_name(b.hit), "steps");
}

Test(budget, no_limits_never_stop)
{
    struct check_budget b;
    check_budget_start(&b, 0, 0, 0);
    for (int i = 0; i < 100000; i++)
        cr_assert(check_budget_step(&b, (size_t)i));
    cr_assert_eq(b.hit, CHECK_LIMIT_NONE);
}
