/* test_check_model.c - the model registry, automatic model choice, the
 * hook wrappers' defaults, and a new model plugged in as one vtable. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "check/check.h"

static char err[1024];

static void parse(struct check_history *h, const char *text)
{
    cr_assert_eq(check_history_read_buffer(h, "m.jsonl", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                           sizeof err), 0, "%s", err);
}

Test(registry, finds_models_by_name)
{
    cr_assert_eq(check_model_find("register"), &check_model_register);
    cr_assert_eq(check_model_find("kv"), &check_model_kv);
    cr_assert_null(check_model_find("queue"));
}

Test(registry, lists_every_model_then_null)
{
    cr_assert_eq(check_model_at(0), &check_model_register);
    cr_assert_eq(check_model_at(1), &check_model_kv);
    cr_assert_null(check_model_at(2));
    cr_assert_null(check_model_at(99));
}

Test(registry, models_carry_version_and_name)
{
    for (size_t i = 0; check_model_at(i) != NULL; i++) {
        const struct check_model *m = check_model_at(i);
        cr_assert_eq(m->version, CHECK_MODEL_VERSION);
        cr_assert_eq(m->state_size % 8, 0);
        cr_assert_not_null(m->validate);
        cr_assert_not_null(m->step);
        cr_assert_not_null(m->describe);
    }
}

Test(choose, register_ops_pick_register)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[1,2]}\n");
    cr_assert_eq(check_model_for_history(&h, err, sizeof err), &check_model_register);
    check_history_close(&h);
}

Test(choose, kv_ops_pick_kv)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"k\",\"value\":\"a;\"}\n"
              "{\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"k\",\"value\":null}\n");
    cr_assert_eq(check_model_for_history(&h, err, sizeof err), &check_model_kv);
    check_history_close(&h);
}

Test(choose, empty_history_picks_register)
{
    struct check_history h;
    parse(&h, "");
    cr_assert_eq(check_model_for_history(&h, err, sizeof err), &check_model_register);
    check_history_close(&h);
}

Test(choose, mixed_families_are_an_error)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
              "{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"value\":\"x\"}\n");
    cr_assert_null(check_model_for_history(&h, err, sizeof err));
    cr_assert_str_eq(err, "m.jsonl:2: expected only register operations (as on line 1), got the kv "
                          "operation \"put\"; choose one model");
    check_history_close(&h);
}

Test(choose, unknown_function_is_an_error)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"txn\",\"value\":null}\n");
    cr_assert_null(check_model_for_history(&h, err, sizeof err));
    cr_assert(strstr(err, "m.jsonl:1: expected a register operation (read, write, cas) or a kv "
                          "operation (get, put, append), got \"txn\"") == err, "%s", err);
    check_history_close(&h);
}

/* ---- a counter, plugged in as a new model: "incr" adds one, "read"
 * returns the count. Only the required hooks: equal, hash, prune,
 * needs_makes and close take their defaults. ---- */

struct counter {
    int64_t count;
};

static int counter_validate(const struct check_history *h, const struct check_op *op,
                            bool *in_completion, char *err_out, size_t len)
{
    const char *f = check_op_fn_name(h, op);
    (void)in_completion;
    if (strcmp(f, "incr") == 0 || op->fn == CHECK_FN_READ)
        return 0;
    return check_errorf(err_out, len, CHECK_ERR_INPUT, "expected incr or read, got \"%s\"", f);
}

static int counter_init(void *ctx, const struct check_history *h, const uint32_t *ops, size_t n,
                        void *state)
{
    (void)ctx;
    (void)h;
    (void)ops;
    (void)n;
    ((struct counter *)state)->count = 0;
    return 0;
}

static int counter_step(void *ctx, const void *state, const struct check_op *op, void *next)
{
    (void)ctx;
    const struct counter *s = state;
    struct counter *n = next;
    *n = *s;
    if (op->fn != CHECK_FN_READ) {
        n->count++;
        return 1;
    }
    return check_op_is_open(op) || (op->result.kind == CHECK_VALUE_INT && op->result.i == s->count);
}

static int counter_describe(void *ctx, const void *state, struct check_buf *out)
{
    (void)ctx;
    return check_buf_printf(out, "%" PRId64, ((const struct counter *)state)->count);
}

static const struct check_model counter_model = {
    .version = CHECK_MODEL_VERSION,
    .name = "counter",
    .summary = "a test-only counter",
    .state_size = sizeof(struct counter),
    .validate = counter_validate,
    .init = counter_init,
    .step = counter_step,
    .describe = counter_describe,
};

static enum check_verdict counter_verdict(const char *text)
{
    struct check_history h;
    parse(&h, text);
    struct check_options opt = {.model = &counter_model};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    check_result_close(&r);
    check_history_close(&h);
    return v;
}

