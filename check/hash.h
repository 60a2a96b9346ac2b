/* hash.h - small 64-bit hashing helpers shared by the checker's tables.
 * Header-only (static inline): splitmix64 finaliser and FNV-1a over bytes. */
#ifndef FAULTLINE_CHECK_HASH_H
#define FAULTLINE_CHECK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Mixes x into a well-spread 64-bit value (the splitmix64 finaliser).
 * Returns the mixed value; cannot fail. */
static inline uint64_t check_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Returns a hash of len bytes at data (FNV-1a, then mixed); cannot fail.
 * data may be NULL when len is 0. */
static inline uint64_t check_hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return check_mix64(h ^ len);
}

/* Advances *state and returns the next value of the splitmix64 sequence.
 * The checker owns this tiny PRNG (instead of rand()) so that its hash keys,
 * and so its work, are the same on every run. */
static inline uint64_t check_splitmix64(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ULL;
    return check_mix64(*state);
}

#endif
