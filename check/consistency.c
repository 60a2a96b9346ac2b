/* consistency.c - stale reads and session guarantees (Terry et al., "Session
 * Guarantees for Weakly Consistent Replicated Data", 1994), judged from
 * real-time order only, so that every anomaly counted is certain.
 *
 * The basic judgement is "read r missed write w": r returned a value that
 * cannot include w's effect. For a register, r's value v misses w when every
 * write of v completed before w was invoked (and the initial null misses
 * every write). For a kv value s, it misses an append when s does not
 * contain the appended string and no put could have come between the append
 * and the read (a put erases); it misses a put of u when s does not start
 * with u and no other put could have come between. Open (info) writes
 * complete at infinity: they may be newer than anything. */
#include "check/consistency.h"
#include "check/error.h"
#include "check/hash.h"
#include "check/model.h"
#include "check/partition.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define INFINITE_POS ((int64_t)1 << 40)  /* return position of an open op */

struct writer {
    uint32_t op;
    int64_t inv, ret;       /* positions in the history; ret INFINITE_POS when open */
    bool acked;
    int64_t value;          /* register: the value written */
    bool is_put;            /* kv: put (else append) */
    uint32_t str;           /* kv: appended string or put value */
    uint32_t leader;        /* kv append: first (by invoke) append of the same string */
    bool unique;            /* kv append: no other append of the same string */
    uint32_t prev_append;   /* kv: session's previous write here, when an acked unique append */
};

/* Register: writers of one value. */
struct value_group {
    int64_t value;
    int64_t latest_ret;     /* latest return of a writer of the value */
    uint32_t first;         /* writer (local) with the earliest invoke */
    uint32_t count;
};

struct observation {        /* kv monotonic reads: a write some earlier read saw */
    uint32_t writer;
    uint32_t read;
};

struct process_state {      /* per process, for the key being analysed */
    uint32_t last_write;    /* its latest acknowledged write here (local), or NONE */
    uint32_t best_seen;     /* register: observed writer with the latest invoke, or NONE */
    uint32_t best_seen_read;
    struct observation *seen;  /* kv: writes its reads saw */
    size_t n_seen, seen_cap;
};

struct sort_item {          /* scratch for sorting writers by (a, b) */
    int64_t a, b;
    uint32_t writer;
};

struct mw_slot {            /* register monotonic writes: (reader, writer process) */
    uint64_t key;           /* reader << 32 | writer process, 0 when empty (stored + 1) */
    uint32_t seq;           /* highest session number of the writer's writes the reader saw */
    uint32_t op;            /* that write */
};

struct analysis {
    const struct check_history *h;
    struct check_consistency *out;
    bool kv;
    int64_t *processes;       /* distinct processes, ascending */
    size_t n_processes;
    uint32_t *slot_of_op;     /* per op: index in processes */
    uint32_t *seq_of_op;      /* per op: its number within its process */
    size_t anomalies_cap;
    /* per key scratch, sized for the whole history */
    struct writer *writers;
    size_t n_writers;
    uint32_t *acked;          /* acked writers by return position */
    size_t n_acked;
    int64_t *acked_max_inv;   /* prefix maxima of their invoke positions */
    struct value_group *groups;
    size_t n_groups;
    uint32_t *puts;           /* kv: writers that are puts */
    size_t n_puts;
    int64_t *pos;             /* kv: where each writer shows in the current read, or -1 */
    struct sort_item *items;  /* sorting scratch */
    uint32_t *prev_of_proc;   /* local process -> its latest writer so far */
    uint32_t *local_of_slot;  /* process slot -> local process of this key */
    uint32_t *stamp;          /* key number that set local_of_slot */
    struct process_state *procs;
    size_t n_procs;
    uint64_t *seen_bits;      /* kv: local process x writer already in seen */
    struct mw_slot *mw;
    size_t mw_slots, mw_count;
};

static int64_t ret_pos(const struct check_op *op)
{
    return op->outcome == CHECK_OK ? (int64_t)op->complete_pos : INFINITE_POS;
}

