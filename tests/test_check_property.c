/* test_check_property.c - seeded property tests. Histories are generated
 * from a sequential execution (each op takes effect at one instant), with
 * every op's interval stretched randomly around that instant so ops
 * overlap; some ops fail (no effect), some time out (info: with or without
 * effect). Such a history is linearizable by construction; changing one
 * read to return a value never written makes it not linearizable. The PRNG
 * is the test's own splitmix64, so every run checks the same histories. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "tests/splitmix.h"

#define SEEDS 250
#define MAX_OPS 160

static int below(struct splitmix *r, int n)
{
    return (int)(splitmix_next(r) % (uint64_t)n);
}

enum outcome { DONE_OK, DONE_FAIL, DONE_INFO_APPLIED, DONE_INFO_LOST };

struct gen_op {
    int process;
    const char *f;
    int key;
    char arg[48];      /* JSON text of the invoke value */
    char result[96];   /* JSON text of the completion value */
    enum outcome outcome;
    int64_t invoke, complete;
};

struct event {
    int64_t time;
    int op;
    bool completion;
};

struct generated {
    struct gen_op ops[MAX_OPS];
    int n;
    bool kv;
};

static int compare_events(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->op != y->op)
        return x->op < y->op ? -1 : 1;
    return (int)x->completion - (int)y->completion;
}

/* Register state: value or -1 for null. kv: one string per key ("" absent). */
struct model_state {
    int64_t reg[3];
    char kv[3][1024];
    bool kv_present[3];
};

static void register_op(struct splitmix *r, struct gen_op *op, struct model_state *s, int i)
{
    int64_t *reg = &s->reg[op->key];
    int kind = below(r, 3);
    if (kind == 0) {
        op->f = "read";
        snprintf(op->arg, sizeof op->arg, "null");
        if (*reg < 0)
            snprintf(op->result, sizeof op->result, "null");
        else
            snprintf(op->result, sizeof op->result, "%" PRId64, *reg);
        if (op->outcome != DONE_OK)
            op->outcome = DONE_INFO_LOST; /* a read has no effect either way */
    } else if (kind == 1) {
        int64_t v = below(r, 5);
        op->f = "write";
        snprintf(op->arg, sizeof op->arg, "%" PRId64, v);
        snprintf(op->result, sizeof op->result, "%" PRId64, v);
        if (op->outcome == DONE_OK || op->outcome == DONE_INFO_APPLIED)
            *reg = v;
    } else {
        int64_t expected = below(r, 2) && *reg >= 0 ? *reg : below(r, 5);
        int64_t v = below(r, 5);
        op->f = "cas";
        snprintf(op->arg, sizeof op->arg, "[%" PRId64 ",%" PRId64 "]", expected, v);
        snprintf(op->result, sizeof op->result, "%s", op->arg);
        bool match = *reg == expected;
        if (op->outcome == DONE_OK && !match)
            op->outcome = DONE_FAIL; /* a cas that did not match completes fail */
        if ((op->outcome == DONE_OK || op->outcome == DONE_INFO_APPLIED) && match)
            *reg = v;
    }
    (void)i;
}

static void kv_op(struct splitmix *r, struct gen_op *op, struct model_state *s, int i)
{
    char *value = s->kv[op->key];
    bool *present = &s->kv_present[op->key];
    int kind = below(r, 5);
    bool applies = op->outcome == DONE_OK || op->outcome == DONE_INFO_APPLIED;
    if (kind <= 1) {
        op->f = "get";
        snprintf(op->arg, sizeof op->arg, "null");
        if (*present)
            snprintf(op->result, sizeof op->result, "\"%s\"", value);
        else
            snprintf(op->result, sizeof op->result, "null");
        if (op->outcome != DONE_OK)
            op->outcome = DONE_INFO_LOST;
    } else if (kind == 2) {
        op->f = "put";
        snprintf(op->arg, sizeof op->arg, "\"p%d;\"", i);
        snprintf(op->result, sizeof op->result, "%s", op->arg);
        if (applies) {
            snprintf(value, 1024, "p%d;", i);
            *present = true;
        }
    } else {
        op->f = "append";
        snprintf(op->arg, sizeof op->arg, "\"a%d;\"", i);
        snprintf(op->result, sizeof op->result, "%s", op->arg);
        if (applies && strlen(value) < 900) {
            char token[16];
            snprintf(token, sizeof token, "a%d;", i);
            strcat(value, token);
            *present = true;
        } else if (applies) {
            op->outcome = DONE_INFO_LOST; /* keep strings short: pretend it was lost */
        }
    }
}

