/* test_check_cli.c - `faultline check`: options, exit statuses, and what it
 * writes. Tests named test_check* link only the checker library, so the
 * command's one source file is compiled in here directly. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_check.c"

#define HISTORIES FAULTLINE_TEST_DATA "/histories/"

struct run {
    int status;
    char out[1 << 16];
    char err[1 << 12];
};

static void slurp(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs `faultline check ARGS...` (NULL-terminated), capturing stdout and
 * stderr; stdin_text, when not NULL, is fed as standard input. */
static void run_check(struct run *r, const char *stdin_text, ...)
{
    char *argv[32] = {"check"};
    int argc = 1;
    va_list ap;
    va_start(ap, stdin_text);
    for (const char *arg; (arg = va_arg(ap, const char *)) != NULL && argc < 31;)
        argv[argc++] = (char *)arg;
    va_end(ap);
    argv[argc] = NULL;

    FILE *out = tmpfile(), *err = tmpfile(), *in = NULL;
    cr_assert(out && err);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2), saved_in = -1;
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    if (stdin_text != NULL) {
        in = tmpfile();
        fputs(stdin_text, in);
        rewind(in);
        saved_in = dup(0);
        dup2(fileno(in), 0);
        clearerr(stdin);
    }
    r->status = cli_check_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    if (in != NULL) {
        dup2(saved_in, 0);
        close(saved_in);
        fclose(in);
    }
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
}

static struct run r;

Test(cli_check, help_explains_options_and_exit_codes)
{
    run_check(&r, NULL, "--help", NULL);
    cr_assert_eq(r.status, CLI_OK);
    const char *words[] = {"usage: faultline check [OPTIONS] HISTORY", "--model", "register",
                           "kv", "--timeout", "--max-memory", "--max-steps", "--consistency",
                           "--json", "--format", "exit status: 0 linearizable, 1 not linearizable, 3 unknown",
                           "2 bad input"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        cr_assert(strstr(r.out, words[i]) != NULL, "help lacks %s", words[i]);
    cr_assert_str_empty(r.err);
}

Test(cli_check, linearizable_exits_0)
{
    run_check(&r, NULL, HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_OK);
    cr_assert(strstr(r.out, ": linearizable (model register, 3 ops)") != NULL, "%s", r.out);
}

Test(cli_check, not_linearizable_exits_1_with_explanation)
{
    run_check(&r, NULL, HISTORIES "register-stale-read.jsonl", NULL);
    cr_assert_eq(r.status, CLI_FAILED);
    cr_assert(strstr(r.out, "Cannot be placed next:") != NULL, "%s", r.out);
}

Test(cli_check, budget_exhausted_exits_3)
{
    run_check(&r, NULL, "--max-steps", "5", FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_002.edn", NULL);
    cr_assert_eq(r.status, CLI_UNKNOWN);
    cr_assert(strstr(r.out, ": unknown") != NULL, "%s", r.out);
}

Test(cli_check, timeout_accepts_units)
{
    run_check(&r, NULL, "--timeout=2s", HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_OK);
    run_check(&r, NULL, "--timeout", "1us", FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_002.edn", NULL);
    cr_assert_eq(r.status, CLI_UNKNOWN);
}

Test(cli_check, timeout_without_unit_is_a_usage_error)
{
    run_check(&r, NULL, "--timeout", "5", HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "--timeout expects a duration such as 500ms or 2s, got \"5\"") != NULL, "%s", r.err);
    cr_assert_str_empty(r.out);
}

Test(cli_check, malformed_history_exits_2_naming_file_and_line)
{
    run_check(&r, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n{\"process\":0}\n",
              "-", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert_str_eq(r.err, "faultline check: <stdin>:2: expected a \"type\" field (this history is JSONL)\n");
    cr_assert_str_empty(r.out, "nothing half-written");
}

Test(cli_check, missing_file_exits_2)
{
    run_check(&r, NULL, "/nonexistent.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "/nonexistent.jsonl: cannot open") != NULL, "%s", r.err);
}

Test(cli_check, no_history_is_a_usage_error)
{
    run_check(&r, NULL, NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "expected a HISTORY file") != NULL, "%s", r.err);
}

Test(cli_check, unknown_option_is_a_usage_error)
{
    run_check(&r, NULL, "--fast", HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "unknown option --fast") != NULL, "%s", r.err);
}

Test(cli_check, unknown_model_is_a_usage_error)
{
    run_check(&r, NULL, "--model", "queue", HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "--model expects auto, register or kv, got \"queue\"") != NULL, "%s", r.err);
}

Test(cli_check, wrong_model_for_the_ops_exits_2)
{
    run_check(&r, NULL, "--model", "kv", HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "register-cas-success.jsonl:1: expected a kv operation (get, put, append), got \"write\"") != NULL,
              "%s", r.err);
}

Test(cli_check, two_histories_are_a_usage_error)
{
    run_check(&r, NULL, HISTORIES "register-cas-success.jsonl", HISTORIES "kv-put-then-append.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
}

Test(cli_check, json_output_is_one_object)
{
    run_check(&r, NULL, "--json", HISTORIES "kv-appends-order-flips.jsonl", NULL);
    cr_assert_eq(r.status, CLI_FAILED);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "not JSON: %s", r.out);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "verdict")->valuestring, "not-linearizable");
    cr_assert_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "kv");
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "explanation")));
    cr_assert_null(cJSON_GetObjectItem(j, "consistency"));
    cJSON_Delete(j);
}

