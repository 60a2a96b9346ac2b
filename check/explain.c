/* explain.c - turning a check_result into a report a student can read (text)
 * or a program can (JSON): the verdict per key and, on a violation, the
 * longest linearizable prefix the search built (with the state after each
 * op), the op that cannot be placed after it, and the ops concurrent with
 * that op. States are recomputed by replaying the model over the prefix. */
#include "check/check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN_PREFIX 12      /* text shows the last this many linearized ops */
#define SHOWN_CONCURRENT 24  /* and at most this many concurrent ones */

/* ---- one op ---- */

/* The value worth showing for op: what a read returned, else what it wrote. */
static const struct check_value *shown_value(const struct check_op *op)
{
    bool reads = op->fn == CHECK_FN_READ || op->fn == CHECK_FN_GET;
    return reads ? &op->result : &op->arg;
}

static void describe_position(const struct check_history *h, struct check_buf *out,
                              uint32_t line, int64_t time)
{
    if (line != 0)
        check_buf_printf(out, "line %" PRIu32, line);
    if (h->has_time && time != CHECK_NO_TIME) {
        /* seconds with the microseconds kept (the order of ops may turn on
         * them), trailing zeros dropped: t=2.744683s, t=0.0001s, t=3s */
        uint64_t mag = time < 0 ? (uint64_t)0 - (uint64_t)time : (uint64_t)time;
        char frac[8] = "";
        uint64_t us = mag % 1000000;
        if (us) {
            snprintf(frac, sizeof frac, ".%06" PRIu64, us);
            for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
                frac[n - 1] = '\0';
        }
        check_buf_printf(out, "%st=%s%" PRIu64 "%ss", line != 0 ? " " : "", time < 0 ? "-" : "",
                         mag / 1000000, frac);
    }
}

int check_op_describe(const struct check_history *h, const struct check_op *op,
                      struct check_buf *out)
{
    bool reads = op->fn == CHECK_FN_READ || op->fn == CHECK_FN_GET;
    check_buf_printf(out, "p%" PRId64 " %s", op->process, check_op_fn_name(h, op));
    if (op->key != CHECK_NO_STRING)
        check_buf_printf(out, " %s", check_history_string(h, op->key));
    if (reads) {
        check_buf_printf(out, " -> ");
        if (op->outcome == CHECK_OK)
            check_value_print(h, &op->result, out);
        else
            check_buf_printf(out, "?");
    } else {
        check_buf_printf(out, " ");
        check_value_print(h, &op->arg, out);
    }
    switch (op->outcome) {
    case CHECK_OK: check_buf_printf(out, " ok"); break;
    case CHECK_FAIL: check_buf_printf(out, " fail"); break;
    case CHECK_INFO: check_buf_printf(out, " info"); break;
    case CHECK_INVOKE: check_buf_printf(out, " never completed"); break;
    }
    if (op->error != CHECK_NO_STRING)
        check_buf_printf(out, " (%s)", check_history_string(h, op->error));
    check_buf_printf(out, "  [");
    describe_position(h, out, op->invoke_line, op->invoke_time);
    check_buf_printf(out, " .. ");
    if (op->outcome == CHECK_OK || op->outcome == CHECK_FAIL)
        describe_position(h, out, op->complete_line, op->complete_time);
    else
        check_buf_printf(out, "may take effect any time after");
    return check_buf_printf(out, "]");
}

static cJSON *value_json(const struct check_history *h, const struct check_value *v)
{
    switch (v->kind) {
    case CHECK_VALUE_ABSENT:
    case CHECK_VALUE_NULL:
        return cJSON_CreateNull();
    case CHECK_VALUE_INT:
        return cJSON_CreateNumber((double)v->i);
    case CHECK_VALUE_STRING:
    case CHECK_VALUE_OTHER:
        return cJSON_CreateString(check_history_string(h, v->str));
    case CHECK_VALUE_PAIR: {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, v->first_null ? cJSON_CreateNull()
                                                 : cJSON_CreateNumber((double)v->i));
        cJSON_AddItemToArray(pair, v->second_null ? cJSON_CreateNull()
                                                  : cJSON_CreateNumber((double)v->j));
        return pair;
    }
    }
    return cJSON_CreateNull();
}

static cJSON *position_json(uint32_t line, int64_t index, int64_t time)
{
    cJSON *pos = cJSON_CreateObject();
    if (line != 0)
        cJSON_AddNumberToObject(pos, "line", line);
    if (index != CHECK_NO_INDEX)
        cJSON_AddNumberToObject(pos, "index", (double)index);
    if (time != CHECK_NO_TIME)
        cJSON_AddNumberToObject(pos, "time", (double)time);
    return pos;
}

