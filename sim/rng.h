/* rng.h - the simulator's own PRNG: xoshiro256** streams seeded by splitmix64.
 * Owned here, not taken from libc, because determinism across machines and
 * libc versions is the product. Each purpose (network, faults, workload,
 * each node) draws from its own stream derived from (seed, stream id), so
 * adding draws to one stream never reshuffles another. */
#ifndef FAULTLINE_RNG_H
#define FAULTLINE_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Well-known stream ids; node i uses RNG_STREAM_NODE + i. */
enum rng_stream {
    RNG_STREAM_NETWORK = 1,
    RNG_STREAM_FAULTS = 2,
    RNG_STREAM_WORKLOAD = 3,
    RNG_STREAM_NEMESIS = 4,
    RNG_STREAM_NODE = 1000,
};

/* Seeds `r` as stream `stream` of run seed `seed`. Never fails. */
void rng_init(struct rng *r, uint64_t seed, uint64_t stream);
/* Next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Uniform in [0, bound), without modulo bias; bound > 0. */
uint64_t rng_below(struct rng *r, uint64_t bound);
/* Uniform in [lo, hi] inclusive; lo <= hi. */
int64_t rng_between(struct rng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_unit(struct rng *r);
/* True with probability p (p <= 0: never; p >= 1: always, without a draw). */
int rng_chance(struct rng *r, double p);
/* splitmix64 step: also a good 64-bit mixer for hashing. */
uint64_t rng_splitmix64(uint64_t *state);

#endif
