/* model_kv.c - the kv model: one key's string value, initially absent
 * (null), with get, put and append (exact string concatenation). States are
 * ids of interned strings, so comparing and hashing a state is O(1) however
 * long the value grows; appends are cached per (state, op).
 *
 * An absent key and the empty string are one value, as in Porcupine's and
 * Jepsen's kv tests (a key never written reads as ""): a get may return
 * null or "" for it, and the empty string is always the state ABSENT, so
 * memoisation sees one state.
 *
 * The order hook hands the search the pairs of ops that the gets' strings
 * order (kv_order.h), found on its first call.
 *
 * A value that is no prefix of any string an ok get of the key returned is
 * "tainted": no get can follow it until a put, and appends keep it tainted,
 * so all tainted values behave alike and equal() treats them as one state.
 * That folds the many orders of appends that a later put erases unseen. */
#include "check/model.h"
#include "check/error.h"
#include "check/hash.h"
#include "check/kv_order.h"
#include "check/strpool.h"

#include <stdlib.h>
#include <string.h>

#define ABSENT UINT64_MAX       /* state of a key never written */
#define NOT_YET UINT32_MAX      /* op string not interned yet */
#define EMPTY_SLOT UINT64_MAX   /* free slot of the append cache */
#define NONE CHECK_NEVER        /* no put can restart a get's value */
#define MANY (CHECK_NEVER - 1)  /* several puts could */

struct kv_state {
    uint64_t id;       /* id in kv_ctx.values, or ABSENT */
    uint64_t tainted;  /* 1: no get's string starts with this value */
};

struct get_string {    /* a string some ok get returned */
    const char *text;
    size_t len;
};

struct append_slot {
    uint64_t key;   /* state id << 32 | op index, or EMPTY_SLOT */
    uint32_t next;  /* resulting state id */
};

struct kv_ctx {
    const struct check_history *h;
    struct check_strpool values;  /* every value a state or an op holds */
    uint32_t *op_string;          /* per history op of this key: id in values, or NOT_YET */
    uint32_t *restart;            /* per history op (gets): the one put invoked before the
                                     get returned whose value the get's string starts with;
                                     NONE if no put, MANY if several */
    struct append_slot *cache;
    size_t cache_slots, cache_count;
    struct check_buf scratch;
    struct get_string *gets;      /* distinct ok get strings of the key, sorted */
    size_t n_gets;
    uint8_t *taint;               /* per id in values: 0 unknown, 1 clean, 2 tainted */
    size_t taint_cap;
    const uint32_t *ops;          /* the key's ops, as init got them */
    size_t n_ops;
    bool ordered;                 /* order below found (on the search's first ask) */
    uint32_t *order;              /* pairs of op indices the gets' strings order (kv_order.h) */
    size_t n_order;
};

static int validate(const struct check_history *h, const struct check_op *op,
                    bool *in_completion, char *err, size_t err_len)
{
    struct check_buf got;
    int rc = 0;
    check_buf_init(&got);
    switch (op->fn) {
    case CHECK_FN_GET:
        if (op->outcome == CHECK_OK && op->result.kind != CHECK_VALUE_STRING &&
            op->result.kind != CHECK_VALUE_NULL) {
            check_value_print(h, &op->result, &got);
            *in_completion = true;
            rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                              "expected the value of an ok get to be a string or null, got %s",
                              got.text);
        }
        break;
    case CHECK_FN_PUT:
    case CHECK_FN_APPEND:
        if (op->arg.kind != CHECK_VALUE_STRING) {
            check_value_print(h, &op->arg, &got);
            rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                              "expected the value of %s to be a string, got %s",
                              op->fn == CHECK_FN_PUT ? "a put" : "an append", got.text);
        }
        break;
    default:
        rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                          "expected a kv operation (get, put, append), got \"%s\"",
                          check_op_fn_name(h, op));
        break;
    }
    if (got.failed)
        rc = CHECK_ERR_NOMEM;
    check_buf_close(&got);
    return rc;
}

