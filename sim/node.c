/* node.c - the services a protocol calls on its node (sim.h): identity,
 * local clock with drift and skew, randomness, sending, timers, stable
 * storage and notes; plus the message slab the network carries. */
#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/trigger.h"

/* ---- identity ---------------------------------------------------------------------- */

int sim_self(const struct sim_node *n) { return n->id; }
int sim_node_count(const struct sim_node *n) { return n->sim->n; }
const void *sim_config(const struct sim_node *n) { return n->sim->config; }

const char *sim_node_name(const struct sim_node *n, int node)
{
    return node >= 0 && node < n->sim->n ? n->sim->names[node] : "?";
}

/* ---- clocks --------------------------------------------------------------------------- */

sim_time node_local_time(const struct node *nd, sim_time real)
{
    const struct clock *c = &nd->clock;
    __int128 elapsed = (__int128)(real - c->base_real) * (1000000 + c->ppm);
    return c->base_local + (sim_time)(elapsed / 1000000);
}

sim_time node_real_time(const struct node *nd, sim_time real_now, sim_time local)
{
    const struct clock *c = &nd->clock;
    sim_time local_now = node_local_time(nd, real_now);
    if (local <= local_now)
        return real_now;
    /* ceil((local - local_now) * 1e6 / (1e6 + ppm)) so the clock has reached it */
    __int128 num = (__int128)(local - local_now) * 1000000;
    int64_t den = 1000000 + c->ppm;
    sim_time wait = (sim_time)((num + den - 1) / den);
    return real_now + wait;
}

sim_time sim_now(const struct sim_node *n)
{
    return node_local_time(&n->sim->nodes[n->id], n->sim->now);
}

static void timer_schedule(struct sim *s, int id, int32_t slot);

/* Changes a node's clock rate and/or jumps it. Pending timers measure
 * durations on the node's clock, so a new rate moves their real due times
 * (a skew jump does not: timers run on the monotonic clock). */
void node_set_clock(struct sim *s, int id, int64_t ppm, sim_time skew)
{
    struct node *nd = &s->nodes[id];
    sim_time local_now = node_local_time(nd, s->now);
    bool rate_changed = ppm != nd->clock.ppm;
    nd->clock.base_real = s->now;
    nd->clock.base_local = local_now + skew;
    nd->clock.ppm = ppm;
    for (int32_t i = 0; i < nd->ntimers; i++)
        if (nd->timers[i].live)
            nd->timers[i].local_due += skew; /* keep the remaining duration */
    if (!rate_changed)
        return;
    for (int32_t i = 0; i < nd->ntimers; i++)
        if (nd->timers[i].live)
            timer_schedule(s, id, i);
}

/* ---- randomness ---------------------------------------------------------------------- */

uint64_t sim_random(struct sim_node *n) { return rng_next(&n->sim->nodes[n->id].rng); }

uint64_t sim_random_below(struct sim_node *n, uint64_t bound)
{
    assert(bound > 0);
    return rng_below(&n->sim->nodes[n->id].rng, bound);
}

sim_time sim_random_between(struct sim_node *n, sim_time lo, sim_time hi)
{
    assert(lo <= hi);
    return rng_between(&n->sim->nodes[n->id].rng, lo, hi);
}

/* ---- message slab ---------------------------------------------------------------------- */

int32_t msg_alloc(struct sim *s)
{
    if (s->free_msg >= 0) {
        int32_t slot = s->free_msg;
        s->free_msg = s->msgs[slot].next_free;
        return slot;
    }
    if (s->nmsgs == s->capmsgs) {
        int32_t cap = s->capmsgs ? s->capmsgs * 2 : 256;
        struct msg *m = realloc(s->msgs, (size_t)cap * sizeof *m);
        if (!m)
            return -1;
        s->msgs = m;
        s->capmsgs = cap;
    }
    s->msgs[s->nmsgs].len = 0;
    return s->nmsgs++;
}

void msg_free(struct sim *s, int32_t slot)
{
    struct msg *m = &s->msgs[slot];
    if (m->len > MSG_INLINE)
        free(m->heap);
    m->len = 0;
    m->live = 0;
    m->next_free = s->free_msg;
    s->free_msg = slot;
}