/* Generates a history linearizable by construction. */
static void generate(struct generated *g, uint64_t seed, bool kv, int max_ops)
{
    struct splitmix r = {seed};
    struct model_state s;
    memset(&s, 0, sizeof s);
    for (int k = 0; k < 3; k++)
        s.reg[k] = -1;
    g->kv = kv;
    g->n = 10 + below(&r, max_ops - 10);
    int keys = 1 + below(&r, 3);
    int spread = 50 + below(&r, 400); /* how far an interval reaches around its instant */
    int64_t busy_until[64];
    int processes = 0;
    for (int i = 0; i < g->n; i++) {
        struct gen_op *op = &g->ops[i];
        int64_t at = 1000 + 100 * (int64_t)(i + 1);
        op->invoke = at - 1 - below(&r, spread);
        op->complete = at + 1 + below(&r, spread);
        /* A free process (its last op returned before this invoke) or a new one. */
        op->process = -1;
        int start = processes ? below(&r, processes) : 0;
        for (int k = 0; k < processes && op->process < 0; k++) {
            int p = (start + k) % processes;
            if (busy_until[p] < op->invoke)
                op->process = p;
        }
        if (op->process < 0) {
            if (processes == 64) {
                g->n = i;
                break;
            }
            op->process = processes++;
        }
        int roll = below(&r, 100);
        op->outcome = roll < 80 ? DONE_OK : roll < 87 ? DONE_FAIL : roll < 94 ? DONE_INFO_APPLIED
                                                                            : DONE_INFO_LOST;
        op->key = below(&r, keys);
        if (kv)
            kv_op(&r, op, &s, i);
        else
            register_op(&r, op, &s, i);
        /* A process that timed out never issues again (Jepsen's rule). */
        busy_until[op->process] = op->outcome == DONE_INFO_APPLIED || op->outcome == DONE_INFO_LOST
                                      ? INT64_MAX
                                      : op->complete;
    }
}

/* Renders g as JSONL (or EDN) text; the caller frees it. */
static char *render(const struct generated *g, bool edn)
{
    struct event *events = malloc(2 * (size_t)g->n * sizeof *events);
    for (int i = 0; i < g->n; i++) {
        events[2 * i] = (struct event){g->ops[i].invoke, i, false};
        events[2 * i + 1] = (struct event){g->ops[i].complete, i, true};
    }
    qsort(events, 2 * (size_t)g->n, sizeof *events, compare_events);
    struct check_buf b;
    check_buf_init(&b);
    for (int e = 0; e < 2 * g->n; e++) {
        const struct gen_op *op = &g->ops[events[e].op];
        const char *type = "invoke";
        if (events[e].completion)
            type = op->outcome == DONE_OK ? "ok" : op->outcome == DONE_FAIL ? "fail" : "info";
        const char *value = events[e].completion && op->outcome == DONE_OK ? op->result : op->arg;
        if (edn) {
            char converted[128];
            size_t j = 0;
            for (const char *c = value; *c && j + 1 < sizeof converted; c++)
                converted[j++] = *c == ',' ? ' ' : *c;
            converted[j] = '\0';
            check_buf_printf(&b, "{:process %d, :type :%s, :f :%s, :key \"k%d\", :value %s, :time %" PRId64 "000}\n",
                             op->process, type, op->f, op->key,
                             strcmp(converted, "null") == 0 ? "nil" : converted, events[e].time);
        } else {
            check_buf_printf(&b, "{\"time\":%" PRId64 ",\"process\":%d,\"type\":\"%s\",\"f\":\"%s\","
                                 "\"key\":\"k%d\",\"value\":%s}\n",
                             events[e].time, op->process, type, op->f, op->key, value);
        }
    }
    free(events);
    return check_buf_take(&b);
}

