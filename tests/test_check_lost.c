/* test_check_lost.c - lost writes: acknowledged appends missing from the
 * final get of their key. Hand-made cases, then a seeded property test over
 * histories of real linearizable executions. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "tests/splitmix.h"

static size_t lost_in(const char *text, int *rc_out)
{
    struct check_history h;
    char err[256];
    cr_assert_eq(check_history_read_buffer(&h, "t", text, strlen(text), CHECK_FORMAT_JSONL, err, sizeof err), 0, "%s", err);
    struct check_lost l;
    int rc = check_lost_writes(&h, &l, err, sizeof err);
    check_history_close(&h);
    if (rc_out)
        *rc_out = rc;
    return rc ? (size_t)-1 : l.lost;
}

#define L(i, p, type, f, v) "{\"index\":" #i ",\"process\":" #p ",\"type\":\"" type "\",\"f\":\"" f "\",\"key\":\"k1\",\"value\":" v "}\n"

Test(check_lost, an_acknowledged_append_missing_from_the_final_get_is_lost)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "append", "\"v2;\"") L(3, 1, "ok", "append", "\"v2;\"")
        L(4, 0, "invoke", "get", "null") L(5, 0, "ok", "get", "\"v1;\"");
    cr_expect_eq(lost_in(h, NULL), 1);
}

Test(check_lost, the_first_lost_appends_are_given_by_op_index_to_be_named)
{
    /* v1 and v3 are lost, v2 is kept: the lost ones, in history order */
    const char *text = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "append", "\"v2;\"") L(3, 1, "ok", "append", "\"v2;\"")
        L(4, 1, "invoke", "append", "\"v3;\"") L(5, 1, "ok", "append", "\"v3;\"")
        L(6, 0, "invoke", "get", "null") L(7, 0, "ok", "get", "\"v2;\"");
    struct check_history h;
    char err[256];
    cr_assert_eq(check_history_read_buffer(&h, "t", text, strlen(text), CHECK_FORMAT_JSONL, err,
                                           sizeof err), 0, "%s", err);
    struct check_lost l;
    cr_assert_eq(check_lost_writes(&h, &l, err, sizeof err), 0, "%s", err);
    cr_expect_eq(l.lost, 2);
    cr_assert_eq(l.n_lost_ops, 2);
    cr_expect_eq(l.lost_ops[0], l.first_lost);
    cr_expect_str_eq(check_history_string(&h, h.ops[l.lost_ops[0]].arg.str), "v1;");
    cr_expect_str_eq(check_history_string(&h, h.ops[l.lost_ops[1]].arg.str), "v3;");
    cr_expect_str_eq(check_history_string(&h, h.ops[l.lost_ops[1]].key), "k1");
    check_history_close(&h);
}

Test(check_lost, only_the_first_few_lost_appends_are_kept_but_all_are_counted)
{
    char text[8192];
    size_t o = 0;
    int line = 0;
    for (int v = 1; v <= CHECK_LOST_NAMED + 4; v++) {
        o += (size_t)snprintf(text + o, sizeof text - o,
                              "{\"index\":%d,\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"k1\",\"value\":\"v%d;\"}\n"
                              "{\"index\":%d,\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"k1\",\"value\":\"v%d;\"}\n",
                              line, v, line + 1, v);
        line += 2;
    }
    o += (size_t)snprintf(text + o, sizeof text - o,
                          "{\"index\":%d,\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"k1\",\"value\":null}\n"
                          "{\"index\":%d,\"process\":1,\"type\":\"ok\",\"f\":\"get\",\"key\":\"k1\",\"value\":\"\"}\n",
                          line, line + 1);
    struct check_history h;
    char err[256];
    cr_assert_eq(check_history_read_buffer(&h, "t", text, o, CHECK_FORMAT_JSONL, err, sizeof err),
                 0, "%s", err);
    struct check_lost l;
    cr_assert_eq(check_lost_writes(&h, &l, err, sizeof err), 0, "%s", err);
    cr_expect_eq(l.lost, CHECK_LOST_NAMED + 4);
    cr_expect_eq(l.n_lost_ops, CHECK_LOST_NAMED);
    cr_expect_str_eq(check_history_string(&h, h.ops[l.lost_ops[CHECK_LOST_NAMED - 1]].arg.str),
                     "v8;");
    check_history_close(&h);
}

