/* test_check_parse.c - reading histories: our JSONL and Jepsen's EDN lines,
 * pairing events into ops, and the file:line: expected ... errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "check/check.h"

static char err[1024];

/* Parses text as a history named "h"; asserts success. */
static void parse_ok(struct check_history *h, const char *text)
{
    int rc = check_history_read_buffer(h, "h", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                       sizeof err);
    cr_assert_eq(rc, 0, "parse failed: %s", err);
}

/* Parses text expecting failure; returns the code, message in err. */
static int parse_fails(const char *text)
{
    struct check_history h;
    err[0] = '\0';
    int rc = check_history_read_buffer(&h, "h.jsonl", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                       sizeof err);
    cr_assert_neq(rc, 0, "expected a parse error");
    return rc;
}

Test(parse_json, design_example_pairs_into_ops)
{
    struct check_history h;
    parse_ok(&h,
             "{\"index\":0,\"time\":1200,\"process\":3,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":5}\n"
             "{\"index\":1,\"time\":1850,\"process\":3,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k1\",\"value\":5}\n"
             "{\"index\":2,\"time\":1900,\"process\":1,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k1\",\"value\":[5,7]}\n"
             "{\"index\":3,\"time\":2400,\"process\":1,\"type\":\"info\",\"f\":\"cas\",\"key\":\"k1\",\"value\":[5,7],\"error\":\"timeout\"}\n");
    cr_assert_eq(h.n_ops, 2);
    cr_assert_eq(h.n_events, 4);
    cr_assert(h.has_time);
    const struct check_op *w = &h.ops[0], *c = &h.ops[1];
    cr_assert_eq(w->process, 3);
    cr_assert_eq(w->fn, CHECK_FN_WRITE);
    cr_assert_eq(w->outcome, CHECK_OK);
    cr_assert_str_eq(check_history_string(&h, w->key), "k1");
    cr_assert_eq(w->arg.kind, CHECK_VALUE_INT);
    cr_assert_eq(w->arg.i, 5);
    cr_assert_eq(w->invoke_time, 1200);
    cr_assert_eq(w->complete_time, 1850);
    cr_assert_eq(w->invoke_line, 1);
    cr_assert_eq(w->complete_line, 2);
    cr_assert_eq(c->outcome, CHECK_INFO);
    cr_assert_eq(c->arg.kind, CHECK_VALUE_PAIR);
    cr_assert_eq(c->arg.i, 5);
    cr_assert_eq(c->arg.j, 7);
    cr_assert_str_eq(check_history_string(&h, c->error), "timeout");
    cr_assert(check_op_is_open(c));
    check_history_close(&h);
}

Test(parse_json, read_result_and_null_argument)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                 "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":7}\n");
    cr_assert_eq(h.ops[0].arg.kind, CHECK_VALUE_NULL);
    cr_assert_eq(h.ops[0].result.kind, CHECK_VALUE_INT);
    cr_assert_eq(h.ops[0].result.i, 7);
    check_history_close(&h);
}

Test(parse_json, key_absent_means_the_unnamed_key)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n");
    cr_assert_eq(h.ops[0].key, CHECK_NO_STRING);
    check_history_close(&h);
}

Test(parse_json, integer_key_becomes_text)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":42,\"value\":1}\n");
    cr_assert_str_eq(check_history_string(&h, h.ops[0].key), "42");
    check_history_close(&h);
}

Test(parse_json, kv_strings_kept_exactly)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":2,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"k2\",\"value\":\"a17;\"}\n"
                 "{\"process\":2,\"type\":\"ok\",\"f\":\"append\",\"key\":\"k2\",\"value\":\"a17;\"}\n"
                 "{\"process\":2,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"k2\",\"value\":null}\n"
                 "{\"process\":2,\"type\":\"ok\",\"f\":\"get\",\"key\":\"k2\",\"value\":\"a3;a17;\"}\n");
    cr_assert_eq(h.ops[0].fn, CHECK_FN_APPEND);
    cr_assert_str_eq(check_history_string(&h, h.ops[0].arg.str), "a17;");
    cr_assert_eq(h.ops[1].fn, CHECK_FN_GET);
    cr_assert_str_eq(check_history_string(&h, h.ops[1].result.str), "a3;a17;");
    check_history_close(&h);
}

