/* storage.c - stable storage as an open-addressing hash of keys; each entry
 * holds its durable value and, when written since the last sync, a pending
 * one. A list of dirty entries makes sync and crash cost only what changed. */
#include "sim/storage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

struct blob {
    bool present;
    size_t len;
    unsigned char *data;
};

struct entry {
    char *key;           /* owned; NULL: the slot is free */
    bool used;
    bool dirty;          /* pending differs from durable */
    struct blob durable;
    struct blob pending; /* meaningful only when dirty */
};

struct store {
    struct entry *slots;
    size_t cap;          /* power of two */
    size_t used;         /* slots with a key */
    size_t present;      /* keys with a current value */
    size_t *dirty;       /* indices of dirty slots */
    size_t dirty_len, dirty_cap;
};

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

struct store *store_create(void)
{
    struct store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->cap = 4; /* most nodes keep a handful of keys: 100 000 nodes must fit */
    st->slots = calloc(st->cap, sizeof *st->slots);
    if (!st->slots) {
        free(st);
        return NULL;
    }
    return st;
}

static void blob_free(struct blob *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->present = false;
}

void store_destroy(struct store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->cap; i++) {
        blob_free(&st->slots[i].durable);
        blob_free(&st->slots[i].pending);
        free(st->slots[i].key);
    }
    free(st->slots);
    free(st->dirty);
    free(st);
}

static size_t find(const struct store *st, const char *key, bool *found)
{
    size_t mask = st->cap - 1, i = hash_key(key) & mask;
    while (st->slots[i].used) {
        if (strcmp(st->slots[i].key, key) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
    *found = false;
    return i;
}

static int grow(struct store *st)
{
    size_t ncap = st->cap * 2;
    struct entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return SIM_ENOMEM;
    struct entry *old = st->slots;
    size_t ocap = st->cap;
    st->slots = ns;
    st->cap = ncap;
    st->dirty_len = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].used)
            continue;
        bool found;
        size_t j = find(st, old[i].key, &found);
        st->slots[j] = old[i];
        if (old[i].dirty)
            st->dirty[st->dirty_len++] = j; /* capacity suffices: same count */
    }
    free(old);
    return SIM_OK;
}

static const struct blob *current(const struct entry *e)
{
    return e->dirty ? &e->pending : &e->durable;
}

/* Finds or inserts `key` and makes sure it is on the dirty list. */
static struct entry *touch(struct store *st, const char *key)
{
    bool found;
    if ((st->used + 1) * 4 > st->cap * 3 && grow(st))
        return NULL;
    size_t i = find(st, key, &found);
    struct entry *e = &st->slots[i];
    if (!found) {
        if (!(e->key = strdup(key)))
            return NULL;
        e->used = true;
        st->used++;
    }
    if (!e->dirty) {
        if (st->dirty_len == st->dirty_cap) {
            size_t nc = st->dirty_cap ? st->dirty_cap * 2 : 16;
            size_t *nd = realloc(st->dirty, nc * sizeof *nd);
            if (!nd)
                return NULL;
            st->dirty = nd;
            st->dirty_cap = nc;
        }
        st->dirty[st->dirty_len++] = i;
        e->dirty = true;
        e->pending = (struct blob){0};
    }
    return e;
}

int store_put(struct store *st, const char *key, const void *data, size_t len)
{
    if (!key || !*key || strlen(key) >= STORE_KEY_MAX || (len && !data))
        return SIM_EINVAL;
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        return SIM_ENOMEM;
    if (len)
        memcpy(copy, data, len);
    bool found;
    size_t i = find(st, key, &found);
    bool was = found && current(&st->slots[i])->present;
    struct entry *e = touch(st, key);
    if (!e) {
        free(copy);
        return SIM_ENOMEM;
    }
    blob_free(&e->pending);
    e->pending = (struct blob){true, len, copy};
    if (!was)
        st->present++;
    return SIM_OK;
}

int store_delete(struct store *st, const char *key)
{
    bool found;
    if (!key || strlen(key) >= STORE_KEY_MAX)
        return SIM_EINVAL;
    size_t i = find(st, key, &found);
    if (!found || !current(&st->slots[i])->present)
        return SIM_ENOENT;
    struct entry *e = touch(st, key);
    if (!e)
        return SIM_ENOMEM;
    blob_free(&e->pending); /* pending now says "absent" */
    st->present--;
    return SIM_OK;
}

const void *store_get(const struct store *st, const char *key, size_t *len)
{
    bool found;
    if (!st || !key || strlen(key) >= STORE_KEY_MAX)
        return NULL;
    size_t i = find(st, key, &found);
    if (!found)
        return NULL;
    const struct blob *b = current(&st->slots[i]);
    if (!b->present)
        return NULL;
    if (len)
        *len = b->len;
    return b->data ? b->data : (const void *)"";
}

static void settle(struct store *st, bool keep_pending)
{
    for (size_t k = 0; k < st->dirty_len; k++) {
        struct entry *e = &st->slots[st->dirty[k]];
        if (!e->dirty)
            continue;
        if (keep_pending) {
            blob_free(&e->durable);
            e->durable = e->pending;
        } else {
            if (e->pending.present && !e->durable.present)
                st->present--;
            else if (!e->pending.present && e->durable.present)
                st->present++;
            blob_free(&e->pending);
        }
        e->pending = (struct blob){0};
        e->dirty = false;
    }
    st->dirty_len = 0;
}

void store_sync(struct store *st)
{
    settle(st, true);
}

void store_crash(struct store *st, bool lose_unsynced)
{
    settle(st, !lose_unsynced);
}

size_t store_count(const struct store *st)
{
    return st ? st->present : 0;
}

size_t store_pending(const struct store *st)
{
    return st ? st->dirty_len : 0;
}
