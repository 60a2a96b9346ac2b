/* linear.c - linearizability search for one key (Wing & Gong 1993; Lowe
 * 2017 §3-4; the entry-list layout of Porcupine, Athalye 2017).
 *
 * Each op has a call entry and a return entry, in one doubly linked list in
 * history order (an open op's return is at infinity: after everything).
 * Scanning from the front, a call entry whose op is legal in the current
 * state is linearized: its op is applied, its two entries are lifted out of
 * the list, and the scan restarts from the front. Meeting a return entry
 * means that op had to take effect by now and could not: backtrack, putting
 * the last linearized op back and trying the next entry after it. The list
 * empties exactly when a linearization exists. Each (linearized set, state)
 * is explored once: the memo cuts every repeat, which is what makes the
 * search fast in practice. */
#include "check/linear.h"
#include "check/error.h"
#include "check/hash.h"
#include "check/memo.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct search {
    const struct check_model *model;
    const struct check_history *h;
    const uint32_t *ops;     /* history index of local op k */
    size_t n;
    void *ctx;               /* the model's scratch */
    bool ctx_ready;          /* init ran, so close must */
    uint32_t *next, *prev;   /* the entry list; entry 2k calls op k, 2k+1 returns; 2n is the head */
    uint64_t *zobrist;       /* random key per op: a set's hash is the XOR of its keys */
    uint64_t *bits;          /* the linearized set */
    size_t words;
    uint32_t *stack;         /* call entries linearized, in order */
    unsigned char *states;   /* states[d]: the state after d linearized ops */
    struct check_memo memo;
};

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void *state_at(const struct search *s, size_t depth)
{
    return s->states + depth * s->model->state_size;
}

/* Builds the entry list in history order. */
static int build_entries(struct search *s)
{
    size_t n = s->n;
    uint64_t *order = malloc((n ? 2 * n : 1) * sizeof *order);
    if (order == NULL)
        return CHECK_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        const struct check_op *op = &s->h->ops[s->ops[k]];
        uint64_t return_pos = op->outcome == CHECK_OK ? op->complete_pos : CHECK_NEVER;
        order[2 * k] = (uint64_t)op->invoke_pos << 32 | (2 * k);
        order[2 * k + 1] = return_pos << 32 | (2 * k + 1);
    }
    qsort(order, 2 * n, sizeof *order, compare_u64);
    uint32_t head = (uint32_t)(2 * n), last = head;
    for (size_t i = 0; i < 2 * n; i++) {
        uint32_t entry = (uint32_t)order[i];
        s->next[last] = entry;
        s->prev[entry] = last;
        last = entry;
    }
    s->next[last] = head;
    s->prev[head] = last;
    free(order);
    return 0;
}

/* Takes call entry e and its return out of the list (Knuth's dancing links:
 * the removed entries keep their own links, so lift/unlift in LIFO order
 * restore the list exactly). */
static void lift(struct search *s, uint32_t e)
{
    uint32_t r = e | 1;
    s->next[s->prev[e]] = s->next[e];
    s->prev[s->next[e]] = s->prev[e];
    s->next[s->prev[r]] = s->next[r];
    s->prev[s->next[r]] = s->prev[r];
}

static void unlift(struct search *s, uint32_t e)
{
    uint32_t r = e | 1;
    s->next[s->prev[r]] = r;
    s->prev[s->next[r]] = r;
    s->next[s->prev[e]] = e;
    s->prev[s->next[e]] = e;
}

static void search_close(struct search *s)
{
    if (s->ctx_ready)
        check_model_close(s->model, s->ctx);
    free(s->ctx);
    free(s->next);
    free(s->prev);
    free(s->zobrist);
    free(s->bits);
    free(s->stack);
    free(s->states);
    check_memo_close(&s->memo);
}

