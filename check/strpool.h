/* strpool.h - string interning: each distinct byte string gets a small id,
 * so that equal strings compare as equal ids. Used for keys and values of
 * a history and for the states of the kv model. */
#ifndef FAULTLINE_CHECK_STRPOOL_H
#define FAULTLINE_CHECK_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#define CHECK_NO_STRING UINT32_MAX  /* "no string" where an id is expected */

struct check_strpool {
    char *bytes;          /* strings back to back, each NUL-terminated */
    size_t used, cap;     /* bytes used / allocated */
    size_t *offsets;      /* offsets[id]: start of string id in bytes */
    uint32_t *lengths;    /* lengths[id]: its length without the NUL */
    uint64_t *hashes;     /* hashes[id]: its hash, kept for rehashing */
    uint32_t count, id_cap;
    uint32_t *slots;      /* open addressing: id + 1, 0 when empty */
    size_t n_slots;       /* a power of two */
};

/* Prepares p as empty. Cannot fail; allocates nothing. */
void check_strpool_init(struct check_strpool *p);

/* Frees everything p holds; p is empty (and reusable) afterwards. */
void check_strpool_close(struct check_strpool *p);

/* Stores id of the len bytes at s (any bytes, NUL included) in *id, adding
 * them if new. Returns 0, CHECK_ERR_NOMEM, or CHECK_ERR_INPUT when the pool
 * would exceed 2^32 - 2 strings or 4 GiB for one string. s is copied. */
int check_strpool_intern(struct check_strpool *p, const char *s, size_t len, uint32_t *id);

/* Looks s up without adding it. Returns its id, or CHECK_NO_STRING. */
uint32_t check_strpool_find(const struct check_strpool *p, const char *s, size_t len);

/* Returns the NUL-terminated string of id (owned by p, valid until the next
 * intern) and its length in *len when len is not NULL. id must exist. */
const char *check_strpool_str(const struct check_strpool *p, uint32_t id, size_t *len);

/* Returns the bytes p holds (strings and tables), for memory budgets. */
size_t check_strpool_bytes(const struct check_strpool *p);

#endif
