/* kv_order.c - order constraints read off the gets of one kv key. Each
 * distinct get string is split into a put value (or nothing) and append
 * strings by a dynamic programme over its positions that counts the splits,
 * up to two (substrings are looked up by a rolling hash, then compared); a
 * string split one way only fixes an order. Get strings are taken in
 * sorted order, so a string shares the programme's positions up to its
 * common prefix with the one before and only the rest is computed. The
 * splits also place ops in epochs (a put and what follows it until the
 * next put), which real time then orders. */
#include "check/kv_order.h"
#include "check/error.h"
#include "check/hash.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX            /* no op */
#define SEVERAL (UINT32_MAX - 1)   /* a string that several ops carry */
#define FROM_BASE UINT32_MAX       /* pred of a position a put value (or nothing) reaches */
#define ROLL 0x9e3779b97f4a7c15ULL /* odd multiplier of the rolling hash */
#define INITIAL (UINT32_MAX - 2)   /* epoch of the initial value: before any put */
#define MAX_PROBES 16000000ULL     /* work bound: past it, fewer pairs (still sound) */

struct piece {         /* a put value or a non-empty append string of the key */
    uint64_t hash;     /* rolling hash of its bytes */
    uint32_t len;
    uint32_t str;      /* id in the history's pool */
    uint32_t op;       /* history index of the one op carrying it, or SEVERAL */
    bool put;
};

struct get_ref {       /* an ok get and the string it returned */
    const char *text;
    size_t len;
    uint32_t op;
};

struct member {        /* an op known to lie in the epoch of a put */
    uint32_t epoch;    /* history index of the put, or INITIAL */
    uint32_t op;
    bool get;
};

struct finder {
    const struct check_history *h;
    struct piece *pieces;
    size_t n_pieces;
    uint32_t *slots;        /* open addressing: piece index + 1, 0 when empty */
    size_t n_slots;         /* a power of two */
    uint32_t *lens;         /* distinct append lengths, ascending */
    size_t n_lens;
    uint64_t *power;        /* power[l] = ROLL^l, l up to the longest append */
    /* The programme over positions j of the current get string s: */
    uint64_t *prefix_hash;  /* rolling hash of s[0..j) */
    uint8_t *ways;          /* splits of s[0..j) into a base and appends, capped at 2 */
    uint32_t *pred;         /* when ways[j] == 1: where the last append starts, or FROM_BASE */
    uint32_t *piece_op;     /* when ways[j] == 1 and pred[j] != FROM_BASE: that append's op */
    uint32_t *last;         /* when ways[j] == 1: the last op of the split known, or NONE */
    uint32_t *epoch;        /* when ways[j] == 1: the put the split starts from, INITIAL, or NONE */
    bool *emitted;          /* the pairs of the split of s[0..j) are already out */
    struct member *members;
    size_t n_members, members_cap;
    size_t max_pairs;       /* epoch pairs stop here (a bound on work, still sound) */
    uint64_t probes;
    uint32_t *pairs;
    size_t n_pairs, pairs_cap;
};

static uint64_t roll(const char *s, size_t len)
{
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++)
        x = x * ROLL + (unsigned char)s[i];
    return x;
}

static size_t slot_of(const struct finder *f, bool put, uint64_t hash, size_t len)
{
    return (size_t)check_mix64(hash ^ ((uint64_t)len << 1 | put)) & (f->n_slots - 1);
}

/* The piece of kind put with these bytes (text, len; hash their rolling
 * hash), or NULL. */
