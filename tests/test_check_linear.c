/* test_check_linear.c - linearizability on small hand-made histories, one
 * rule each (tests/data/histories/README.md says what each one shows). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"

static char err[1024];

/* Checks tests/data/histories/name with the model chosen from its ops. */
static enum check_verdict verdict_of(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/histories/%s", FAULTLINE_TEST_DATA, name);
    struct check_history h;
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    check_result_close(&r);
    check_history_close(&h);
    return v;
}

static enum check_verdict verdict_of_text(const char *text, const struct check_model *m)
{
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "t", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0, "%s", err);
    struct check_options opt = {.model = m};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    check_result_close(&r);
    check_history_close(&h);
    return v;
}

Test(register, concurrent_writes_read_sees_the_first)
{
    cr_assert_eq(verdict_of("register-concurrent-writes-read-first.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, concurrent_writes_read_sees_the_second)
{
    cr_assert_eq(verdict_of("register-concurrent-writes-read-second.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, read_of_an_overwritten_value_is_not_linearizable)
{
    cr_assert_eq(verdict_of("register-stale-read.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, read_of_a_never_written_value_is_not_linearizable)
{
    cr_assert_eq(verdict_of("register-read-never-written.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, null_read_concurrent_with_the_first_write)
{
    cr_assert_eq(verdict_of("register-read-null-before-write.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, null_read_after_an_acknowledged_write)
{
    cr_assert_eq(verdict_of("register-read-null-after-write.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, cas_that_matches_takes_effect)
{
    cr_assert_eq(verdict_of("register-cas-success.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, ok_cas_whose_expected_value_never_held)
{
    cr_assert_eq(verdict_of("register-cas-ok-without-match.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, failed_cas_did_not_happen)
{
    cr_assert_eq(verdict_of("register-cas-fail-did-not-happen.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, cas_from_null_on_a_fresh_register)
{
    cr_assert_eq(verdict_of("register-cas-from-null.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, info_write_that_took_effect_late)
{
    cr_assert_eq(verdict_of("register-info-took-effect.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, info_cas_that_never_took_effect)
{
    cr_assert_eq(verdict_of("register-info-never-took-effect.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, info_write_cannot_act_before_its_invoke)
{
    cr_assert_eq(verdict_of("register-info-seen-before-invoke.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, failed_write_did_not_happen)
{
    cr_assert_eq(verdict_of("register-fail-write-read.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(register, op_never_completed_counts_as_info)
{
    cr_assert_eq(verdict_of("register-never-completed.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, design_example_with_info_cas_and_extra_fields)
{
    cr_assert_eq(verdict_of("design-example.jsonl"), CHECK_LINEARIZABLE);
}

Test(register, jepsen_edn_with_nemesis_line)
{
    cr_assert_eq(verdict_of("jepsen-small.edn"), CHECK_LINEARIZABLE);
}

Test(keys, register_keys_are_independent_objects)
{
    cr_assert_eq(verdict_of("register-keys-independent.jsonl"), CHECK_LINEARIZABLE);
}

Test(keys, one_bad_key_makes_the_history_not_linearizable)
{
    struct check_history h;
    char path[512];
    snprintf(path, sizeof path, "%s/histories/register-keys-one-bad.jsonl", FAULTLINE_TEST_DATA);
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), 0, "%s", err);
    cr_assert_eq(r.verdict, CHECK_NOT_LINEARIZABLE);
    cr_assert_eq(r.n_keys, 2);
    cr_assert_eq(r.keys[0].verdict, CHECK_LINEARIZABLE);
    cr_assert_eq(r.keys[1].verdict, CHECK_NOT_LINEARIZABLE);
    cr_assert_eq(r.explained_key, 1);
    cr_assert_str_eq(check_history_string(&h, r.keys[1].key), "k2");
    check_result_close(&r);
    check_history_close(&h);
}

Test(keys, kv_keys_are_independent_objects)
{
    cr_assert_eq(verdict_of("kv-keys-independent.jsonl"), CHECK_LINEARIZABLE);
}

Test(keys, cross_key_order_is_not_required)
{
    /* Each key alone is linearizable, though p1 saw y's write before x's
     * and p2 the reverse: linearizability is local, so the whole is too. */
    const char *text =
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"x\",\"value\":\"1\"}\n"
        "{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"y\",\"value\":\"1\"}\n"
        "{\"process\":2,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"x\",\"value\":null}\n"
        "{\"process\":3,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"y\",\"value\":null}\n"
        "{\"process\":2,\"type\":\"ok\",\"f\":\"get\",\"key\":\"x\",\"value\":\"1\"}\n"
        "{\"process\":3,\"type\":\"ok\",\"f\":\"get\",\"key\":\"y\",\"value\":null}\n"
        "{\"process\":0,\"type\":\"ok\",\"f\":\"put\",\"key\":\"x\",\"value\":\"1\"}\n"
        "{\"process\":1,\"type\":\"ok\",\"f\":\"put\",\"key\":\"y\",\"value\":\"1\"}\n";
    cr_assert_eq(verdict_of_text(text, NULL), CHECK_LINEARIZABLE);
}

Test(kv, concurrent_appends_in_either_order)
{
    cr_assert_eq(verdict_of("kv-appends-concurrent.jsonl"), CHECK_LINEARIZABLE);
}

Test(kv, appends_seen_in_two_orders_is_not_linearizable)
{
    cr_assert_eq(verdict_of("kv-appends-order-flips.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(kv, get_that_misses_an_acknowledged_append)
{
    cr_assert_eq(verdict_of("kv-get-misses-append.jsonl"), CHECK_NOT_LINEARIZABLE);
}

Test(kv, put_resets_and_append_concatenates)
{
    cr_assert_eq(verdict_of("kv-put-then-append.jsonl"), CHECK_LINEARIZABLE);
}

Test(kv, info_appends_one_took_effect_one_did_not)
{
    cr_assert_eq(verdict_of("kv-info-append-seen.jsonl"), CHECK_LINEARIZABLE);
}

Test(kv, get_of_absent_key_is_null)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"q\",\"value\":null}\n"
                       "{\"process\":0,\"type\":\"ok\",\"f\":\"get\",\"key\":\"q\",\"value\":null}\n";
    cr_assert_eq(verdict_of_text(text, NULL), CHECK_LINEARIZABLE);
}

Test(kv, append_needs_exact_concatenation)
{
    const char *text =
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"q\",\"value\":\"ab\"}\n"
        "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"q\",\"value\":\"ab\"}\n"
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"q\",\"value\":\"c\"}\n"
        "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"q\",\"value\":\"c\"}\n"
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"q\",\"value\":null}\n"
        "{\"process\":0,\"type\":\"ok\",\"f\":\"get\",\"key\":\"q\",\"value\":\"ab c\"}\n";
    cr_assert_eq(verdict_of_text(text, NULL), CHECK_NOT_LINEARIZABLE);
}

Test(general, empty_history_is_linearizable)
{
    cr_assert_eq(verdict_of_text("", NULL), CHECK_LINEARIZABLE);
}

Test(general, only_failed_ops_is_linearizable)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                       "{\"process\":0,\"type\":\"fail\",\"f\":\"write\",\"value\":1}\n";
    cr_assert_eq(verdict_of_text(text, NULL), CHECK_LINEARIZABLE);
}

Test(general, read_ordered_by_line_not_by_equal_times)
{
    /* Equal times: the line order decides that the write returned before
     * the read was invoked. */
    const char *text =
        "{\"time\":5,\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
        "{\"time\":9,\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
        "{\"time\":9,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
        "{\"time\":9,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n";
    cr_assert_eq(verdict_of_text(text, NULL), CHECK_NOT_LINEARIZABLE);
}

Test(general, process_reused_after_info_is_accepted)
{
    /* p0's write timed out yet took effect after p0's next op: allowed. */
    const char *text =
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
        "{\"process\":0,\"type\":\"info\",\"f\":\"write\",\"value\":1}\n"
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
        "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n"
        "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
        "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n";
    cr_assert_eq(verdict_of_text(text, NULL), CHECK_LINEARIZABLE);
}

Test(validation, register_write_of_a_string_names_the_line)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":\"x\"}\n";
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "v.jsonl", text, strlen(text), CHECK_FORMAT_AUTO,
                                           err, sizeof err), 0);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert_str_eq(err, "v.jsonl:1: expected the value of a write to be an integer, got \"x\"");
    check_history_close(&h);
}

Test(validation, bad_read_result_names_the_completion_line)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                       "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":[1,2]}\n";
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "v.jsonl", text, strlen(text), CHECK_FORMAT_AUTO,
                                           err, sizeof err), 0);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert_str_eq(err, "v.jsonl:2: expected the value of an ok read to be an integer or null, got [1 2]");
    check_history_close(&h);
}

Test(validation, cas_needs_a_pair)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"value\":5}\n";
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "v.jsonl", text, strlen(text), CHECK_FORMAT_AUTO,
                                           err, sizeof err), 0);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert(strstr(err, "v.jsonl:1: expected the value of a cas to be [expected new]") == err,
              "got: %s", err);
    check_history_close(&h);
}

Test(validation, kv_op_under_register_model_is_refused)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"get\",\"value\":null}\n";
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "v.jsonl", text, strlen(text), CHECK_FORMAT_AUTO,
                                           err, sizeof err), 0);
    struct check_options opt = {.model = &check_model_register};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert_str_eq(err, "v.jsonl:1: expected a register operation (read, write, cas), got \"get\"");
    check_history_close(&h);
}

Test(validation, append_of_a_number_is_refused)
{
    const char *text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"value\":3}\n";
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "v.jsonl", text, strlen(text), CHECK_FORMAT_AUTO,
                                           err, sizeof err), 0);
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, NULL, &r, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert_str_eq(err, "v.jsonl:1: expected the value of an append to be a string, got 3");
    check_history_close(&h);
}
