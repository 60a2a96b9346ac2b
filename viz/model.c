/* model.c - applies trace lines to the viewer's model of one moment, and
 * decides where each message is drawn (flying, or falling away when dropped). */
#include "viz/model.h"

#include <stdlib.h>
#include <string.h>

#include "viz/jscan.h"

int viz_model_init(struct viz_model *m, int nnodes)
{
    memset(m, 0, sizeof *m);
    m->nnodes = nnodes;
    m->nodes = calloc((size_t)(nnodes > 0 ? nnodes : 1), sizeof *m->nodes);
    if (!m->nodes)
        return SIM_ENOMEM;
    for (int i = 0; i < nnodes; i++) {
        m->nodes[i].state_ev = -1;
        m->nodes[i].violation_ev = -1;
    }
    m->caption_ev = -1;
    m->violation_ev = -1;
    return SIM_OK;
}

void viz_model_free(struct viz_model *m)
{
    free(m->nodes);
    free(m->blocks);
    free(m->live);
    memset(m, 0, sizeof *m);
}

int viz_model_copy(struct viz_model *dst, const struct viz_model *src)
{
    if (dst->capblocks < src->nblocks) {
        struct viz_blockview *b = realloc(dst->blocks, (size_t)src->nblocks * sizeof *b);
        if (!b)
            return SIM_ENOMEM;
        dst->blocks = b;
        dst->capblocks = src->nblocks;
    }
    if (dst->caplive < src->nlive) {
        int32_t *l = realloc(dst->live, (size_t)src->nlive * sizeof *l);
        if (!l)
            return SIM_ENOMEM;
        dst->live = l;
        dst->caplive = src->nlive;
    }
    if (dst->nnodes != src->nnodes) {
        struct viz_nodeview *n = realloc(dst->nodes, (size_t)(src->nnodes > 0 ? src->nnodes : 1) * sizeof *n);
        if (!n)
            return SIM_ENOMEM;
        dst->nodes = n;
    }
    struct viz_nodeview *nodes = dst->nodes;
    struct viz_blockview *blocks = dst->blocks;
    int32_t *live = dst->live;
    int capblocks = dst->capblocks;
    int32_t caplive = dst->caplive;
    *dst = *src;
    dst->nodes = nodes;
    dst->blocks = blocks;
    dst->live = live;
    dst->capblocks = capblocks;
    dst->caplive = caplive;
    memcpy(dst->nodes, src->nodes, (size_t)src->nnodes * sizeof *src->nodes);
    if (src->nblocks)
        memcpy(dst->blocks, src->blocks, (size_t)src->nblocks * sizeof *src->blocks);
    if (src->nlive)
        memcpy(dst->live, src->live, (size_t)src->nlive * sizeof *src->live);
    return SIM_OK;
}

static int add_live(struct viz_model *m, int32_t msg)
{
    if (m->nlive == m->caplive) {
        int32_t cap = m->caplive ? m->caplive * 2 : 256;
        int32_t *l = realloc(m->live, (size_t)cap * sizeof *l);
        if (!l)
            return SIM_ENOMEM;
        m->live = l;
        m->caplive = cap;
    }
    m->live[m->nlive++] = msg;
    return SIM_OK;
}

static int add_block(struct viz_model *m, int32_t id, int32_t ev, enum viz_block_kind kind)
{
    if (m->nblocks == m->capblocks) {
        int cap = m->capblocks ? m->capblocks * 2 : 8;
        struct viz_blockview *b = realloc(m->blocks, (size_t)cap * sizeof *b);
        if (!b)
            return SIM_ENOMEM;
        m->blocks = b;
        m->capblocks = cap;
    }
    m->blocks[m->nblocks++] = (struct viz_blockview){id, ev, (uint8_t)kind, 0};
    return SIM_OK;
}

static void remove_block(struct viz_model *m, int32_t id)
{
    for (int i = 0; i < m->nblocks; i++)
        if (m->blocks[i].id == id) {
            memmove(&m->blocks[i], &m->blocks[i + 1], (size_t)(m->nblocks - i - 1) * sizeof *m->blocks);
            m->nblocks--;
            return;
        }
}

static int64_t line_int(const struct viz_store *s, int32_t i, const char *key, int64_t dflt)
{
    struct viz_jval v;
    int64_t x;
    if (viz_json_get(viz_store_line(s, i), viz_store_len(s, i), key, &v) && viz_json_int(&v, &x))
        return x;
    return dflt;
}

static double line_double(const struct viz_store *s, int32_t i, const char *key)
{
    struct viz_jval v;
    double x;
    if (viz_json_get(viz_store_line(s, i), viz_store_len(s, i), key, &v) && viz_json_double(&v, &x))
        return x;
    return 0.0;
}

sim_time viz_node_clock(const struct viz_nodeview *n, sim_time t)
{
    /* offset(t) = offset + (t - offset_at) * drift (for display only) */
    double dt = (double)(t - n->offset_at);
    return t + n->offset + (sim_time)(dt * (double)n->drift_ppm / 1e6);
}