static struct piece *find_piece(const struct finder *f, bool put, uint64_t hash, const char *text,
                                size_t len)
{
    for (size_t i = slot_of(f, put, hash, len); f->slots[i] != 0; i = (i + 1) & (f->n_slots - 1)) {
        struct piece *p = &f->pieces[f->slots[i] - 1];
        if (p->hash == hash && p->len == len && p->put == put &&
            memcmp(check_strpool_str(&f->h->strings, p->str, NULL), text, len) == 0)
            return p;
    }
    return NULL;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Tables every put value and non-empty append string of ops[]. */
static int collect_pieces(struct finder *f, const uint32_t *ops, size_t n)
{
    f->n_slots = 16;
    while (f->n_slots < 2 * n)
        f->n_slots *= 2;
    f->pieces = malloc((n ? n : 1) * sizeof *f->pieces);
    f->slots = calloc(f->n_slots, sizeof *f->slots);
    f->lens = malloc((n ? n : 1) * sizeof *f->lens);
    if (f->pieces == NULL || f->slots == NULL || f->lens == NULL)
        return CHECK_ERR_NOMEM;
    uint32_t longest = 0;
    for (size_t k = 0; k < n; k++) {
        const struct check_op *op = &f->h->ops[ops[k]];
        bool put = op->fn == CHECK_FN_PUT;
        if ((!put && op->fn != CHECK_FN_APPEND) || op->arg.kind != CHECK_VALUE_STRING)
            continue;
        size_t len;
        const char *text = check_strpool_str(&f->h->strings, op->arg.str, &len);
        if (!put && len == 0)
            continue; /* an empty append changes nothing: it never splits a string */
        uint64_t hash = roll(text, len);
        struct piece *p = find_piece(f, put, hash, text, len);
        if (p != NULL) {
            p->op = SEVERAL;
            continue;
        }
        size_t i = slot_of(f, put, hash, len);
        while (f->slots[i] != 0)
            i = (i + 1) & (f->n_slots - 1);
        f->pieces[f->n_pieces] = (struct piece){hash, (uint32_t)len, op->arg.str, ops[k], put};
        f->slots[i] = (uint32_t)++f->n_pieces;
        if (!put) {
            f->lens[f->n_lens++] = (uint32_t)len;
            if (len > longest)
                longest = (uint32_t)len;
        }
    }
    if (f->n_lens > 1)
        qsort(f->lens, f->n_lens, sizeof *f->lens, compare_u32);
    size_t distinct = 0;
    for (size_t i = 0; i < f->n_lens; i++)
        if (distinct == 0 || f->lens[i] != f->lens[distinct - 1])
            f->lens[distinct++] = f->lens[i];
    f->n_lens = distinct;
    f->power = malloc(((size_t)longest + 1) * sizeof *f->power);
    if (f->power == NULL)
        return CHECK_ERR_NOMEM;
    f->power[0] = 1;
    for (size_t l = 1; l <= longest; l++)
        f->power[l] = f->power[l - 1] * ROLL;
    return 0;
}

static int compare_gets(const void *a, const void *b)
{
    const struct get_ref *x = a, *y = b;
    size_t len = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, len);
    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return (x->op > y->op) - (x->op < y->op);
}

static int add_pair(struct finder *f, uint32_t before, uint32_t after)
{
    if (f->n_pairs == f->pairs_cap) {
        size_t cap = f->pairs_cap ? 2 * f->pairs_cap : 256;
        uint32_t *bigger = realloc(f->pairs, 2 * cap * sizeof *bigger);
        if (bigger == NULL)
            return CHECK_ERR_NOMEM;
        f->pairs = bigger;
        f->pairs_cap = cap;
    }
    f->pairs[2 * f->n_pairs] = before;
    f->pairs[2 * f->n_pairs + 1] = after;
    f->n_pairs++;
    return 0;
}

/* Fills position j of the programme for string s (positions below j done). */
static void split_at(struct finder *f, const char *s, size_t j)
{
    f->prefix_hash[j] = f->prefix_hash[j - 1] * ROLL + (unsigned char)s[j - 1];
    unsigned ways = 0;
    struct piece *base = find_piece(f, true, f->prefix_hash[j], s, j);
    f->probes++;
    if (base != NULL) {
        ways = 1;
        f->pred[j] = FROM_BASE;
        f->last[j] = base->op == SEVERAL ? NONE : base->op;
        f->epoch[j] = base->op == SEVERAL ? NONE : base->op;
    }
    for (size_t l = 0; l < f->n_lens && f->lens[l] <= j && ways < 2; l++) {
        size_t len = f->lens[l], i = j - len;
        if (f->ways[i] == 0)
            continue;
        f->probes++;
        uint64_t hash = f->prefix_hash[j] - f->prefix_hash[i] * f->power[len];
        struct piece *p = find_piece(f, false, hash, s + i, len);
        if (p == NULL)
            continue;
        ways += f->ways[i];
        f->pred[j] = (uint32_t)i;
        f->piece_op[j] = p->op;
        f->last[j] = p->op == SEVERAL ? f->last[i] : p->op;
        f->epoch[j] = f->epoch[i];
    }
    f->ways[j] = (uint8_t)(ways < 2 ? ways : 2);
    f->emitted[j] = false;
}

