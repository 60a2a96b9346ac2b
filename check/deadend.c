/* deadend.c - counting needers and makers of states to cut dead branches
 * of the linearizability search early. */
#include "check/deadend.h"
#include "check/error.h"

#include <stdlib.h>
#include <string.h>

#define NO_STATE UINT32_MAX

static unsigned char *state_of(const struct check_deadend *d, uint32_t id)
{
    return d->states + (size_t)id * d->model->state_size;
}

static uint32_t find_state(const struct check_deadend *d, const void *state, uint64_t hash)
{
    if (d->n_slots == 0)
        return NO_STATE;
    size_t mask = d->n_slots - 1;
    for (size_t i = (size_t)hash & mask; d->slots[i] != 0; i = (i + 1) & mask) {
        uint32_t id = d->slots[i] - 1;
        if (d->hashes[id] == hash && check_model_equal(d->model, state_of(d, id), state))
            return id;
    }
    return NO_STATE;
}

/* Returns the id of state, adding it (there is room: at most 2 per op). */
static uint32_t intern_state(struct check_deadend *d, const void *state)
{
    uint64_t hash = check_model_hash(d->model, state);
    uint32_t id = find_state(d, state, hash);
    if (id != NO_STATE)
        return id;
    id = (uint32_t)d->n_states++;
    memcpy(state_of(d, id), state, d->model->state_size);
    d->hashes[id] = hash;
    size_t mask = d->n_slots - 1;
    size_t i = (size_t)hash & mask;
    while (d->slots[i] != 0)
        i = (i + 1) & mask;
    d->slots[i] = id + 1;
    return id;
}

int check_deadend_init(struct check_deadend *d, const struct check_model *m,
                       const struct check_history *h, const uint32_t *ops, size_t n,
                       size_t n_closed)
{
    memset(d, 0, sizeof *d);
    d->model = m;
    d->n_ops = n;
    d->n_closed = n_closed;
    if (m->needs_makes == NULL || n == 0)
        return 0;
    size_t most = 2 * n;
    d->n_slots = 16;
    while (d->n_slots < 2 * most)
        d->n_slots *= 2;
    d->need = malloc(n * sizeof *d->need);
    d->make = malloc(n * sizeof *d->make);
    d->needers = calloc(most, sizeof *d->needers);
    d->makers = calloc(most, sizeof *d->makers);
    d->states = malloc(most * m->state_size);
    d->hashes = malloc(most * sizeof *d->hashes);
    d->slots = calloc(d->n_slots, sizeof *d->slots);
    unsigned char *need = malloc(m->state_size), *make = malloc(m->state_size);
    int rc = 0;
    if (!d->need || !d->make || !d->needers || !d->makers || !d->states || !d->hashes ||
        !d->slots || !need || !make) {
        rc = CHECK_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        bool needs, makes;
        check_model_needs_makes(m, &h->ops[ops[k]], &needs, need, &makes, make);
        d->need[k] = needs && k < n_closed ? intern_state(d, need) : NO_STATE;
        d->make[k] = makes ? intern_state(d, make) : NO_STATE;
        if (d->need[k] != NO_STATE)
            d->needers[d->need[k]]++;
        if (d->make[k] != NO_STATE)
            d->makers[d->make[k]]++;
    }
    for (size_t id = 0; id < d->n_states; id++)
        d->starved += d->needers[id] > 0 && d->makers[id] == 0;
    d->on = true;
out:
    free(need);
    free(make);
    if (rc != 0)
        check_deadend_close(d);
    return rc;
}

void check_deadend_close(struct check_deadend *d)
{
    free(d->need);
    free(d->make);
    free(d->needers);
    free(d->makers);
    free(d->states);
    free(d->hashes);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

static bool is_starved(const struct check_deadend *d, uint32_t id)
{
    return d->needers[id] > 0 && d->makers[id] == 0;
}

/* Adjusts one counter by delta, keeping d->starved in step. */
static void adjust(struct check_deadend *d, uint32_t *counters, uint32_t id, int delta)
{
    if (id == NO_STATE)
        return;
    bool before = is_starved(d, id);
    counters[id] = (uint32_t)((int64_t)counters[id] + delta);
    bool after = is_starved(d, id);
    d->starved += (size_t)after - (size_t)before;
}

void check_deadend_place(struct check_deadend *d, uint32_t k)
{
    if (!d->on)
        return;
    adjust(d, d->needers, d->need[k], -1);
    adjust(d, d->makers, d->make[k], -1);
}

void check_deadend_unplace(struct check_deadend *d, uint32_t k)
{
    if (!d->on)
        return;
    adjust(d, d->needers, d->need[k], +1);
    adjust(d, d->makers, d->make[k], +1);
}

bool check_deadend_stuck(const struct check_deadend *d, const void *state)
{
    if (!d->on || d->starved == 0)
        return false;
    if (d->starved > 1)
        return true;
    /* One starved state: harmless if it is the current one (its needers can
     * be placed right now). */
    uint32_t id = find_state(d, state, check_model_hash(d->model, state));
    return id == NO_STATE || !is_starved(d, id);
}

uint32_t check_deadend_culprit(const struct check_deadend *d, const void *state,
                               const struct check_history *h, const uint32_t *ops,
                               const uint64_t *closed_bits)
{
    if (!d->on)
        return NO_STATE;
    uint32_t current = find_state(d, state, check_model_hash(d->model, state));
    uint32_t best = NO_STATE;
    for (size_t k = 0; k < d->n_closed; k++) {
        uint32_t id = d->need[k];
        bool placed = closed_bits[k / 64] >> (k % 64) & 1;
        if (placed || id == NO_STATE || id == current || !is_starved(d, id))
            continue;
        if (best == NO_STATE || h->ops[ops[k]].complete_pos < h->ops[ops[best]].complete_pos)
            best = (uint32_t)k;
    }
    return best;
}
