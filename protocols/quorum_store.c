/* quorum_store.c - quorum's versioned values: version order (last write wins
 * by timestamp, or vector clocks), sibling sets, the client-side merge,
 * persistence of a replica's data and the wire encoding of sibling sets.
 *
 * Vector clocks (Fidge 1988; Mattern 1989) as Dynamo uses them (DeCandia
 * et al. 2007, §4.4), each version with a dot - its own (node, counter) -
 * and the context it was written in (dotted version vectors, Preguiça et
 * al. 2010; Riak 2.0): a version supersedes another whose dot its context
 * contains; versions neither of which supersedes the other are siblings,
 * all kept, and the reader merges them. A context is a vector: having seen
 * dot (i, c) stands for having seen every earlier dot of i. quorum.c keeps
 * that true by letting a coordinator write a key once at a time, each write
 * reading (W+R>N) the one before; with plain per-coordinator vector clocks
 * the second of two concurrent writes through one coordinator would
 * silently supersede the first.
 * Last write wins keeps one version, the one with the larger timestamp:
 * when clocks are skewed, the newer write may carry the smaller timestamp
 * and vanish without a trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/quorum.h"

int quorum_compare(const struct quorum_config *c, const struct quorum_clock *a,
                   const struct quorum_clock *b)
{
    if (c->resolve == QUORUM_LWW) {
        if (a->ts != b->ts)
            return a->ts > b->ts ? 1 : -1;
        if (a->node != b->node)
            return a->node > b->node ? 1 : -1;
        if (a->counter != b->counter)
            return a->counter > b->counter ? 1 : -1;
        return 0;
    }
    if (a->node == b->node && a->counter == b->counter)
        return 0;
    bool a_saw_b = b->node >= 0 && b->node < QUORUM_MAX_NODES && b->counter <= a->vc[b->node];
    bool b_saw_a = a->node >= 0 && a->node < QUORUM_MAX_NODES && a->counter <= b->vc[a->node];
    if (a_saw_b && !b_saw_a)
        return 1;
    if (b_saw_a && !a_saw_b)
        return -1;
    return 2;
}

static void version_free(struct quorum_version *v)
{
    free(v->tokens);
    v->tokens = NULL;
    v->len = 0;
}

static int version_copy(struct quorum_version *dst, const struct quorum_version *src)
{
    dst->clock = src->clock;
    dst->len = src->len;
    dst->tokens = NULL;
    if (src->len > 0) {
        dst->tokens = malloc((size_t)src->len * sizeof *dst->tokens);
        if (!dst->tokens)
            return -1;
        memcpy(dst->tokens, src->tokens, (size_t)src->len * sizeof *dst->tokens);
    }
    return 0;
}

void quorum_set_free(struct quorum_set *s)
{
    for (int i = 0; i < s->n; i++)
        version_free(&s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static bool has_token(const struct quorum_version *v, int64_t t)
{
    for (int i = 0; i < v->len; i++)
        if (v->tokens[i] == t)
            return true;
    return false;
}

/* Does `kept` lack a token of `lost`? */
static bool loses_tokens(const struct quorum_version *kept, const struct quorum_version *lost)
{
    for (int i = 0; i < lost->len; i++)
        if (!has_token(kept, lost->tokens[i]))
            return true;
    return false;
}

bool quorum_set_covers(const struct quorum_config *c, const struct quorum_set *s,
                       const struct quorum_version *v)
{
    for (int i = 0; i < s->n; i++) {
        int cmp = quorum_compare(c, &s->v[i].clock, &v->clock);
        if (cmp == 1 || cmp == 0)
            return true;
    }
    return false;
}

