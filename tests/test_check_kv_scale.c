/* test_check_kv_scale.c - one kv key under heavy concurrency (issue 10): 50
 * clients on a single key, about 1 000 ops, so that some 25 ops overlap at
 * any instant. The search used to end unknown on such a history after 10 s
 * and 1 GiB; it must now reach a verdict within the CLI's default memory
 * budget and a step budget far below what it then spent. Histories come
 * from a real execution (each op takes effect at one instant inside its
 * interval, a sequential kv store gives each get its result), generated
 * with the test's own splitmix64 so every run checks the same ones. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "tests/splitmix.h"

#define CLIENTS 50
#define OPS 1000
#define MAX_STEPS 2000000           /* the search needs about 10 000 */
#define CLI_MAX_BYTES ((size_t)2 << 30)

static int64_t between(struct splitmix *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(splitmix_next(r) % (uint64_t)(hi - lo + 1));
}

enum kind { GET, PUT, APPEND };
enum outcome { OK, INFO_APPLIED, INFO_LOST };

struct gen_op {
    int64_t invoke, at, complete;   /* at: the instant it takes effect */
    int process;
    enum kind kind;
    enum outcome outcome;
    char value[32];                 /* put, append: the token */
    char *result;                   /* get: what it saw (NULL: never written) */
};

struct event {
    int64_t time;
    int op;
    int completion;
};

static int compare_at(const void *a, const void *b)
{
    const struct gen_op *x = *(const struct gen_op *const *)a, *y = *(const struct gen_op *const *)b;
    return (x->at > y->at) - (x->at < y->at);
}

static int compare_events(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->op != y->op ? (x->op < y->op ? -1 : 1) : x->completion - y->completion;
}

/* Runs 50 clients against one key: half gets, a tenth puts, the rest
 * appends of unique tokens "x <client> <op> y"; 3% of ops time out (half
 * of those took effect), and the client goes on as a new process. */
static void run_clients(struct gen_op *ops, uint64_t seed)
{
    struct splitmix r = {seed};
    int64_t clock[CLIENTS] = {0};
    int process[CLIENTS];
    for (int c = 0; c < CLIENTS; c++)
        process[c] = c;
    int next_process = CLIENTS;
    for (int i = 0; i < OPS; i++) {
        struct gen_op *op = &ops[i];
        int c = (int)between(&r, 0, CLIENTS - 1);
        op->process = process[c];
        op->invoke = clock[c] + between(&r, 100, 5000);
        op->at = op->invoke + between(&r, 200, 3000);
        op->complete = op->at + between(&r, 200, 3000);
        int64_t roll = between(&r, 0, 99);
        op->kind = roll < 50 ? GET : roll < 60 ? PUT : APPEND;
        roll = between(&r, 0, 99);
        op->outcome = roll < 97 ? OK : roll < 99 ? INFO_APPLIED : INFO_LOST;
        snprintf(op->value, sizeof op->value, "x %d %d y", c, i);
        op->result = NULL;
        if (op->outcome != OK) {
            op->complete = op->invoke + 50000; /* the client gave up */
            process[c] = next_process++;
        }
        clock[c] = op->complete;
    }
    /* Apply the ops in the order they take effect. */
    struct gen_op **by_at = malloc(OPS * sizeof *by_at);
    for (int i = 0; i < OPS; i++)
        by_at[i] = &ops[i];
    qsort(by_at, OPS, sizeof *by_at, compare_at);
    char *value = NULL;
    for (int i = 0; i < OPS; i++) {
        struct gen_op *op = by_at[i];
        if (op->kind == GET) {
            op->result = value ? strdup(value) : NULL;
        } else if (op->outcome != INFO_LOST) {
            size_t old = op->kind == APPEND && value ? strlen(value) : 0;
            char *next = malloc(old + strlen(op->value) + 1);
            memcpy(next, value ? value : "", old);
            strcpy(next + old, op->value);
            free(value);
            value = next;
        }
    }
    free(value);
    free(by_at);
}

/* Writes the ops as a JSONL history into h. */
static void read_history(struct check_history *h, const struct gen_op *ops)
{
    static const char *const fns[] = {"get", "put", "append"};
    struct event *events = malloc(2 * OPS * sizeof *events);
    for (int i = 0; i < OPS; i++) {
        events[2 * i] = (struct event){ops[i].invoke, i, 0};
        events[2 * i + 1] = (struct event){ops[i].complete, i, 1};
    }
    qsort(events, 2 * OPS, sizeof *events, compare_events);
    struct check_buf b;
    check_buf_init(&b);
    for (int e = 0; e < 2 * OPS; e++) {
        const struct gen_op *op = &ops[events[e].op];
        const char *type = !events[e].completion ? "invoke" : op->outcome == OK ? "ok" : "info";
        check_buf_printf(&b, "{\"time\":%" PRId64 ",\"process\":%d,\"type\":\"%s\",\"f\":\"%s\","
                             "\"key\":\"k\",\"value\":",
                         events[e].time, op->process, type, fns[op->kind]);
        if (op->kind != GET)
            check_buf_printf(&b, "\"%s\"}\n", op->value);
        else if (events[e].completion && op->outcome == OK && op->result != NULL)
            check_buf_printf(&b, "\"%s\"}\n", op->result);
        else
            check_buf_printf(&b, "null}\n");
    }
    cr_assert(!b.failed);
    char err[1024];
    cr_assert_eq(check_history_read_buffer(h, "kv-scale.jsonl", b.text, b.len, CHECK_FORMAT_JSONL,
                                           err, sizeof err), 0, "%s", err);
    check_buf_close(&b);
    free(events);
}