Test(plugin, new_model_checks_concurrent_increments)
{
    cr_assert_eq(counter_verdict("{\"process\":0,\"type\":\"invoke\",\"f\":\"incr\"}\n"
                                 "{\"process\":1,\"type\":\"invoke\",\"f\":\"incr\"}\n"
                                 "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\"}\n"
                                 "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n"
                                 "{\"process\":0,\"type\":\"ok\",\"f\":\"incr\"}\n"
                                 "{\"process\":1,\"type\":\"ok\",\"f\":\"incr\"}\n"),
                 CHECK_LINEARIZABLE);
}

Test(plugin, new_model_finds_a_lost_increment)
{
    cr_assert_eq(counter_verdict("{\"process\":0,\"type\":\"invoke\",\"f\":\"incr\"}\n"
                                 "{\"process\":0,\"type\":\"ok\",\"f\":\"incr\"}\n"
                                 "{\"process\":1,\"type\":\"invoke\",\"f\":\"incr\"}\n"
                                 "{\"process\":1,\"type\":\"ok\",\"f\":\"incr\"}\n"
                                 "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\"}\n"
                                 "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n"),
                 CHECK_NOT_LINEARIZABLE);
}

Test(plugin, new_model_validation_names_the_line)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"decr\"}\n");
    struct check_options opt = {.model = &counter_model};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), CHECK_ERR_INPUT);
    cr_assert_str_eq(err, "m.jsonl:1: expected incr or read, got \"decr\"");
    check_history_close(&h);
}

Test(wrappers, default_equal_and_hash_use_the_bytes)
{
    struct counter a = {5}, b = {5}, c = {6};
    cr_assert(check_model_equal(&counter_model, &a, &b));
    cr_assert_not(check_model_equal(&counter_model, &a, &c));
    cr_assert_eq(check_model_hash(&counter_model, &a), check_model_hash(&counter_model, &b));
    cr_assert_neq(check_model_hash(&counter_model, &a), check_model_hash(&counter_model, &c));
}

Test(wrappers, missing_optional_hooks_do_nothing)
{
    struct counter need, make;
    bool needs, makes;
    struct check_op op = {.fn = CHECK_FN_READ};
    cr_assert_not(check_model_needs_makes(&counter_model, &op, &needs, &need, &makes, &make));
    cr_assert_not(needs);
    cr_assert_not(makes);
    bool drop[1] = {false};
    uint32_t ops[1] = {0};
    check_model_prune(&counter_model, NULL, ops, 0, drop);
    cr_assert_not(drop[0]);
    check_model_close(&counter_model, NULL);
}

Test(register_model, states_describe_and_compare)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":7}\n");
    const struct check_model *m = &check_model_register;
    unsigned char s0[16], s1[16];
    uint32_t ops[1] = {0};
    cr_assert_eq(check_model_init(m, NULL, &h, ops, 1, s0), 0);
    cr_assert_eq(check_model_step(m, NULL, s0, &h.ops[0], s1), 1);
    struct check_buf b;
    check_buf_init(&b);
    check_model_describe(m, NULL, s0, &b);
    check_buf_printf(&b, " ");
    check_model_describe(m, NULL, s1, &b);
    cr_assert_str_eq(b.text, "null 7");
    cr_assert_not(check_model_equal(m, s0, s1));
    check_buf_close(&b);
    check_history_close(&h);
}

Test(register_model, prune_drops_unobserved_open_writes_only)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
              "{\"process\":0,\"type\":\"info\",\"f\":\"write\",\"value\":1}\n"
              "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":2}\n"
              "{\"process\":1,\"type\":\"info\",\"f\":\"write\",\"value\":2}\n"
              "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
              "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"value\":2}\n"
              "{\"process\":3,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n");
    uint32_t ops[4] = {0, 1, 2, 3};
    bool drop[4] = {false, false, false, false};
    check_model_prune(&check_model_register, &h, ops, 4, drop);
    cr_assert(drop[0], "nobody reads 1");
    cr_assert_not(drop[1], "2 is read");
    cr_assert_not(drop[2], "an ok read stays");
    cr_assert(drop[3], "an open read has no effect");
    check_history_close(&h);
}

Test(kv_model, prune_drops_appends_no_get_contains)
{
    struct check_history h;
    parse(&h, "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"value\":\"a1;\"}\n"
              "{\"process\":0,\"type\":\"info\",\"f\":\"append\",\"value\":\"a1;\"}\n"
              "{\"process\":1,\"type\":\"invoke\",\"f\":\"append\",\"value\":\"a2;\"}\n"
              "{\"process\":1,\"type\":\"info\",\"f\":\"append\",\"value\":\"a2;\"}\n"
              "{\"process\":3,\"type\":\"invoke\",\"f\":\"put\",\"value\":\"z\"}\n"
              "{\"process\":2,\"type\":\"invoke\",\"f\":\"get\",\"value\":null}\n"
              "{\"process\":2,\"type\":\"ok\",\"f\":\"get\",\"value\":\"a2;\"}\n");
    uint32_t ops[4] = {0, 1, 2, 3};
    bool drop[4] = {false, false, false, false};
    check_model_prune(&check_model_kv, &h, ops, 4, drop);
    cr_assert(drop[0]);
    cr_assert_not(drop[1]);
    cr_assert(drop[2], "no get starts with z");
    cr_assert_not(drop[3]);
    check_history_close(&h);
}

