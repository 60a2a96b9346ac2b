/* history.c - pairing invoke and completion events into operations, and the
 * small vocabulary (functions, types, values) every checker shares. */
#include "check/history.h"
#include "check/error.h"
#include "check/hash.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fn_names[] = {
    [CHECK_FN_READ] = "read", [CHECK_FN_WRITE] = "write", [CHECK_FN_CAS] = "cas",
    [CHECK_FN_GET] = "get",   [CHECK_FN_PUT] = "put",     [CHECK_FN_APPEND] = "append",
    [CHECK_FN_OTHER] = "other",
};

int check_history_init(struct check_history *h, const char *name)
{
    memset(h, 0, sizeof *h);
    check_strpool_init(&h->strings);
    h->has_time = true;
    const char *text = name ? name : "history";
    h->name = malloc(strlen(text) + 1);
    if (h->name == NULL)
        return CHECK_ERR_NOMEM;
    strcpy(h->name, text);
    return 0;
}

void check_history_close(struct check_history *h)
{
    free(h->name);
    free(h->ops);
    check_strpool_close(&h->strings);
    free(h->pending.processes);
    free(h->pending.open);
    free(h->pending.used);
    memset(h, 0, sizeof *h);
}

int check_history_intern(struct check_history *h, const char *s, size_t len, uint32_t *id)
{
    return check_strpool_intern(&h->strings, s, len, id);
}

const char *check_history_string(const struct check_history *h, uint32_t id)
{
    if (id == CHECK_NO_STRING)
        return NULL;
    return check_strpool_str(&h->strings, id, NULL);
}

/* Returns the slot of process (existing, or the empty one where it would
 * go). The map must have at least one empty slot. */
static size_t pending_slot(const struct check_pending_map *m, int64_t process)
{
    size_t mask = m->n_slots - 1;
    size_t i = (size_t)check_mix64((uint64_t)process) & mask;
    while (m->used[i] && m->processes[i] != process)
        i = (i + 1) & mask;
    return i;
}

static int pending_grow(struct check_pending_map *m)
{
    size_t n = m->n_slots ? m->n_slots * 2 : 16;
    struct check_pending_map bigger = {
        .processes = malloc(n * sizeof(int64_t)),
        .open = malloc(n * sizeof(uint32_t)),
        .used = calloc(n, sizeof(bool)),
        .n_slots = n,
        .count = m->count,
    };
    if (!bigger.processes || !bigger.open || !bigger.used) {
        free(bigger.processes);
        free(bigger.open);
        free(bigger.used);
        return CHECK_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->n_slots; i++) {
        if (!m->used[i])
            continue;
        size_t j = pending_slot(&bigger, m->processes[i]);
        bigger.used[j] = true;
        bigger.processes[j] = m->processes[i];
        bigger.open[j] = m->open[i];
    }
    free(m->processes);
    free(m->open);
    free(m->used);
    *m = bigger;
    return 0;
}

static uint32_t pending_open(const struct check_pending_map *m, int64_t process)
{
    if (m->n_slots == 0)
        return CHECK_NEVER;
    size_t i = pending_slot(m, process);
    return m->used[i] ? m->open[i] : CHECK_NEVER;
}

/* Sets the open op of process (CHECK_NEVER closes it). */
static int pending_set(struct check_pending_map *m, int64_t process, uint32_t op)
{
    if ((m->count + 1) * 2 > m->n_slots) {
        int rc = pending_grow(m);
        if (rc != 0)
            return rc;
    }
    size_t i = pending_slot(m, process);
    if (!m->used[i]) {
        m->used[i] = true;
        m->processes[i] = process;
        m->count++;
    }
    m->open[i] = op;
    return 0;
}

static const char *line_prefix(const struct check_history *h, uint32_t line,
                               char *out, size_t out_len)
{
    if (line > 0)
        snprintf(out, out_len, "%s:%" PRIu32, h->name, line);
    else
        snprintf(out, out_len, "%s: event %" PRIu32, h->name, h->n_events + 1);
    return out;
}