static bool starts_with(const char *s, size_t s_len, const char *prefix, size_t prefix_len)
{
    return prefix_len <= s_len && memcmp(s, prefix, prefix_len) == 0;
}

/* The string an ok get returned, with null as "" (the same value). */
static const char *got_string(const struct check_history *h, const struct check_op *get,
                              size_t *len)
{
    if (get->result.kind == CHECK_VALUE_NULL) {
        *len = 0;
        return "";
    }
    return check_strpool_str(&h->strings, get->result.str, len);
}

/* For each ok get of ops[], the put among ops[] (invoked before the get
 * returned) whose value the get's string starts with: NONE or MANY. */
static void find_restarts(struct kv_ctx *ctx, const uint32_t *ops, size_t n)
{
    const struct check_history *h = ctx->h;
    for (size_t i = 0; i < n; i++) {
        const struct check_op *get = &h->ops[ops[i]];
        if (get->fn != CHECK_FN_GET || get->outcome != CHECK_OK)
            continue;
        size_t len;
        const char *s = got_string(h, get, &len);
        uint32_t *restart = &ctx->restart[ops[i]];
        for (size_t j = 0; j < n && *restart != MANY; j++) {
            const struct check_op *put = &h->ops[ops[j]];
            if (put->fn != CHECK_FN_PUT || put->outcome == CHECK_FAIL ||
                put->invoke_pos > get->complete_pos)
                continue;
            size_t put_len;
            const char *u = check_strpool_str(&h->strings, put->arg.str, &put_len);
            if (starts_with(s, len, u, put_len))
                *restart = *restart == NONE ? ops[j] : MANY;
        }
    }
}

static int compare_strings(const void *a, const void *b)
{
    const struct get_string *x = a, *y = b;
    size_t len = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, len);
    if (c != 0)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

static int collect_gets(struct kv_ctx *ctx, const uint32_t *ops, size_t n)
{
    ctx->gets = malloc((n ? n : 1) * sizeof *ctx->gets);
    if (ctx->gets == NULL)
        return CHECK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct check_op *op = &ctx->h->ops[ops[i]];
        if (op->fn == CHECK_FN_GET && op->outcome == CHECK_OK &&
            op->result.kind == CHECK_VALUE_STRING) {
            struct get_string *g = &ctx->gets[ctx->n_gets++];
            g->text = check_strpool_str(&ctx->h->strings, op->result.str, &g->len);
        }
    }
    if (ctx->n_gets > 1)
        qsort(ctx->gets, ctx->n_gets, sizeof *ctx->gets, compare_strings);
    return 0;
}

/* True when some get string starts with the len bytes at s: in sorted
 * order, the first string not below s is one if any is. */