static void parse(struct check_history *h, const char *text)
{
    char err[1024];
    int rc = check_history_read_buffer(h, "generated", text, strlen(text), CHECK_FORMAT_AUTO, err,
                                       sizeof err);
    cr_assert_eq(rc, 0, "%s\n%s", err, text);
}

/* The verdict under model m (NULL: the history's), with the model's order
 * constraints from the search's first step when ordered is set. */
static enum check_verdict verdict_ordered(const struct check_history *h, const struct check_model *m,
                                          bool ordered)
{
    char err[1024];
    struct check_options opt = {.model = m, .order_after_steps = ordered ? 1 : 0};
    struct check_result r;
    cr_assert_eq(check_linearizability(h, &opt, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    check_result_close(&r);
    return v;
}

static enum check_verdict verdict(const struct check_history *h, const struct check_model *m)
{
    return verdict_ordered(h, m, false);
}

/* Index of an ok read chosen by seed, or -1 if there is none. */
static long pick_read(const struct check_history *h, uint64_t seed)
{
    size_t reads = 0;
    for (size_t i = 0; i < h->n_ops; i++)
        reads += (h->ops[i].fn == CHECK_FN_READ || h->ops[i].fn == CHECK_FN_GET) &&
                 h->ops[i].outcome == CHECK_OK;
    if (reads == 0)
        return -1;
    size_t want = seed % reads;
    for (size_t i = 0; i < h->n_ops; i++) {
        if ((h->ops[i].fn == CHECK_FN_READ || h->ops[i].fn == CHECK_FN_GET) &&
            h->ops[i].outcome == CHECK_OK && want-- == 0)
            return (long)i;
    }
    return -1;
}

static void never_written(struct check_history *h, struct check_op *op)
{
    if (op->fn == CHECK_FN_READ) {
        op->result = (struct check_value){.kind = CHECK_VALUE_INT, .i = 1000000, .str = CHECK_NO_STRING};
    } else {
        uint32_t id;
        cr_assert_eq(check_history_intern(h, "never;", 6, &id), 0);
        op->result = (struct check_value){.kind = CHECK_VALUE_STRING, .str = id};
    }
}

static void sequential_overlap_is_linearizable(bool kv)
{
    static struct generated g;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        generate(&g, seed * 7919 + kv, kv, MAX_OPS);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        cr_assert_eq(verdict(&h, NULL), CHECK_LINEARIZABLE, "seed %" PRIu64 ":\n%s", seed, text);
        check_history_close(&h);
        free(text);
    }
}

static void one_read_of_a_value_never_written_breaks_it(bool kv)
{
    static struct generated g;
    size_t mutated = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        generate(&g, seed * 7919 + kv, kv, MAX_OPS);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        long i = pick_read(&h, seed);
        if (i >= 0) {
            never_written(&h, &h.ops[i]);
            cr_assert_eq(verdict(&h, NULL), CHECK_NOT_LINEARIZABLE,
                         "seed %" PRIu64 ", read on line %" PRIu32 ":\n%s", seed,
                         h.ops[i].invoke_line, text);
            mutated++;
        }
        check_history_close(&h);
        free(text);
    }
    cr_assert_gt(mutated, SEEDS * 9 / 10, "too few histories had a read to change");
}

Test(property_register, sequential_overlap_is_linearizable)
{
    sequential_overlap_is_linearizable(false);
}

Test(property_register, one_read_of_a_value_never_written_breaks_it)
{
    one_read_of_a_value_never_written_breaks_it(false);
}

Test(property_kv, sequential_overlap_is_linearizable)
{
    sequential_overlap_is_linearizable(true);
}

Test(property_kv, one_get_of_a_value_never_written_breaks_it)
{
    one_read_of_a_value_never_written_breaks_it(true);
}

Test(property_prune, pruning_never_changes_a_verdict)
{
    static struct generated g;
    struct check_model reg = check_model_register, kv = check_model_kv;
    reg.prune = NULL;
    kv.prune = NULL;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        bool is_kv = seed % 2;
        /* Small histories: without pruning the search may take long. */
        generate(&g, seed * 104729, is_kv, 60);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        long i = pick_read(&h, seed);
        /* Half the time make a read stale-looking: any value some op wrote. */
        if (i >= 0 && seed % 4 < 2) {
            for (size_t j = 0; j < h.n_ops; j++) {
                bool writes = h.ops[j].fn == CHECK_FN_WRITE || h.ops[j].fn == CHECK_FN_PUT;
                if (writes && h.ops[j].key == h.ops[i].key) {
                    h.ops[i].result = h.ops[j].arg;
                    break;
                }
            }
        }
        cr_assert_eq(verdict(&h, NULL), verdict(&h, is_kv ? &kv : &reg),
                     "seed %" PRIu64 ":\n%s", seed, text);
        check_history_close(&h);
        free(text);
    }
}