cJSON *check_op_json(const struct check_history *h, const struct check_op *op)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    cJSON_AddNumberToObject(j, "process", (double)op->process);
    cJSON_AddStringToObject(j, "f", check_op_fn_name(h, op));
    if (op->key != CHECK_NO_STRING)
        cJSON_AddStringToObject(j, "key", check_history_string(h, op->key));
    cJSON_AddItemToObject(j, "value", value_json(h, shown_value(op)));
    cJSON_AddStringToObject(j, "type", op->outcome == CHECK_INVOKE ? "never-completed"
                                                                    : check_type_name(op->outcome));
    if (op->error != CHECK_NO_STRING)
        cJSON_AddStringToObject(j, "error", check_history_string(h, op->error));
    cJSON_AddItemToObject(j, "invoke", position_json(op->invoke_line, op->invoke_index,
                                                     op->invoke_time));
    if (op->complete_line != 0 || op->complete_pos != CHECK_NEVER)
        cJSON_AddItemToObject(j, "complete", position_json(op->complete_line,
                                                           op->complete_index,
                                                           op->complete_time));
    else
        cJSON_AddNullToObject(j, "complete");
    return j;
}

/* ---- the violation ---- */

/* The explained key's facts, recomputed for display. */
struct story {
    const struct check_history *h;
    const struct check_result *r;
    char **states;            /* states[i]: text of the state after prefix[i] */
    char *state;              /* text of the state the blocked op meets */
    uint32_t *concurrent;     /* ops overlapping the blocked one, in history order */
    size_t n_concurrent;
};

static void story_close(struct story *s)
{
    if (s->states != NULL)
        for (size_t i = 0; i < s->r->prefix_len; i++)
            free(s->states[i]);
    free(s->states);
    free(s->state);
    free(s->concurrent);
}

static char *describe_state(const struct check_model *m, void *ctx, const void *state)
{
    struct check_buf b;
    check_buf_init(&b);
    check_model_describe(m, ctx, state, &b);
    return check_buf_take(&b);
}

/* Replays the model over the prefix to name each state. */
static int replay(struct story *s)
{
    const struct check_result *r = s->r;
    const struct check_model *m = r->model;
    void *ctx = calloc(1, m->context_size ? m->context_size : 1);
    unsigned char *states = calloc(2, m->state_size);
    s->states = calloc(r->prefix_len ? r->prefix_len : 1, sizeof *s->states);
    int rc = ctx && states && s->states ? 0 : CHECK_ERR_NOMEM;
    bool ready = false;
    if (rc == 0) {
        rc = check_model_init(m, ctx, s->h, r->key_ops, r->n_key_ops, states);
        ready = true;
    }
    for (size_t i = 0; rc == 0 && i < r->prefix_len; i++) {
        unsigned char *now = states + (i % 2) * m->state_size;
        unsigned char *next = states + ((i + 1) % 2) * m->state_size;
        int legal = check_model_step(m, ctx, now, &s->h->ops[r->prefix[i]], next);
        if (legal < 0)
            rc = legal;
        else if ((s->states[i] = describe_state(m, ctx, next)) == NULL)
            rc = CHECK_ERR_NOMEM;
    }
    if (rc == 0) {
        s->state = describe_state(m, ctx, states + (r->prefix_len % 2) * m->state_size);
        if (s->state == NULL)
            rc = CHECK_ERR_NOMEM;
    }
    if (ready)
        check_model_close(m, ctx);
    free(ctx);
    free(states);
    return rc;
}

/* Ops of the key whose interval overlaps the blocked op's. */
static int find_concurrent(struct story *s)
{
    const struct check_result *r = s->r;
    const struct check_op *b = &s->h->ops[r->blocked];
    s->concurrent = malloc((r->n_key_ops ? r->n_key_ops : 1) * sizeof *s->concurrent);
    if (s->concurrent == NULL)
        return CHECK_ERR_NOMEM;
    uint64_t b_start = b->invoke_pos;
    uint64_t b_end = b->outcome == CHECK_OK ? b->complete_pos : UINT64_MAX;
    for (size_t i = 0; i < r->n_key_ops; i++) {
        const struct check_op *op = &s->h->ops[r->key_ops[i]];
        uint64_t start = op->invoke_pos;
        uint64_t end = op->outcome == CHECK_OK ? op->complete_pos : UINT64_MAX;
        if (r->key_ops[i] != r->blocked && start < b_end && b_start < end)
            s->concurrent[s->n_concurrent++] = r->key_ops[i];
    }
    return 0;
}

