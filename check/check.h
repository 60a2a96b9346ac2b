/* check.h - public API of the history checkers: read a history, check it
 * for linearizability against a model, explain a violation, and measure
 * stale reads and session guarantees. This is what `faultline check` and
 * `faultline run` call. All structures are caller-allocated with _close
 * functions (libuv style); nothing here keeps a pointer it was lent. */
#ifndef FAULTLINE_CHECK_CHECK_H
#define FAULTLINE_CHECK_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "check/budget.h"
#include "check/consistency.h"
#include "check/error.h"
#include "check/history.h"
#include "check/history_read.h"
#include "check/linear.h"
#include "check/lost.h"
#include "check/model.h"

struct check_options {
    const struct check_model *model;  /* NULL: chosen by check_model_for_history */
    int64_t timeout_us;               /* wall-time budget; 0: none */
    size_t max_bytes;                 /* search memory budget; 0: none */
    uint64_t max_steps;               /* search step budget (deterministic); 0: none */
    uint64_t order_after_steps;       /* search steps on a key before the model's order
                                         constraints come in (model.h); 0: 1 000 + 8 per op */
};

/* The verdict for one key (the history's ops of one key form one object). */
struct check_key_result {
    uint32_t key;                /* string id in the history, or CHECK_NO_STRING */
    enum check_verdict verdict;
    size_t ops;                  /* ops of this key in the history */
    size_t failed;               /* fail ops left out (they did not happen) */
    size_t pruned;               /* open ops the model showed cannot matter */
    uint64_t steps;              /* search steps spent on this key */
    size_t configurations;       /* (set, state) pairs explored */
};

struct check_result {
    enum check_verdict verdict;        /* NOT if any key is; else UNKNOWN if any is; else LINEARIZABLE */
    const struct check_model *model;   /* the model used (static) */
    enum check_limit limit;            /* the budget that ran out, when UNKNOWN */
    struct check_key_result *keys;     /* in order of first appearance (owned) */
    size_t n_keys;
    /* The explanation, for the first key found not linearizable: */
    size_t explained_key;              /* index in keys, or SIZE_MAX when none */
    uint32_t *key_ops;                 /* that key's ops the search used (history indices, owned) */
    size_t n_key_ops;
    uint32_t *prefix;                  /* longest linearizable prefix found, in order (owned) */
    size_t prefix_len;
    uint32_t blocked;                  /* the op that cannot be placed after it */
    uint64_t steps;                    /* search steps in total */
    size_t peak_bytes;                 /* largest search memory of one key */
};

/* Checks h for linearizability, each key on its own (P-compositionality),
 * fail ops removed, open (info) ops free to take effect at any time after
 * their invoke or never. Fills *out, which the caller frees with
 * check_result_close. Returns 0 — the verdict is in out->verdict — or
 * CHECK_ERR_INPUT ("name:line: expected ...": an op the model does not
 * accept, or mixed models when opt->model is NULL) or CHECK_ERR_NOMEM, with
 * detail in err; out then holds nothing. opt may be NULL (no budgets,
 * model chosen from the ops). h is only borrowed. */
int check_linearizability(const struct check_history *h, const struct check_options *opt,
                          struct check_result *out, char *err, size_t err_len);

/* Frees what a result holds. Safe on a zeroed result. */
void check_result_close(struct check_result *r);

/* Returns "linearizable", "not-linearizable" or "unknown" (static). */
const char *check_verdict_name(enum check_verdict verdict);

/* Returns a report of r for a student, ending in a newline: the verdict and,
 * when not linearizable, the explanation (the ops linearized before the
 * violation with the state after each, the op that cannot be placed and
 * why, and the ops concurrent with it, with processes and times). The
 * caller frees it; NULL when out of memory. h must be the history r was
 * computed from. */
char *check_explain_text(const struct check_history *h, const struct check_result *r);

/* The same report as a cJSON object (layout in docs/checker.md), which the
 * caller frees with cJSON_Delete; NULL when out of memory. */
cJSON *check_explain_json(const struct check_history *h, const struct check_result *r);

/* Appends op as one line of text ("p3 write k1 5 ok, t=1200..1850us,
 * lines 1-2") to out. Returns 0 or CHECK_ERR_NOMEM. */
int check_op_describe(const struct check_history *h, const struct check_op *op,
                      struct check_buf *out);

/* Returns op as a cJSON object (process, f, key, value, type, invoke and
 * complete with line, index and time), or NULL when out of memory. */
cJSON *check_op_json(const struct check_history *h, const struct check_op *op);

#endif
