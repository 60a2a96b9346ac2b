/* test_check_porcupine.c - kv histories in Porcupine's EDN form
 * (tests/data/histories/porcupine-kv), and the kv model's convention that
 * lets them through: an absent key and "" are the same value. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"

#define DIR FAULTLINE_TEST_DATA "/histories/porcupine-kv"

static char err[1024];

static enum check_verdict verdict_of(const struct check_history *h, const struct check_model *m)
{
    struct check_options opt = {.model = m};
    struct check_result r;
    cr_assert_eq(check_linearizability(h, &opt, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    check_result_close(&r);
    return v;
}

static enum check_verdict check_text(const char *text)
{
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "t.edn", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0, "%s", err);
    enum check_verdict v = verdict_of(&h, &check_model_kv);
    check_history_close(&h);
    return v;
}

#define INVOKE(p, f, v) "{:process " #p ", :type :invoke, :f :" f ", :key \"6\", :value " v "}\n"
#define OK(p, f, v) "{:process " #p ", :type :ok, :f :" f ", :key \"6\", :value " v "}\n"
#define INFO(p, f, v) "{:process " #p ", :type :info, :f :" f ", :key \"6\", :value " v "}\n"

Test(kv_empty, a_key_never_written_reads_as_the_empty_string)
{
    cr_expect_eq(check_text(INVOKE(0, "get", "nil") OK(0, "get", "\"\"")), CHECK_LINEARIZABLE);
}

Test(kv_empty, a_key_never_written_still_reads_as_null)
{
    cr_expect_eq(check_text(INVOKE(0, "get", "nil") OK(0, "get", "nil")), CHECK_LINEARIZABLE);
}

Test(kv_empty, an_append_to_the_empty_string_gives_the_appended_string)
{
    cr_expect_eq(check_text(INVOKE(0, "get", "nil") OK(0, "get", "\"\"")
                            INVOKE(1, "append", "\"x 1 0 y\"") OK(1, "append", "\"x 1 0 y\"")
                            INVOKE(0, "get", "nil") OK(0, "get", "\"x 1 0 y\"")),
                 CHECK_LINEARIZABLE);
}

Test(kv_empty, the_empty_string_after_an_acknowledged_append_is_not_linearizable)
{
    cr_expect_eq(check_text(INVOKE(1, "append", "\"x 1 0 y\"") OK(1, "append", "\"x 1 0 y\"")
                            INVOKE(0, "get", "nil") OK(0, "get", "\"\"")),
                 CHECK_NOT_LINEARIZABLE);
}

Test(kv_empty, a_put_of_the_empty_string_reads_as_null)
{
    cr_expect_eq(check_text(INVOKE(1, "append", "\"a\"") OK(1, "append", "\"a\"")
                            INVOKE(2, "put", "\"\"") OK(2, "put", "\"\"")
                            INVOKE(0, "get", "nil") OK(0, "get", "nil")),
                 CHECK_LINEARIZABLE);
}

Test(kv_empty, a_timed_out_put_of_the_empty_string_is_not_pruned_before_a_null_get)
{
    /* Only that put can explain the null get: pruning must keep it. */
    cr_expect_eq(check_text(INVOKE(1, "put", "\"a\"") OK(1, "put", "\"a\"")
                            INVOKE(2, "put", "\"\"") INFO(2, "put", "\"\"")
                            INVOKE(0, "get", "nil") OK(0, "get", "nil")),
                 CHECK_LINEARIZABLE);
}

Test(kv_empty, a_null_get_concurrent_with_an_empty_put_is_not_doomed)
{
    /* The get is concurrent with the put of "" that restarts the value:
     * the doomed-get reduction must see that put as its way out. */
    cr_expect_eq(check_text(INVOKE(1, "put", "\"a\"") OK(1, "put", "\"a\"")
                            INVOKE(0, "get", "nil") INVOKE(2, "put", "\"\"")
                            INVOKE(3, "append", "\"b\"") OK(3, "append", "\"b\"")
                            OK(2, "put", "\"\"") OK(0, "get", "nil")),
                 CHECK_LINEARIZABLE);
}

