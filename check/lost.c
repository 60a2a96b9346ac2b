/* lost.c - counts acknowledged appends that the final state does not hold
 * (see lost.h for the exact rule). Linear in the history per key. */
#include "check/lost.h"

#include <stdio.h>
#include <string.h>

#include "check/error.h"

int check_lost_writes(const struct check_history *h, struct check_lost *out, char *err,
                      size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->first_lost = CHECK_NEVER;
    bool kv = false;
    for (size_t i = 0; i < h->n_ops; i++) {
        enum check_fn fn = h->ops[i].fn;
        if (fn == CHECK_FN_GET || fn == CHECK_FN_PUT || fn == CHECK_FN_APPEND)
            kv = true;
        else if (fn != CHECK_FN_OTHER) {
            snprintf(err, err_len, "%s: lost writes are measured on key-value histories (get, put, append), not on %s operations",
                     h->name, check_fn_name(fn));
            return CHECK_ERR_INPUT;
        }
    }
    if (!kv) {
        snprintf(err, err_len, "%s: no get, put or append operations", h->name);
        return CHECK_ERR_INPUT;
    }
    /* Ops are in invoke order. For each key: its final get, then a pass over
     * its appends from the last to the first, tracking whether a put was
     * invoked after the append. */
    for (size_t i = 0; i < h->n_ops; i++) {
        const struct check_op *first = &h->ops[i];
        /* handle each key once: at its first op */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = h->ops[j].key == first->key;
        if (seen)
            continue;
        const struct check_op *final = NULL;
        for (size_t j = i; j < h->n_ops; j++) {
            const struct check_op *op = &h->ops[j];
            if (op->key == first->key && op->fn == CHECK_FN_GET && op->outcome == CHECK_OK &&
                (!final || op->complete_pos > final->complete_pos))
                final = op;
        }
        if (!final)
            continue;
        out->keys_judged++;
        const char *state = final->result.kind == CHECK_VALUE_STRING
                                ? check_history_string(h, final->result.str)
                                : "";
        bool put_after = false;
        for (size_t j = h->n_ops; j-- > i;) {
            const struct check_op *op = &h->ops[j];
            if (op->key != first->key)
                continue;
            if (op->fn == CHECK_FN_PUT && op->outcome != CHECK_FAIL) {
                put_after = true;
                continue;
            }
            if (op->fn != CHECK_FN_APPEND || op->outcome != CHECK_OK || put_after ||
                op->complete_pos >= final->invoke_pos || op->arg.kind != CHECK_VALUE_STRING)
                continue;
            out->appends_judged++;
            const char *token = check_history_string(h, op->arg.str);
            if (token && *token && !strstr(state, token)) {
                out->lost++;
                if (out->first_lost == CHECK_NEVER || j < out->first_lost)
                    out->first_lost = (uint32_t)j;
            }
        }
    }
    return 0;
}
