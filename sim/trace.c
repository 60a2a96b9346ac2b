/* trace.c - the trace: one JSON object per line, a header first, then every
 * event with its simulated time. Lines go to a file, a sink (the viewer),
 * and a running 64-bit FNV-1a hash that identifies the run. Also the
 * describe builder (sim_describe_*) whose output becomes "state" lines. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

#define TRACE_VERSION 1

struct jbuf *trace_begin(struct sim *s, const char *ev)
{
    if (!s->trace_on)
        return NULL;
    struct jbuf *b = &s->tline;
    jbuf_reset(b);
    jbuf_open(b, '{');
    jbuf_kint(b, "t", s->now);
    jbuf_kstr(b, "ev", ev);
    return b;
}

void trace_commit(struct sim *s)
{
    struct jbuf *b = &s->tline;
    if (s->cause[0]) { /* the first line of a triggered fault or caption: what set it off */
        jbuf_kstr(b, "on", s->cause);
        s->cause[0] = '\0';
    }
    jbuf_close(b, '}');
    jbuf_raw(b, "\n", 1);
    if (b->oom) {
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    uint64_t h = s->trace_hash;
    const unsigned char *p = (const unsigned char *)b->data;
    for (size_t i = 0; i < b->len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    s->trace_hash = h;
    s->trace_bytes += b->len;
    if (s->trace_fp && fwrite(b->data, 1, b->len, s->trace_fp) != b->len)
        sim_fatal(s, SIM_EIO);
    if (s->trace_sink)
        s->trace_sink(s->sink_ctx, b->data, b->len);
}

void trace_header(struct sim *s)
{
    if (!s->trace_on)
        return;
    const struct scenario *sc = s->sc;
    struct jbuf *b = &s->tline;
    jbuf_reset(b);
    jbuf_open(b, '{');
    jbuf_kstr(b, "trace", "faultline");
    jbuf_kint(b, "version", TRACE_VERSION);
    jbuf_kstr(b, "scenario", sc->name);
    jbuf_kstr(b, "title", sc->title);
    jbuf_kstr(b, "lesson", sc->lesson);
    jbuf_kstr(b, "protocol", s->proto->name);
    if (s->proto->epoch)
        jbuf_kstr(b, "epoch", s->proto->epoch);
    jbuf_key(b, "seed");
    jbuf_uint(b, s->seed);
    jbuf_kint(b, "nodes", s->n);
    jbuf_kint(b, "clients", sc->workload.clients);
    jbuf_kint(b, "keys", sc->workload.keys);
    jbuf_kstr(b, "model", sc->workload.model == MODEL_KV ? "kv" : "register");
    jbuf_kint(b, "duration", s->end);
    trace_commit(s);
}

/* ---- describe ----------------------------------------------------------------------- */

void sim_describe_text(struct sim_describe *d, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof tmp)
        n = sizeof tmp - 1;
    jbuf_raw(&d->text, tmp, (size_t)n);
}

void sim_describe_term(struct sim_describe *d, int64_t term)
{
    d->has_term = true;
    d->term = term;
}

void sim_describe_log(struct sim_describe *d, int64_t len, int64_t commit,
                      const int64_t *tail_terms, int tail_n)
{
    d->has_log = true;
    d->log_len = len;
    d->commit = commit;
    if (tail_n > 16) {
        tail_terms += tail_n - 16;
        tail_n = 16;
    }
    if (tail_n < 0)
        tail_n = 0;
    d->tail_n = tail_n;
    if (tail_n)
        memcpy(d->tail, tail_terms, (size_t)tail_n * sizeof *tail_terms);
}

/* Writes the state members ("role", "term", "text", "log") into b. */
static void put_state(struct sim *s, int id, struct jbuf *b)
{
    const struct node *nd = &s->nodes[id];
    jbuf_kstr(b, "role", nd->up ? (nd->role ? nd->role : "node") : "down");
    if (!nd->up || !s->proto->describe)
        return;
    struct sim_describe d;
    memset(&d, 0, sizeof d);
    s->proto->describe(nd->state, &d);
    if (d.has_term)
        jbuf_kint(b, "term", d.term);
    if (d.text.len)
        jbuf_kstr(b, "text", d.text.data);
    if (d.has_log) {
        jbuf_key(b, "log");
        jbuf_open(b, '{');
        jbuf_kint(b, "len", d.log_len);
        jbuf_kint(b, "commit", d.commit);
        jbuf_key(b, "tail");
        jbuf_open(b, '[');
        for (int i = 0; i < d.tail_n; i++)
            jbuf_int(b, d.tail[i]);
        jbuf_close(b, ']');
        jbuf_close(b, '}');
    }
    if (d.text.oom)
        b->oom = true;
    jbuf_free(&d.text);
}

void trace_node_state(struct sim *s, int id)
{
    struct node *nd = &s->nodes[id];
    struct jbuf state;
    jbuf_init(&state);
    state.need_comma = true; /* members follow "node" in the line */
    put_state(s, id, &state);
    if (state.oom) {
        jbuf_free(&state);
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    if (nd->desc && strcmp(nd->desc, state.data) == 0) {
        jbuf_free(&state);
        return;
    }
    struct jbuf *b = trace_begin(s, "state");
    jbuf_kstr(b, "node", s->names[id]);
    jbuf_raw(b, state.data, state.len);
    trace_commit(s);
    free(nd->desc);
    nd->desc = state.data; /* keep it: the buffer becomes the remembered state */
}

size_t sim_node_describe(const struct sim *s, int node, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    if (node < 0 || node >= s->n || !s->nodes[node].up || !s->proto->describe || !cap)
        return 0;
    struct sim_describe d;
    memset(&d, 0, sizeof d);
    s->proto->describe(s->nodes[node].state, &d);
    size_t n = d.text.len < cap - 1 ? d.text.len : cap - 1;
    if (n)
        memcpy(buf, d.text.data, n);
    buf[n] = '\0';
    jbuf_free(&d.text);
    return n;
}