static int add_invoke(struct check_history *h, const struct check_event *ev,
                      char *err, size_t err_len)
{
    char where[512];
    uint32_t open = pending_open(&h->pending, ev->process);
    if (open != CHECK_NEVER) {
        const struct check_op *prev = &h->ops[open];
        return check_errorf(err, err_len, CHECK_ERR_INPUT,
                            "%s: expected a completion for process %" PRId64
                            " (its %s invoked on line %" PRIu32 " is still open), got another invoke",
                            line_prefix(h, ev->line, where, sizeof where), ev->process,
                            check_op_fn_name(h, prev), prev->invoke_line);
    }
    if (h->n_ops >= CHECK_NEVER - 1)
        return check_errorf(err, err_len, CHECK_ERR_INPUT, "%s: too many operations",
                            line_prefix(h, ev->line, where, sizeof where));
    if (h->n_ops == h->ops_cap) {
        size_t cap = h->ops_cap ? h->ops_cap * 2 : 256;
        struct check_op *ops = realloc(h->ops, cap * sizeof *ops);
        if (ops == NULL)
            return check_errorf(err, err_len, CHECK_ERR_NOMEM, "out of memory");
        h->ops = ops;
        h->ops_cap = cap;
    }
    if (pending_set(&h->pending, ev->process, (uint32_t)h->n_ops) != 0)
        return check_errorf(err, err_len, CHECK_ERR_NOMEM, "out of memory");
    h->ops[h->n_ops++] = (struct check_op){
        .process = ev->process,
        .fn = ev->fn,
        .f_name = ev->f_name,
        .outcome = CHECK_INVOKE,
        .key = ev->key,
        .arg = ev->value,
        .result = {.kind = CHECK_VALUE_ABSENT, .str = CHECK_NO_STRING},
        .error = CHECK_NO_STRING,
        .invoke_pos = h->n_events,
        .complete_pos = CHECK_NEVER,
        .invoke_line = ev->line,
        .complete_line = 0,
        .invoke_time = ev->time,
        .complete_time = CHECK_NO_TIME,
        .invoke_index = ev->index,
        .complete_index = CHECK_NO_INDEX,
    };
    return 0;
}

static int add_completion(struct check_history *h, const struct check_event *ev,
                          char *err, size_t err_len)
{
    char where[512];
    uint32_t open = pending_open(&h->pending, ev->process);
    if (open == CHECK_NEVER)
        return check_errorf(err, err_len, CHECK_ERR_INPUT,
                            "%s: expected an invoke before this %s of process %" PRId64
                            " (it has no open operation)",
                            line_prefix(h, ev->line, where, sizeof where),
                            check_type_name(ev->type), ev->process);
    struct check_op *op = &h->ops[open];
    if (ev->fn != op->fn || (ev->fn == CHECK_FN_OTHER && ev->f_name != op->f_name)) {
        const char *got = ev->fn == CHECK_FN_OTHER ? check_history_string(h, ev->f_name)
                                                   : fn_names[ev->fn];
        return check_errorf(err, err_len, CHECK_ERR_INPUT,
                            "%s: expected f \"%s\" as invoked on line %" PRIu32 ", got \"%s\"",
                            line_prefix(h, ev->line, where, sizeof where),
                            check_op_fn_name(h, op), op->invoke_line, got ? got : "?");
    }
    if (ev->key != CHECK_NO_STRING && ev->key != op->key)
        return check_errorf(err, err_len, CHECK_ERR_INPUT,
                            "%s: expected key %s%s%s as invoked on line %" PRIu32 ", got \"%s\"",
                            line_prefix(h, ev->line, where, sizeof where),
                            op->key == CHECK_NO_STRING ? "(none)" : "\"",
                            op->key == CHECK_NO_STRING ? "" : check_history_string(h, op->key),
                            op->key == CHECK_NO_STRING ? "" : "\"", op->invoke_line,
                            check_history_string(h, ev->key));
    if (pending_set(&h->pending, ev->process, CHECK_NEVER) != 0)
        return check_errorf(err, err_len, CHECK_ERR_NOMEM, "out of memory");
    op->outcome = ev->type;
    op->result = ev->value;
    op->error = ev->error;
    op->complete_pos = h->n_events;
    op->complete_line = ev->line;
    op->complete_time = ev->time;
    op->complete_index = ev->index;
    return 0;
}