static int add_member(struct finder *f, uint32_t epoch, uint32_t op, bool get)
{
    if (epoch == NONE)
        return 0;
    if (f->n_members == f->members_cap) {
        size_t cap = f->members_cap ? 2 * f->members_cap : 256;
        struct member *bigger = realloc(f->members, cap * sizeof *bigger);
        if (bigger == NULL)
            return CHECK_ERR_NOMEM;
        f->members = bigger;
        f->members_cap = cap;
    }
    f->members[f->n_members++] = (struct member){epoch, op, get};
    return 0;
}

/* The gets g[0..count) returned s (length len), split one way: emits the
 * pairs of the split not out yet and the last known op before each get, and
 * records them in their epoch (a split that uses one append twice in a row
 * gives pairs (g, g): such a get never takes effect; other repeats make a
 * cycle of pairs). Sets *stop to the position where the walk
 * back met pairs already out (or the base), *next to the end of the piece
 * that follows it (NONE: none). */
static int emit(struct finder *f, const struct get_ref *g, size_t count, size_t len,
                size_t *stop, uint32_t *next)
{
    size_t j = len;
    int rc = 0;
    *next = NONE;
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (f->last[j] != NONE)
            rc = add_pair(f, f->last[j], g[i].op);
        if (rc == 0)
            rc = add_member(f, f->epoch[j], g[i].op, true);
    }
    bool twice = false; /* one append twice in a row: no order gives s */
    while (rc == 0 && !f->emitted[j] && f->pred[j] != FROM_BASE) {
        uint32_t i = f->pred[j];
        if (f->piece_op[j] != SEVERAL) {
            twice |= f->last[i] == f->piece_op[j];
            if (f->last[i] != NONE && f->last[i] != f->piece_op[j])
                rc = add_pair(f, f->last[i], f->piece_op[j]);
            if (rc == 0)
                rc = add_member(f, f->epoch[j], f->piece_op[j], false);
        }
        f->emitted[j] = true;
        *next = (uint32_t)j;
        j = i;
    }
    for (size_t i = 0; i < count && rc == 0 && twice; i++)
        rc = add_pair(f, g[i].op, g[i].op);
    *stop = j;
    return rc;
}