int viz_model_apply(struct viz_model *m, const struct viz_store *s)
{
    int32_t i = m->k;
    const struct viz_event *e = &s->ev[i];
    struct viz_nodeview *n = e->node >= 0 && e->node < m->nnodes ? &m->nodes[e->node] : NULL;
    int rc = SIM_OK;
    switch (e->kind) {
    case VIZ_EV_BOOT:
        if (n) {
            n->up = n->booted = 1;
            n->since = e->t;
        }
        break;
    case VIZ_EV_SEND:
        m->c.sent++;
        if (s->msg[e->ref].flags & VIZ_MSG_DUP)
            m->c.duplicated++;
        rc = add_live(m, e->ref);
        break;
    case VIZ_EV_RECV:
        m->c.delivered++;
        break;
    case VIZ_EV_DROP:
        m->c.dropped++;
        m->c.dropped_by[e->sub <= VIZ_DROP_OTHER ? e->sub : VIZ_DROP_OTHER]++;
        if (s->msg[e->ref].send_ev == i) { /* dropped as it was sent: show it fall */
            m->c.sent++;
            rc = add_live(m, e->ref);
        }
        break;
    case VIZ_EV_STATE:
        if (n)
            n->state_ev = i;
        break;
    case VIZ_EV_CRASH:
        if (n) {
            n->up = 0;
            n->since = e->t;
            n->slow = 0;
        }
        m->c.faults++;
        break;
    case VIZ_EV_RECOVER:
        if (n) {
            n->up = n->booted = 1;
            n->since = e->t;
        }
        m->c.faults++;
        break;
    case VIZ_EV_PARTITION:
        m->c.faults++;
        rc = add_block(m, e->ref, i, VIZ_BLOCK_PARTITION);
        break;
    case VIZ_EV_ISOLATE:
        m->c.faults++;
        rc = add_block(m, e->ref, i, VIZ_BLOCK_ISOLATE);
        break;
    case VIZ_EV_CUT:
        m->c.faults++;
        rc = add_block(m, e->ref, i, VIZ_BLOCK_CUT);
        break;
    case VIZ_EV_FLAP:
        if (e->flags & VIZ_EVF_START) {
            m->c.faults++;
            rc = add_block(m, e->ref, i, VIZ_BLOCK_FLAP);
        }
        for (int b = 0; b < m->nblocks; b++)
            if (m->blocks[b].id == e->ref)
                m->blocks[b].up = (e->flags & VIZ_EVF_UP) ? 1 : 0;
        break;
    case VIZ_EV_HEAL:
        m->c.faults++;
        if (e->flags & VIZ_EVF_ALL)
            m->nblocks = 0;
        else
            remove_block(m, e->ref);
        break;
    case VIZ_EV_CLOCK:
        m->c.faults++;
        if (n) {
            n->drift_ppm = line_int(s, i, "drift_ppm", 0);
            n->offset = line_int(s, i, "offset", 0);
            n->offset_at = e->t;
        }
        break;
    case VIZ_EV_SLOW:
        m->c.faults++;
        if (n)
            n->slow = line_int(s, i, "delay", 0);
        break;
    case VIZ_EV_LOSS:
        m->c.faults++;
        m->loss = line_double(s, i, "probability");
        break;
    case VIZ_EV_DUPLICATION:
        m->c.faults++;
        m->duplication = line_double(s, i, "probability");
        break;
    case VIZ_EV_DROP_MESSAGE:
        m->c.faults++;
        break;
    case VIZ_EV_INVOKE:
        m->c.invoked++;
        break;
    case VIZ_EV_COMPLETE:
        if (e->sub == VIZ_OUT_OK)
            m->c.ok++;
        else if (e->sub == VIZ_OUT_FAIL)
            m->c.fail++;
        else if (e->sub == VIZ_OUT_REFUSED)
            m->c.refused++;
        else
            m->c.info++;
        break;
    case VIZ_EV_VIOLATION:
        m->c.violations++;
        m->violation_ev = i;
        if (n)
            n->violation_ev = i;
        break;
    case VIZ_EV_CAPTION:
        m->caption_ev = i;
        break;
    case VIZ_EV_END:
        m->ended = true;
        break;
    default:
        break;
    }
    if (rc)
        return rc;
    m->k = i + 1;
    if (m->t < e->t)
        m->t = e->t;
    return SIM_OK;
}

sim_time viz_fall_time(const struct viz_msg *msg)
{
    sim_time flight = msg->arrive - msg->sent;
    if (flight < 20 * SIM_MS)
        return 20 * SIM_MS;
    if (flight > SIM_S)
        return SIM_S;
    return flight;
}

static double progress_at(const struct viz_msg *msg, sim_time t)
{
    if (msg->arrive <= msg->sent)
        return 0.0;
    double p = (double)(t - msg->sent) / (double)(msg->arrive - msg->sent);
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

bool viz_msg_at(const struct viz_store *s, const struct viz_msg *msg, int32_t k, sim_time t,
                double *progress, double *fall)
{
    if (msg->send_ev >= k)
        return false;
    /* The moment it was lost, when the cursor has seen that happen. */
    sim_time lost = SIM_TIME_NEVER;
    if (msg->cut_ev < k)
        lost = s->ev[msg->cut_ev].t;
    else if (msg->end_ev < k && msg->end_kind == VIZ_END_DROP)
        lost = msg->end;
    if (lost != SIM_TIME_NEVER) {
        sim_time d = viz_fall_time(msg);
        if (t >= lost + d)
            return false;
        *progress = progress_at(msg, lost);
        *fall = (double)(t - lost) / (double)d;
        if (*fall <= 0)
            *fall = 1e-6;
        return true;
    }
    if (msg->end_ev < k) /* received */
        return false;
    *progress = progress_at(msg, t);
    *fall = 0;
    return true;
}

void viz_model_prune(struct viz_model *m, const struct viz_store *s)
{
    int32_t w = 0;
    for (int32_t r = 0; r < m->nlive; r++) {
        const struct viz_msg *msg = &s->msg[m->live[r]];
        double p, f;
        bool gone = (msg->end_ev < m->k || msg->cut_ev < m->k) && !viz_msg_at(s, msg, m->k, m->t, &p, &f);
        if (!gone)
            m->live[w++] = m->live[r];
    }
    m->nlive = w;
}