static int32_t msg_new(struct sim *s, enum msg_kind kind, int from, int to, int type,
                       const void *body, size_t len)
{
    if (len > UINT32_MAX)
        return -1;
    int32_t slot = msg_alloc(s);
    if (slot < 0)
        return -1;
    struct msg *m = &s->msgs[slot];
    m->id = s->next_msg_id++;
    m->sent = s->now;
    m->from = from;
    m->to = to;
    m->type = type;
    m->kind = (uint8_t)kind;
    m->lost = 0;
    m->dup = 0;
    m->live = 1;
    m->len = 0;
    if (len > MSG_INLINE) {
        m->heap = malloc(len);
        if (!m->heap) {
            msg_free(s, slot);
            return -1;
        }
    }
    m->len = (uint32_t)len;
    if (len)
        memcpy(msg_body(m), body, len);
    return slot;
}

static void trace_send(struct sim *s, const struct msg *m)
{
    struct jbuf *b = trace_begin(s, "send");
    if (!b)
        return;
    jbuf_key(b, "id");
    jbuf_uint(b, m->id);
    jbuf_kstr(b, "from", s->names[m->from]);
    jbuf_kstr(b, "to", s->names[m->to]);
    const char *tn = s->proto->message_name ? s->proto->message_name(m->type) : NULL;
    if (tn)
        jbuf_kstr(b, "type", tn);
    else
        jbuf_kint(b, "type", m->type);
    jbuf_kint(b, "arrive", m->arrive);
    if (m->dup)
        jbuf_kstr(b, "copy", "duplicate");
    if (s->proto->message_describe) {
        struct sim_describe d;
        memset(&d, 0, sizeof d);
        s->proto->message_describe(m->type, ((struct msg *)m)->len > MSG_INLINE ? m->heap : m->inl,
                                   m->len, &d);
        if (d.text.len)
            jbuf_kstr(b, "info", d.text.data);
        jbuf_free(&d.text);
    }
    trace_commit(s);
}

/* Puts one copy of a protocol message on the wire, `lat` from now. */
static int launch(struct sim *s, int32_t slot, sim_time lat, double drop)
{
    struct msg *m = &s->msgs[slot];
    m->arrive = s->now + lat;
    if (s->sc->network.fifo)
        m->arrive = net_fifo_arrival(s, m->from, m->to, m->arrive);
    m->lost = (uint8_t)rng_chance(&s->rng_net, drop);
    trace_send(s, m);
    if (!queue_push(&s->q, m->arrive, EV_DELIVER, m->to, (uint64_t)slot))
        return SIM_ENOMEM;
    return SIM_OK;
}

int sim_send(struct sim_node *n, int to, int type, const void *body, size_t len)
{
    struct sim *s = n->sim;
    if (to < 0 || to >= s->n || to == n->id || (len && !body))
        return SIM_EINVAL;
    s->stats.messages_sent++;
    if (s->trig_want[TRIG_SEND])
        trigger_message(s, TRIG_SEND, n->id, to, type);
    /* A message that cannot leave (the link is cut now) is dropped at once,
     * so the viewer shows it stop at the cut. */
    if (net_blocked(s, n->id, to)) {
        s->stats.dropped_partition++;
        struct jbuf *b = trace_begin(s, "drop");
        if (b) {
            jbuf_key(b, "id");
            jbuf_uint(b, s->next_msg_id++);
            jbuf_kstr(b, "from", s->names[n->id]);
            jbuf_kstr(b, "to", s->names[to]);
            const char *tn = s->proto->message_name ? s->proto->message_name(type) : NULL;
            if (tn)
                jbuf_kstr(b, "type", tn);
            else
                jbuf_kint(b, "type", type);
            jbuf_kstr(b, "reason", "partition");
            trace_commit(s);
        } else
            s->next_msg_id++;
        return SIM_OK;
    }
    double drop, dup;
    sim_time lat = net_latency(s, n->id, to, false, &drop, &dup);
    int32_t slot = msg_new(s, MSG_PROTOCOL, n->id, to, type, body, len);
    if (slot < 0 || launch(s, slot, lat, drop)) {
        sim_fatal(s, SIM_ENOMEM);
        return SIM_ENOMEM;
    }
    if (rng_chance(&s->rng_net, dup)) {
        int32_t copy = msg_new(s, MSG_PROTOCOL, n->id, to, type, body, len);
        if (copy < 0) {
            sim_fatal(s, SIM_ENOMEM);
            return SIM_ENOMEM;
        }
        s->msgs[copy].dup = 1;
        s->stats.messages_duplicated++;
        /* The copy takes its own path: it may overtake the original. */
        lat = net_latency(s, n->id, to, false, &drop, &dup);
        if (launch(s, copy, lat, drop)) {
            sim_fatal(s, SIM_ENOMEM);
            return SIM_ENOMEM;
        }
    }
    return SIM_OK;
}