int quorum_set_merge(const struct quorum_config *c, struct quorum_set *s,
                     const struct quorum_version *v, bool *discarded)
{
    if (discarded)
        *discarded = false;
    if (quorum_set_covers(c, s, v)) {
        if (discarded && c->resolve == QUORUM_LWW && s->n && loses_tokens(&s->v[0], v))
            *discarded = true;
        return 0;
    }
    /* Drop what v supersedes (LWW: the one version there is). */
    int kept = 0;
    for (int i = 0; i < s->n; i++) {
        if (quorum_compare(c, &v->clock, &s->v[i].clock) == 1) {
            version_free(&s->v[i]);
        } else {
            s->v[kept++] = s->v[i];
        }
    }
    s->n = kept;
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 2;
        struct quorum_version *nv = realloc(s->v, (size_t)cap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    if (version_copy(&s->v[s->n], v) < 0)
        return -1;
    s->n++;
    return 1;
}

/* Newest first by (ts, node, counter): the order siblings are merged in. */
static int by_ts_desc(const void *a, const void *b)
{
    const struct quorum_version *x = a, *y = b;
    if (x->clock.ts != y->clock.ts)
        return x->clock.ts < y->clock.ts ? 1 : -1;
    if (x->clock.node != y->clock.node)
        return x->clock.node < y->clock.node ? 1 : -1;
    return x->clock.counter < y->clock.counter ? 1 : x->clock.counter > y->clock.counter ? -1 : 0;
}

bool quorum_set_value(const struct quorum_set *s, int64_t **tokens, int32_t *len)
{
    *tokens = NULL;
    *len = 0;
    if (!s->n)
        return false;
    struct quorum_version *order = malloc((size_t)s->n * sizeof *order);
    int64_t total = 0;
    if (!order)
        return false;
    memcpy(order, s->v, (size_t)s->n * sizeof *order);
    qsort(order, (size_t)s->n, sizeof *order, by_ts_desc);
    for (int i = 0; i < s->n; i++)
        total += order[i].len;
    int64_t *out = malloc((size_t)(total ? total : 1) * sizeof *out);
    if (!out) {
        free(order);
        return false;
    }
    /* The newest sibling as it is, then what the others add, in their order:
     * every token any sibling holds survives the merge. */
    int32_t k = 0;
    for (int i = 0; i < s->n; i++)
        for (int j = 0; j < order[i].len; j++) {
            bool dup = false;
            for (int m = 0; m < k && !dup; m++)
                dup = out[m] == order[i].tokens[j];
            if (!dup)
                out[k++] = order[i].tokens[j];
        }
    free(order);
    *tokens = out;
    *len = k;
    return true;
}

struct quorum_set *quorum_key(struct quorum_state *st, int key)
{
    if (key < 0)
        return NULL;
    if (key >= st->nkeys) {
        int n = key + 8;
        struct quorum_set *k = realloc(st->keys, (size_t)n * sizeof *k);
        if (!k)
            return NULL;
        memset(k + st->nkeys, 0, (size_t)(n - st->nkeys) * sizeof *k);
        st->keys = k;
        st->nkeys = n;
    }
    return &st->keys[key];
}

/* ---- encoding: [int32 count] then per version [clock][int32 len][tokens] ---- */

size_t quorum_encode(const void *head, size_t hdr, const struct quorum_set *s,
                     unsigned char **out)
{
    size_t len = hdr + sizeof(int32_t);
    for (int i = 0; i < s->n; i++)
        len += sizeof(struct quorum_clock) + sizeof(int32_t) + (size_t)s->v[i].len * sizeof(int64_t);
    unsigned char *buf = malloc(len);
    if (!buf)
        return 0;
    size_t at = 0;
    if (hdr)
        memcpy(buf, head, hdr);
    at += hdr;
    int32_t count = s->n;
    memcpy(buf + at, &count, sizeof count);
    at += sizeof count;
    for (int i = 0; i < s->n; i++) {
        memcpy(buf + at, &s->v[i].clock, sizeof s->v[i].clock);
        at += sizeof s->v[i].clock;
        memcpy(buf + at, &s->v[i].len, sizeof s->v[i].len);
        at += sizeof s->v[i].len;
        if (s->v[i].len) {
            memcpy(buf + at, s->v[i].tokens, (size_t)s->v[i].len * sizeof(int64_t));
            at += (size_t)s->v[i].len * sizeof(int64_t);
        }
    }
    *out = buf;
    return len;
}

int quorum_decode(const unsigned char *body, size_t len, size_t hdr, struct quorum_set *out)
{
    memset(out, 0, sizeof *out);
    size_t at = hdr;
    int32_t count;
    if (len < at + sizeof count)
        return -1;
    memcpy(&count, body + at, sizeof count);
    at += sizeof count;
    if (count < 0 || count > 1024)
        return -1;
    out->v = calloc((size_t)(count ? count : 1), sizeof *out->v);
    if (!out->v)
        return -1;
    out->cap = count ? count : 1;
    for (int i = 0; i < count; i++) {
        struct quorum_version *v = &out->v[i];
        if (len < at + sizeof v->clock + sizeof v->len)
            goto err;
        memcpy(&v->clock, body + at, sizeof v->clock);
        at += sizeof v->clock;
        memcpy(&v->len, body + at, sizeof v->len);
        at += sizeof v->len;
        out->n = i + 1;
        if (v->len < 0 || (size_t)v->len > (len - at) / sizeof(int64_t))
            goto err;
        if (v->len) {
            v->tokens = malloc((size_t)v->len * sizeof(int64_t));
            if (!v->tokens)
                goto err;
            memcpy(v->tokens, body + at, (size_t)v->len * sizeof(int64_t));
            at += (size_t)v->len * sizeof(int64_t);
        }
    }
    if (at != len)
        goto err;
    return 0;
err:
    quorum_set_free(out);
    return -1;
}

/* ---- persistence ---- */

void quorum_persist(struct sim_node *n, struct quorum_state *st, int key)
{
    unsigned char *buf;
    char name[32];
    size_t len = quorum_encode(NULL, 0, &st->keys[key], &buf);
    if (!len)
        return;
    snprintf(name, sizeof name, "k%d", key);
    sim_store_put(n, name, buf, len);
    free(buf);
    sim_store_put_i64(n, "nkeys", st->nkeys);
}

void quorum_load(struct sim_node *n, struct quorum_state *st)
{
    int64_t nkeys = sim_store_get_i64(n, "nkeys", 0);
    for (int key = 0; key < nkeys; key++) {
        char name[32];
        size_t len = 0;
        snprintf(name, sizeof name, "k%d", key);
        const void *v = sim_store_get(n, name, &len);
        struct quorum_set *s;
        if (!v || !(s = quorum_key(st, key)))
            continue;
        quorum_set_free(s);
        if (quorum_decode(v, len, 0, s) < 0)
            memset(s, 0, sizeof *s);
    }
}