Test(parse_json, unknown_fields_are_ignored)
{
    struct check_history h;
    parse_ok(&h, "{\"node\":\"n2\",\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1,"
                 "\"extra\":{\"deep\":[1,2,{\"x\":null}]}}\n");
    cr_assert_eq(h.n_ops, 1);
    check_history_close(&h);
}

Test(parse_json, blank_lines_and_crlf_are_skipped)
{
    struct check_history h;
    parse_ok(&h, "\r\n{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\r\n\n   \n"
                 "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}");
    cr_assert_eq(h.n_ops, 1);
    cr_assert_eq(h.ops[0].complete_line, 5);
    check_history_close(&h);
}

Test(parse_json, missing_time_uses_line_order)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n");
    cr_assert_not(h.has_time);
    cr_assert_eq(h.ops[0].invoke_time, CHECK_NO_TIME);
    check_history_close(&h);
}

Test(parse_json, nemesis_lines_are_skipped)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"start\",\"value\":null}\n"
                 "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n");
    cr_assert_eq(h.n_ops, 1);
    cr_assert_eq(h.n_events, 1);
    check_history_close(&h);
}

Test(parse_json, other_value_shapes_are_kept_as_text)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":[1,2,3]}\n"
                 "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":1.5}\n");
    cr_assert_eq(h.ops[0].arg.kind, CHECK_VALUE_OTHER);
    cr_assert_str_eq(check_history_string(&h, h.ops[0].arg.str), "[1,2,3]");
    cr_assert_eq(h.ops[1].arg.kind, CHECK_VALUE_OTHER);
    check_history_close(&h);
}

Test(parse_errors, not_an_object_names_file_and_line)
{
    cr_assert_eq(parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                             "[1,2]\n"),
                 CHECK_ERR_PARSE);
    cr_assert(strstr(err, "h.jsonl:2:") == err, "got: %s", err);
    cr_assert(strstr(err, "expected a JSON object") != NULL, "got: %s", err);
}

Test(parse_errors, malformed_json_gives_column)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":}\n");
    cr_assert(strstr(err, "h.jsonl:1:") == err, "got: %s", err);
    cr_assert(strstr(err, "column") != NULL, "got: %s", err);
}

Test(parse_errors, first_line_neither_form)
{
    cr_assert_eq(parse_fails("hello\n"), CHECK_ERR_PARSE);
    cr_assert(strstr(err, "h.jsonl:1: expected a JSON object") == err, "got: %s", err);
}

Test(parse_errors, missing_type)
{
    parse_fails("{\"process\":0,\"f\":\"write\",\"value\":1}\n");
    cr_assert(strstr(err, "expected a \"type\" field") != NULL, "got: %s", err);
}

Test(parse_errors, ill_typed_type)
{
    parse_fails("{\"process\":0,\"type\":\"done\",\"f\":\"write\"}\n");
    cr_assert(strstr(err, "expected \"type\" to be \"invoke\", \"ok\", \"fail\" or \"info\", got \"done\"") != NULL,
              "got: %s", err);
}

Test(parse_errors, missing_f)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\"}\n");
    cr_assert(strstr(err, "expected an \"f\" field") != NULL, "got: %s", err);
}

Test(parse_errors, ill_typed_f)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":3}\n");
    cr_assert(strstr(err, "expected \"f\" to be a non-empty string, got a number") != NULL,
              "got: %s", err);
}

