/* linear.c - linearizability search for one key (Wing & Gong 1993; Lowe
 * 2017 §3-4; the entry-list layout of Porcupine, Athalye 2017).
 *
 * Each op has a call entry and a return entry, in one doubly linked list in
 * history order (an open op's return is at infinity: after everything).
 * Scanning from the front, a call entry whose op is legal in the current
 * state is linearized: its op is applied, its two entries are lifted out of
 * the list, and the scan restarts from the front. Meeting a return entry
 * means that op had to take effect by now and could not: backtrack, putting
 * the last linearized op back and trying the next entry after it. A
 * linearization exists exactly when the scan gets past every closed op's
 * return: open ops still left then simply never took effect.
 *
 * Six reductions keep the search small; each keeps a linearization if
 * one exists. (1) Memoization: each configuration is explored once, and one
 * with more open ops still unused covers one with fewer (memo.h). (2) An
 * open op whose step leaves the state as it is is never linearized early:
 * the configuration it would lead to is covered by the current one. (3) Of
 * open ops with the same function and value, the earlier-invoked one is
 * always used first: swapping two such ops in any linearization gives
 * another, since the earlier one may go wherever the later one can. (4) A
 * configuration where some op still to place needs a state nothing left can
 * make is abandoned at once (deadend.h), as is one where a closed op
 * concurrent with the next deadline is doomed (the model's doomed hook).
 * (5) A closed read-only op (the model's read_only hook) that is legal
 * may always be linearized at once: in any linearization it can move up to
 * here, since it changes no state anywhere. So that move is forced: if it
 * fails, the configuration fails, and no other op is tried in its place.
 * (6) An op is placed only after the ops the model's order puts before it
 * (order.h): pairs that hold in every linearization (for kv, read off the
 * gets' strings). They cost the model a pass over the ops, so they come in
 * only when the search has not found its way quickly; it then starts over
 * with them. When the pairs themselves prove the violation, the search
 * only looks, for a bounded number of steps, for the point to show. */
#include "check/linear.h"
#include "check/error.h"
#include "check/deadend.h"
#include "check/hash.h"
#include "check/memo.h"
#include "check/order.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NO_OP UINT32_MAX
#define ORDER_STEPS 1000         /* steps before the search takes in the model's order, */
#define ORDER_STEPS_PER_OP 8     /* plus this many per op */
#define EXPLAIN_STEPS 20000      /* steps spent explaining a violation the order proved, */
#define EXPLAIN_STEPS_PER_OP 16  /* plus this many per op */

struct search {
    const struct check_model *model;
    const struct check_history *h;
    uint32_t *ops;           /* history index of local op k: closed ops first, then open */
    size_t n, n_closed;
    void *ctx;               /* the model's scratch */
    bool ctx_ready;          /* init ran, so close must */
    uint32_t *next, *prev;   /* the entry list; entry 2k calls op k, 2k+1 returns; 2n is the head */
    uint32_t *twin;          /* open op k: the earlier open op with the same f and value, or NO_OP */
    uint64_t *zobrist;       /* random key per closed op: a set's hash is the XOR of its keys */
    uint64_t *closed_bits;   /* closed ops linearized */
    uint64_t *open_bits;     /* open ops linearized */
    size_t closed_words, open_words;
    uint32_t *stack;         /* call entries linearized, in order */
    bool *forced;            /* forced[d]: stack[d] was a forced move (reduction 5) */
    unsigned char *states;   /* states[d]: the state after d linearized ops */
    struct check_memo memo;
    struct check_deadend dead;
    struct check_order order;
};

static bool is_open(const struct search *s, uint32_t k)
{
    return k >= s->n_closed;
}

static void set_bit(struct search *s, uint32_t k)
{
    if (is_open(s, k))
        s->open_bits[(k - s->n_closed) / 64] |= 1ULL << ((k - s->n_closed) % 64);
    else
        s->closed_bits[k / 64] |= 1ULL << (k % 64);
}

static void clear_bit(struct search *s, uint32_t k)
{
    if (is_open(s, k))
        s->open_bits[(k - s->n_closed) / 64] &= ~(1ULL << ((k - s->n_closed) % 64));
    else
        s->closed_bits[k / 64] &= ~(1ULL << (k % 64));
}