Test(cli_check, consistency_adds_the_report_and_keeps_the_status)
{
    run_check(&r, NULL, "--consistency", HISTORIES "consistency-stale-window.jsonl", NULL);
    cr_assert_eq(r.status, CLI_FAILED);
    cr_assert(strstr(r.out, "Cannot be placed next:") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "stale reads: 1; inconsistency window at least 300us") != NULL, "%s", r.out);
}

Test(cli_check, consistency_in_json)
{
    run_check(&r, NULL, "--consistency", "--json", HISTORIES "consistency-clean.jsonl", NULL);
    cr_assert_eq(r.status, CLI_OK);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j);
    cJSON *c = cJSON_GetObjectItem(j, "consistency");
    cr_assert_eq(cJSON_GetObjectItem(c, "stale_reads")->valuedouble, 0);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(c, "sessions")), 2);
    cJSON_Delete(j);
}

Test(cli_check, jepsen_edn_is_detected)
{
    run_check(&r, NULL, HISTORIES "jepsen-small.edn", NULL);
    cr_assert_eq(r.status, CLI_OK);
}

Test(cli_check, porcupine_kv_histories_exit_0_and_1)
{
    run_check(&r, NULL, "--model", "kv", HISTORIES "porcupine-kv/c10-ok.edn", NULL);
    cr_assert_eq(r.status, CLI_OK, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, ": linearizable (model kv, 2000 ops)") != NULL, "%s", r.out);
    run_check(&r, NULL, "--model", "kv", HISTORIES "porcupine-kv/c10-bad-stale-get.edn", NULL);
    cr_assert_eq(r.status, CLI_FAILED, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "Cannot be placed next:") != NULL, "%s", r.out);
}

Test(cli_check, format_can_be_forced)
{
    run_check(&r, NULL, "--format", "jsonl", HISTORIES "jepsen-small.edn", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
    cr_assert(strstr(r.err, "jepsen-small.edn:1: expected a JSON object") != NULL, "%s", r.err);
}

Test(cli_check, max_memory_accepts_suffixes)
{
    run_check(&r, NULL, "--max-memory", "1K", FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_002.edn", NULL);
    cr_assert_eq(r.status, CLI_UNKNOWN);
    cr_assert(strstr(r.out, "The memory budget ran out") != NULL, "%s", r.out);
    run_check(&r, NULL, "--max-memory", "lots", HISTORIES "register-cas-success.jsonl", NULL);
    cr_assert_eq(r.status, CLI_BAD_INPUT);
}

Test(cli_check, same_input_same_output)
{
    static struct run again;
    run_check(&r, NULL, "--consistency", FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_000.edn", NULL);
    run_check(&again, NULL, "--consistency", FAULTLINE_TEST_DATA "/jepsen-etcd/etcd_000.edn", NULL);
    cr_assert_eq(r.status, again.status);
    cr_assert_str_eq(r.out, again.out);
}