Test(parse_errors, missing_process)
{
    parse_fails("{\"type\":\"invoke\",\"f\":\"read\"}\n");
    cr_assert(strstr(err, "expected a \"process\" field") != NULL, "got: %s", err);
}

Test(parse_errors, ill_typed_process)
{
    parse_fails("{\"process\":\"p1\",\"type\":\"invoke\",\"f\":\"read\"}\n");
    cr_assert(strstr(err, "expected \"process\" to be an integer, got a string") != NULL,
              "got: %s", err);
}

Test(parse_errors, fractional_time)
{
    parse_fails("{\"process\":1,\"time\":1.5,\"type\":\"invoke\",\"f\":\"read\"}\n");
    cr_assert(strstr(err, "expected \"time\" to be an integer") != NULL, "got: %s", err);
}

Test(parse_errors, completion_without_invoke)
{
    cr_assert_eq(parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                             "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"),
                 CHECK_ERR_INPUT);
    cr_assert(strstr(err, "h.jsonl:2: expected an invoke before this ok of process 1") == err,
              "got: %s", err);
}

Test(parse_errors, second_invoke_while_open)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n");
    cr_assert(strstr(err, "h.jsonl:2: expected a completion for process 0 (its write invoked on line 1 is still open)") == err,
              "got: %s", err);
}

Test(parse_errors, completion_of_another_function)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n");
    cr_assert(strstr(err, "h.jsonl:2: expected f \"write\" as invoked on line 1, got \"read\"") == err,
              "got: %s", err);
}

Test(parse_errors, completion_of_another_key)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
                "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"b\",\"value\":1}\n");
    cr_assert(strstr(err, "h.jsonl:2: expected key \"a\"") == err, "got: %s", err);
}