int sim_broadcast(struct sim_node *n, int type, const void *body, size_t len)
{
    int rc = SIM_OK;
    for (int i = 0; i < n->sim->n && rc == SIM_OK; i++)
        if (i != n->id)
            rc = sim_send(n, i, type, body, len);
    return rc;
}

/* Client traffic: requests (client -> node) and replies (node -> client).
 * Clients sit outside the partitions; their links have their own settings. */
int net_send(struct sim *s, enum msg_kind kind, int from, int to, int type, const void *body,
             size_t len)
{
    int32_t slot = msg_new(s, kind, from, to, type, body, len);
    if (slot < 0)
        return SIM_ENOMEM;
    struct msg *m = &s->msgs[slot];
    double drop, dup;
    sim_time lat = net_latency(s, from, to, true, &drop, &dup);
    m->arrive = s->now + lat;
    m->lost = (uint8_t)rng_chance(&s->rng_net, drop);
    if (m->lost) {
        msg_free(s, slot);
        return SIM_OK; /* the client's timeout will notice */
    }
    uint32_t ev = kind == MSG_CLIENT_REQUEST ? EV_CLIENT_REQUEST : EV_CLIENT_REPLY;
    int32_t node = kind == MSG_CLIENT_REQUEST ? to : -1;
    if (!queue_push(&s->q, m->arrive, ev, node, (uint64_t)slot))
        return SIM_ENOMEM;
    return SIM_OK;
}

/* ---- timers -------------------------------------------------------------------------- */

/* The timer's name for the trace: the protocol's, or its kind number. */
static void put_timer_name(struct sim *s, struct jbuf *b, int kind)
{
    const char *tn = s->proto->timer_name ? s->proto->timer_name(kind) : NULL;
    if (tn)
        jbuf_kstr(b, "name", tn);
    else
        jbuf_kint(b, "name", kind);
}

/* Queues the timer at the real time its node's clock reaches local_due, and
 * traces it ("timer_set", again when a clock rate change moves it), so the
 * viewer can draw each pending timer running down to its deadline. */
static void timer_schedule(struct sim *s, int id, int32_t slot)
{
    struct node *nd = &s->nodes[id];
    struct timer_slot *t = &nd->timers[slot];
    t->stamp++;
    sim_time at = node_real_time(nd, s->now, t->local_due);
    uint64_t arg = (uint64_t)(uint32_t)slot | ((uint64_t)t->stamp << 32);
    if (!queue_push(&s->q, at, EV_TIMER, id, arg))
        sim_fatal(s, SIM_ENOMEM);
    struct jbuf *b = trace_begin(s, "timer_set");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        jbuf_kint(b, "timer", slot);
        put_timer_name(s, b, t->kind);
        jbuf_kint(b, "due", at);
        trace_commit(s);
    }
}

static void timer_release(struct node *nd, int32_t slot)
{
    struct timer_slot *t = &nd->timers[slot];
    t->live = 0;
    t->gen++;
    t->next_free = nd->free_timer;
    nd->free_timer = slot;
    nd->live_timers--;
}

sim_timer sim_set_timer(struct sim_node *n, sim_time delay, int kind, uint64_t arg)
{
    struct sim *s = n->sim;
    struct node *nd = &s->nodes[n->id];
    assert(delay >= 0);
    if (delay < 0)
        delay = 0;
    int32_t slot = nd->free_timer;
    if (slot >= 0) {
        nd->free_timer = nd->timers[slot].next_free;
    } else {
        if (nd->ntimers == nd->captimers) {
            int32_t cap = nd->captimers ? nd->captimers * 2 : 4;
            struct timer_slot *t = realloc(nd->timers, (size_t)cap * sizeof *t);
            if (!t) {
                sim_fatal(s, SIM_ENOMEM);
                return 0;
            }
            nd->timers = t;
            nd->captimers = cap;
        }
        slot = nd->ntimers++;
        nd->timers[slot].gen = 1;
        nd->timers[slot].stamp = 0;
    }
    struct timer_slot *t = &nd->timers[slot];
    t->live = 1;
    t->kind = kind;
    t->arg = arg;
    t->local_due = node_local_time(nd, s->now) + delay;
    nd->live_timers++;
    timer_schedule(s, n->id, slot);
    return ((uint64_t)t->gen << 32) | (uint64_t)(uint32_t)(slot + 1);
}