/* ---- the kv model's order hook (check/kv_order.c) ---- */

static const uint32_t *kv_pairs;
static size_t n_kv_pairs;
static unsigned char kv_ctx[4096];

/* Runs the kv model's init over every op of h and fetches its pairs. */
static void kv_order_of(struct check_history *h, const char *text)
{
    parse(h, text);
    uint32_t ops[16];
    cr_assert_leq(h->n_ops, 16);
    for (size_t i = 0; i < h->n_ops; i++)
        ops[i] = (uint32_t)i;
    unsigned char state[64];
    cr_assert_leq(check_model_kv.context_size, sizeof kv_ctx);
    memset(kv_ctx, 0, sizeof kv_ctx);
    cr_assert_eq(check_model_init(&check_model_kv, kv_ctx, h, ops, h->n_ops, state), 0);
    cr_assert_eq(check_model_order(&check_model_kv, kv_ctx, &kv_pairs, &n_kv_pairs), 0);
}

static void kv_order_done(struct check_history *h)
{
    check_model_close(&check_model_kv, kv_ctx);
    check_history_close(h);
}

static bool has_pair(uint32_t before, uint32_t after)
{
    for (size_t i = 0; i < n_kv_pairs; i++)
        if (kv_pairs[2 * i] == before && kv_pairs[2 * i + 1] == after)
            return true;
    return false;
}

#define KV(p, type, f, v) "{\"process\":" #p ",\"type\":\"" type "\",\"f\":\"" f "\",\"value\":" v "}\n"

Test(kv_model, order_follows_the_one_split_of_a_get_string)
{
    /* All four concurrent: only the string orders them. Ops are numbered
     * in invoke order: put, append a, append b, get. */
    struct check_history h;
    kv_order_of(&h, KV(0, "invoke", "put", "\"p\"") KV(1, "invoke", "append", "\"a\"")
                    KV(2, "invoke", "append", "\"b\"") KV(3, "invoke", "get", "null")
                    KV(3, "ok", "get", "\"pab\"") KV(2, "ok", "append", "\"b\"")
                    KV(1, "ok", "append", "\"a\"") KV(0, "ok", "put", "\"p\""));
    cr_expect(has_pair(0, 1), "the put before the first append");
    cr_expect(has_pair(1, 2), "a before b");
    cr_expect(has_pair(2, 3), "b before the get");
    cr_expect_eq(n_kv_pairs, 3);
    kv_order_done(&h);
}

Test(kv_model, a_string_split_two_ways_orders_nothing)
{
    struct check_history h;
    kv_order_of(&h, KV(0, "invoke", "append", "\"a\"") KV(1, "invoke", "append", "\"b\"")
                    KV(2, "invoke", "append", "\"ab\"") KV(3, "invoke", "get", "null")
                    KV(3, "ok", "get", "\"ab\"") KV(2, "ok", "append", "\"ab\"")
                    KV(1, "ok", "append", "\"b\"") KV(0, "ok", "append", "\"a\""));
    cr_expect_eq(n_kv_pairs, 0, "\"ab\" is a then b, or ab alone");
    kv_order_done(&h);
}

Test(kv_model, a_string_no_split_makes_is_a_get_that_never_takes_effect)
{
    struct check_history h;
    kv_order_of(&h, KV(0, "invoke", "append", "\"a\"") KV(0, "ok", "append", "\"a\"")
                    KV(1, "invoke", "get", "null") KV(1, "ok", "get", "\"ba\""));
    cr_expect(has_pair(1, 1));
    kv_order_done(&h);
}

Test(kv_model, an_epoch_that_ended_before_another_began_comes_first)
{
    /* put p, get p; then, after both returned, put q, get q: every get of
     * p's epoch comes before the put q. */
    struct check_history h;
    kv_order_of(&h, KV(0, "invoke", "put", "\"p\"") KV(1, "invoke", "get", "null")
                    KV(0, "ok", "put", "\"p\"") KV(1, "ok", "get", "\"p\"")
                    KV(0, "invoke", "put", "\"q\"") KV(1, "invoke", "get", "null")
                    KV(0, "ok", "put", "\"q\"") KV(1, "ok", "get", "\"q\""));
    cr_expect(has_pair(0, 1));
    cr_expect(has_pair(2, 3));
    cr_expect(has_pair(1, 2), "the get of p before the put of q");
    cr_expect_not(has_pair(3, 0), "nothing orders q's epoch first");
    kv_order_done(&h);
}