Test(property_edn, edn_rendering_gives_the_same_ops_and_verdict)
{
    static struct generated g;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        bool kv = seed % 2;
        generate(&g, seed * 31337, kv, MAX_OPS);
        char *json = render(&g, false), *edn = render(&g, true);
        struct check_history a, b;
        parse(&a, json);
        parse(&b, edn);
        cr_assert_eq(a.n_ops, b.n_ops);
        for (size_t i = 0; i < a.n_ops; i++) {
            cr_assert_eq(a.ops[i].process, b.ops[i].process);
            cr_assert_eq(a.ops[i].fn, b.ops[i].fn);
            cr_assert_eq(a.ops[i].outcome, b.ops[i].outcome);
            cr_assert_eq(a.ops[i].invoke_time, b.ops[i].invoke_time);
            cr_assert_eq(a.ops[i].arg.kind, b.ops[i].arg.kind);
            cr_assert_eq(a.ops[i].result.kind, b.ops[i].result.kind);
        }
        cr_assert_eq(verdict(&a, NULL), verdict(&b, NULL));
        check_history_close(&a);
        check_history_close(&b);
        free(json);
        free(edn);
    }
}

Test(property_consistency, linearizable_histories_show_no_anomaly)
{
    /* Linearizability implies no stale read and every session guarantee, so
     * any anomaly reported here would be a false alarm. */
    static struct generated g;
    char err[1024];
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        bool kv = seed % 2;
        generate(&g, seed * 7907, kv, MAX_OPS);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        struct check_consistency c;
        cr_assert_eq(check_consistency_run(&h, &c, err, sizeof err), 0, "%s", err);
        cr_assert_eq(c.n_anomalies, 0, "seed %" PRIu64 ": %s first at read line %" PRIu32 ":\n%s",
                     seed, check_anomaly_name(c.anomalies[0].kind),
                     h.ops[c.anomalies[0].read].invoke_line, text);
        check_consistency_close(&c);
        check_history_close(&h);
        free(text);
    }
}

Test(property_consistency, null_read_after_an_acknowledged_write_is_stale)
{
    static struct generated g;
    char err[1024];
    size_t tried = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        bool kv = seed % 2;
        generate(&g, seed * 6007, kv, MAX_OPS);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        /* The last ok read whose key had an acknowledged write before it began. */
        long chosen = -1;
        for (size_t i = 0; i < h.n_ops; i++) {
            const struct check_op *r = &h.ops[i];
            if ((r->fn != CHECK_FN_READ && r->fn != CHECK_FN_GET) || r->outcome != CHECK_OK)
                continue;
            for (size_t j = 0; j < i; j++) {
                const struct check_op *w = &h.ops[j];
                bool writes = w->fn != CHECK_FN_READ && w->fn != CHECK_FN_GET;
                if (writes && w->key == r->key && w->outcome == CHECK_OK &&
                    w->complete_pos < r->invoke_pos)
                    chosen = (long)i;
            }
        }
        if (chosen >= 0) {
            h.ops[chosen].result = (struct check_value){.kind = CHECK_VALUE_NULL, .str = CHECK_NO_STRING};
            struct check_consistency c;
            cr_assert_eq(check_consistency_run(&h, &c, err, sizeof err), 0, "%s", err);
            cr_assert_geq(c.stale_reads, 1, "seed %" PRIu64 ":\n%s", seed, text);
            check_consistency_close(&c);
            tried++;
        }
        check_history_close(&h);
        free(text);
    }
    cr_assert_gt(tried, SEEDS / 2);
}

/* ---- the checker against brute force on tiny random histories ---- */

#define TINY 8

/* Tries every order of the ops still to place that respects real time
 * (a closed op that returned before another was invoked comes first);
 * open ops may also never take effect. True when all closed ops fit. */
static bool brute_force(const struct check_model *m, void *ctx, const struct check_history *h,
                        const uint32_t *ops, size_t n, bool *placed, const void *state)
{
    bool all_closed_placed = true;
    for (size_t i = 0; i < n; i++)
        all_closed_placed &= placed[i] || check_op_is_open(&h->ops[ops[i]]);
    if (all_closed_placed)
        return true;
    unsigned char next[64];
    for (size_t i = 0; i < n; i++) {
        if (placed[i])
            continue;
        const struct check_op *op = &h->ops[ops[i]];
        bool ready = true;
        for (size_t j = 0; j < n && ready; j++) {
            const struct check_op *other = &h->ops[ops[j]];
            ready = placed[j] || j == i || other->outcome != CHECK_OK ||
                    other->complete_pos > op->invoke_pos;
        }
        if (!ready || check_model_step(m, ctx, state, op, next) != 1)
            continue;
        placed[i] = true;
        bool found = brute_force(m, ctx, h, ops, n, placed, next);
        placed[i] = false;
        if (found)
            return true;
    }
    return false;
}

static enum check_verdict reference_verdict(const struct check_model *m, const struct check_history *h)
{
    uint32_t ops[TINY];
    size_t n = 0;
    for (size_t i = 0; i < h->n_ops; i++)
        if (h->ops[i].outcome != CHECK_FAIL)
            ops[n++] = (uint32_t)i;
    void *ctx = calloc(1, m->context_size ? m->context_size : 1);
    unsigned char state[64];
    cr_assert_eq(check_model_init(m, ctx, h, ops, n, state), 0);
    bool placed[TINY] = {false};
    bool ok = brute_force(m, ctx, h, ops, n, placed, state);
    check_model_close(m, ctx);
    free(ctx);
    return ok ? CHECK_LINEARIZABLE : CHECK_NOT_LINEARIZABLE;
}

/* A random tiny history, each op on its own process, not linearizable in
 * general: values are drawn from small sets so that orders matter. */
static char *tiny_history(struct splitmix *r, bool kv)
{
    static const char *const reads[] = {"null", "0", "1", "2"};
    static const char *const strings[] = {"null", "\"a\"", "\"b\"", "\"ab\"", "\"ba\"", "\"x\"", "\"xa\"", "\"abb\""};
    static const char *const appends[] = {"\"a\"", "\"b\""};
    int n = 2 + below(r, TINY - 1);
    struct event events[2 * TINY];
    struct gen_op ops[TINY];
    int n_events = 0;
    for (int i = 0; i < n; i++) {
        struct gen_op *op = &ops[i];
        op->process = i;
        op->key = 0;
        int kind = below(r, 3);
        if (!kv && kind == 0) {
            op->f = "read";
            snprintf(op->arg, sizeof op->arg, "null");
            snprintf(op->result, sizeof op->result, "%s", reads[below(r, 4)]);
        } else if (!kv && kind == 1) {
            op->f = "write";
            snprintf(op->arg, sizeof op->arg, "%d", below(r, 3));
            snprintf(op->result, sizeof op->result, "%s", op->arg);
        } else if (!kv) {
            op->f = "cas";
            snprintf(op->arg, sizeof op->arg, "[%s,%d]", reads[below(r, 4)], below(r, 3));
            snprintf(op->result, sizeof op->result, "%s", op->arg);
        } else if (kind == 0) {
            op->f = "get";
            snprintf(op->arg, sizeof op->arg, "null");
            snprintf(op->result, sizeof op->result, "%s", strings[below(r, 8)]);
        } else if (kind == 1) {
            op->f = "append";
            snprintf(op->arg, sizeof op->arg, "%s", appends[below(r, 2)]);
            snprintf(op->result, sizeof op->result, "%s", op->arg);
        } else {
            op->f = "put";
            snprintf(op->arg, sizeof op->arg, below(r, 2) ? "\"x\"" : "\"a\"");
            snprintf(op->result, sizeof op->result, "%s", op->arg);
        }
        int roll = below(r, 100);
        op->outcome = roll < 65 ? DONE_OK : roll < 80 ? DONE_FAIL : roll < 92 ? DONE_INFO_APPLIED
                                                                            : DONE_INFO_LOST;
        op->invoke = below(r, 60);
        op->complete = op->invoke + 1 + below(r, 40);
        events[n_events++] = (struct event){op->invoke, i, false};
        if (op->outcome != DONE_INFO_LOST) /* "lost" here: never completed at all */
            events[n_events++] = (struct event){op->complete, i, true};
    }
    qsort(events, (size_t)n_events, sizeof *events, compare_events);
    struct check_buf b;
    check_buf_init(&b);
    for (int e = 0; e < n_events; e++) {
        const struct gen_op *op = &ops[events[e].op];
        const char *type = "invoke";
        if (events[e].completion)
            type = op->outcome == DONE_OK ? "ok" : op->outcome == DONE_FAIL ? "fail" : "info";
        const char *value = events[e].completion && op->outcome == DONE_OK ? op->result : op->arg;
        check_buf_printf(&b, "{\"process\":%d,\"type\":\"%s\",\"f\":\"%s\",\"value\":%s}\n",
                         op->process, type, op->f, value);
    }
    return check_buf_take(&b);
}