static int search_open(struct search *s)
{
    size_t n = s->n;
    s->words = n / 64 + 1;
    s->ctx = calloc(1, s->model->context_size ? s->model->context_size : 1);
    s->next = malloc((2 * n + 1) * sizeof *s->next);
    s->prev = malloc((2 * n + 1) * sizeof *s->prev);
    s->zobrist = malloc((n ? n : 1) * sizeof *s->zobrist);
    s->bits = calloc(s->words, sizeof *s->bits);
    s->stack = malloc((n ? n : 1) * sizeof *s->stack);
    s->states = calloc(n + 2, s->model->state_size);
    if (!s->ctx || !s->next || !s->prev || !s->zobrist || !s->bits || !s->stack || !s->states)
        return CHECK_ERR_NOMEM;
    s->ctx_ready = true;
    int rc = check_model_init(s->model, s->ctx, s->h, state_at(s, 0));
    if (rc != 0)
        return rc;
    if ((rc = check_memo_init(&s->memo, s->words, s->model)) != 0)
        return rc;
    /* Fixed seed: the same history is searched the same way every run. */
    uint64_t seed = 0x66617574ULL;
    for (size_t k = 0; k < n; k++)
        s->zobrist[k] = check_splitmix64(&seed);
    return build_entries(s);
}

static void record_deepest(const struct search *s, size_t depth, uint32_t blocked_entry,
                           struct check_linear_outcome *out)
{
    for (size_t d = 0; d < depth; d++)
        out->prefix[d] = s->ops[s->stack[d] >> 1];
    out->prefix_len = depth;
    out->blocked = s->ops[blocked_entry >> 1];
}

/* The search loop; returns 0 with out->verdict set, or an error. */
static int run(struct search *s, struct check_budget *budget, struct check_linear_outcome *out)
{
    const uint32_t head = (uint32_t)(2 * s->n);
    size_t depth = 0;
    long long deepest = -1;
    uint64_t set_hash = 0;
    uint32_t entry = s->next[head];
    while (s->next[head] != head) {
        out->steps++;
        if (!check_budget_step(budget, check_memo_bytes(&s->memo))) {
            out->verdict = CHECK_UNKNOWN;
            return 0;
        }
        if ((entry & 1) == 0) {
            uint32_t k = entry >> 1;
            void *now = state_at(s, depth), *after = state_at(s, depth + 1);
            int legal = check_model_step(s->model, s->ctx, now, &s->h->ops[s->ops[k]], after);
            if (legal < 0)
                return legal;
            if (legal) {
                uint64_t next_set_hash = set_hash ^ s->zobrist[k];
                s->bits[k / 64] |= 1ULL << (k % 64);
                uint64_t hash = next_set_hash ^ check_model_hash(s->model, after);
                int fresh = check_memo_insert(&s->memo, hash, s->bits, after);
                if (fresh < 0)
                    return fresh;
                if (fresh) {
                    s->stack[depth++] = entry;
                    set_hash = next_set_hash;
                    lift(s, entry);
                    entry = s->next[head];
                    continue;
                }
                s->bits[k / 64] &= ~(1ULL << (k % 64));
            }
            entry = s->next[entry];
        } else {
            /* A return: its op should have been linearized by now. */
            if ((long long)depth > deepest) {
                deepest = (long long)depth;
                record_deepest(s, depth, entry, out);
            }
            if (depth == 0) {
                out->verdict = CHECK_NOT_LINEARIZABLE;
                return 0;
            }
            uint32_t last = s->stack[--depth];
            uint32_t k = last >> 1;
            s->bits[k / 64] &= ~(1ULL << (k % 64));
            set_hash ^= s->zobrist[k];
            unlift(s, last);
            entry = s->next[last];
        }
    }
    out->verdict = CHECK_LINEARIZABLE;
    out->prefix_len = 0;
    out->blocked = CHECK_NEVER;
    return 0;
}

int check_linear_search(const struct check_model *m, const struct check_history *h,
                        const uint32_t *ops, size_t n, struct check_budget *budget,
                        struct check_linear_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->blocked = CHECK_NEVER;
    out->prefix = malloc((n ? n : 1) * sizeof *out->prefix);
    struct search s = {.model = m, .h = h, .ops = ops, .n = n};
    int rc = out->prefix ? search_open(&s) : CHECK_ERR_NOMEM;
    if (rc == 0)
        rc = run(&s, budget, out);
    out->configurations = s.memo.n_records;
    out->peak_bytes = check_memo_bytes(&s.memo) + (2 * n + 1) * 2 * sizeof(uint32_t) +
                      (n + 2) * m->state_size;
    search_close(&s);
    if (rc != 0)
        check_linear_outcome_close(out);
    return rc;
}

void check_linear_outcome_close(struct check_linear_outcome *out)
{
    free(out->prefix);
    memset(out, 0, sizeof *out);
    out->blocked = CHECK_NEVER;
}