static int story_open(struct story *s, const struct check_history *h, const struct check_result *r)
{
    memset(s, 0, sizeof *s);
    s->h = h;
    s->r = r;
    int rc = replay(s);
    if (rc == 0)
        rc = find_concurrent(s);
    return rc;
}

/* Position of op in the prefix (1-based), or 0. */
static size_t prefix_position(const struct check_result *r, uint32_t op)
{
    for (size_t i = 0; i < r->prefix_len; i++)
        if (r->prefix[i] == op)
            return i + 1;
    return 0;
}

static const char *key_text(const struct check_history *h, uint32_t key)
{
    return key == CHECK_NO_STRING ? "(no key)" : check_history_string(h, key);
}

static void text_violation(struct check_buf *b, const struct story *s)
{
    const struct check_history *h = s->h;
    const struct check_result *r = s->r;
    const struct check_key_result *key = &r->keys[r->explained_key];
    const struct check_op *blocked = &h->ops[r->blocked];
    if (key->key == CHECK_NO_STRING)
        check_buf_printf(b, "\n%zu ops checked", r->n_key_ops);
    else
        check_buf_printf(b, "\nkey %s: %zu ops checked", key_text(h, key->key), r->n_key_ops);
    if (key->failed || key->pruned)
        check_buf_printf(b, " (%zu fail ops left out, %zu open ops that cannot matter)",
                         key->failed, key->pruned);
    check_buf_printf(b, "\n\nLongest linearizable prefix found: %zu op%s", r->prefix_len,
                     r->prefix_len == 1 ? "" : "s");
    size_t from = r->prefix_len > SHOWN_PREFIX ? r->prefix_len - SHOWN_PREFIX : 0;
    if (from > 0)
        check_buf_printf(b, " (the first %zu not shown)", from);
    check_buf_printf(b, ", each with the state after it:\n");
    for (size_t i = from; i < r->prefix_len; i++) {
        check_buf_printf(b, "  %4zu. ", i + 1);
        check_op_describe(h, &h->ops[r->prefix[i]], b);
        check_buf_printf(b, "\n        => %s\n", s->states[i]);
    }
    if (r->prefix_len == 0)
        check_buf_printf(b, "  (none: the violation is at the very start)\n");
    check_buf_printf(b, "\nCannot be placed next:\n  ");
    check_op_describe(h, blocked, b);
    check_buf_printf(b, "\n  It must take effect before it returns, but in state %s it is not "
                        "legal, and no order of the ops not yet placed makes it legal in time.\n",
                     s->state);
    check_buf_printf(b, "\nConcurrent with it (%zu):\n", s->n_concurrent);
    for (size_t i = 0; i < s->n_concurrent && i < SHOWN_CONCURRENT; i++) {
        size_t at = prefix_position(r, s->concurrent[i]);
        check_buf_printf(b, "  ");
        check_op_describe(h, &h->ops[s->concurrent[i]], b);
        if (at > 0)
            check_buf_printf(b, "  (linearized as %zu.)\n", at);
        else
            check_buf_printf(b, "  (not linearized)\n");
    }
    if (s->n_concurrent > SHOWN_CONCURRENT)
        check_buf_printf(b, "  ... and %zu more (see --json)\n", s->n_concurrent - SHOWN_CONCURRENT);
    if (s->n_concurrent == 0)
        check_buf_printf(b, "  (none: the op ran alone, so its result contradicts the ops before it)\n");
}

static void text_keys(struct check_buf *b, const struct check_history *h,
                      const struct check_result *r)
{
    size_t bad = 0, unknown = 0;
    for (size_t k = 0; k < r->n_keys; k++) {
        bad += r->keys[k].verdict == CHECK_NOT_LINEARIZABLE;
        unknown += r->keys[k].verdict == CHECK_UNKNOWN;
    }
    if (r->n_keys <= 1)
        return;
    check_buf_printf(b, "%zu keys checked one by one: %zu not linearizable, %zu unknown",
                     r->n_keys, bad, unknown);
    if (bad > 0) {
        check_buf_printf(b, " (");
        size_t shown = 0;
        for (size_t k = 0; k < r->n_keys && shown < 8; k++) {
            if (r->keys[k].verdict != CHECK_NOT_LINEARIZABLE)
                continue;
            check_buf_printf(b, "%s%s", shown ? ", " : "", key_text(h, r->keys[k].key));
            shown++;
        }
        check_buf_printf(b, "%s)", bad > shown ? ", ..." : "");
    }
    check_buf_printf(b, "\n");
}