static struct check_session *session_of(struct analysis *a, uint32_t op)
{
    return &a->out->sessions[a->slot_of_op[op]];
}

static int add_anomaly(struct analysis *a, enum check_anomaly_kind kind, uint32_t read,
                       uint32_t write, uint32_t other, int64_t gap)
{
    struct check_consistency *out = a->out;
    if (out->n_anomalies == a->anomalies_cap) {
        size_t cap = a->anomalies_cap ? a->anomalies_cap * 2 : 64;
        struct check_anomaly *bigger = realloc(out->anomalies, cap * sizeof *bigger);
        if (bigger == NULL)
            return CHECK_ERR_NOMEM;
        out->anomalies = bigger;
        a->anomalies_cap = cap;
    }
    out->anomalies[out->n_anomalies++] = (struct check_anomaly){
        .kind = kind, .read = read, .write = write, .other = other, .gap = gap};
    return 0;
}

/* Gap from w's acknowledgement to r's invoke, in window units. */
static int64_t gap_between(const struct analysis *a, uint32_t write_op, uint32_t read_op)
{
    const struct check_op *w = &a->h->ops[write_op], *r = &a->h->ops[read_op];
    if (a->out->window_in_us)
        return r->invoke_time - w->complete_time;
    return (int64_t)r->invoke_pos - (int64_t)w->complete_pos;
}

static int compare_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static size_t slot_of_process(const struct analysis *a, int64_t process)
{
    const int64_t *found = bsearch(&process, a->processes, a->n_processes, sizeof process,
                                   compare_i64);
    assert(found != NULL);
    return (size_t)(found - a->processes);
}

/* Sessions: one per process, and each op's number within its process. */
static int number_sessions(struct analysis *a)
{
    const struct check_history *h = a->h;
    size_t n = h->n_ops ? h->n_ops : 1;
    a->processes = malloc(n * sizeof *a->processes);
    a->slot_of_op = malloc(n * sizeof *a->slot_of_op);
    a->seq_of_op = malloc(n * sizeof *a->seq_of_op);
    if (!a->processes || !a->slot_of_op || !a->seq_of_op)
        return CHECK_ERR_NOMEM;
    for (size_t i = 0; i < h->n_ops; i++)
        a->processes[i] = h->ops[i].process;
    qsort(a->processes, h->n_ops, sizeof *a->processes, compare_i64);
    size_t distinct = 0;
    for (size_t i = 0; i < h->n_ops; i++)
        if (distinct == 0 || a->processes[distinct - 1] != a->processes[i])
            a->processes[distinct++] = a->processes[i];
    a->n_processes = distinct;
    a->out->sessions = calloc(distinct ? distinct : 1, sizeof *a->out->sessions);
    uint32_t *count = calloc(distinct ? distinct : 1, sizeof *count);
    if (a->out->sessions == NULL || count == NULL) {
        free(count);
        return CHECK_ERR_NOMEM;
    }
    a->out->n_sessions = distinct;
    for (size_t s = 0; s < distinct; s++)
        a->out->sessions[s].process = a->processes[s];
    for (size_t i = 0; i < h->n_ops; i++) {
        size_t slot = slot_of_process(a, h->ops[i].process);
        a->slot_of_op[i] = (uint32_t)slot;
        a->seq_of_op[i] = count[slot]++;
    }
    free(count);
    return 0;
}

static bool is_write_fn(enum check_fn fn)
{
    return fn == CHECK_FN_WRITE || fn == CHECK_FN_CAS || fn == CHECK_FN_PUT ||
           fn == CHECK_FN_APPEND;
}

static bool is_read_fn(enum check_fn fn)
{
    return fn == CHECK_FN_READ || fn == CHECK_FN_GET;
}

/* ---- register ---- */

static int compare_groups(const void *x, const void *y)
{
    const struct value_group *a = x, *b = y;
    return (a->value > b->value) - (a->value < b->value);
}