static bool has_bit(const struct search *s, uint32_t k)
{
    if (is_open(s, k))
        return s->open_bits[(k - s->n_closed) / 64] >> ((k - s->n_closed) % 64) & 1;
    return s->closed_bits[k / 64] >> (k % 64) & 1;
}

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
    free(s->ops);
    free(s->next);
    free(s->prev);
    free(s->twin);
    free(s->zobrist);
    free(s->closed_bits);
    free(s->open_bits);
    free(s->stack);
    free(s->forced);
    free(s->states);
    check_memo_close(&s->memo);
    check_deadend_close(&s->dead);
    check_order_close(&s->order);
}

/* Orders open ops by (f, value, invoke) so that twins sit side by side. */
struct twin_key {
    const struct check_op *op;
    uint32_t k;
};

static int compare_twins(const void *x, const void *y)
{
    const struct check_op *a = ((const struct twin_key *)x)->op;
    const struct check_op *b = ((const struct twin_key *)y)->op;
    const struct check_value *u = &a->arg, *v = &b->arg;
    int64_t fields_a[8] = {a->fn, a->f_name, u->kind, u->first_null, u->second_null, u->i, u->j, u->str};
    int64_t fields_b[8] = {b->fn, b->f_name, v->kind, v->first_null, v->second_null, v->i, v->j, v->str};
    for (int f = 0; f < 8; f++)
        if (fields_a[f] != fields_b[f])
            return fields_a[f] < fields_b[f] ? -1 : 1;
    return (a->invoke_pos > b->invoke_pos) - (a->invoke_pos < b->invoke_pos);
}

static int find_twins(struct search *s)
{
    size_t n_open = s->n - s->n_closed;
    for (size_t k = 0; k < s->n; k++)
        s->twin[k] = NO_OP;
    struct twin_key *keys = malloc((n_open ? n_open : 1) * sizeof *keys);
    if (keys == NULL)
        return CHECK_ERR_NOMEM;
    for (size_t i = 0; i < n_open; i++)
        keys[i] = (struct twin_key){&s->h->ops[s->ops[s->n_closed + i]], (uint32_t)(s->n_closed + i)};
    qsort(keys, n_open, sizeof *keys, compare_twins);
    for (size_t i = 1; i < n_open; i++) {
        const struct check_op *a = keys[i - 1].op, *b = keys[i].op;
        if (a->fn == b->fn && a->f_name == b->f_name && check_value_equal(&a->arg, &b->arg))
            s->twin[keys[i].k] = keys[i - 1].k;
    }
    free(keys);
    return 0;
}

/* Marks op k placed (linearized) or taken back in every table that counts
 * it; ordered: the order constraints are in (the search's hot path skips
 * them until then). */
static inline void place(struct search *s, uint32_t k, bool ordered)
{
    set_bit(s, k);
    check_deadend_place(&s->dead, k);
    if (ordered)
        check_order_place(&s->order, k);
}

static inline void unplace(struct search *s, uint32_t k, bool ordered)
{
    clear_bit(s, k);
    check_deadend_unplace(&s->dead, k);
    if (ordered)
        check_order_unplace(&s->order, k);
}

/* Starts the memo afresh with the starting configuration in it. */
static int memo_start(struct search *s)
{
    check_memo_close(&s->memo);
    int rc = check_memo_init(&s->memo, s->closed_words, s->open_words, s->model);
    if (rc == 0)
        rc = check_memo_insert(&s->memo, check_model_hash(s->model, state_at(s, 0)),
                               s->closed_bits, s->open_bits, state_at(s, 0));
    return rc < 0 ? rc : 0;
}