Test(check_lost, appends_in_the_final_get_are_not_lost)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "append", "\"v2;\"") L(3, 1, "ok", "append", "\"v2;\"")
        L(4, 0, "invoke", "get", "null") L(5, 0, "ok", "get", "\"v1;v2;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, an_append_concurrent_with_the_final_get_is_not_judged)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 1, "invoke", "get", "null")
        L(2, 0, "ok", "append", "\"v1;\"") L(3, 1, "ok", "get", "null");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, a_later_put_may_overwrite_an_append)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "put", "\"v2;\"") L(3, 1, "ok", "put", "\"v2;\"")
        L(4, 0, "invoke", "get", "null") L(5, 0, "ok", "get", "\"v2;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, a_put_invoked_before_an_append_and_completed_after_may_overwrite_it)
{
    /* Issue 10: put invoked at 3169, append 3170..3177 ok, put ok at 3178.
     * The put may take effect after the append, so the final get need not
     * show it, and the history is linearizable. */
    const char *h = L(3169, 0, "invoke", "put", "\"p;\"") L(3170, 1, "invoke", "append", "\"v1;\"")
        L(3177, 1, "ok", "append", "\"v1;\"") L(3178, 0, "ok", "put", "\"p;\"")
        L(3179, 2, "invoke", "get", "null") L(3180, 2, "ok", "get", "\"p;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, a_timed_out_put_invoked_before_an_append_may_overwrite_it)
{
    const char *h = L(0, 0, "invoke", "put", "\"p;\"") L(1, 1, "invoke", "append", "\"v1;\"")
        L(2, 1, "ok", "append", "\"v1;\"") L(3, 0, "info", "put", "\"p;\"")
        L(4, 2, "invoke", "get", "null") L(5, 2, "ok", "get", "\"p;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, a_put_that_never_completes_may_overwrite_a_later_append)
{
    const char *h = L(0, 0, "invoke", "put", "\"p;\"") L(1, 1, "invoke", "append", "\"v1;\"")
        L(2, 1, "ok", "append", "\"v1;\"") L(3, 2, "invoke", "get", "null")
        L(4, 2, "ok", "get", "\"p;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, a_failed_put_overwrites_nothing)
{
    const char *h = L(0, 0, "invoke", "put", "\"p;\"") L(1, 1, "invoke", "append", "\"v1;\"")
        L(2, 1, "ok", "append", "\"v1;\"") L(3, 0, "fail", "put", "\"p;\"")
        L(4, 2, "invoke", "get", "null") L(5, 2, "ok", "get", "null");
    cr_expect_eq(lost_in(h, NULL), 1);
}

Test(check_lost, a_put_completed_before_the_append_was_invoked_cannot_overwrite_it)
{
    const char *h = L(0, 0, "invoke", "put", "\"p;\"") L(1, 0, "ok", "put", "\"p;\"")
        L(2, 1, "invoke", "append", "\"v1;\"") L(3, 1, "ok", "append", "\"v1;\"")
        L(4, 2, "invoke", "get", "null") L(5, 2, "ok", "get", "\"p;\"");
    cr_expect_eq(lost_in(h, NULL), 1);
}

Test(check_lost, a_put_invoked_after_the_final_get_returned_cannot_explain_it)
{
    const char *h = L(0, 1, "invoke", "append", "\"v1;\"") L(1, 1, "ok", "append", "\"v1;\"")
        L(2, 2, "invoke", "get", "null") L(3, 2, "ok", "get", "null")
        L(4, 0, "invoke", "put", "\"p;\"") L(5, 0, "ok", "put", "\"p;\"");
    cr_expect_eq(lost_in(h, NULL), 1);
}

Test(check_lost, keys_are_judged_apart)
{
    /* A put on another key overwrites nothing here. */
    const char *h = "{\"process\":0,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"k2\",\"value\":\"p;\"}\n"
        L(1, 1, "invoke", "append", "\"v1;\"") L(2, 1, "ok", "append", "\"v1;\"")
        L(3, 2, "invoke", "get", "null") L(4, 2, "ok", "get", "null");
    cr_expect_eq(lost_in(h, NULL), 1);
}

Test(check_lost, a_linearizable_porcupine_history_loses_nothing)
{
    /* Its 50 clients overlap puts with appends; the old rule (a put had to
     * be invoked after the append) reported one lost write here. */
    struct check_history h;
    char err[256];
    cr_assert_eq(check_history_read_file(&h, FAULTLINE_TEST_DATA "/histories/porcupine-kv/c50-ok.edn",
                                         CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
    struct check_lost l;
    cr_assert_eq(check_lost_writes(&h, &l, err, sizeof err), 0, "%s", err);
    cr_expect_eq(l.lost, 0);
    cr_expect_eq(l.keys_judged, 5);
    cr_expect_gt(l.appends_judged, 0);
    check_history_close(&h);
}

Test(check_lost, unacknowledged_appends_are_not_lost)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "info", "append", "\"v1;\"")
        L(2, 1, "invoke", "get", "null") L(3, 1, "ok", "get", "null");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, register_histories_are_refused)
{
    int rc;
    const char *h = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                    "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n";
    lost_in(h, &rc);
    cr_expect_eq(rc, CHECK_ERR_INPUT);
}

/* ---- property: a linearizable history loses no write ----
 * Each history comes from a real execution: processes run ops one after
 * another, each op takes effect at one instant inside its interval (an info
 * or never-completed op at any instant after its invoke, or never; a fail
 * op never), and a sequential kv applied in that order gives every get its
 * result. Such a history is linearizable, and in any linearization an
 * append acknowledged before the final get began precedes it, so only a
 * put between them can hide it: lost writes must be 0. Making one ok
 * append never take effect ("a ghost") must sometimes be caught. The PRNG
 * is the test's own splitmix64, so every run checks the same histories. */

#define SIM_MAX_OPS 60
#define SIM_MAX_KEYS 2
#define SIM_SCALE 1000   /* instants between two event times */

static int64_t below(struct splitmix *r, int64_t n)
{
    return (int64_t)(splitmix_next(r) % (uint64_t)n);
}

struct sim_op {
    int process;
    const char *f;
    int key;
    enum check_type outcome;   /* OK, FAIL, INFO, or INVOKE: never completes */
    bool takes_effect;
    int64_t invoke, complete;  /* event times; complete unused for INVOKE */
    int64_t point;             /* the instant it takes effect, if it does */
    char arg[16];              /* JSON of the invoke value */
    char result[512];          /* JSON of an ok get's result */
};

struct sim {
    struct sim_op ops[SIM_MAX_OPS + SIM_MAX_KEYS];
    int n;
};

struct sim_event {
    int64_t time;
    int op;
    bool completion;
};

static int compare_sim_events(const void *a, const void *b)
{
    const struct sim_event *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->op != y->op)
        return x->op < y->op ? -1 : 1;
    return (int)x->completion - (int)y->completion;
}

static const struct sim *sorting; /* for compare_points: qsort has no context */

static int compare_points(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    int64_t px = sorting->ops[x].point, py = sorting->ops[y].point;
    if (px != py)
        return px < py ? -1 : 1;
    return (x > y) - (x < y);
}

/* Runs the ops in the order of their instants on a sequential kv and
 * fills in every ok get's result. A never-written key reads as null or,
 * as Porcupine's histories have it, "" (the same value). */
static void execute(struct sim *s, struct splitmix *r)
{
    int order[SIM_MAX_OPS + SIM_MAX_KEYS], n = 0;
    for (int i = 0; i < s->n; i++)
        if (s->ops[i].takes_effect || (strcmp(s->ops[i].f, "get") == 0 && s->ops[i].outcome == CHECK_OK))
            order[n++] = i;
    sorting = s;
    qsort(order, (size_t)n, sizeof *order, compare_points);
    char value[SIM_MAX_KEYS][400];
    bool present[SIM_MAX_KEYS] = {false};
    for (int i = 0; i < n; i++) {
        struct sim_op *op = &s->ops[order[i]];
        char *v = value[op->key];
        if (strcmp(op->f, "get") == 0) {
            if (present[op->key])
                snprintf(op->result, sizeof op->result, "\"%s\"", v);
            else
                snprintf(op->result, sizeof op->result, below(r, 2) ? "null" : "\"\"");
        } else if (!op->takes_effect) {
            continue; /* the ghost append */
        } else {
            size_t len = strlen(op->arg) - 2; /* the token without its quotes */
            if (strcmp(op->f, "put") == 0 || !present[op->key])
                v[0] = '\0';
            strncat(v, op->arg + 1, len);
            present[op->key] = true;
        }
    }
}

/* Generates one history; with ghost, one ok append (if any) never takes
 * effect though acknowledged. */
static void simulate(struct sim *s, uint64_t seed, bool ghost)
{
    struct splitmix r = {seed};
    int slots = 2 + (int)below(&r, 4), keys = 1 + (int)below(&r, SIM_MAX_KEYS);
    int process_of[6], next_process = slots;
    int64_t free_at[6];
    for (int k = 0; k < slots; k++) {
        process_of[k] = k;
        free_at[k] = below(&r, 4);
    }
    s->n = 8 + (int)below(&r, SIM_MAX_OPS - 8);
    int64_t end = 0;
    for (int i = 0; i < s->n; i++) {
        struct sim_op *op = &s->ops[i];
        int slot = (int)below(&r, slots);
        op->process = process_of[slot];
        op->key = (int)below(&r, keys);
        op->invoke = free_at[slot] + 1 + below(&r, 5);
        op->complete = op->invoke + 1 + below(&r, 12);
        int64_t span = (op->complete - op->invoke) * SIM_SCALE;
        op->point = op->invoke * SIM_SCALE + 1 + below(&r, span - 1);
        int roll = (int)below(&r, 100);
        op->outcome = roll < 72 ? CHECK_OK : roll < 82 ? CHECK_FAIL : roll < 92 ? CHECK_INFO : CHECK_INVOKE;
        op->takes_effect = op->outcome == CHECK_OK;
        if (op->outcome == CHECK_INFO || op->outcome == CHECK_INVOKE) {
            /* Any instant after its invoke, or never; the process is done
             * (Jepsen's rule) and a fresh one takes its place. */
            op->takes_effect = below(&r, 2);
            op->point = op->invoke * SIM_SCALE + 1 + below(&r, 40 * SIM_SCALE);
            process_of[slot] = next_process++;
        }
        free_at[slot] = op->complete;
        if (op->outcome != CHECK_INVOKE && op->complete > end)
            end = op->complete;
        int kind = (int)below(&r, 10);
        op->f = kind < 4 ? "get" : kind < 6 ? "put" : "append";
        if (kind < 4)
            snprintf(op->arg, sizeof op->arg, "null");
        else
            snprintf(op->arg, sizeof op->arg, "\"%c%d;\"", kind < 6 ? 'p' : 'a', i);
        if (kind < 4)
            op->takes_effect = false; /* a get changes nothing */
    }
    if (below(&r, 4) != 0) { /* most end with a final get of every key, after everything */
        for (int k = 0; k < keys; k++) {
            struct sim_op *op = &s->ops[s->n++];
            *op = (struct sim_op){.process = next_process++, .f = "get", .key = k, .outcome = CHECK_OK};
            snprintf(op->arg, sizeof op->arg, "null");
            op->invoke = end + 1 + 2 * k;
            op->complete = op->invoke + 1;
            op->point = op->invoke * SIM_SCALE + 1;
        }
    }
    if (ghost) {
        int appends = 0;
        for (int i = 0; i < s->n; i++)
            appends += strcmp(s->ops[i].f, "append") == 0 && s->ops[i].outcome == CHECK_OK;
        int pick = appends ? (int)below(&r, appends) : -1;
        for (int i = 0; i < s->n && pick >= 0; i++)
            if (strcmp(s->ops[i].f, "append") == 0 && s->ops[i].outcome == CHECK_OK && pick-- == 0)
                s->ops[i].takes_effect = false;
    }
    execute(s, &r);
}

/* Renders s as JSONL; the caller frees it. */
static char *render(const struct sim *s)
{
    struct sim_event events[2 * (SIM_MAX_OPS + SIM_MAX_KEYS)];
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        events[n++] = (struct sim_event){s->ops[i].invoke * SIM_SCALE, i, false};
        if (s->ops[i].outcome != CHECK_INVOKE)
            events[n++] = (struct sim_event){s->ops[i].complete * SIM_SCALE, i, true};
    }
    qsort(events, (size_t)n, sizeof *events, compare_sim_events);
    struct check_buf b;
    check_buf_init(&b);
    for (int e = 0; e < n; e++) {
        const struct sim_op *op = &s->ops[events[e].op];
        bool get_result = events[e].completion && op->outcome == CHECK_OK && strcmp(op->f, "get") == 0;
        check_buf_printf(&b, "{\"process\":%d,\"type\":\"%s\",\"f\":\"%s\",\"key\":\"k%d\",\"value\":%s}\n",
                         op->process, events[e].completion ? check_type_name(op->outcome) : "invoke",
                         op->f, op->key, get_result ? op->result : op->arg);
    }
    return check_buf_take(&b);
}

struct judged {
    enum check_verdict verdict;
    struct check_lost lost;
};

static struct judged judge(const char *text)
{
    struct check_history h;
    char err[1024];
    cr_assert_eq(check_history_read_buffer(&h, "generated", text, strlen(text), CHECK_FORMAT_JSONL, err,
                                           sizeof err), 0, "%s\n%s", err, text);
    struct judged j;
    struct check_options opt = {.model = NULL};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0, "%s", err);
    j.verdict = r.verdict;
    check_result_close(&r);
    cr_assert_eq(check_lost_writes(&h, &j.lost, err, sizeof err), 0, "%s", err);
    check_history_close(&h);
    return j;
}

#define SIM_HISTORIES 3000

Test(property_lost, linearizable_executions_lose_no_write)
{
    static struct sim s;
    size_t judged = 0;
    for (uint64_t seed = 1; seed <= SIM_HISTORIES; seed++) {
        simulate(&s, seed * 0x51ed27, false);
        char *text = render(&s);
        struct judged j = judge(text);
        cr_assert_eq(j.verdict, CHECK_LINEARIZABLE, "seed %" PRIu64 ":\n%s", seed, text);
        cr_assert_eq(j.lost.lost, 0, "seed %" PRIu64 ": op %" PRIu32 " reported lost:\n%s", seed,
                     j.lost.first_lost, text);
        judged += j.lost.appends_judged;
        free(text);
    }
    cr_assert_gt(judged, SIM_HISTORIES, "too few appends judged to mean much");
}

Test(property_lost, a_ghost_append_is_sometimes_lost_and_never_in_a_linearizable_history)
{
    static struct sim s;
    size_t caught = 0;
    for (uint64_t seed = 1; seed <= SIM_HISTORIES / 2; seed++) {
        simulate(&s, seed * 0x2545f491, true);
        char *text = render(&s);
        struct judged j = judge(text);
        if (j.lost.lost > 0) {
            /* A lost write is a certain violation of linearizability. */
            cr_assert_eq(j.verdict, CHECK_NOT_LINEARIZABLE, "seed %" PRIu64 ":\n%s", seed, text);
            cr_assert_eq(j.lost.lost, 1, "seed %" PRIu64 ": only one append was made a ghost", seed);
            caught++;
        }
        free(text);
    }
    cr_assert_gt(caught, SIM_HISTORIES / 20, "lost writes found in only %zu histories", caught);
}