/* Collapses writers into one group per value (sorted by value). */
static void build_groups(struct analysis *a)
{
    a->n_groups = 0;
    for (size_t w = 0; w < a->n_writers; w++)
        a->groups[a->n_groups++] = (struct value_group){
            .value = a->writers[w].value, .latest_ret = a->writers[w].ret,
            .first = (uint32_t)w, .count = 1};
    /* qsort is not stable: merge keeps the earliest invoke explicitly. */
    qsort(a->groups, a->n_groups, sizeof *a->groups, compare_groups);
    size_t out = 0;
    for (size_t i = 0; i < a->n_groups; i++) {
        struct value_group *g = &a->groups[i];
        if (out > 0 && a->groups[out - 1].value == g->value) {
            struct value_group *m = &a->groups[out - 1];
            if (g->latest_ret > m->latest_ret)
                m->latest_ret = g->latest_ret;
            if (a->writers[g->first].inv < a->writers[m->first].inv)
                m->first = g->first;
            m->count++;
        } else {
            a->groups[out++] = *g;
        }
    }
    a->n_groups = out;
}

static const struct value_group *group_of(const struct analysis *a, int64_t value)
{
    struct value_group probe = {.value = value};
    return bsearch(&probe, a->groups, a->n_groups, sizeof probe, compare_groups);
}

static struct mw_slot *mw_find(struct analysis *a, uint64_t key)
{
    size_t mask = a->mw_slots - 1;
    size_t i = (size_t)check_mix64(key) & mask;
    while (a->mw[i].key != 0 && a->mw[i].key != key)
        i = (i + 1) & mask;
    return &a->mw[i];
}

static int mw_reserve(struct analysis *a)
{
    if ((a->mw_count + 1) * 2 <= a->mw_slots)
        return 0;
    size_t old_slots = a->mw_slots;
    struct mw_slot *old = a->mw;
    a->mw_slots = old_slots ? old_slots * 2 : 64;
    a->mw = calloc(a->mw_slots, sizeof *a->mw);
    if (a->mw == NULL) {
        a->mw = old;
        a->mw_slots = old_slots;
        return CHECK_ERR_NOMEM;
    }
    for (size_t i = 0; i < old_slots; i++)
        if (old[i].key != 0)
            *mw_find(a, old[i].key) = old[i];
    free(old);
    return 0;
}

static int register_read(struct analysis *a, uint32_t r, struct process_state *ps,
                         uint32_t local_reader)
{
    const struct check_op *read = &a->h->ops[r];
    int64_t latest;  /* latest return of a write of the value read */
    const struct value_group *g = NULL;
    if (read->result.kind == CHECK_VALUE_NULL) {
        latest = -1;  /* the initial state: before everything */
    } else {
        g = group_of(a, read->result.i);
        if (g == NULL)
            return 0; /* a value nobody wrote: not linearizable, but not "stale" */
        latest = g->latest_ret;
    }
    int64_t inv = read->invoke_pos;
    int rc = 0;

    /* Stale: some acked write returned before r began and was invoked after
     * every write of r's value returned. Acked writers are sorted by return,
     * with prefix maxima of their invokes. */
    size_t lo = 0, hi = a->n_acked;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->writers[a->acked[mid]].ret < inv)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && a->acked_max_inv[lo - 1] > latest) {
        size_t j = 0;
        while (a->writers[a->acked[j]].inv <= latest)
            j++;
        uint32_t missed = a->writers[a->acked[j]].op;
        int64_t gap = gap_between(a, missed, r);
        a->out->stale_reads++;
        session_of(a, r)->stale_reads++;
        if (gap > a->out->window)
            a->out->window = gap;
        rc = add_anomaly(a, CHECK_ANOMALY_STALE_READ, r, missed, NONE, gap);
    }
    if (rc == 0 && ps->last_write != NONE && latest < a->writers[ps->last_write].inv) {
        session_of(a, r)->read_your_writes++;
        rc = add_anomaly(a, CHECK_ANOMALY_READ_YOUR_WRITES, r, a->writers[ps->last_write].op,
                         NONE, 0);
    }
    /* Monotonic reads: an earlier read saw a value all of whose writes were
     * invoked after every write of this value returned. Only the earlier
     * observation with the latest-invoked first writer needs checking. */
    if (rc == 0 && ps->best_seen != NONE && latest < a->writers[ps->best_seen].inv) {
        session_of(a, r)->monotonic_reads++;
        rc = add_anomaly(a, CHECK_ANOMALY_MONOTONIC_READS, r, a->writers[ps->best_seen].op,
                         ps->best_seen_read, 0);
    }
    if (g != NULL && (ps->best_seen == NONE ||
                      a->writers[g->first].inv > a->writers[ps->best_seen].inv)) {
        ps->best_seen = g->first;
        ps->best_seen_read = r;
    }
    /* Monotonic writes: this reader saw a later write of the same session
     * before this earlier one (values with one writer only). */
    if (rc == 0 && g != NULL && g->count == 1) {
        uint32_t w1 = a->writers[g->first].op;
        uint64_t key = ((uint64_t)local_reader << 32 | a->slot_of_op[w1]) + 1;
        if ((rc = mw_reserve(a)) != 0)
            return rc;
        struct mw_slot *slot = mw_find(a, key);
        if (slot->key == 0) {
            *slot = (struct mw_slot){.key = key, .seq = a->seq_of_op[w1], .op = w1};
            a->mw_count++;
        } else if (slot->seq > a->seq_of_op[w1]) {
            session_of(a, w1)->monotonic_writes++;
            rc = add_anomaly(a, CHECK_ANOMALY_MONOTONIC_WRITES, r, w1, slot->op, 0);
        } else {
            slot->seq = a->seq_of_op[w1];
            slot->op = w1;
        }
    }
    return rc;
}

