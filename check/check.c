/* check.c - linearizability of a whole history: choose and validate the
 * model, split the ops by key (P-compositionality: a history is
 * linearizable iff each object's sub-history is; Herlihy & Wing 1990),
 * drop fail ops and the open ops the model proves irrelevant, and run the
 * search on each key under one shared budget. */
#include "check/check.h"
#include "check/partition.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *check_verdict_name(enum check_verdict verdict)
{
    switch (verdict) {
    case CHECK_LINEARIZABLE: return "linearizable";
    case CHECK_NOT_LINEARIZABLE: return "not-linearizable";
    case CHECK_UNKNOWN: return "unknown";
    }
    return "?";
}

void check_result_close(struct check_result *r)
{
    free(r->keys);
    free(r->key_ops);
    free(r->prefix);
    memset(r, 0, sizeof *r);
    r->explained_key = SIZE_MAX;
    r->blocked = CHECK_NEVER;
}

/* Keeps the ops of one key that the search must place: fail ops did not
 * happen; the model prunes open ops that cannot matter. Writes them into
 * kept (in order) and returns how many. */
static size_t select_ops(const struct check_model *m, const struct check_history *h,
                         const uint32_t *members, size_t n, uint32_t *kept, bool *drop,
                         struct check_key_result *key)
{
    size_t n_kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (h->ops[members[i]].outcome == CHECK_FAIL)
            key->failed++;
        else
            kept[n_kept++] = members[i];
    }
    memset(drop, 0, n_kept * sizeof *drop);
    check_model_prune(m, h, kept, n_kept, drop);
    size_t n_final = 0;
    for (size_t i = 0; i < n_kept; i++) {
        if (drop[i])
            key->pruned++;
        else
            kept[n_final++] = kept[i];
    }
    return n_final;
}

static int check_keys(const struct check_model *m, const struct check_history *h,
                      const struct check_partition *p, struct check_budget *budget,
                      uint64_t order_after, struct check_result *out)
{
    uint32_t *kept = malloc((h->n_ops ? h->n_ops : 1) * sizeof *kept);
    bool *drop = malloc((h->n_ops ? h->n_ops : 1) * sizeof *drop);
    if (kept == NULL || drop == NULL) {
        free(kept);
        free(drop);
        return CHECK_ERR_NOMEM;
    }
    int rc = 0;
    for (size_t k = 0; k < p->n_keys && rc == 0; k++) {
        struct check_key_result *key = &out->keys[k];
        const uint32_t *members = p->members + p->start[k];
        size_t n = p->start[k + 1] - p->start[k];
        key->key = p->key_of[k];
        key->ops = n;
        size_t n_kept = select_ops(m, h, members, n, kept, drop, key);
        struct check_linear_outcome outcome;
        rc = check_linear_search(m, h, kept, n_kept, budget, order_after, &outcome);
        if (rc != 0)
            break;
        key->verdict = outcome.verdict;
        key->steps = outcome.steps;
        key->configurations = outcome.configurations;
        out->steps += outcome.steps;
        if (outcome.peak_bytes > out->peak_bytes)
            out->peak_bytes = outcome.peak_bytes;
        if (outcome.verdict == CHECK_NOT_LINEARIZABLE && out->explained_key == SIZE_MAX) {
            out->explained_key = k;
            out->prefix = outcome.prefix;
            out->prefix_len = outcome.prefix_len;
            out->blocked = outcome.blocked;
            outcome.prefix = NULL;
            out->key_ops = malloc((n_kept ? n_kept : 1) * sizeof *out->key_ops);
            if (out->key_ops == NULL)
                rc = CHECK_ERR_NOMEM;
            else
                memcpy(out->key_ops, kept, n_kept * sizeof *kept);
            out->n_key_ops = n_kept;
        }
        check_linear_outcome_close(&outcome);
    }
    free(kept);
    free(drop);
    return rc;
}

int check_linearizability(const struct check_history *h, const struct check_options *opt,
                          struct check_result *out, char *err, size_t err_len)
{
    assert(h != NULL && out != NULL);
    struct check_options none = {0};
    if (opt == NULL)
        opt = &none;
    memset(out, 0, sizeof *out);
    out->explained_key = SIZE_MAX;
    out->blocked = CHECK_NEVER;
    const struct check_model *m = opt->model ? opt->model : check_model_for_history(h, err, err_len);
    if (m == NULL)
        return CHECK_ERR_INPUT;
    out->model = m;
    for (size_t i = 0; i < h->n_ops; i++) {
        int rc = check_model_validate(m, h, &h->ops[i], err, err_len);
        if (rc != 0)
            return rc;
    }
    struct check_partition p;
    if (check_partition_by_key(h, &p) != 0)
        return check_errorf(err, err_len, CHECK_ERR_NOMEM, "out of memory");
    out->keys = calloc(p.n_keys ? p.n_keys : 1, sizeof *out->keys);
    out->n_keys = p.n_keys;
    int rc = out->keys ? 0 : CHECK_ERR_NOMEM;
    struct check_budget budget;
    check_budget_start(&budget, opt->timeout_us, opt->max_bytes, opt->max_steps);
    if (rc == 0)
        rc = check_keys(m, h, &p, &budget, opt->order_after_steps, out);
    check_partition_close(&p);
    if (rc != 0) {
        check_result_close(out);
        return check_errorf(err, err_len, rc, "out of memory");
    }
    out->verdict = CHECK_LINEARIZABLE;
    for (size_t k = 0; k < out->n_keys; k++) {
        if (out->keys[k].verdict == CHECK_NOT_LINEARIZABLE)
            out->verdict = CHECK_NOT_LINEARIZABLE;
        else if (out->keys[k].verdict == CHECK_UNKNOWN && out->verdict == CHECK_LINEARIZABLE)
            out->verdict = CHECK_UNKNOWN;
    }
    if (out->verdict == CHECK_UNKNOWN)
        out->limit = budget.hit;
    return 0;
}