Test(parse_errors, edn_line_in_a_jsonl_history)
{
    parse_fails("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                "{:process 0, :type :ok, :f :write, :value 1}\n");
    cr_assert(strstr(err, "h.jsonl:2:") == err, "got: %s", err);
    cr_assert(strstr(err, "this history is JSONL") != NULL, "got: %s", err);
}

Test(parse_errors, file_that_does_not_exist)
{
    struct check_history h;
    int rc = check_history_read_file(&h, "/nonexistent/h.jsonl", CHECK_FORMAT_AUTO, err, sizeof err);
    cr_assert_eq(rc, CHECK_ERR_IO);
    cr_assert(strstr(err, "/nonexistent/h.jsonl: cannot open") == err, "got: %s", err);
}

Test(parse_edn, jepsen_line_with_every_field)
{
    struct check_history h;
    parse_ok(&h, "{:process 1, :type :invoke, :f :cas, :value [2 1], :index 7, :time 1500000}\n"
                 "{:process 1, :type :info, :f :cas, :value [2 1], :error :timed-out, :index 9, :time 2500000}\n");
    const struct check_op *op = &h.ops[0];
    cr_assert_eq(op->process, 1);
    cr_assert_eq(op->fn, CHECK_FN_CAS);
    cr_assert_eq(op->outcome, CHECK_INFO);
    cr_assert_eq(op->arg.kind, CHECK_VALUE_PAIR);
    cr_assert_eq(op->arg.i, 2);
    cr_assert_eq(op->arg.j, 1);
    cr_assert_eq(op->invoke_index, 7);
    cr_assert_eq(op->complete_index, 9);
    cr_assert_eq(op->invoke_time, 1500, "Jepsen nanoseconds become microseconds");
    cr_assert_str_eq(check_history_string(&h, op->error), "timed-out");
    check_history_close(&h);
}

Test(parse_edn, nil_values_and_keys)
{
    struct check_history h;
    parse_ok(&h, "{:process 0, :type :invoke, :f :read, :value nil, :key :x}\n"
                 "{:process 0, :type :ok, :f :read, :value nil}\n"
                 "{:process 1, :type :invoke, :f :get, :value nil, :key \"k 2\"}\n"
                 "{:process 2, :type :invoke, :f :get, :value nil, :key 3}\n");
    cr_assert_eq(h.ops[0].result.kind, CHECK_VALUE_NULL);
    cr_assert_str_eq(check_history_string(&h, h.ops[0].key), "x");
    cr_assert_str_eq(check_history_string(&h, h.ops[1].key), "k 2");
    cr_assert_str_eq(check_history_string(&h, h.ops[2].key), "3");
    check_history_close(&h);
}

Test(parse_edn, strings_with_escapes)
{
    struct check_history h;
    parse_ok(&h, "{:process 0, :type :invoke, :f :append, :key \"x\", :value \"a\\\"1;\\n\\u00e9\"}\n");
    cr_assert_str_eq(check_history_string(&h, h.ops[0].arg.str), "a\"1;\n\xc3\xa9");
    check_history_close(&h);
}

Test(parse_edn, unknown_forms_are_skipped_whole)
{
    struct check_history h;
    parse_ok(&h, "{:process 0, :type :invoke, :f :read, :value nil, :node \"n1\", "
                 ":extra {:a [1 2 #{3}] :b (x y) :c #inst \"2020-01-01\"}, \"str-key\" 5, :z 1.5}\n");
    cr_assert_eq(h.n_ops, 1);
    check_history_close(&h);
}

Test(parse_edn, fail_read_with_keyword_value)
{
    struct check_history h;
    parse_ok(&h, "{:process 3, :type :invoke, :f :read, :value nil, :index 1}\n"
                 "{:process 3, :type :fail, :f :read, :value :timed-out, :index 2}\n");
    cr_assert_eq(h.ops[0].outcome, CHECK_FAIL);
    cr_assert_eq(h.ops[0].result.kind, CHECK_VALUE_OTHER);
    cr_assert_str_eq(check_history_string(&h, h.ops[0].result.str), ":timed-out");
    check_history_close(&h);
}

Test(parse_edn, nemesis_lines_are_skipped)
{
    struct check_history h;
    parse_ok(&h, "{:type :info, :f :start, :process :nemesis, :value nil}\n"
                 "{:process 0, :type :invoke, :f :read, :value nil}\n");
    cr_assert_eq(h.n_ops, 1);
    check_history_close(&h);
}

Test(parse_edn, comment_lines_are_skipped)
{
    struct check_history h;
    parse_ok(&h, "{:process 0, :type :invoke, :f :read, :value nil}\n; a comment\n"
                 "{:process 0, :type :ok, :f :read, :value 1} ; trailing\n");
    cr_assert_eq(h.ops[0].complete_line, 3);
    check_history_close(&h);
}

Test(parse_edn, missing_type_is_an_error)
{
    parse_fails("{:process 0, :f :read, :value nil}\n");
    cr_assert(strstr(err, "h.jsonl:1: expected a :type key") == err, "got: %s", err);
}

Test(parse_edn, bad_type_names_the_column)
{
    parse_fails("{:process 0, :type :done, :f :read}\n");
    cr_assert(strstr(err, "expected :invoke, :ok, :fail or :info for :type at column 20") != NULL,
              "got: %s", err);
}

Test(parse_edn, string_process_is_an_error)
{
    parse_fails("{:process \"p\", :type :invoke, :f :read}\n");
    cr_assert(strstr(err, "expected an integer for :process") != NULL, "got: %s", err);
}

Test(parse_edn, unclosed_map_is_an_error)
{
    parse_fails("{:process 0, :type :invoke, :f :read\n");
    cr_assert(strstr(err, "expected '}' to close the map") != NULL, "got: %s", err);
}

Test(parse_edn, unclosed_string_is_an_error)
{
    parse_fails("{:process 0, :type :invoke, :f :append, :value \"abc}\n");
    cr_assert(strstr(err, "to close the string") != NULL, "got: %s", err);
}

Test(parse_edn, deep_nesting_is_refused)
{
    char text[1024] = "{:process 0, :type :invoke, :f :read, :x ";
    for (int i = 0; i < 100; i++)
        strcat(text, "[");
    strcat(text, "}\n");
    parse_fails(text);
    cr_assert(strstr(err, "less deeply nested") != NULL, "got: %s", err);
}

Test(parse_detect, forms_from_the_first_event_line)
{
    const char *json = "\n  {\"process\":0}\n";
    const char *edn = "; comment\n{:process 0}\n";
    cr_assert_eq(check_history_detect(json, strlen(json)), CHECK_FORMAT_JSONL);
    cr_assert_eq(check_history_detect(edn, strlen(edn)), CHECK_FORMAT_EDN);
    cr_assert_eq(check_history_detect("x", 1), CHECK_FORMAT_AUTO);
}

Test(parse_files, jepsen_file_reads_whole)
{
    struct check_history h;
    int rc = check_history_read_file(&h, FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_000.edn",
                                     CHECK_FORMAT_AUTO, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_assert_gt(h.n_ops, 50);
    cr_assert_not(h.has_time);
    check_history_close(&h);
}

Test(parse_files, forced_format_rejects_the_other_form)
{
    struct check_history h;
    const char *text = "{:process 0, :type :invoke, :f :read}\n";
    int rc = check_history_read_buffer(&h, "h", text, strlen(text), CHECK_FORMAT_JSONL, err,
                                       sizeof err);
    cr_assert_eq(rc, CHECK_ERR_PARSE);
}

Test(history_events, added_by_hand_pair_like_parsed_ones)
{
    struct check_history h;
    cr_assert_eq(check_history_init(&h, "by-hand"), 0);
    struct check_event ev = {
        .type = CHECK_INVOKE, .fn = CHECK_FN_WRITE, .f_name = CHECK_NO_STRING, .process = 4,
        .key = CHECK_NO_STRING, .value = {.kind = CHECK_VALUE_INT, .i = 9},
        .error = CHECK_NO_STRING, .time = 10, .index = CHECK_NO_INDEX};
    cr_assert_eq(check_history_add(&h, &ev, err, sizeof err), 0, "%s", err);
    ev.type = CHECK_OK;
    ev.time = 20;
    cr_assert_eq(check_history_add(&h, &ev, err, sizeof err), 0, "%s", err);
    cr_assert_eq(h.n_ops, 1);
    cr_assert_eq(h.ops[0].outcome, CHECK_OK);
    cr_assert_eq(h.ops[0].complete_pos, 1);
    cr_assert_str_eq(check_op_fn_name(&h, &h.ops[0]), "write");
    ev.type = CHECK_OK;
    cr_assert_eq(check_history_add(&h, &ev, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert(strstr(err, "by-hand: event 3: expected an invoke") == err, "got: %s", err);
    check_history_close(&h);
}

Test(history_values, print_every_kind)
{
    struct check_history h;
    parse_ok(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[null,7]}\n"
                 "{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"value\":\"q\\\"\"}\n");
    struct check_buf b;
    check_buf_init(&b);
    check_value_print(&h, &h.ops[0].arg, &b);
    check_buf_printf(&b, " ");
    check_value_print(&h, &h.ops[1].arg, &b);
    check_buf_printf(&b, " ");
    check_value_print(&h, &h.ops[1].result, &b);
    cr_assert_str_eq(b.text, "[null 7] \"q\\\"\" absent");
    check_buf_close(&b);
    check_history_close(&h);
}

Test(errors, strerror_names_every_code)
{
    cr_assert_str_eq(check_strerror(0), "success");
    cr_assert_str_eq(check_strerror(CHECK_ERR_NOMEM), "out of memory");
    cr_assert_str_eq(check_strerror(CHECK_ERR_PARSE), "malformed history");
    cr_assert_str_eq(check_strerror(-99), "unknown error");
}