/* ---- kv ---- */

static int64_t find_in(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len > hay_len)
        return -1;
    for (size_t i = 0; i + needle_len <= hay_len; i++)
        if (memcmp(hay + i, needle, needle_len) == 0)
            return (int64_t)i;
    return -1;
}

/* Could a put other than writers a and b take effect after writer `after`
 * was invoked and before position `before`? */
static bool put_between(const struct analysis *a, uint32_t after, uint32_t skip,
                        int64_t before)
{
    for (size_t i = 0; i < a->n_puts; i++) {
        const struct writer *x = &a->writers[a->puts[i]];
        if (a->puts[i] == after || a->puts[i] == skip)
            continue;
        if (x->ret >= a->writers[after].inv && x->inv < before)
            return true;
    }
    return false;
}

static bool kv_misses(const struct analysis *a, const struct check_op *read, uint32_t w)
{
    if (read->result.kind == CHECK_VALUE_NULL)
        return true; /* nothing was ever seen: every write is missed */
    return a->pos[w] < 0 && !put_between(a, w, NONE, ret_pos(read));
}

static int remember(struct analysis *a, struct process_state *ps, uint32_t local_proc,
                    uint32_t w, uint32_t r)
{
    size_t bit = (size_t)local_proc * a->n_writers + w;
    if (a->seen_bits[bit / 64] & (1ULL << (bit % 64)))
        return 0;
    if (ps->n_seen == ps->seen_cap) {
        size_t cap = ps->seen_cap ? ps->seen_cap * 2 : 16;
        struct observation *bigger = realloc(ps->seen, cap * sizeof *bigger);
        if (bigger == NULL)
            return CHECK_ERR_NOMEM;
        ps->seen = bigger;
        ps->seen_cap = cap;
    }
    a->seen_bits[bit / 64] |= 1ULL << (bit % 64);
    ps->seen[ps->n_seen++] = (struct observation){.writer = w, .read = r};
    return 0;
}