void sim_cancel_timer(struct sim_node *n, sim_timer timer)
{
    if (!timer)
        return;
    struct node *nd = &n->sim->nodes[n->id];
    int32_t slot = (int32_t)(uint32_t)(timer & 0xffffffffu) - 1;
    uint32_t gen = (uint32_t)(timer >> 32);
    if (slot < 0 || slot >= nd->ntimers || !nd->timers[slot].live || nd->timers[slot].gen != gen)
        return;
    timer_release(nd, slot);
    struct sim *s = n->sim;
    struct jbuf *b = trace_begin(s, "timer_cancel");
    if (b) {
        jbuf_kstr(b, "node", s->names[n->id]);
        jbuf_kint(b, "timer", slot);
        trace_commit(s);
    }
}

void node_cancel_all_timers(struct sim *s, int id)
{
    struct node *nd = &s->nodes[id];
    for (int32_t i = 0; i < nd->ntimers; i++)
        if (nd->timers[i].live)
            timer_release(nd, i);
}

int node_fire_timer(struct sim *s, int id, uint64_t arg)
{
    struct node *nd = &s->nodes[id];
    int32_t slot = (int32_t)(uint32_t)(arg & 0xffffffffu);
    uint32_t stamp = (uint32_t)(arg >> 32);
    if (!nd->up || slot >= nd->ntimers || !nd->timers[slot].live ||
        nd->timers[slot].stamp != stamp)
        return -1;
    struct timer_slot t = nd->timers[slot];
    timer_release(nd, slot);
    s->stats.timers_fired++;
    struct jbuf *b = trace_begin(s, "timer");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        jbuf_kint(b, "timer", slot);
        put_timer_name(s, b, t.kind);
        trace_commit(s);
    }
    if (s->proto->timer) {
        struct sim_node h = {s, id};
        s->current_node = id;
        s->proto->timer(&h, nd->state, t.kind, t.arg);
        s->current_node = -1;
    }
    s->last_node = id;
    return 0;
}

/* ---- stable storage --------------------------------------------------------------------- */

static struct store *node_store(struct sim_node *n)
{
    struct node *nd = &n->sim->nodes[n->id];
    if (!nd->store && !(nd->store = store_create()))
        sim_fatal(n->sim, SIM_ENOMEM);
    return nd->store;
}

int sim_store_put(struct sim_node *n, const char *key, const void *data, size_t len)
{
    struct store *st = node_store(n);
    return st ? store_put(st, key, data, len) : SIM_ENOMEM;
}

int sim_store_delete(struct sim_node *n, const char *key)
{
    struct store *st = n->sim->nodes[n->id].store;
    return st ? store_delete(st, key) : SIM_ENOENT;
}

void sim_store_sync(struct sim_node *n)
{
    struct store *st = n->sim->nodes[n->id].store;
    if (st)
        store_sync(st);
}

const void *sim_store_get(struct sim_node *n, const char *key, size_t *len)
{
    return store_get(n->sim->nodes[n->id].store, key, len);
}

int sim_store_put_i64(struct sim_node *n, const char *key, int64_t value)
{
    return sim_store_put(n, key, &value, sizeof value);
}

int64_t sim_store_get_i64(struct sim_node *n, const char *key, int64_t dflt)
{
    size_t len = 0;
    const void *p = sim_store_get(n, key, &len);
    int64_t v;
    if (!p || len != sizeof v)
        return dflt;
    memcpy(&v, p, sizeof v);
    return v;
}

/* ---- notes --------------------------------------------------------------------------- */

void sim_note(struct sim_node *n, const char *fmt, ...)
{
    struct sim *s = n->sim;
    struct jbuf *b = trace_begin(s, "note");
    bool want = s->trig_want[TRIG_NOTE]; /* triggers see notes even with tracing off */
    if (!b && !want && s->story < 2)
        return;
    char text[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (b) {
        jbuf_kstr(b, "node", s->names[n->id]);
        jbuf_kstr(b, "text", text);
        trace_commit(s);
    }
    if (s->story >= 2)
        sim_timeline_add(s, TL_NOTE, "%s: %s", s->names[n->id], text);
    if (want)
        trigger_note(s, n->id, text);
}