static int compare_pairs(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int split_gets(struct finder *f, const uint32_t *ops, size_t n)
{
    struct get_ref *gets = malloc((n ? n : 1) * sizeof *gets);
    if (gets == NULL)
        return CHECK_ERR_NOMEM;
    size_t n_gets = 0, longest = 0;
    for (size_t k = 0; k < n; k++) {
        const struct check_op *op = &f->h->ops[ops[k]];
        if (op->fn != CHECK_FN_GET || op->outcome != CHECK_OK)
            continue;
        struct get_ref *g = &gets[n_gets++];
        if (op->result.kind == CHECK_VALUE_STRING) {
            g->text = check_strpool_str(&f->h->strings, op->result.str, &g->len);
        } else {
            g->text = ""; /* null: the key never written, the same value as "" */
            g->len = 0;
        }
        g->op = ops[k];
        if (g->len > longest)
            longest = g->len;
    }
    qsort(gets, n_gets, sizeof *gets, compare_gets);
    size_t positions = longest + 1;
    f->prefix_hash = malloc(positions * sizeof *f->prefix_hash);
    f->ways = malloc(positions * sizeof *f->ways);
    f->pred = malloc(positions * sizeof *f->pred);
    f->piece_op = malloc(positions * sizeof *f->piece_op);
    f->last = malloc(positions * sizeof *f->last);
    f->epoch = malloc(positions * sizeof *f->epoch);
    f->emitted = malloc(positions * sizeof *f->emitted);
    int rc = 0;
    if (!f->prefix_hash || !f->ways || !f->pred || !f->piece_op || !f->last || !f->epoch ||
        !f->emitted)
        rc = CHECK_ERR_NOMEM;
    if (rc == 0) {
        /* Position 0: the initial value, or a put of "" (then no epoch is
         * known: which of the two it was). */
        f->prefix_hash[0] = 0;
        f->ways[0] = 1;
        f->pred[0] = FROM_BASE;
        f->last[0] = NONE;
        f->epoch[0] = find_piece(f, true, 0, "", 0) == NULL ? INITIAL : NONE;
        f->emitted[0] = true;
    }
    size_t done = 0; /* positions 1..done hold the previous string's programme */
    const char *previous = "";
    const struct get_ref *previous_gets = NULL; /* when split one way */
    size_t previous_count = 0;
    for (size_t g = 0; g < n_gets && rc == 0 && f->probes < MAX_PROBES;) {
        size_t count = 1;
        while (g + count < n_gets && gets[g + count].len == gets[g].len &&
               memcmp(gets[g + count].text, gets[g].text, gets[g].len) == 0)
            count++;
        const char *s = gets[g].text;
        size_t len = gets[g].len, keep = 0;
        while (keep < done && keep < len && s[keep] == previous[keep])
            keep++;
        for (size_t j = keep + 1; j <= len; j++)
            split_at(f, s, j);
        bool extends = previous_gets != NULL && keep == done;
        if (f->ways[len] == 1) {
            size_t stop;
            uint32_t next;
            rc = emit(f, &gets[g], count, len, &stop, &next);
            /* The previous string is a prefix of this one, split at its end,
             * in a known epoch: the value grows through the previous string
             * to this one there, so the gets that returned the previous one
             * come before the append after it. */
            if (extends && stop == done && next != NONE && f->piece_op[next] != SEVERAL)
                for (size_t i = 0; i < previous_count && rc == 0; i++)
                    rc = add_pair(f, previous_gets[i].op, f->piece_op[next]);
            previous_gets = f->epoch[len] != NONE ? &gets[g] : NULL;
            previous_count = count;
        } else {
            /* No split at all: no order of the ops can give this string. */
            for (size_t i = 0; i < count && rc == 0 && f->ways[len] == 0; i++)
                rc = add_pair(f, gets[g + i].op, gets[g + i].op);
            previous_gets = NULL;
        }
        done = len;
        previous = s;
        g += count;
    }
    free(gets);
    return rc;
}

/* ---- epochs ---- */

struct epoch {
    uint32_t put;          /* history index of its put, or INITIAL */
    int64_t first_return;  /* the earliest completion of a member (INT64_MAX: none) */
    int64_t last_invoke;   /* the latest invoke of a member */
    size_t gets, n_gets;   /* its gets: f->members[gets .. gets + n_gets) */
};

static int compare_members(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    if (x->epoch != y->epoch)
        return x->epoch < y->epoch ? -1 : 1;
    if (x->get != y->get)
        return x->get ? 1 : -1;
    return (x->op > y->op) - (x->op < y->op);
}

static void stretch(const struct check_op *op, struct epoch *e)
{
    if (op->outcome == CHECK_OK && (int64_t)op->complete_pos < e->first_return)
        e->first_return = op->complete_pos;
    if ((int64_t)op->invoke_pos > e->last_invoke)
        e->last_invoke = op->invoke_pos;
}

struct later {             /* an epoch with a put, as a possible successor */
    int64_t last_invoke, first_return;
    uint32_t epoch;
};

static int compare_later(const void *a, const void *b)
{
    const struct later *x = a, *y = b;
    if (x->last_invoke != y->last_invoke)
        return x->last_invoke < y->last_invoke ? -1 : 1;
    return (x->epoch > y->epoch) - (x->epoch < y->epoch);
}

struct low3 {              /* the three smallest first returns of a suffix */
    int64_t value[3];
    uint32_t epoch[3];
};

/* Pairs each get of epoch e with the puts of the epochs that must follow
 * it, leaving out those that follow it through a third epoch. */
static int follow(struct finder *f, const struct epoch *epochs, uint32_t e,
                  const struct later *by_invoke, const struct low3 *low, size_t n_later)
{
    const struct epoch *E = &epochs[e];
    int64_t after = E->put == INITIAL ? -1 : E->first_return;
    size_t lo = 0, hi = n_later;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (by_invoke[mid].last_invoke > after)
            hi = mid;
        else
            lo = mid + 1;
    }
    const struct low3 *suffix = &low[lo];
    int rc = 0;
    for (size_t i = lo; i < n_later && rc == 0 && f->n_pairs < f->max_pairs; i++) {
        const struct later *next = &by_invoke[i];
        if (next->last_invoke > suffix->value[2])
            break; /* this one and all after follow e through another epoch */
        if (next->epoch == e)
            continue;
        int64_t through = INT64_MAX;
        for (int k = 0; k < 3 && through == INT64_MAX; k++)
            if (suffix->epoch[k] != e && suffix->epoch[k] != next->epoch)
                through = suffix->value[k];
        if (next->last_invoke > through)
            continue;
        for (size_t g = E->gets; g < E->gets + E->n_gets && rc == 0; g++)
            rc = add_pair(f, f->members[g].op, epochs[next->epoch].put);
    }
    return rc;
}