static int kv_read(struct analysis *a, uint32_t r, struct process_state *ps, uint32_t local_proc)
{
    const struct check_op *read = &a->h->ops[r];
    size_t got_len = 0;
    const char *got = read->result.kind == CHECK_VALUE_STRING
                          ? check_strpool_str(&a->h->strings, read->result.str, &got_len)
                          : NULL;
    for (size_t w = 0; w < a->n_writers; w++) {
        size_t len;
        const char *text = check_strpool_str(&a->h->strings, a->writers[w].str, &len);
        if (got == NULL)
            a->pos[w] = -1;
        else if (a->writers[w].is_put)
            a->pos[w] = len <= got_len && memcmp(got, text, len) == 0 ? 0 : -1;
        else
            a->pos[w] = find_in(got, got_len, text, len);
    }
    int64_t inv = read->invoke_pos;
    int rc = 0;
    for (size_t j = 0; j < a->n_acked && a->writers[a->acked[j]].ret < inv; j++) {
        if (!kv_misses(a, read, a->acked[j]))
            continue;
        uint32_t missed = a->writers[a->acked[j]].op;
        int64_t gap = gap_between(a, missed, r);
        a->out->stale_reads++;
        session_of(a, r)->stale_reads++;
        if (gap > a->out->window)
            a->out->window = gap;
        rc = add_anomaly(a, CHECK_ANOMALY_STALE_READ, r, missed, NONE, gap);
        break;
    }
    if (rc == 0 && ps->last_write != NONE && kv_misses(a, read, ps->last_write)) {
        session_of(a, r)->read_your_writes++;
        rc = add_anomaly(a, CHECK_ANOMALY_READ_YOUR_WRITES, r, a->writers[ps->last_write].op,
                         NONE, 0);
    }
    for (size_t i = 0; rc == 0 && i < ps->n_seen; i++) {
        if (kv_misses(a, read, ps->seen[i].writer)) {
            session_of(a, r)->monotonic_reads++;
            rc = add_anomaly(a, CHECK_ANOMALY_MONOTONIC_READS, r,
                             a->writers[ps->seen[i].writer].op, ps->seen[i].read, 0);
            break;
        }
    }
    for (size_t w = 0; rc == 0 && w < a->n_writers; w++) {
        const struct writer *later = &a->writers[w];
        if (later->is_put || a->pos[w] < 0)
            continue;
        if (later->leader == w)
            rc = remember(a, ps, local_proc, (uint32_t)w, r);
        /* Monotonic writes: the session's previous append must show, and
         * show before this one, unless a put may have erased it. */
        uint32_t prev = later->prev_append;
        if (rc != 0 || !later->unique || prev == NONE)
            continue;
        bool absent = a->pos[prev] < 0 && !put_between(a, prev, (uint32_t)w, later->ret);
        bool reversed = a->pos[prev] > a->pos[w];
        if (absent || reversed) {
            session_of(a, later->op)->monotonic_writes++;
            rc = add_anomaly(a, CHECK_ANOMALY_MONOTONIC_WRITES, r, a->writers[prev].op,
                             later->op, 0);
        }
    }
    return rc;
}

static int compare_items(const void *x, const void *y)
{
    const struct sort_item *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return (a->writer > b->writer) - (a->writer < b->writer);
}

/* Leader (first invoked) and uniqueness of each appended string. */
static void link_appends(struct analysis *a)
{
    size_t n = 0;
    for (size_t w = 0; w < a->n_writers; w++) {
        a->writers[w].leader = (uint32_t)w;
        a->writers[w].unique = true;
        if (!a->writers[w].is_put)
            a->items[n++] = (struct sort_item){
                .a = a->writers[w].str, .b = a->writers[w].inv, .writer = (uint32_t)w};
    }
    qsort(a->items, n, sizeof *a->items, compare_items);
    for (size_t i = 0; i < n;) {
        size_t run = i + 1;
        while (run < n && a->items[run].a == a->items[i].a)
            run++;
        for (size_t j = i; j < run; j++) {
            a->writers[a->items[j].writer].leader = a->items[i].writer;
            a->writers[a->items[j].writer].unique = run - i == 1;
        }
        i = run;
    }
}

/* ---- per key ---- */

/* Fills acked with the acknowledged writers by return position, and the
 * prefix maxima of their invoke positions. */