static int search_open(struct search *s, const uint32_t *ops)
{
    size_t n = s->n;
    s->ops = malloc((n ? n : 1) * sizeof *s->ops);
    if (s->ops == NULL)
        return CHECK_ERR_NOMEM;
    /* Closed ops first, open ops after: they are kept in separate sets. */
    for (size_t i = 0; i < n; i++)
        if (!check_op_is_open(&s->h->ops[ops[i]]))
            s->ops[s->n_closed++] = ops[i];
    for (size_t i = 0, k = s->n_closed; i < n; i++)
        if (check_op_is_open(&s->h->ops[ops[i]]))
            s->ops[k++] = ops[i];
    size_t n_open = n - s->n_closed;
    s->closed_words = s->n_closed / 64 + 1;
    s->open_words = n_open ? n_open / 64 + 1 : 0;
    s->ctx = calloc(1, s->model->context_size ? s->model->context_size : 1);
    s->next = malloc((2 * n + 1) * sizeof *s->next);
    s->prev = malloc((2 * n + 1) * sizeof *s->prev);
    s->twin = malloc((n ? n : 1) * sizeof *s->twin);
    s->zobrist = malloc((n ? n : 1) * sizeof *s->zobrist);
    s->closed_bits = calloc(s->closed_words, sizeof *s->closed_bits);
    s->open_bits = calloc(s->open_words ? s->open_words : 1, sizeof *s->open_bits);
    s->stack = malloc((n ? n : 1) * sizeof *s->stack);
    s->forced = malloc((n ? n : 1) * sizeof *s->forced);
    s->states = calloc(n + 2, s->model->state_size);
    if (!s->ctx || !s->next || !s->prev || !s->twin || !s->zobrist || !s->closed_bits ||
        !s->open_bits || !s->stack || !s->forced || !s->states)
        return CHECK_ERR_NOMEM;
    s->ctx_ready = true;
    int rc = check_model_init(s->model, s->ctx, s->h, s->ops, n, state_at(s, 0));
    if (rc != 0)
        return rc;
    /* Fixed seed: the same history is searched the same way every run. */
    uint64_t seed = 0x66617574ULL;
    for (size_t k = 0; k < n; k++)
        s->zobrist[k] = check_splitmix64(&seed);
    if ((rc = find_twins(s)) != 0)
        return rc;
    if ((rc = check_deadend_init(&s->dead, s->model, s->h, s->ops, n, s->n_closed)) != 0)
        return rc;
    if ((rc = build_entries(s)) != 0)
        return rc;
    /* The starting configuration is explored too. */
    return memo_start(s);
}

static void record_deepest(const struct search *s, size_t depth, uint32_t blocked_entry,
                           struct check_linear_outcome *out)
{
    for (size_t d = 0; d < depth; d++)
        out->prefix[d] = s->ops[s->stack[d] >> 1];
    out->prefix_len = depth;
    out->blocked = s->ops[blocked_entry >> 1];
}

/* Records a dead end met after placing `last` on top of the stack: the
 * prefix is the stack plus last (NO_OP: none), the blocked op the one that
 * can never be placed. */
static void record_dead_end(const struct search *s, size_t depth, uint32_t last,
                            const void *state, struct check_linear_outcome *out)
{
    uint32_t culprit = check_deadend_culprit(&s->dead, state, s->h, s->ops, s->closed_bits);
    if (culprit == NO_OP)
        return;
    for (size_t d = 0; d < depth; d++)
        out->prefix[d] = s->ops[s->stack[d] >> 1];
    out->prefix_len = depth;
    if (last != NO_OP)
        out->prefix[out->prefix_len++] = s->ops[last];
    out->blocked = s->ops[culprit];
}

/* The search op of history op index `op`, or NO_OP when it is not one:
 * closed and open ops each lie in history order, so binary search works. */
static inline uint32_t local_of(const struct search *s, uint32_t op)
{
    size_t runs[2][2] = {{0, s->n_closed}, {s->n_closed, s->n}};
    for (int r = 0; r < 2; r++) {
        size_t lo = runs[r][0], hi = runs[r][1];
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->ops[mid] < op)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < runs[r][1] && s->ops[lo] == op)
            return (uint32_t)lo;
    }
    return NO_OP;
}

/* Takes in the model's order constraints, by search op (order.h), once the
 * search has not found its way quickly: when there are any, every op is
 * taken back and the memo forgotten (a configuration on the way may not
 * have failed), and *restarted is set. */
static int take_in_order(struct search *s, size_t depth, bool *restarted)
{
    const uint32_t *model_pairs;
    size_t n_pairs;
    *restarted = false;
    int rc = check_model_order(s->model, s->ctx, &model_pairs, &n_pairs);
    if (rc != 0 || n_pairs == 0)
        return rc;
    uint32_t *pairs = malloc(2 * n_pairs * sizeof *pairs);
    uint32_t *call_rank = malloc((s->n ? s->n : 1) * sizeof *call_rank);
    uint32_t *return_rank = malloc((s->n ? s->n : 1) * sizeof *return_rank);
    rc = pairs && call_rank && return_rank ? 0 : CHECK_ERR_NOMEM;
    size_t kept = 0;
    for (size_t i = 0; i < n_pairs && rc == 0; i++) {
        uint32_t a = local_of(s, model_pairs[2 * i]), b = local_of(s, model_pairs[2 * i + 1]);
        if (a != NO_OP && b != NO_OP) {
            pairs[2 * kept] = a;
            pairs[2 * kept + 1] = b;
            kept++;
        }
    }
    if (rc == 0 && kept > 0) {
        while (depth > 0) {
            uint32_t last = s->stack[--depth];
            unplace(s, last >> 1, false);
            unlift(s, last);
        }
        *restarted = true;
        rc = memo_start(s);
    }
    if (rc == 0 && kept > 0) {
        const uint32_t head = (uint32_t)(2 * s->n);
        uint32_t rank = 0;
        for (uint32_t e = s->next[head]; e != head; e = s->next[e], rank++) {
            uint32_t k = e >> 1;
            if ((e & 1) == 0)
                call_rank[k] = rank;
            else
                return_rank[k] = is_open(s, k) ? CHECK_ORDER_OPEN : rank;
        }
        rc = check_order_init(&s->order, s->n, pairs, kept, call_rank, return_rank);
    }
    free(pairs);
    free(call_rank);
    free(return_rank);
    return rc;
}

/* The first closed op concurrent with the next deadline (its call comes
 * before the first return still in the list) that can never become legal
 * in state, or NO_OP. Only the model's doomed hook is asked. */
static uint32_t doomed_in_window(const struct search *s, const void *state)
{
    if (s->model->doomed == NULL)
        return NO_OP;
    const uint32_t head = (uint32_t)(2 * s->n);
    for (uint32_t e = s->next[head]; e != head && (e & 1) == 0; e = s->next[e]) {
        uint32_t k = e >> 1, unless;
        if (is_open(s, k) ||
            !check_model_doomed(s->model, s->ctx, state, &s->h->ops[s->ops[k]], &unless))
            continue;
        uint32_t rescuer = unless == CHECK_NEVER ? NO_OP : local_of(s, unless);
        if (rescuer == NO_OP || has_bit(s, rescuer))
            return k;
    }
    return NO_OP;
}

/* Records a doomed op met after placing `last` on top of the stack. */
static void record_doomed(const struct search *s, size_t depth, uint32_t last, uint32_t doomed,
                          struct check_linear_outcome *out)
{
    for (size_t d = 0; d < depth; d++)
        out->prefix[d] = s->ops[s->stack[d] >> 1];
    out->prefix[depth] = s->ops[last];
    out->prefix_len = depth + 1;
    out->blocked = s->ops[doomed];
}

/* The search loop; returns 0 with out->verdict set, or an error. */
static int run(struct search *s, struct check_budget *budget, uint64_t order_after,
               struct check_linear_outcome *out)
{
    const uint32_t head = (uint32_t)(2 * s->n);
    size_t depth = 0;
    long long deepest = -1;
    uint64_t set_hash = 0;
    uint32_t entry = s->next[head];
    /* The model's order constraints cost a pass over the ops to find: they
     * come in only once the search has not found its way quickly. */
    if (order_after == 0)
        order_after = ORDER_STEPS + ORDER_STEPS_PER_OP * (uint64_t)s->n;
    const uint64_t order_at = out->steps + order_after;
    uint64_t explain_until = UINT64_MAX;
    bool ordered = false;
    if (check_deadend_stuck(&s->dead, state_at(s, 0))) {
        record_dead_end(s, 0, NO_OP, state_at(s, 0), out);
        out->verdict = CHECK_NOT_LINEARIZABLE;
        return 0;
    }
    while (s->next[head] != head) {
        out->steps++;
        if (out->steps == order_at) {
            bool restarted;
            int rc = take_in_order(s, depth, &restarted);
            if (rc != 0)
                return rc;
            if (restarted) {
                ordered = true;
                depth = 0;
                deepest = -1;
                set_hash = 0;
                entry = s->next[head];
            }
            /* When the order proves the violation, the search only looks
             * for the point that explains it best, and not for long. */
            if (s->order.refuted)
                explain_until = out->steps + EXPLAIN_STEPS + EXPLAIN_STEPS_PER_OP * (uint64_t)s->n;
        }
        if (!check_budget_step(budget, check_memo_bytes(&s->memo)) || out->steps > explain_until) {
            /* Out of budget (or done explaining); but a violation the order
             * proved stands, with the deepest point found as explanation. */
            out->verdict = s->order.refuted ? CHECK_NOT_LINEARIZABLE : CHECK_UNKNOWN;
            return 0;
        }
        bool config_fails = false;
        if ((entry & 1) == 0) {
            uint32_t k = entry >> 1;
            bool open = is_open(s, k);
            if (open && s->twin[k] != NO_OP && !has_bit(s, s->twin[k])) {
                entry = s->next[entry]; /* its earlier twin goes first */
                continue;
            }
            if (ordered && !check_order_ready(&s->order, k)) {
                entry = s->next[entry]; /* an op that must come first is still to place */
                continue;
            }
            void *now = state_at(s, depth), *after = state_at(s, depth + 1);
            int legal = check_model_step(s->model, s->ctx, now, &s->h->ops[s->ops[k]], after);
            if (legal < 0)
                return legal;
            bool keeps_state = legal && check_model_equal(s->model, now, after);
            /* Only a true read may be forced: elsewhere an op that keeps
             * the state now might change it. */
            bool force = keeps_state && !open && check_model_read_only(s->model, &s->h->ops[s->ops[k]]);
            if (legal && !(open && keeps_state)) {
                uint64_t next_set_hash = open ? set_hash : set_hash ^ s->zobrist[k];
                place(s, k, ordered);
                int fresh = 0;
                if (check_deadend_stuck(&s->dead, after)) {
                    if ((long long)depth + 1 > deepest) {
                        deepest = (long long)depth + 1;
                        record_dead_end(s, depth, k, after, out);
                    }
                } else {
                    uint64_t hash = next_set_hash ^ check_model_hash(s->model, after);
                    fresh = check_memo_insert(&s->memo, hash, s->closed_bits, s->open_bits, after);
                    if (fresh < 0)
                        return fresh;
                }
                if (fresh) {
                    lift(s, entry);
                    uint32_t doomed = doomed_in_window(s, after);
                    if (doomed == NO_OP) {
                        s->forced[depth] = force;
                        s->stack[depth++] = entry;
                        set_hash = next_set_hash;
                        entry = s->next[head];
                        continue;
                    }
                    unlift(s, entry);
                    if ((long long)depth + 1 > deepest) {
                        deepest = (long long)depth + 1;
                        record_doomed(s, depth, k, doomed, out);
                    }
                }
                unplace(s, k, ordered);
                /* (5): the one move that dominates all others failed. */
                config_fails = force;
            }
            if (!config_fails) {
                entry = s->next[entry];
                continue;
            }
        } else if (is_open(s, entry >> 1)) {
            /* Open ops return at infinity, after every closed op: all closed
             * ops are placed, and the open ops left over never took effect. */
            break;
        } else if (check_order_never(&s->order, entry >> 1)) {
            /* A return of an op that can never take effect: no other branch
             * can do better, so this point explains the violation. */
            record_deepest(s, depth, entry, out);
            out->verdict = CHECK_NOT_LINEARIZABLE;
            return 0;
        } else if ((long long)depth > deepest) {
            /* A return: its op should have been linearized by now. */
            deepest = (long long)depth;
            record_deepest(s, depth, entry, out);
        }
        /* This configuration fails: take back linearized ops, through every
         * configuration whose only move was a forced one. */
        bool forced = true;
        while (forced) {
            if (depth == 0) {
                out->verdict = CHECK_NOT_LINEARIZABLE;
                return 0;
            }
            uint32_t last = s->stack[--depth];
            uint32_t k = last >> 1;
            forced = s->forced[depth];
            unplace(s, k, ordered);
            if (!is_open(s, k))
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
                        uint64_t order_after, struct check_linear_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->blocked = CHECK_NEVER;
    out->prefix = malloc((n ? n : 1) * sizeof *out->prefix);
    struct search s = {.model = m, .h = h, .n = n};
    int rc = out->prefix ? search_open(&s, ops) : CHECK_ERR_NOMEM;
    if (rc == 0)
        rc = run(&s, budget, order_after, out);
    out->configurations = check_memo_count(&s.memo);
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