int check_history_add(struct check_history *h, const struct check_event *ev,
                      char *err, size_t err_len)
{
    assert(h != NULL && ev != NULL);
    if (h->n_events >= CHECK_NEVER - 1)
        return check_errorf(err, err_len, CHECK_ERR_INPUT, "%s: too many events", h->name);
    int rc = ev->type == CHECK_INVOKE ? add_invoke(h, ev, err, err_len)
                                      : add_completion(h, ev, err, err_len);
    if (rc != 0)
        return rc;
    if (ev->time == CHECK_NO_TIME)
        h->has_time = false;
    h->n_events++;
    return 0;
}

bool check_op_is_open(const struct check_op *op)
{
    return op->outcome == CHECK_INFO || op->outcome == CHECK_INVOKE;
}

const char *check_op_fn_name(const struct check_history *h, const struct check_op *op)
{
    if (op->fn != CHECK_FN_OTHER)
        return fn_names[op->fn];
    const char *text = check_history_string(h, op->f_name);
    return text ? text : "?";
}

const char *check_type_name(enum check_type type)
{
    switch (type) {
    case CHECK_INVOKE: return "invoke";
    case CHECK_OK: return "ok";
    case CHECK_FAIL: return "fail";
    case CHECK_INFO: return "info";
    }
    return "?";
}

enum check_fn check_fn_parse(const char *s, size_t len)
{
    for (int fn = 0; fn < CHECK_FN_OTHER; fn++)
        if (strlen(fn_names[fn]) == len && memcmp(fn_names[fn], s, len) == 0)
            return (enum check_fn)fn;
    return CHECK_FN_OTHER;
}

const char *check_fn_name(enum check_fn fn)
{
    assert(fn >= CHECK_FN_READ && fn <= CHECK_FN_OTHER);
    return fn_names[fn];
}

int check_value_print(const struct check_history *h, const struct check_value *v,
                      struct check_buf *b)
{
    size_t len;
    const char *s;
    switch (v->kind) {
    case CHECK_VALUE_ABSENT:
        return check_buf_printf(b, "absent");
    case CHECK_VALUE_NULL:
        return check_buf_printf(b, "null");
    case CHECK_VALUE_INT:
        return check_buf_printf(b, "%" PRId64, v->i);
    case CHECK_VALUE_STRING:
        s = check_strpool_str(&h->strings, v->str, &len);
        return check_buf_quoted(b, s, len);
    case CHECK_VALUE_PAIR:
        check_buf_printf(b, "[");
        if (v->first_null)
            check_buf_printf(b, "null");
        else
            check_buf_printf(b, "%" PRId64, v->i);
        if (v->second_null)
            return check_buf_printf(b, " null]");
        return check_buf_printf(b, " %" PRId64 "]", v->j);
    case CHECK_VALUE_OTHER:
        s = check_strpool_str(&h->strings, v->str, &len);
        return check_buf_append(b, s, len);
    }
    return 0;
}

bool check_value_equal(const struct check_value *a, const struct check_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CHECK_VALUE_ABSENT:
    case CHECK_VALUE_NULL:
        return true;
    case CHECK_VALUE_INT:
        return a->i == b->i;
    case CHECK_VALUE_STRING:
    case CHECK_VALUE_OTHER:
        return a->str == b->str;
    case CHECK_VALUE_PAIR:
        return a->first_null == b->first_null && a->second_null == b->second_null &&
               (a->first_null || a->i == b->i) && (a->second_null || a->j == b->j);
    }
    return false;
}