static void sort_acked_by_return(struct analysis *a)
{
    size_t n = 0;
    for (size_t w = 0; w < a->n_writers; w++)
        if (a->writers[w].acked)
            a->items[n++] = (struct sort_item){
                .a = a->writers[w].ret, .b = a->writers[w].inv, .writer = (uint32_t)w};
    qsort(a->items, n, sizeof *a->items, compare_items);
    int64_t max_inv = -1;
    for (size_t i = 0; i < n; i++) {
        a->acked[i] = a->items[i].writer;
        if (a->items[i].b > max_inv)
            max_inv = a->items[i].b;
        a->acked_max_inv[i] = max_inv;
    }
    a->n_acked = n;
}

static int analyse_key(struct analysis *a, const uint32_t *members, size_t n, uint32_t key_no)
{
    const struct check_history *h = a->h;
    a->n_writers = a->n_acked = a->n_puts = a->n_procs = a->mw_count = 0;
    if (a->mw != NULL)
        memset(a->mw, 0, a->mw_slots * sizeof *a->mw);
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = a->slot_of_op[members[i]];
        if (a->stamp[slot] != key_no) {
            a->stamp[slot] = key_no;
            a->local_of_slot[slot] = (uint32_t)a->n_procs;
            a->procs[a->n_procs++] = (struct process_state){
                .last_write = NONE, .best_seen = NONE, .best_seen_read = NONE};
        }
    }
    /* Writers, in invoke order, with each session's previous write here. */
    uint32_t *last_by_proc = a->prev_of_proc;
    for (size_t p = 0; p < a->n_procs; p++)
        last_by_proc[p] = NONE;
    for (size_t i = 0; i < n; i++) {
        const struct check_op *op = &h->ops[members[i]];
        if (!is_write_fn(op->fn) || op->outcome == CHECK_FAIL)
            continue;
        uint32_t w = (uint32_t)a->n_writers++;
        struct writer *wr = &a->writers[w];
        *wr = (struct writer){
            .op = members[i], .inv = op->invoke_pos, .ret = ret_pos(op),
            .acked = op->outcome == CHECK_OK,
            .value = op->fn == CHECK_FN_CAS ? op->arg.j : op->arg.i,
            .is_put = op->fn == CHECK_FN_PUT, .str = op->arg.str, .prev_append = NONE};
        uint32_t local = a->local_of_slot[a->slot_of_op[members[i]]];
        uint32_t prev = last_by_proc[local];
        last_by_proc[local] = w;
        if (prev != NONE && a->writers[prev].acked && !a->writers[prev].is_put && !wr->is_put)
            wr->prev_append = prev;
        if (wr->is_put)
            a->puts[a->n_puts++] = w;
    }
    if (a->kv) {
        link_appends(a);
        /* prev_append must be a unique string to be recognised in a read. */
        for (size_t w = 0; w < a->n_writers; w++)
            if (a->writers[w].prev_append != NONE && !a->writers[a->writers[w].prev_append].unique)
                a->writers[w].prev_append = NONE;
    } else {
        build_groups(a);
    }
    sort_acked_by_return(a);
    if (a->kv) {
        size_t bits = a->n_procs * a->n_writers;
        free(a->seen_bits);
        a->seen_bits = calloc(bits / 64 + 1, sizeof *a->seen_bits);
        if (a->seen_bits == NULL)
            return CHECK_ERR_NOMEM;
    }
    int rc = 0;
    size_t w = 0;  /* writers are met in the same order as members */
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t op_index = members[i];
        const struct check_op *op = &h->ops[op_index];
        uint32_t local = a->local_of_slot[a->slot_of_op[op_index]];
        struct process_state *ps = &a->procs[local];
        if (is_write_fn(op->fn) && op->outcome != CHECK_FAIL) {
            if (a->writers[w].acked) {
                ps->last_write = (uint32_t)w;
                session_of(a, op_index)->writes++;
            }
            w++;
        } else if (is_read_fn(op->fn) && op->outcome == CHECK_OK) {
            a->out->reads++;
            session_of(a, op_index)->reads++;
            rc = a->kv ? kv_read(a, op_index, ps, local) : register_read(a, op_index, ps, local);
        }
    }
    for (size_t p = 0; p < a->n_procs; p++)
        free(a->procs[p].seen);
    return rc;
}

