/* storage.h - a node's stable storage: named blobs that survive crashes, with
 * writes buffered until sync so that a crash can lose what was not synced. */
#ifndef FAULTLINE_STORAGE_H
#define FAULTLINE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#define STORE_KEY_MAX 64

struct store;

/* Returns a new empty store, or NULL when out of memory. */
struct store *store_create(void);
/* Frees the store; NULL is allowed. */
void store_destroy(struct store *st);
/* Writes (not yet durable). Returns 0, SIM_EINVAL (bad key), SIM_ENOMEM. */
int store_put(struct store *st, const char *key, const void *data, size_t len);
/* Deletes (not yet durable). Returns 0 or SIM_ENOENT when absent. */
int store_delete(struct store *st, const char *key);
/* The current value (written, durable or not), or NULL when absent. The
 * pointer is valid until the next write, delete, sync or crash. */
const void *store_get(const struct store *st, const char *key, size_t *len);
/* Makes every pending write durable. */
void store_sync(struct store *st);
/* A crash: pending writes become durable (lose_unsynced false) or vanish. */
void store_crash(struct store *st, bool lose_unsynced);
/* Number of keys currently present, and pending (unsynced) writes. */
size_t store_count(const struct store *st);
size_t store_pending(const struct store *st);

#endif
