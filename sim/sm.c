/* sm.c - the register / key-value state machine that every protocol
 * replicates (sim_sm_* in sim.h): one slot per key holding an integer
 * (registers) or a list of integer tokens (key-value). */
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

struct slot {
    bool has_value;   /* register written / kv key present */
    int64_t value;
    int64_t *list;
    size_t len, cap;
};

struct sim_sm {
    struct slot *keys;
    size_t nkeys;
    uint64_t applied;
};

struct sim_sm *sim_sm_create(void)
{
    return calloc(1, sizeof(struct sim_sm));
}

void sim_sm_destroy(struct sim_sm *sm)
{
    if (!sm)
        return;
    for (size_t i = 0; i < sm->nkeys; i++)
        free(sm->keys[i].list);
    free(sm->keys);
    free(sm);
}

struct sim_sm *sim_sm_clone(const struct sim_sm *sm)
{
    struct sim_sm *c = sim_sm_create();
    if (!c)
        return NULL;
    c->applied = sm->applied;
    if (sm->nkeys) {
        c->keys = calloc(sm->nkeys, sizeof *c->keys);
        if (!c->keys)
            goto err;
        c->nkeys = sm->nkeys;
        for (size_t i = 0; i < sm->nkeys; i++) {
            const struct slot *s = &sm->keys[i];
            c->keys[i] = (struct slot){s->has_value, s->value, NULL, s->len, s->len};
            if (s->len) {
                c->keys[i].list = malloc(s->len * sizeof *s->list);
                if (!c->keys[i].list)
                    goto err;
                memcpy(c->keys[i].list, s->list, s->len * sizeof *s->list);
            }
        }
    }
    return c;
err:
    sim_sm_destroy(c);
    return NULL;
}

static struct slot *slot_for(struct sim_sm *sm, int32_t key)
{
    if (key < 0)
        return NULL;
    if ((size_t)key >= sm->nkeys) {
        size_t n = (size_t)key + 1;
        struct slot *k = realloc(sm->keys, n * sizeof *k);
        if (!k)
            return NULL;
        memset(k + sm->nkeys, 0, (n - sm->nkeys) * sizeof *k);
        sm->keys = k;
        sm->nkeys = n;
    }
    return &sm->keys[key];
}

static int list_push(struct slot *s, int64_t v)
{
    if (s->len == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4;
        int64_t *nl = realloc(s->list, nc * sizeof *nl);
        if (!nl)
            return SIM_ENOMEM;
        s->list = nl;
        s->cap = nc;
    }
    s->list[s->len++] = v;
    return SIM_OK;
}

int sim_sm_apply(struct sim_sm *sm, const struct sim_op *op, struct sim_result *out)
{
    *out = (struct sim_result){.outcome = SIM_OUT_OK};
    struct slot *s = slot_for(sm, op->key);
    if (!s) {
        out->outcome = SIM_OUT_FAIL;
        return op->key < 0 ? SIM_EINVAL : SIM_ENOMEM;
    }
    switch (op->f) {
    case SIM_F_READ:
        out->has_value = s->has_value;
        out->value = s->value;
        return SIM_OK;
    case SIM_F_WRITE:
        s->has_value = true;
        s->value = op->value;
        break;
    case SIM_F_CAS:
        if (!s->has_value || s->value != op->value) {
            out->outcome = SIM_OUT_FAIL;
            out->has_value = s->has_value;
            out->value = s->value;
            return SIM_OK;
        }
        s->value = op->value2;
        break;
    case SIM_F_GET:
        out->has_value = s->has_value;
        out->list = s->list;
        out->list_len = s->len;
        return SIM_OK;
    case SIM_F_PUT:
        s->len = 0;
        if (list_push(s, op->value))
            return SIM_ENOMEM;
        s->has_value = true;
        break;
    case SIM_F_APPEND:
        if (list_push(s, op->value))
            return SIM_ENOMEM;
        s->has_value = true;
        break;
    default:
        out->outcome = SIM_OUT_FAIL;
        return SIM_EINVAL;
    }
    sm->applied++;
    return SIM_OK;
}

uint64_t sim_sm_hash(const struct sim_sm *sm)
{
    uint64_t h = 1469598103934665603ULL;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ULL)
    for (size_t i = 0; i < sm->nkeys; i++) {
        const struct slot *s = &sm->keys[i];
        if (!s->has_value)
            continue;
        MIX(i);
        MIX(s->value);
        MIX(s->len);
        for (size_t j = 0; j < s->len; j++)
            MIX(s->list[j]);
    }
#undef MIX
    return h;
}

uint64_t sim_sm_applied(const struct sim_sm *sm)
{
    return sm->applied;
}