static int compare_anomalies(const void *x, const void *y)
{
    const struct check_anomaly *a = x, *b = y;
    if (a->read != b->read)
        return a->read < b->read ? -1 : 1;
    return (a->kind > b->kind) - (a->kind < b->kind);
}

static void analysis_close(struct analysis *a)
{
    free(a->processes);
    free(a->slot_of_op);
    free(a->seq_of_op);
    free(a->writers);
    free(a->acked);
    free(a->acked_max_inv);
    free(a->groups);
    free(a->puts);
    free(a->pos);
    free(a->items);
    free(a->prev_of_proc);
    free(a->local_of_slot);
    free(a->stamp);
    free(a->procs);
    free(a->seen_bits);
    free(a->mw);
}

int check_consistency_run(const struct check_history *h, struct check_consistency *out,
                          char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    const struct check_model *m = check_model_for_history(h, err, err_len);
    if (m == NULL)
        return CHECK_ERR_INPUT;
    for (size_t i = 0; i < h->n_ops; i++) {
        int rc = check_model_validate(m, h, &h->ops[i], err, err_len);
        if (rc != 0)
            return rc;
    }
    struct analysis a = {.h = h, .out = out, .kv = m == &check_model_kv};
    out->window_in_us = h->has_time;
    size_t n = h->n_ops ? h->n_ops : 1;
    struct check_partition p = {0};
    int rc = number_sessions(&a);
    if (rc == 0) {
        size_t procs = a.n_processes ? a.n_processes : 1;
        a.writers = malloc(n * sizeof *a.writers);
        a.acked = malloc(n * sizeof *a.acked);
        a.acked_max_inv = malloc(n * sizeof *a.acked_max_inv);
        a.groups = malloc(n * sizeof *a.groups);
        a.puts = malloc(n * sizeof *a.puts);
        a.pos = malloc(n * sizeof *a.pos);
        a.items = malloc(n * sizeof *a.items);
        a.prev_of_proc = malloc(procs * sizeof *a.prev_of_proc);
        a.local_of_slot = malloc(procs * sizeof *a.local_of_slot);
        a.stamp = malloc(procs * sizeof *a.stamp);
        a.procs = malloc(procs * sizeof *a.procs);
        if (!a.writers || !a.acked || !a.acked_max_inv || !a.groups || !a.puts || !a.pos ||
            !a.items || !a.prev_of_proc || !a.local_of_slot || !a.stamp || !a.procs)
            rc = CHECK_ERR_NOMEM;
        else
            for (size_t s = 0; s < procs; s++)
                a.stamp[s] = UINT32_MAX;
    }
    if (rc == 0)
        rc = check_partition_by_key(h, &p);
    for (size_t k = 0; k < p.n_keys && rc == 0; k++)
        rc = analyse_key(&a, p.members + p.start[k], p.start[k + 1] - p.start[k], (uint32_t)k);
    check_partition_close(&p);
    analysis_close(&a);
    if (rc != 0) {
        check_consistency_close(out);
        return check_errorf(err, err_len, rc, "out of memory");
    }
    if (out->n_anomalies > 1)
        qsort(out->anomalies, out->n_anomalies, sizeof *out->anomalies, compare_anomalies);
    return 0;
}

void check_consistency_close(struct check_consistency *c)
{
    free(c->sessions);
    free(c->anomalies);
    memset(c, 0, sizeof *c);
}

const char *check_anomaly_name(enum check_anomaly_kind kind)
{
    switch (kind) {
    case CHECK_ANOMALY_STALE_READ: return "stale-read";
    case CHECK_ANOMALY_READ_YOUR_WRITES: return "read-your-writes";
    case CHECK_ANOMALY_MONOTONIC_READS: return "monotonic-reads";
    case CHECK_ANOMALY_MONOTONIC_WRITES: return "monotonic-writes";
    }
    return "?";
}