/* Epochs are disjoint stretches of any linearization: a put, then what
 * happens until the next put. Epoch E comes wholly before epoch E' as soon
 * as a member of E returns before a member of E' is invoked (and the
 * initial epoch before all), so each get of E comes before the put of E'. */
static int order_epochs(struct finder *f)
{
    if (f->n_members == 0)
        return 0;
    qsort(f->members, f->n_members, sizeof *f->members, compare_members);
    struct epoch *epochs = malloc(f->n_members * sizeof *epochs);
    struct later *by_invoke = malloc(f->n_members * sizeof *by_invoke);
    struct low3 *low = malloc((f->n_members + 1) * sizeof *low);
    int rc = epochs && by_invoke && low ? 0 : CHECK_ERR_NOMEM;
    size_t n_epochs = 0, n_later = 0;
    for (size_t i = 0; rc == 0 && i < f->n_members;) {
        struct epoch *e = &epochs[n_epochs];
        *e = (struct epoch){f->members[i].epoch, INT64_MAX, -1, 0, 0};
        if (e->put != INITIAL)
            stretch(&f->h->ops[e->put], e);
        size_t j = i;
        for (; j < f->n_members && f->members[j].epoch == e->put; j++)
            stretch(&f->h->ops[f->members[j].op], e);
        e->gets = j;
        while (e->gets > i && f->members[e->gets - 1].get)
            e->gets--;
        e->n_gets = j - e->gets;
        if (e->put != INITIAL)
            by_invoke[n_later++] = (struct later){e->last_invoke, e->first_return, (uint32_t)n_epochs};
        n_epochs++;
        i = j;
    }
    if (rc == 0) {
        qsort(by_invoke, n_later, sizeof *by_invoke, compare_later);
        low[n_later] = (struct low3){{INT64_MAX, INT64_MAX, INT64_MAX}, {NONE, NONE, NONE}};
        for (size_t i = n_later; i-- > 0;) {
            low[i] = low[i + 1];
            int64_t v = by_invoke[i].first_return;
            uint32_t e = by_invoke[i].epoch;
            for (int k = 0; k < 3; k++)
                if (v < low[i].value[k]) {
                    int64_t tv = low[i].value[k];
                    uint32_t te = low[i].epoch[k];
                    low[i].value[k] = v;
                    low[i].epoch[k] = e;
                    v = tv;
                    e = te;
                }
        }
    }
    for (size_t e = 0; e < n_epochs && rc == 0; e++)
        if (epochs[e].put == INITIAL || epochs[e].first_return != INT64_MAX)
            rc = follow(f, epochs, (uint32_t)e, by_invoke, low, n_later);
    free(epochs);
    free(by_invoke);
    free(low);
    return rc;
}

int check_kv_order_find(const struct check_history *h, const uint32_t *ops, size_t n,
                        uint32_t **pairs, size_t *n_pairs)
{
    struct finder f = {.h = h, .max_pairs = 16 * n + 4096};
    int rc = collect_pieces(&f, ops, n);
    if (rc == 0)
        rc = split_gets(&f, ops, n);
    if (rc == 0)
        rc = order_epochs(&f);
    if (rc == 0 && f.n_pairs > 1) {
        qsort(f.pairs, f.n_pairs, 2 * sizeof *f.pairs, compare_pairs);
        size_t distinct = 1;
        for (size_t i = 1; i < f.n_pairs; i++)
            if (compare_pairs(&f.pairs[2 * i], &f.pairs[2 * (distinct - 1)]) != 0) {
                f.pairs[2 * distinct] = f.pairs[2 * i];
                f.pairs[2 * distinct + 1] = f.pairs[2 * i + 1];
                distinct++;
            }
        f.n_pairs = distinct;
    }
    free(f.pieces);
    free(f.slots);
    free(f.lens);
    free(f.power);
    free(f.prefix_hash);
    free(f.ways);
    free(f.pred);
    free(f.piece_op);
    free(f.last);
    free(f.epoch);
    free(f.emitted);
    free(f.members);
    if (rc != 0 || f.n_pairs == 0) {
        free(f.pairs);
        f.pairs = NULL;
        f.n_pairs = 0;
    }
    *pairs = f.pairs;
    *n_pairs = f.n_pairs;
    return rc;
}
