/* model_register.c - the register model: one integer cell, initially null
 * (never written), with read, write and cas [expected new]. */
#include "check/model.h"
#include "check/error.h"
#include "check/hash.h"

#include <inttypes.h>
#include <stdlib.h>

struct register_state {
    int64_t value;
    int64_t is_null;  /* 1: never written (a full word, so states have no padding) */
};

static int validate(const struct check_history *h, const struct check_op *op,
                    bool *in_completion, char *err, size_t err_len)
{
    struct check_buf got;
    int rc = 0;
    check_buf_init(&got);
    switch (op->fn) {
    case CHECK_FN_READ:
        if (op->outcome == CHECK_OK && op->result.kind != CHECK_VALUE_INT &&
            op->result.kind != CHECK_VALUE_NULL) {
            check_value_print(h, &op->result, &got);
            *in_completion = true;
            rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                              "expected the value of an ok read to be an integer or null, got %s",
                              got.text);
        }
        break;
    case CHECK_FN_WRITE:
        if (op->arg.kind != CHECK_VALUE_INT) {
            check_value_print(h, &op->arg, &got);
            rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                              "expected the value of a write to be an integer, got %s", got.text);
        }
        break;
    case CHECK_FN_CAS:
        if (op->arg.kind != CHECK_VALUE_PAIR || op->arg.second_null) {
            check_value_print(h, &op->arg, &got);
            rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                              "expected the value of a cas to be [expected new] with new an "
                              "integer (expected may be null), got %s", got.text);
        }
        break;
    default:
        rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                          "expected a register operation (read, write, cas), got \"%s\"",
                          check_op_fn_name(h, op));
        break;
    }
    if (got.failed)
        rc = CHECK_ERR_NOMEM;
    check_buf_close(&got);
    return rc;
}

static int init(void *ctx, const struct check_history *h, const uint32_t *ops, size_t n,
                void *state)
{
    (void)ctx;
    (void)h;
    (void)ops;
    (void)n;
    struct register_state *s = state;
    s->value = 0;
    s->is_null = 1;
    return 0;
}

static bool holds(const struct register_state *s, bool want_null, int64_t want)
{
    return want_null ? s->is_null != 0 : (s->is_null == 0 && s->value == want);
}

static int step(void *ctx, const void *state, const struct check_op *op, void *next)
{
    (void)ctx;
    const struct register_state *s = state;
    struct register_state *n = next;
    bool open = check_op_is_open(op);
    *n = *s;
    switch (op->fn) {
    case CHECK_FN_READ:
        return open || holds(s, op->result.kind == CHECK_VALUE_NULL, op->result.i);
    case CHECK_FN_WRITE:
        n->value = op->arg.i;
        n->is_null = 0;
        return 1;
    case CHECK_FN_CAS: {
        bool match = holds(s, op->arg.first_null, op->arg.i);
        if (match) {
            n->value = op->arg.j;
            n->is_null = 0;
        }
        return open || match;
    }
    default:
        return 0; /* validate keeps other functions out */
    }
}

static bool equal(const void *a, const void *b)
{
    const struct register_state *x = a, *y = b;
    return x->is_null == y->is_null && (x->is_null || x->value == y->value);
}

static uint64_t hash(const void *state)
{
    const struct register_state *s = state;
    return s->is_null ? 0x6e756c6cULL : check_mix64((uint64_t)s->value);
}

static int describe(void *ctx, const void *state, struct check_buf *out)
{
    (void)ctx;
    const struct register_state *s = state;
    if (s->is_null)
        return check_buf_printf(out, "null");
    return check_buf_printf(out, "%" PRId64, s->value);
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Values some op observes: returned by an ok read, or expected by a cas. */
struct observed {
    int64_t *values;
    size_t n;
};

static bool was_observed(const struct observed *seen, int64_t value)
{
    return seen->values != NULL &&
           bsearch(&value, seen->values, seen->n, sizeof value, compare_int64) != NULL;
}

/* Drops open reads (no effect, any result), and open writes and open cas
 * whose new value nothing observes: such an op can always be moved to the
 * end of a linearization, which is the same as leaving it out. When no ok
 * read returns v and no cas expects v, the ops after a write of v up to the
 * next write all ignore the state (open cas that do not match v), so
 * removing the write and moving those cas to the end keeps every step legal. */
static void prune(const struct check_history *h, const uint32_t *ops, size_t n, bool *drop)
{
    struct observed seen = {.values = malloc((n ? n : 1) * sizeof(int64_t))};
    for (size_t i = 0; i < n; i++) {
        const struct check_op *op = &h->ops[ops[i]];
        if (op->fn == CHECK_FN_READ && op->outcome == CHECK_OK) {
            if (op->result.kind == CHECK_VALUE_INT && seen.values != NULL)
                seen.values[seen.n++] = op->result.i;
        } else if (op->fn == CHECK_FN_CAS && !op->arg.first_null && seen.values != NULL) {
            seen.values[seen.n++] = op->arg.i;
        }
    }
    if (seen.values != NULL)
        qsort(seen.values, seen.n, sizeof(int64_t), compare_int64);
    for (size_t i = 0; i < n; i++) {
        const struct check_op *op = &h->ops[ops[i]];
        if (!check_op_is_open(op))
            continue;
        if (op->fn == CHECK_FN_READ)
            drop[i] = true;
        else if (seen.values != NULL && op->fn == CHECK_FN_WRITE)
            drop[i] = !was_observed(&seen, op->arg.i);
        else if (seen.values != NULL && op->fn == CHECK_FN_CAS)
            drop[i] = !was_observed(&seen, op->arg.j);
    }
    free(seen.values); /* without memory we simply prune less */
}

/* A read needs its value; a cas needs its expected value (when it is known
 * to have matched) and makes its new one; a write makes its value. */
static void needs_makes(const struct check_op *op, bool *needs, void *need, bool *makes,
                        void *make)
{
    struct register_state *n = need, *m = make;
    switch (op->fn) {
    case CHECK_FN_READ:
        *needs = op->outcome == CHECK_OK;
        n->is_null = op->result.kind == CHECK_VALUE_NULL;
        n->value = n->is_null ? 0 : op->result.i;
        break;
    case CHECK_FN_WRITE:
        *makes = true;
        m->value = op->arg.i;
        break;
    case CHECK_FN_CAS:
        *needs = op->outcome == CHECK_OK;
        n->is_null = op->arg.first_null;
        n->value = n->is_null ? 0 : op->arg.i;
        *makes = true;
        m->value = op->arg.j;
        break;
    default:
        break;
    }
}

static bool read_only(const struct check_op *op)
{
    return op->fn == CHECK_FN_READ;
}

const struct check_model check_model_register = {
    .version = CHECK_MODEL_VERSION,
    .name = "register",
    .summary = "one integer cell per key, initially null: read, write, cas [expected new]",
    .state_size = sizeof(struct register_state),
    .context_size = 0,
    .validate = validate,
    .init = init,
    .step = step,
    .equal = equal,
    .hash = hash,
    .describe = describe,
    .prune = prune,
    .needs_makes = needs_makes,
    .doomed = NULL, /* needs_makes covers the register */
    .read_only = read_only,
    .close = NULL,
};
