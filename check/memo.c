/* memo.c - hash set of explored (linearized-set, state) configurations. */
#include "check/memo.h"
#include "check/error.h"

#include <stdlib.h>
#include <string.h>

int check_memo_init(struct check_memo *memo, size_t words, const struct check_model *m)
{
    memset(memo, 0, sizeof *memo);
    memo->model = m;
    memo->words = words;
    memo->record_size = words * sizeof(uint64_t) + m->state_size;
    memo->n_slots = 1024;
    memo->slots = calloc(memo->n_slots, sizeof *memo->slots);
    return memo->slots ? 0 : CHECK_ERR_NOMEM;
}

void check_memo_close(struct check_memo *memo)
{
    free(memo->records);
    free(memo->slots);
    memset(memo, 0, sizeof *memo);
}

static int grow_slots(struct check_memo *memo)
{
    size_t n = memo->n_slots * 2;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return CHECK_ERR_NOMEM;
    /* A slot is placed by the hash bits it stores, so no record is read. */
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

static int grow_records(struct check_memo *memo)
{
    size_t cap = memo->records_cap ? memo->records_cap * 2 : 1024;
    unsigned char *records = realloc(memo->records, cap * memo->record_size);
    if (records == NULL)
        return CHECK_ERR_NOMEM;
    memo->records = records;
    memo->records_cap = cap;
    return 0;
}

int check_memo_insert(struct check_memo *memo, uint64_t hash, const uint64_t *bits,
                      const void *state)
{
    int rc;
    if ((memo->n_records + 1) * 2 > memo->n_slots && (rc = grow_slots(memo)) != 0)
        return rc;
    uint64_t tag = hash >> 32;
    size_t bits_size = memo->words * sizeof(uint64_t);
    size_t mask = memo->n_slots - 1;
    /* Probe by the high half of the hash, the part each slot keeps. */
    size_t i = (size_t)tag & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t slot = memo->slots[i];
        if (slot == 0)
            break;
        if (slot >> 32 != tag)
            continue;
        const unsigned char *record = memo->records + (size_t)((uint32_t)slot - 1) * memo->record_size;
        if (memcmp(record, bits, bits_size) == 0 &&
            check_model_equal(memo->model, record + bits_size, state))
            return 0;
    }
    if (memo->n_records >= UINT32_MAX - 1)
        return CHECK_ERR_NOMEM;
    if (memo->n_records == memo->records_cap && (rc = grow_records(memo)) != 0)
        return rc;
    unsigned char *record = memo->records + memo->n_records * memo->record_size;
    memcpy(record, bits, bits_size);
    memcpy(record + bits_size, state, memo->model->state_size);
    memo->n_records++;
    memo->slots[i] = tag << 32 | (uint64_t)memo->n_records;
    return 1;
}

size_t check_memo_bytes(const struct check_memo *memo)
{
    return memo->records_cap * memo->record_size + memo->n_slots * sizeof(uint64_t);
}
