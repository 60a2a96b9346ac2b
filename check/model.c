/* model.c - the model registry, automatic model choice, and the one wrapper
 * per hook through which the checker calls a model. */
#include "check/model.h"
#include "check/error.h"
#include "check/hash.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

/* The registry: a NULL-terminated table, as Lua's linit.c. */
static const struct check_model *const models[] = {
    &check_model_register,
    &check_model_kv,
    NULL,
};

const struct check_model *check_model_find(const char *name)
{
    for (size_t i = 0; models[i] != NULL; i++)
        if (strcmp(models[i]->name, name) == 0)
            return models[i];
    return NULL;
}

const struct check_model *check_model_at(size_t i)
{
    return i < sizeof models / sizeof models[0] ? models[i] : NULL;
}

static bool is_register_fn(enum check_fn fn)
{
    return fn == CHECK_FN_READ || fn == CHECK_FN_WRITE || fn == CHECK_FN_CAS;
}

static bool is_kv_fn(enum check_fn fn)
{
    return fn == CHECK_FN_GET || fn == CHECK_FN_PUT || fn == CHECK_FN_APPEND;
}

const struct check_model *check_model_for_history(const struct check_history *h,
                                                  char *err, size_t err_len)
{
    const struct check_op *first_register = NULL, *first_kv = NULL;
    for (size_t i = 0; i < h->n_ops; i++) {
        const struct check_op *op = &h->ops[i];
        if (is_register_fn(op->fn)) {
            if (first_register == NULL)
                first_register = op;
        } else if (is_kv_fn(op->fn)) {
            if (first_kv == NULL)
                first_kv = op;
        } else {
            check_errorf(err, err_len, CHECK_ERR_INPUT,
                         "%s:%" PRIu32 ": expected a register operation (read, write, cas) or a "
                         "kv operation (get, put, append), got \"%s\"",
                         h->name, op->invoke_line, check_op_fn_name(h, op));
            return NULL;
        }
    }
    if (first_register != NULL && first_kv != NULL) {
        check_errorf(err, err_len, CHECK_ERR_INPUT,
                     "%s:%" PRIu32 ": expected only register operations (as on line %" PRIu32
                     "), got the kv operation \"%s\"; choose one model",
                     h->name, first_kv->invoke_line, first_register->invoke_line,
                     check_op_fn_name(h, first_kv));
        return NULL;
    }
    return first_kv != NULL ? &check_model_kv : &check_model_register;
}

int check_model_validate(const struct check_model *m, const struct check_history *h,
                         const struct check_op *op, char *err, size_t err_len)
{
    assert(m->version == CHECK_MODEL_VERSION && m->validate != NULL);
    char detail[512] = "";
    bool in_completion = false;
    int rc = m->validate(h, op, &in_completion, detail, sizeof detail);
    if (rc == 0)
        return 0;
    uint32_t line = in_completion && op->complete_line != 0 ? op->complete_line : op->invoke_line;
    return check_errorf(err, err_len, rc, "%s:%" PRIu32 ": %s", h->name, line, detail);
}

int check_model_init(const struct check_model *m, void *ctx, const struct check_history *h,
                     const uint32_t *ops, size_t n, void *state)
{
    assert(m->init != NULL);
    memset(state, 0, m->state_size);
    return m->init(ctx, h, ops, n, state);
}

bool check_model_doomed(const struct check_model *m, void *ctx, const void *state,
                        const struct check_op *op, uint32_t *unless)
{
    *unless = CHECK_NEVER;
    return m->doomed != NULL && m->doomed(ctx, state, op, unless);
}

int check_model_step(const struct check_model *m, void *ctx, const void *state,
                     const struct check_op *op, void *next)
{
    assert(state != next);
    return m->step(ctx, state, op, next);
}

bool check_model_equal(const struct check_model *m, const void *a, const void *b)
{
    if (m->equal != NULL)
        return m->equal(a, b);
    return memcmp(a, b, m->state_size) == 0;
}

uint64_t check_model_hash(const struct check_model *m, const void *state)
{
    if (m->hash != NULL)
        return m->hash(state);
    return check_hash_bytes(state, m->state_size);
}

int check_model_describe(const struct check_model *m, void *ctx, const void *state,
                         struct check_buf *out)
{
    assert(m->describe != NULL);
    return m->describe(ctx, state, out);
}

void check_model_prune(const struct check_model *m, const struct check_history *h,
                       const uint32_t *ops, size_t n, bool *drop)
{
    if (m->prune != NULL)
        m->prune(h, ops, n, drop);
}

bool check_model_needs_makes(const struct check_model *m, const struct check_op *op, bool *needs,
                             void *need, bool *makes, void *make)
{
    *needs = *makes = false;
    if (m->needs_makes == NULL)
        return false;
    memset(need, 0, m->state_size);
    memset(make, 0, m->state_size);
    m->needs_makes(op, needs, need, makes, make);
    return true;
}

bool check_model_read_only(const struct check_model *m, const struct check_op *op)
{
    return m->read_only != NULL && m->read_only(op);
}

int check_model_order(const struct check_model *m, void *ctx, const uint32_t **pairs,
                      size_t *n_pairs)
{
    *pairs = NULL;
    *n_pairs = 0;
    return m->order != NULL ? m->order(ctx, pairs, n_pairs) : 0;
}

void check_model_close(const struct check_model *m, void *ctx)
{
    if (m->close != NULL)
        m->close(ctx);
}
