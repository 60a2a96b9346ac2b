/* splitmix.h - the seeded generator shared by the checker's property tests,
 * its scale tests and bench_check (splitmix64, Steele et al. 2014): the
 * generated histories are the same on every machine. Header-only: the
 * checker's tests link only the checker, not the engine's sim/rng.h. */
#ifndef FAULTLINE_TESTS_SPLITMIX_H
#define FAULTLINE_TESTS_SPLITMIX_H

#include <stdint.h>

struct splitmix {
    uint64_t state;
};

static inline uint64_t splitmix_next(struct splitmix *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif
