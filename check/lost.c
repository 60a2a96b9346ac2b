/* lost.c - counts acknowledged appends that the final state does not hold
 * (see lost.h for the exact rule). Three passes over the history, each
 * keeping what it learns per key in a table indexed by the key's string
 * id: linear in the ops however many keys there are. */
#include "check/lost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/error.h"

struct key_state {
    uint32_t final_get;       /* 1 + op index of the key's final get; 0: none */
    uint32_t final_complete;  /* that get's completion position */
    uint32_t put_reach;       /* the latest position a put may overwrite (see below); 0: none */
};

/* The key's entry: ids are below the pool's count, and the unnamed key
 * (CHECK_NO_STRING) takes the entry after them. */
static struct key_state *entry_of(const struct check_history *h, struct key_state *keys,
                                  uint32_t key)
{
    return &keys[key == CHECK_NO_STRING ? h->strings.count : key];
}

int check_lost_writes(const struct check_history *h, struct check_lost *out, char *err,
                      size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->first_lost = CHECK_NEVER;
    /* One entry per string id, though most ids are values: calloc hands a
     * large table out as zero pages, and only the keys' entries are written. */
    struct key_state *keys = calloc((size_t)h->strings.count + 1, sizeof *keys);
    if (keys == NULL)
        return check_errorf(err, err_len, CHECK_ERR_NOMEM, "%s: out of memory for the key table",
                            h->name);
    int rc = 0;
    bool kv = false;
    /* 1: each key's final get, its ok get with the latest completion. */
    for (size_t i = 0; i < h->n_ops; i++) {
        const struct check_op *op = &h->ops[i];
        if (op->fn == CHECK_FN_READ || op->fn == CHECK_FN_WRITE || op->fn == CHECK_FN_CAS) {
            rc = check_errorf(err, err_len, CHECK_ERR_INPUT,
                              "%s: lost writes are measured on key-value histories (get, put, append), not on %s operations",
                              h->name, check_fn_name(op->fn));
            goto out;
        }
        kv |= op->fn != CHECK_FN_OTHER;
        if (op->fn != CHECK_FN_GET || op->outcome != CHECK_OK)
            continue;
        struct key_state *k = entry_of(h, keys, op->key);
        if (k->final_get == 0)
            out->keys_judged++;
        if (k->final_get == 0 || op->complete_pos > k->final_complete) {
            k->final_get = (uint32_t)i + 1;
            k->final_complete = op->complete_pos;
        }
    }
    if (!kv) {
        rc = check_errorf(err, err_len, CHECK_ERR_INPUT, "%s: no get, put or append operations",
                          h->name);
        goto out;
    }
    /* 2: a put that may have happened (not a fail), invoked before the
     * final get returned, can take effect at any point up to its
     * completion (any point at all, if open), so it may overwrite every
     * append invoked before that point. put_reach is the latest such
     * point (no completion is at position 0). */
    for (size_t i = 0; i < h->n_ops; i++) {
        const struct check_op *op = &h->ops[i];
        if (op->fn != CHECK_FN_PUT || op->outcome == CHECK_FAIL)
            continue;
        struct key_state *k = entry_of(h, keys, op->key);
        uint32_t until = check_op_is_open(op) ? CHECK_NEVER : op->complete_pos;
        if (k->final_get != 0 && op->invoke_pos < k->final_complete && until > k->put_reach)
            k->put_reach = until;
    }
    /* 3: judge the ok appends that completed before the final get began
     * and that no put may have overwritten. */
    for (size_t i = 0; i < h->n_ops; i++) {
        const struct check_op *op = &h->ops[i];
        if (op->fn != CHECK_FN_APPEND || op->outcome != CHECK_OK ||
            op->arg.kind != CHECK_VALUE_STRING)
            continue;
        const struct key_state *k = entry_of(h, keys, op->key);
        if (k->final_get == 0)
            continue;
        const struct check_op *final = &h->ops[k->final_get - 1];
        if (op->complete_pos >= final->invoke_pos || k->put_reach > op->invoke_pos)
            continue;
        out->appends_judged++;
        const char *state = final->result.kind == CHECK_VALUE_STRING
                                ? check_history_string(h, final->result.str)
                                : "";
        const char *token = check_history_string(h, op->arg.str);
        if (token && *token && !strstr(state, token)) {
            out->lost++;
            if (out->first_lost == CHECK_NEVER)
                out->first_lost = (uint32_t)i;
            if (out->n_lost_ops < CHECK_LOST_NAMED)
                out->lost_ops[out->n_lost_ops++] = (uint32_t)i;
        }
    }
out:
    free(keys);
    return rc;
}
