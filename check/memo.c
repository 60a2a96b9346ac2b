/* memo.c - hash set of explored configurations with open-op subsumption. */
#include "check/memo.h"
#include "check/error.h"

#include <stdlib.h>
#include <string.h>

#define NO_MEMBER UINT32_MAX

/* Group layout: uint32 first member (padded to 8), closed set, state.
 * Member layout: uint32 next member (padded to 8), open set. */
static uint32_t *group_first(const struct check_memo *memo, size_t g)
{
    return (uint32_t *)(void *)(memo->groups + g * memo->group_size);
}

static uint64_t *group_closed(const struct check_memo *memo, size_t g)
{
    return (uint64_t *)(void *)(memo->groups + g * memo->group_size + 8);
}

static unsigned char *group_state(const struct check_memo *memo, size_t g)
{
    return memo->groups + g * memo->group_size + 8 + memo->closed_words * sizeof(uint64_t);
}

static uint32_t *member_next(const struct check_memo *memo, size_t m)
{
    return (uint32_t *)(void *)(memo->members + m * memo->member_size);
}

static uint64_t *member_open(const struct check_memo *memo, size_t m)
{
    return (uint64_t *)(void *)(memo->members + m * memo->member_size + 8);
}

int check_memo_init(struct check_memo *memo, size_t closed_words, size_t open_words,
                    const struct check_model *m)
{
    memset(memo, 0, sizeof *memo);
    memo->model = m;
    memo->closed_words = closed_words;
    memo->open_words = open_words;
    size_t state = (m->state_size + 7) / 8 * 8;
    memo->group_size = 8 + closed_words * sizeof(uint64_t) + state;
    memo->member_size = 8 + open_words * sizeof(uint64_t);
    memo->n_slots = 1024;
    memo->slots = calloc(memo->n_slots, sizeof *memo->slots);
    return memo->slots ? 0 : CHECK_ERR_NOMEM;
}

void check_memo_close(struct check_memo *memo)
{
    free(memo->groups);
    free(memo->members);
    free(memo->slots);
    memset(memo, 0, sizeof *memo);
}

static int grow_slots(struct check_memo *memo)
{
    size_t n = memo->n_slots * 2;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return CHECK_ERR_NOMEM;
    /* A slot is placed by the hash bits it stores, so no group is read. */
    for (size_t i = 0; i < memo->n_slots; i++) {
        uint64_t slot = memo->slots[i];
        if (slot == 0)
            continue;
        size_t j = (size_t)(slot >> 32) & (n - 1);
        while (slots[j] != 0)
            j = (j + 1) & (n - 1);
        slots[j] = slot;
    }
    free(memo->slots);
    memo->slots = slots;
    memo->n_slots = n;
    return 0;
}

static int grow(unsigned char **arena, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 1024;
    unsigned char *bigger = realloc(*arena, n * size);
    if (bigger == NULL)
        return CHECK_ERR_NOMEM;
    *arena = bigger;
    *cap = n;
    return 0;
}

/* Adds an open set as a new member in front of `next`; returns its index. */
static int add_member(struct check_memo *memo, const uint64_t *open, uint32_t next, uint32_t *index)
{
    if (memo->n_members >= NO_MEMBER - 1)
        return CHECK_ERR_NOMEM;
    int rc = grow(&memo->members, &memo->members_cap, memo->n_members + 1, memo->member_size);
    if (rc != 0)
        return rc;
    size_t m = memo->n_members++;
    *member_next(memo, m) = next;
    if (memo->open_words > 0)
        memcpy(member_open(memo, m), open, memo->open_words * sizeof(uint64_t));
    *index = (uint32_t)m;
    return 0;
}

static bool is_subset(const uint64_t *small, const uint64_t *big, size_t words)
{
    for (size_t w = 0; w < words; w++)
        if (small[w] & ~big[w])
            return false;
    return true;
}

int check_memo_insert(struct check_memo *memo, uint64_t hash, const uint64_t *closed,
                      const uint64_t *open, const void *state)
{
    int rc;
    if ((memo->n_groups + 1) * 2 > memo->n_slots && (rc = grow_slots(memo)) != 0)
        return rc;
    uint64_t tag = hash >> 32;
    size_t closed_size = memo->closed_words * sizeof(uint64_t);
    size_t mask = memo->n_slots - 1;
    size_t i = (size_t)tag & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t slot = memo->slots[i];
        if (slot == 0)
            break;
        if (slot >> 32 != tag)
            continue;
        size_t g = (uint32_t)slot - 1;
        if (memcmp(group_closed(memo, g), closed, closed_size) != 0 ||
            !check_model_equal(memo->model, group_state(memo, g), state))
            continue;
        /* Same closed set and state: covered if a kept open set is a subset. */
        for (uint32_t m = *group_first(memo, g); m != NO_MEMBER; m = *member_next(memo, m))
            if (is_subset(member_open(memo, m), open, memo->open_words))
                return 0;
        uint32_t member;
        if ((rc = add_member(memo, open, *group_first(memo, g), &member)) != 0)
            return rc;
        *group_first(memo, g) = member;
        return 1;
    }
    if (memo->n_groups >= UINT32_MAX - 1)
        return CHECK_ERR_NOMEM;
    if ((rc = grow(&memo->groups, &memo->groups_cap, memo->n_groups + 1, memo->group_size)) != 0)
        return rc;
    uint32_t member;
    if ((rc = add_member(memo, open, NO_MEMBER, &member)) != 0)
        return rc;
    size_t g = memo->n_groups++;
    memset(memo->groups + g * memo->group_size, 0, memo->group_size);
    *group_first(memo, g) = member;
    memcpy(group_closed(memo, g), closed, closed_size);
    memcpy(group_state(memo, g), state, memo->model->state_size);
    memo->slots[i] = tag << 32 | (uint64_t)(g + 1);
    return 1;
}

size_t check_memo_count(const struct check_memo *memo)
{
    return memo->n_members;
}

size_t check_memo_bytes(const struct check_memo *memo)
{
    return memo->groups_cap * memo->group_size + memo->members_cap * memo->member_size +
           memo->n_slots * sizeof(uint64_t);
}