char *check_explain_text(const struct check_history *h, const struct check_result *r)
{
    struct check_buf b;
    check_buf_init(&b);
    size_t ops = 0;
    for (size_t k = 0; k < r->n_keys; k++)
        ops += r->keys[k].ops;
    check_buf_printf(&b, "%s: %s (model %s, %zu ops)\n", h->name, check_verdict_name(r->verdict),
                     r->model ? r->model->name : "?", ops);
    text_keys(&b, h, r);
    if (r->verdict == CHECK_UNKNOWN)
        check_buf_printf(&b, "The %s budget ran out after %" PRIu64
                             " search steps, before a verdict; no answer is better than a guess.\n",
                         check_limit_name(r->limit), r->steps);
    if (r->explained_key != SIZE_MAX && r->blocked != CHECK_NEVER) {
        struct story s;
        if (story_open(&s, h, r) == 0)
            text_violation(&b, &s);
        else
            b.failed = true;
        story_close(&s);
    }
    return check_buf_take(&b);
}

static cJSON *violation_json(const struct story *s)
{
    const struct check_history *h = s->h;
    const struct check_result *r = s->r;
    cJSON *j = cJSON_CreateObject();
    const struct check_key_result *key = &r->keys[r->explained_key];
    if (key->key == CHECK_NO_STRING)
        cJSON_AddNullToObject(j, "key");
    else
        cJSON_AddStringToObject(j, "key", check_history_string(h, key->key));
    cJSON *prefix = cJSON_AddArrayToObject(j, "linearized");
    for (size_t i = 0; i < r->prefix_len; i++) {
        cJSON *step = cJSON_CreateObject();
        cJSON_AddItemToObject(step, "op", check_op_json(h, &h->ops[r->prefix[i]]));
        cJSON_AddStringToObject(step, "state_after", s->states[i]);
        cJSON_AddItemToArray(prefix, step);
    }
    cJSON_AddStringToObject(j, "state", s->state);
    cJSON_AddItemToObject(j, "cannot_place", check_op_json(h, &h->ops[r->blocked]));
    cJSON *concurrent = cJSON_AddArrayToObject(j, "concurrent");
    for (size_t i = 0; i < s->n_concurrent; i++) {
        cJSON *item = cJSON_CreateObject();
        cJSON_AddItemToObject(item, "op", check_op_json(h, &h->ops[s->concurrent[i]]));
        size_t at = prefix_position(r, s->concurrent[i]);
        if (at > 0)
            cJSON_AddNumberToObject(item, "linearized_at", (double)at);
        else
            cJSON_AddNullToObject(item, "linearized_at");
        cJSON_AddItemToArray(concurrent, item);
    }
    return j;
}

cJSON *check_explain_json(const struct check_history *h, const struct check_result *r)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    cJSON_AddStringToObject(j, "history", h->name);
    cJSON_AddStringToObject(j, "verdict", check_verdict_name(r->verdict));
    cJSON_AddStringToObject(j, "model", r->model ? r->model->name : "?");
    if (r->verdict == CHECK_UNKNOWN)
        cJSON_AddStringToObject(j, "limit", check_limit_name(r->limit));
    cJSON_AddNumberToObject(j, "steps", (double)r->steps);
    cJSON *keys = cJSON_AddArrayToObject(j, "keys");
    for (size_t k = 0; k < r->n_keys; k++) {
        const struct check_key_result *key = &r->keys[k];
        cJSON *item = cJSON_CreateObject();
        if (key->key == CHECK_NO_STRING)
            cJSON_AddNullToObject(item, "key");
        else
            cJSON_AddStringToObject(item, "key", check_history_string(h, key->key));
        cJSON_AddStringToObject(item, "verdict", check_verdict_name(key->verdict));
        cJSON_AddNumberToObject(item, "ops", (double)key->ops);
        cJSON_AddNumberToObject(item, "failed", (double)key->failed);
        cJSON_AddNumberToObject(item, "pruned", (double)key->pruned);
        cJSON_AddNumberToObject(item, "steps", (double)key->steps);
        cJSON_AddItemToArray(keys, item);
    }
    if (r->explained_key != SIZE_MAX && r->blocked != CHECK_NEVER) {
        struct story s;
        cJSON *violation = story_open(&s, h, r) == 0 ? violation_json(&s) : NULL;
        story_close(&s);
        if (violation == NULL) {
            cJSON_Delete(j);
            return NULL;
        }
        cJSON_AddItemToObject(j, "explanation", violation);
    } else {
        cJSON_AddNullToObject(j, "explanation");
    }
    return j;
}