static bool prefix_of_a_get(const struct kv_ctx *ctx, const char *s, size_t len)
{
    struct get_string key = {s, len};
    size_t lo = 0, hi = ctx->n_gets;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (compare_strings(&ctx->gets[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ctx->n_gets && ctx->gets[lo].len >= len && memcmp(ctx->gets[lo].text, s, len) == 0;
}

/* Whether value id is tainted (computed once per id). */
static int tainted(struct kv_ctx *ctx, uint64_t id, uint64_t *out)
{
    if (id == ABSENT) {
        *out = 0;
        return 0;
    }
    if (id >= ctx->taint_cap) {
        size_t cap = ctx->taint_cap ? ctx->taint_cap : 256;
        while (cap <= id)
            cap *= 2;
        uint8_t *bigger = realloc(ctx->taint, cap);
        if (bigger == NULL)
            return CHECK_ERR_NOMEM;
        memset(bigger + ctx->taint_cap, 0, cap - ctx->taint_cap);
        ctx->taint = bigger;
        ctx->taint_cap = cap;
    }
    if (ctx->taint[id] == 0) {
        size_t len;
        const char *text = check_strpool_str(&ctx->values, (uint32_t)id, &len);
        ctx->taint[id] = prefix_of_a_get(ctx, text, len) ? 1 : 2;
    }
    *out = ctx->taint[id] == 2;
    return 0;
}

static int init(void *ctx_memory, const struct check_history *h, const uint32_t *ops, size_t n,
                void *state)
{
    struct kv_ctx *ctx = ctx_memory;
    ctx->h = h;
    ctx->ops = ops;
    ctx->n_ops = n;
    check_strpool_init(&ctx->values);
    check_buf_init(&ctx->scratch);
    ((struct kv_state *)state)->id = ABSENT;
    ctx->op_string = malloc((h->n_ops ? h->n_ops : 1) * sizeof(uint32_t));
    ctx->restart = malloc((h->n_ops ? h->n_ops : 1) * sizeof(uint32_t));
    if (ctx->op_string == NULL || ctx->restart == NULL)
        return CHECK_ERR_NOMEM;
    /* Indexed by history op, but only this key's ops are ever read: set
     * just those, so that checking k keys costs O(ops), not O(k * ops). */
    for (size_t i = 0; i < n; i++) {
        ctx->op_string[ops[i]] = NOT_YET;
        ctx->restart[ops[i]] = NONE;
    }
    find_restarts(ctx, ops, n);
    return collect_gets(ctx, ops, n);
}

/* A get whose string does not start with the current value can only be
 * met after a put restarts the value (appends only add at the end, and
 * only a put of "" makes a key absent again). */
static bool doomed(void *ctx_memory, const void *state, const struct check_op *op,
                   uint32_t *unless)
{
    struct kv_ctx *ctx = ctx_memory;
    const struct kv_state *s = state;
    if (op->fn != CHECK_FN_GET || op->outcome != CHECK_OK || s->id == ABSENT)
        return false;
    size_t got_len, now_len;
    const char *got = got_string(ctx->h, op, &got_len);
    const char *now = check_strpool_str(&ctx->values, (uint32_t)s->id, &now_len);
    if (starts_with(got, got_len, now, now_len))
        return false;
    uint32_t restart = ctx->restart[op - ctx->h->ops];
    if (restart == MANY)
        return false;
    *unless = restart;
    return true;
}

static void close_ctx(void *ctx_memory)
{
    struct kv_ctx *ctx = ctx_memory;
    check_strpool_close(&ctx->values);
    check_buf_close(&ctx->scratch);
    free(ctx->op_string);
    free(ctx->restart);
    free(ctx->cache);
    free(ctx->gets);
    free(ctx->taint);
    free(ctx->order);
}

/* The id in ctx->values of the string op carries (its argument for put and
 * append, its result for get), interned on first use. */
static int op_string(struct kv_ctx *ctx, const struct check_op *op, uint32_t *id)
{
    size_t index = (size_t)(op - ctx->h->ops);
    if (ctx->op_string[index] != NOT_YET) {
        *id = ctx->op_string[index];
        return 0;
    }
    const struct check_value *v = op->fn == CHECK_FN_GET ? &op->result : &op->arg;
    size_t len;
    const char *text = check_strpool_str(&ctx->h->strings, v->str, &len);
    int rc = check_strpool_intern(&ctx->values, text, len, id);
    if (rc == 0)
        ctx->op_string[index] = *id;
    return rc;
}

static int cache_grow(struct kv_ctx *ctx)
{
    size_t n = ctx->cache_slots ? ctx->cache_slots * 2 : 1024;
    struct append_slot *slots = malloc(n * sizeof *slots);
    if (slots == NULL)
        return CHECK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        slots[i].key = EMPTY_SLOT;
    for (size_t i = 0; i < ctx->cache_slots; i++) {
        if (ctx->cache[i].key == EMPTY_SLOT)
            continue;
        size_t j = (size_t)check_mix64(ctx->cache[i].key) & (n - 1);
        while (slots[j].key != EMPTY_SLOT)
            j = (j + 1) & (n - 1);
        slots[j] = ctx->cache[i];
    }
    free(ctx->cache);
    ctx->cache = slots;
    ctx->cache_slots = n;
    return 0;
}

/* The state holding value id: ABSENT for the empty string. */
static uint64_t state_of(const struct kv_ctx *ctx, uint32_t id)
{
    size_t len;
    check_strpool_str(&ctx->values, id, &len);
    return len == 0 ? ABSENT : id;
}

/* Computes the state after appending op's string to state id `from`. */
static int append(struct kv_ctx *ctx, uint64_t from, const struct check_op *op, uint64_t *to)
{
    uint32_t token;
    int rc = op_string(ctx, op, &token);
    if (rc != 0)
        return rc;
    if (from == ABSENT) {
        *to = state_of(ctx, token);
        return 0;
    }
    if ((ctx->cache_count + 1) * 2 > ctx->cache_slots && (rc = cache_grow(ctx)) != 0)
        return rc;
    uint64_t key = from << 32 | (uint64_t)(op - ctx->h->ops);
    size_t mask = ctx->cache_slots - 1;
    size_t i = (size_t)check_mix64(key) & mask;
    while (ctx->cache[i].key != EMPTY_SLOT) {
        if (ctx->cache[i].key == key) {
            *to = ctx->cache[i].next;
            return 0;
        }
        i = (i + 1) & mask;
    }
    /* Copy before interning: interning may move the pool's bytes. */
    size_t base_len, token_len;
    const char *base = check_strpool_str(&ctx->values, (uint32_t)from, &base_len);
    ctx->scratch.len = 0;
    check_buf_append(&ctx->scratch, base, base_len);
    const char *tail = check_strpool_str(&ctx->values, token, &token_len);
    check_buf_append(&ctx->scratch, tail, token_len);
    if (ctx->scratch.failed)
        return CHECK_ERR_NOMEM;
    uint32_t id;
    if ((rc = check_strpool_intern(&ctx->values, ctx->scratch.text, ctx->scratch.len, &id)) != 0)
        return rc;
    ctx->cache[i].key = key;
    ctx->cache[i].next = id;
    ctx->cache_count++;
    *to = id;
    return 0;
}

static int step(void *ctx_memory, const void *state, const struct check_op *op, void *next)
{
    struct kv_ctx *ctx = ctx_memory;
    const struct kv_state *s = state;
    struct kv_state *n = next;
    uint32_t id;
    int rc;
    *n = *s;
    switch (op->fn) {
    case CHECK_FN_GET:
        if (check_op_is_open(op))
            return 1;
        if (op->result.kind == CHECK_VALUE_NULL)
            return s->id == ABSENT;
        if ((rc = op_string(ctx, op, &id)) != 0)
            return rc;
        return s->id == state_of(ctx, id);
    case CHECK_FN_PUT:
        if ((rc = op_string(ctx, op, &id)) != 0)
            return rc;
        n->id = state_of(ctx, id);
        return tainted(ctx, n->id, &n->tainted) == 0 ? 1 : CHECK_ERR_NOMEM;
    case CHECK_FN_APPEND:
        if ((rc = append(ctx, s->id, op, &n->id)) != 0)
            return rc;
        return tainted(ctx, n->id, &n->tainted) == 0 ? 1 : CHECK_ERR_NOMEM;
    default:
        return 0; /* validate keeps other functions out */
    }
}

static bool equal(const void *a, const void *b)
{
    const struct kv_state *x = a, *y = b;
    return x->tainted == y->tainted && (x->tainted || x->id == y->id);
}

static uint64_t hash(const void *state)
{
    const struct kv_state *s = state;
    return s->tainted ? 0x7461696e74ULL : check_mix64(s->id);
}

static int describe(void *ctx_memory, const void *state, struct check_buf *out)
{
    struct kv_ctx *ctx = ctx_memory;
    const struct kv_state *s = state;
    if (s->id == ABSENT)
        return check_buf_printf(out, "null");
    size_t len;
    const char *text = check_strpool_str(&ctx->values, (uint32_t)s->id, &len);
    return check_buf_quoted(out, text, len);
}

static bool contains(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len > hay_len)
        return false;
    for (size_t i = 0; i + needle_len <= hay_len; i++)
        if (memcmp(hay + i, needle, needle_len) == 0)
            return true;
    return false;
}

static int compare_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Drops open gets (no effect, any result); open appends whose string no ok
 * get contains, and open puts whose string no ok get starts with (a null
 * get's string is ""). Such a write is never followed by a get before the
 * next put (that get would show it), so leaving it out changes no get's
 * legality. */
static void prune(const struct check_history *h, const uint32_t *ops, size_t n, bool *drop)
{
    uint32_t *seen = malloc((n ? n : 1) * sizeof *seen);
    size_t n_seen = 0;
    bool null_seen = false;
    for (size_t i = 0; i < n && seen != NULL; i++) {
        const struct check_op *op = &h->ops[ops[i]];
        if (op->fn == CHECK_FN_GET && op->outcome == CHECK_OK &&
            op->result.kind == CHECK_VALUE_STRING)
            seen[n_seen++] = op->result.str;
        null_seen |= op->fn == CHECK_FN_GET && op->outcome == CHECK_OK &&
                     op->result.kind == CHECK_VALUE_NULL;
    }
    if (seen != NULL && n_seen > 1) {
        /* Distinct strings only: many gets return the same value. */
        qsort(seen, n_seen, sizeof *seen, compare_id);
        size_t distinct = 1;
        for (size_t i = 1; i < n_seen; i++)
            if (seen[i] != seen[distinct - 1])
                seen[distinct++] = seen[i];
        n_seen = distinct;
    }
    for (size_t i = 0; i < n; i++) {
        const struct check_op *op = &h->ops[ops[i]];
        if (!check_op_is_open(op))
            continue;
        if (op->fn == CHECK_FN_GET) {
            drop[i] = true;
            continue;
        }
        if (seen == NULL || (op->fn != CHECK_FN_PUT && op->fn != CHECK_FN_APPEND))
            continue;
        size_t len;
        const char *text = check_strpool_str(&h->strings, op->arg.str, &len);
        bool observed = op->fn == CHECK_FN_PUT && len == 0 && null_seen;
        for (size_t j = 0; j < n_seen && !observed; j++) {
            size_t got_len;
            const char *got = check_strpool_str(&h->strings, seen[j], &got_len);
            observed = op->fn == CHECK_FN_PUT
                           ? got_len >= len && memcmp(got, text, len) == 0
                           : contains(got, got_len, text, len);
        }
        drop[i] = !observed;
    }
    free(seen); /* without memory we simply prune less */
}

static bool read_only(const struct check_op *op)
{
    return op->fn == CHECK_FN_GET;
}

static int order(void *ctx_memory, const uint32_t **pairs, size_t *n_pairs)
{
    struct kv_ctx *ctx = ctx_memory;
    int rc = 0;
    if (!ctx->ordered)
        rc = check_kv_order_find(ctx->h, ctx->ops, ctx->n_ops, &ctx->order, &ctx->n_order);
    ctx->ordered = rc == 0;
    *pairs = ctx->order;
    *n_pairs = ctx->n_order;
    return rc;
}

const struct check_model check_model_kv = {
    .version = CHECK_MODEL_VERSION,
    .name = "kv",
    .summary = "one string value per key, initially null (the same as \"\"): get, put, append",
    .state_size = sizeof(struct kv_state),
    .context_size = sizeof(struct kv_ctx),
    .validate = validate,
    .init = init,
    .step = step,
    .equal = equal,
    .hash = hash,
    .describe = describe,
    .prune = prune,
    .needs_makes = NULL, /* an append leaves a state that depends on the one before */
    .doomed = doomed,
    .read_only = read_only,
    .order = order,
    .close = close_ctx,
};