static void free_ops(struct gen_op *ops)
{
    for (int i = 0; i < OPS; i++)
        free(ops[i].result);
}

/* Index of the k-th ok get with a non-null result, counting from the end
 * when k < 0 (in generation order, which is per-client time order). */
static int nth_get(const struct gen_op *ops, int k)
{
    for (int i = k < 0 ? OPS - 1 : 0; i >= 0 && i < OPS; i += k < 0 ? -1 : 1)
        if (ops[i].kind == GET && ops[i].outcome == OK && ops[i].result != NULL &&
            (k < 0 ? ++k == 0 : k-- == 0))
            return i;
    return -1;
}

/* Checks the history under the CLI's default memory budget (and a step
 * budget, so that a regression fails fast); returns the result. */
static void check(const struct gen_op *ops, struct check_history *h, struct check_result *r)
{
    read_history(h, ops);
    char err[1024];
    struct check_options opt = {.max_bytes = CLI_MAX_BYTES, .max_steps = MAX_STEPS};
    cr_assert_eq(check_linearizability(h, &opt, r, err, sizeof err), 0, "%s", err);
    cr_assert_eq(r->n_keys, 1, "one key only");
}

/* The history op that generated op i: ops are read in invoke order. */
static const struct check_op *history_op(const struct check_history *h, const struct gen_op *ops,
                                         int i)
{
    for (size_t j = 0; j < h->n_ops; j++)
        if (h->ops[j].process == ops[i].process && h->ops[j].invoke_time == ops[i].invoke)
            return &h->ops[j];
    cr_assert_fail("op %d not in the history", i);
    return NULL;
}

Test(kv_scale, fifty_clients_on_one_key_are_linearizable)
{
    static struct gen_op ops[OPS];
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_clients(ops, seed);
        struct check_history h;
        struct check_result r;
        check(ops, &h, &r);
        cr_expect_eq(r.verdict, CHECK_LINEARIZABLE, "seed %" PRIu64 ": %s", seed,
                     check_verdict_name(r.verdict));
        check_result_close(&r);
        check_history_close(&h);
        free_ops(ops);
    }
}

Test(kv_scale, a_stale_get_is_found_and_explained)
{
    /* The last get returns what an early get saw, long overwritten. */
    static struct gen_op ops[OPS];
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_clients(ops, seed);
        int early = nth_get(ops, 20), late = nth_get(ops, -1);
        cr_assert(early >= 0 && late >= 0 && strcmp(ops[early].result, ops[late].result) != 0);
        free(ops[late].result);
        ops[late].result = strdup(ops[early].result);
        struct check_history h;
        struct check_result r;
        check(ops, &h, &r);
        cr_expect_eq(r.verdict, CHECK_NOT_LINEARIZABLE, "seed %" PRIu64 ": %s", seed,
                     check_verdict_name(r.verdict));
        cr_assert_neq(r.blocked, CHECK_NEVER, "seed %" PRIu64 ": an explanation", seed);
        cr_expect_eq(&h.ops[r.blocked], history_op(&h, ops, late),
                     "seed %" PRIu64 ": the stale get is the op that cannot be placed", seed);
        check_result_close(&r);
        check_history_close(&h);
        free_ops(ops);
    }
}

Test(kv_scale, a_get_that_sees_appends_from_its_future_is_not_linearizable)
{
    /* An early get returns what the last get saw: appends not yet invoked. */
    static struct gen_op ops[OPS];
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_clients(ops, seed);
        int early = nth_get(ops, 20), late = nth_get(ops, -1);
        free(ops[early].result);
        ops[early].result = strdup(ops[late].result);
        struct check_history h;
        struct check_result r;
        check(ops, &h, &r);
        cr_expect_eq(r.verdict, CHECK_NOT_LINEARIZABLE, "seed %" PRIu64 ": %s", seed,
                     check_verdict_name(r.verdict));
        check_result_close(&r);
        check_history_close(&h);
        free_ops(ops);
    }
}

Test(kv_scale, a_get_of_a_token_nobody_appended_is_the_op_that_cannot_be_placed)
{
    static struct gen_op ops[OPS];
    run_clients(ops, 4);
    int i = nth_get(ops, OPS / 4);
    cr_assert(i >= 0);
    char *forged = malloc(strlen(ops[i].result) + 16);
    sprintf(forged, "%sx never y", ops[i].result);
    free(ops[i].result);
    ops[i].result = forged;
    struct check_history h;
    struct check_result r;
    check(ops, &h, &r);
    cr_expect_eq(r.verdict, CHECK_NOT_LINEARIZABLE, "%s", check_verdict_name(r.verdict));
    cr_assert_neq(r.blocked, CHECK_NEVER);
    cr_expect_eq(&h.ops[r.blocked], history_op(&h, ops, i));
    check_result_close(&r);
    check_history_close(&h);
    free_ops(ops);
}
