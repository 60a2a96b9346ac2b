/* strpool.c - string interning with open addressing over (hash, id). */
#include "check/strpool.h"
#include "check/error.h"
#include "check/hash.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void check_strpool_init(struct check_strpool *p)
{
    memset(p, 0, sizeof *p);
}

void check_strpool_close(struct check_strpool *p)
{
    free(p->bytes);
    free(p->offsets);
    free(p->lengths);
    free(p->hashes);
    free(p->slots);
    check_strpool_init(p);
}

static uint32_t lookup(const struct check_strpool *p, const char *s, size_t len,
                       uint64_t hash, size_t *slot_out)
{
    if (p->n_slots == 0) {
        *slot_out = 0;
        return CHECK_NO_STRING;
    }
    size_t mask = p->n_slots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        uint32_t entry = p->slots[i];
        if (entry == 0) {
            *slot_out = i;
            return CHECK_NO_STRING;
        }
        uint32_t id = entry - 1;
        if (p->hashes[id] == hash && p->lengths[id] == len &&
            memcmp(p->bytes + p->offsets[id], s, len) == 0) {
            *slot_out = i;
            return id;
        }
    }
}

static int grow_slots(struct check_strpool *p)
{
    size_t n = p->n_slots ? p->n_slots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return CHECK_ERR_NOMEM;
    for (uint32_t id = 0; id < p->count; id++) {
        size_t i = (size_t)p->hashes[id] & (n - 1);
        while (slots[i] != 0)
            i = (i + 1) & (n - 1);
        slots[i] = id + 1;
    }
    free(p->slots);
    p->slots = slots;
    p->n_slots = n;
    return 0;
}

static int grow_ids(struct check_strpool *p)
{
    uint32_t cap = p->id_cap ? p->id_cap * 2 : 64;
    if (cap < p->id_cap)
        return CHECK_ERR_INPUT;
    size_t *offsets = realloc(p->offsets, cap * sizeof *offsets);
    if (offsets == NULL)
        return CHECK_ERR_NOMEM;
    p->offsets = offsets;
    uint32_t *lengths = realloc(p->lengths, cap * sizeof *lengths);
    if (lengths == NULL)
        return CHECK_ERR_NOMEM;
    p->lengths = lengths;
    uint64_t *hashes = realloc(p->hashes, cap * sizeof *hashes);
    if (hashes == NULL)
        return CHECK_ERR_NOMEM;
    p->hashes = hashes;
    p->id_cap = cap;
    return 0;
}

static int grow_bytes(struct check_strpool *p, size_t need)
{
    size_t cap = p->cap ? p->cap : 1024;
    while (cap < p->used + need)
        cap *= 2;
    char *bytes = realloc(p->bytes, cap);
    if (bytes == NULL)
        return CHECK_ERR_NOMEM;
    p->bytes = bytes;
    p->cap = cap;
    return 0;
}

int check_strpool_intern(struct check_strpool *p, const char *s, size_t len, uint32_t *id)
{
    assert(s != NULL || len == 0);
    if (len >= UINT32_MAX)
        return CHECK_ERR_INPUT;
    uint64_t hash = check_hash_bytes(s, len);
    size_t slot;
    uint32_t found = lookup(p, s, len, hash, &slot);
    if (found != CHECK_NO_STRING) {
        *id = found;
        return 0;
    }
    if (p->count >= UINT32_MAX - 2)
        return CHECK_ERR_INPUT;
    int rc;
    /* Keep the load factor under one half so probes stay short. */
    if ((size_t)(p->count + 1) * 2 > p->n_slots) {
        if ((rc = grow_slots(p)) != 0)
            return rc;
        lookup(p, s, len, hash, &slot);
    }
    if (p->count == p->id_cap && (rc = grow_ids(p)) != 0)
        return rc;
    if (p->used + len + 1 > p->cap && (rc = grow_bytes(p, len + 1)) != 0)
        return rc;
    uint32_t new_id = p->count++;
    p->offsets[new_id] = p->used;
    p->lengths[new_id] = (uint32_t)len;
    p->hashes[new_id] = hash;
    if (len > 0)
        memcpy(p->bytes + p->used, s, len);
    p->bytes[p->used + len] = '\0';
    p->used += len + 1;
    p->slots[slot] = new_id + 1;
    *id = new_id;
    return 0;
}

uint32_t check_strpool_find(const struct check_strpool *p, const char *s, size_t len)
{
    size_t slot;
    return lookup(p, s, len, check_hash_bytes(s, len), &slot);
}

const char *check_strpool_str(const struct check_strpool *p, uint32_t id, size_t *len)
{
    assert(id < p->count);
    if (len != NULL)
        *len = p->lengths[id];
    return p->bytes + p->offsets[id];
}

size_t check_strpool_bytes(const struct check_strpool *p)
{
    return p->cap + (size_t)p->id_cap * (sizeof(size_t) + sizeof(uint32_t) + sizeof(uint64_t)) +
           p->n_slots * sizeof(uint32_t);
}