Test(kv_empty, absent_and_the_empty_string_are_one_state)
{
    /* Memoisation compares states with equal() and hash(), or bytes when a
     * model has neither: all three must see "" and absent as the same. */
    const char *text = INVOKE(2, "put", "\"\"") OK(2, "put", "\"\"")
        INVOKE(1, "append", "\"\"") OK(1, "append", "\"\"");
    struct check_history h;
    cr_assert_eq(check_history_read_buffer(&h, "t.edn", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0, "%s", err);
    const struct check_model *m = &check_model_kv;
    uint32_t ops[] = {0, 1};
    static unsigned char ctx[4096];
    cr_assert_leq(m->context_size, sizeof ctx);
    memset(ctx, 0, sizeof ctx);
    unsigned char absent[64], put[64], appended[64];
    cr_assert_leq(m->state_size, sizeof absent);
    cr_assert_eq(check_model_init(m, ctx, &h, ops, 2, absent), 0);
    cr_assert_eq(check_model_step(m, ctx, absent, &h.ops[0], put), 1);
    cr_assert_eq(check_model_step(m, ctx, absent, &h.ops[1], appended), 1);
    cr_expect(check_model_equal(m, absent, put));
    cr_expect(check_model_equal(m, absent, appended));
    cr_expect_eq(check_model_hash(m, absent), check_model_hash(m, put));
    cr_expect_eq(memcmp(absent, put, m->state_size), 0);
    cr_expect_eq(memcmp(absent, appended, m->state_size), 0);
    check_model_close(m, ctx);
    check_history_close(&h);
}

/* ---- generated histories (generate.py in the data directory) ---- */

struct expected {
    const char *name;
    int clients;
    enum check_verdict verdict;
};

static const struct expected histories[] = {
    {"c01-ok", 1, CHECK_LINEARIZABLE},
    {"c01-bad", 1, CHECK_NOT_LINEARIZABLE},
    {"c10-ok", 10, CHECK_LINEARIZABLE},
    {"c10-bad-missed-append", 10, CHECK_NOT_LINEARIZABLE},
    {"c10-bad-stale-get", 10, CHECK_NOT_LINEARIZABLE},
    {"c50-ok", 50, CHECK_LINEARIZABLE},
    {"c50-bad-missed-append", 50, CHECK_NOT_LINEARIZABLE},
    {"c50-bad-stale-get", 50, CHECK_NOT_LINEARIZABLE},
};

static void read_history(struct check_history *h, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.edn", DIR, name);
    cr_assert_eq(check_history_read_file(h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
}

Test(porcupine_kv, every_history_gets_its_verdict)
{
    for (size_t i = 0; i < sizeof histories / sizeof histories[0]; i++) {
        struct check_history h;
        read_history(&h, histories[i].name);
        const struct check_model *m = check_model_for_history(&h, err, sizeof err);
        cr_assert_eq(m, &check_model_kv, "%s: %s", histories[i].name, err);
        enum check_verdict got = verdict_of(&h, m);
        cr_expect_eq(got, histories[i].verdict, "%s: got %s, expected %s", histories[i].name,
                     check_verdict_name(got), check_verdict_name(histories[i].verdict));
        check_history_close(&h);
    }
}

Test(porcupine_kv, histories_have_the_clients_and_empty_reads_they_claim)
{
    /* The files are what the tests say: one process per client, and the
     * 1- and 10-client ones read keys never written as "". */
    for (size_t i = 0; i < sizeof histories / sizeof histories[0]; i++) {
        struct check_history h;
        read_history(&h, histories[i].name);
        int64_t max_process = -1;
        size_t empty_gets = 0;
        for (size_t j = 0; j < h.n_ops; j++) {
            const struct check_op *op = &h.ops[j];
            if (op->process > max_process)
                max_process = op->process;
            const char *got = op->result.kind == CHECK_VALUE_STRING
                                  ? check_history_string(&h, op->result.str)
                                  : NULL;
            empty_gets += op->fn == CHECK_FN_GET && got != NULL && *got == '\0';
            cr_assert_eq(op->outcome, CHECK_OK, "%s: every op completes ok", histories[i].name);
        }
        cr_expect_eq(max_process + 1, histories[i].clients, "%s", histories[i].name);
        if (histories[i].clients <= 10)
            cr_expect_gt(empty_gets, 0, "%s has no get of \"\"", histories[i].name);
        check_history_close(&h);
    }
}
