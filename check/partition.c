/* partition.c - ops grouped by key with a counting sort over the string
 * pool's dense ids. */
#include "check/partition.h"
#include "check/error.h"

#include <stdlib.h>
#include <string.h>

void check_partition_close(struct check_partition *p)
{
    free(p->key_of);
    free(p->start);
    free(p->members);
    memset(p, 0, sizeof *p);
}

int check_partition_by_key(const struct check_history *h, struct check_partition *p)
{
    memset(p, 0, sizeof *p);
    size_t ids = (size_t)h->strings.count + 1; /* the last one stands for "no key" */
    size_t n = h->n_ops ? h->n_ops : 1;
    size_t *slot_of_id = malloc(ids * sizeof *slot_of_id);
    size_t *fill = NULL;
    p->key_of = malloc(n * sizeof *p->key_of);
    p->start = calloc(n + 2, sizeof *p->start);
    p->members = malloc(n * sizeof *p->members);
    if (!slot_of_id || !p->key_of || !p->start || !p->members)
        goto nomem;
    for (size_t i = 0; i < ids; i++)
        slot_of_id[i] = SIZE_MAX;
    for (size_t i = 0; i < h->n_ops; i++) {
        uint32_t key = h->ops[i].key;
        size_t id = key == CHECK_NO_STRING ? ids - 1 : key;
        if (slot_of_id[id] == SIZE_MAX) {
            slot_of_id[id] = p->n_keys;
            p->key_of[p->n_keys++] = key;
        }
        p->start[slot_of_id[id] + 1]++;
    }
    for (size_t k = 0; k < p->n_keys; k++)
        p->start[k + 1] += p->start[k];
    fill = malloc((p->n_keys ? p->n_keys : 1) * sizeof *fill);
    if (fill == NULL)
        goto nomem;
    memcpy(fill, p->start, p->n_keys * sizeof *fill);
    for (size_t i = 0; i < h->n_ops; i++) {
        uint32_t key = h->ops[i].key;
        size_t slot = slot_of_id[key == CHECK_NO_STRING ? ids - 1 : key];
        p->members[fill[slot]++] = (uint32_t)i;
    }
    free(fill);
    free(slot_of_id);
    return 0;
nomem:
    free(slot_of_id);
    check_partition_close(p);
    return CHECK_ERR_NOMEM;
}