static void agrees_with_brute_force(bool kv)
{
    struct splitmix r = {kv ? 4242 : 2424};
    const struct check_model *m = kv ? &check_model_kv : &check_model_register;
    size_t counts[2] = {0, 0};
    for (int trial = 0; trial < 4000; trial++) {
        char *text = tiny_history(&r, kv);
        struct check_history h;
        parse(&h, text);
        enum check_verdict want = reference_verdict(m, &h);
        cr_assert_eq(verdict(&h, m), want, "brute force says %s:\n%s", check_verdict_name(want), text);
        cr_assert_eq(verdict_ordered(&h, m, true), want, "with the order, brute force says %s:\n%s",
                     check_verdict_name(want), text);
        counts[want]++;
        check_history_close(&h);
        free(text);
    }
    cr_assert_gt(counts[CHECK_LINEARIZABLE], 400, "too few linearizable cases to mean much");
    cr_assert_gt(counts[CHECK_NOT_LINEARIZABLE], 400, "too few violations to mean much");
}

Test(property_reference, register_verdicts_agree_with_brute_force)
{
    agrees_with_brute_force(false);
}

Test(property_reference, kv_verdicts_agree_with_brute_force)
{
    agrees_with_brute_force(true);
}

Test(property_reference, dead_end_pruning_never_changes_a_verdict)
{
    static struct generated g;
    struct check_model plain = check_model_register;
    plain.needs_makes = NULL;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        generate(&g, seed * 15485863, false, 60);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        long i = pick_read(&h, seed);
        if (i >= 0 && seed % 2 == 0) /* a read of some value written somewhere */
            for (size_t j = 0; j < h.n_ops; j++)
                if (h.ops[j].fn == CHECK_FN_WRITE && h.ops[j].key == h.ops[i].key) {
                    h.ops[i].result = h.ops[j].arg;
                    break;
                }
        cr_assert_eq(verdict(&h, NULL), verdict(&h, &plain), "seed %" PRIu64 ":\n%s", seed, text);
        check_history_close(&h);
        free(text);
    }
}

Test(property_reference, optional_model_hooks_never_change_a_verdict)
{
    /* The kv model's doomed, read_only, order and tainted-state equality,
     * and the register's read_only, only speed the search up. Without them
     * (byte equality of states) every verdict must stay the same. */
    static struct generated g;
    struct check_model plain_kv = check_model_kv, plain_register = check_model_register;
    plain_kv.doomed = NULL;
    plain_kv.read_only = NULL;
    plain_kv.order = NULL;
    plain_kv.equal = NULL;
    plain_kv.hash = NULL;
    plain_register.read_only = NULL;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        bool kv = seed % 2;
        generate(&g, seed * 2654435761u, kv, 70);
        char *text = render(&g, false);
        struct check_history h;
        parse(&h, text);
        long i = pick_read(&h, seed);
        if (i >= 0 && seed % 4 < 2) /* some read returns another op's value */
            for (size_t j = 0; j < h.n_ops; j++)
                if ((h.ops[j].fn == CHECK_FN_WRITE || h.ops[j].fn == CHECK_FN_PUT ||
                     h.ops[j].fn == CHECK_FN_APPEND) && h.ops[j].key == h.ops[i].key &&
                    seed % 3 == j % 3) {
                    h.ops[i].result = h.ops[j].arg;
                    break;
                }
        enum check_verdict plain = verdict(&h, kv ? &plain_kv : &plain_register);
        cr_assert_eq(verdict(&h, NULL), plain, "seed %" PRIu64 ":\n%s", seed, text);
        cr_assert_eq(verdict_ordered(&h, NULL, true), plain, "with the order, seed %" PRIu64 ":\n%s",
                     seed, text);
        check_history_close(&h);
        free(text);
    }
}

/* Every complete linearization of ops[] that brute force finds must keep
 * the kv model's pairs: b placed means a placed before it. pos[i] is op
 * i's place, or -1 while unplaced. */
static void pairs_hold_everywhere(void *ctx, const struct check_history *h, const uint32_t *ops,
                                  size_t n, int *pos, int depth, const void *state,
                                  const uint32_t *pairs, size_t n_pairs, const char *text)
{
    bool all_closed_placed = true;
    for (size_t i = 0; i < n; i++)
        all_closed_placed &= pos[i] >= 0 || check_op_is_open(&h->ops[ops[i]]);
    if (all_closed_placed)
        for (size_t p = 0; p < n_pairs; p++) {
            int a = pos[pairs[2 * p]], b = pos[pairs[2 * p + 1]];
            cr_assert(b < 0 || (a >= 0 && a < b), "pair (%" PRIu32 ", %" PRIu32 ") broken:\n%s",
                      pairs[2 * p], pairs[2 * p + 1], text);
        }
    unsigned char next[64];
    for (size_t i = 0; i < n; i++) {
        if (pos[i] >= 0)
            continue;
        const struct check_op *op = &h->ops[ops[i]];
        bool ready = true;
        for (size_t j = 0; j < n && ready; j++) {
            const struct check_op *other = &h->ops[ops[j]];
            ready = pos[j] >= 0 || j == i || other->outcome != CHECK_OK ||
                    other->complete_pos > op->invoke_pos;
        }
        if (!ready || check_model_step(&check_model_kv, ctx, state, op, next) != 1)
            continue;
        pos[i] = depth;
        pairs_hold_everywhere(ctx, h, ops, n, pos, depth + 1, next, pairs, n_pairs, text);
        pos[i] = -1;
    }
}

Test(property_reference, kv_order_pairs_hold_in_every_linearization)
{
    struct splitmix r = {777};
    size_t with_pairs = 0;
    for (int trial = 0; trial < 3000; trial++) {
        char *text = tiny_history(&r, true);
        struct check_history h;
        parse(&h, text);
        uint32_t ops[TINY];
        size_t n = 0;
        for (size_t i = 0; i < h.n_ops; i++)
            if (h.ops[i].outcome != CHECK_FAIL)
                ops[n++] = (uint32_t)i;
        static unsigned char ctx[4096];
        cr_assert_leq(check_model_kv.context_size, sizeof ctx);
        memset(ctx, 0, sizeof ctx);
        unsigned char state[64];
        cr_assert_eq(check_model_init(&check_model_kv, ctx, &h, ops, n, state), 0);
        const uint32_t *history_pairs;
        size_t n_pairs;
        cr_assert_eq(check_model_order(&check_model_kv, ctx, &history_pairs, &n_pairs), 0);
        /* The pairs name history ops; the walk numbers ops by place in ops[]. */
        uint32_t pairs[2 * 64];
        cr_assert_leq(n_pairs, 64);
        for (size_t p = 0; p < 2 * n_pairs; p++)
            for (uint32_t i = 0; i < n; i++)
                if (ops[i] == history_pairs[p])
                    pairs[p] = i;
        int pos[TINY];
        for (size_t i = 0; i < n; i++)
            pos[i] = -1;
        pairs_hold_everywhere(ctx, &h, ops, n, pos, 0, state, pairs, n_pairs, text);
        with_pairs += n_pairs > 0;
        check_model_close(&check_model_kv, ctx);
        check_history_close(&h);
        free(text);
    }
    cr_assert_gt(with_pairs, 300, "too few histories with pairs to mean much");
}
