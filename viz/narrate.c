/* narrate.c - the lesson told step by step: narrated playback stops at each
 * caption until Space or Enter; N and P go to the next and previous
 * caption; captions of a run that branched are told apart (time-anchored
 * ones came from the original run, triggered ones fire truthfully); and the
 * plain words the event log and the step key use for a trace line. */
#include <stdio.h>
#include <string.h>

#include "viz/app.h"
#include "viz/jscan.h"

void viz_caption_text(const struct viz_store *s, int32_t ev, char *buf, size_t cap)
{
    struct viz_jval v;
    if (cap)
        buf[0] = '\0';
    if (ev >= 0 && ev < s->nev &&
        viz_json_get(viz_store_line(s, ev), viz_store_len(s, ev), "text", &v))
        viz_json_str(&v, buf, cap);
}

void viz_caption_short(const char *text, int max_words, char *buf, size_t cap)
{
    size_t n = 0, end = 0;
    int words = 0;
    if (!cap)
        return;
    /* whole words, up to max_words, stopping at the end of the first clause */
    while (text[n] == ' ')
        n++;
    size_t start = n;
    while (text[n] && n - start + 1 < cap && n - start < 40) {
        char c = text[n];
        if (c == ' ' || text[n + 1] == '\0') {
            end = c == ' ' ? n : n + 1;
            if (++words >= max_words)
                break;
        }
        if ((c == ',' || c == '.' || c == ':' || c == ';' || c == '!' || c == '?') &&
            (text[n + 1] == ' ' || text[n + 1] == '\0')) {
            end = n;
            break;
        }
        n++;
    }
    if (end == 0 && words == 0) /* one long word: as much as the buffer takes */
        end = n;
    size_t len = end > start ? end - start : 0;
    if (len + 1 > cap)
        len = cap - 1;
    while (len > 0 && ((unsigned char)text[start + len] & 0xC0) == 0x80)
        len--; /* never split a UTF-8 sequence */
    memcpy(buf, text + start, len);
    buf[len] = '\0';
}

bool viz_caption_stale(const struct viz_store *s, const struct viz_ui *ui, int32_t ev)
{
    if (ev < 0 || ev >= s->nev || ui->diverge_at == SIM_TIME_NEVER)
        return false;
    const struct viz_event *e = &s->ev[ev];
    return !(e->flags & VIZ_EVF_ON) && e->t >= ui->diverge_at;
}

/* "n3" for node index 2; "?" for none. */
static const char *node_name(int node, char *buf, size_t cap)
{
    if (node < 0)
        snprintf(buf, cap, "?");
    else
        snprintf(buf, cap, "n%d", node + 1);
    return buf;
}

void viz_event_words(const struct viz_store *s, int32_t i, const char *epoch, char *buf, size_t cap)
{
    const struct viz_event *e = &s->ev[i];
    const char *line = viz_store_line(s, i);
    size_t len = viz_store_len(s, i);
    struct viz_jval v;
    char n[16], a[400] = "";
    node_name(e->node, n, sizeof n);
    switch (e->kind) {
    case VIZ_EV_SEND:
    case VIZ_EV_RECV:
    case VIZ_EV_DROP: {
        const struct viz_msg *m = e->ref >= 0 && e->ref < s->nmsg ? &s->msg[e->ref] : NULL;
        const char *type = m ? s->types[m->type] : "a message";
        char to[16];
        node_name(m ? m->to : -1, to, sizeof to);
        if (e->kind == VIZ_EV_SEND)
            snprintf(buf, cap, "%s sends %s to %s", n, type, to);
        else if (e->kind == VIZ_EV_RECV)
            snprintf(buf, cap, "%s receives %s from %s", to, type, n);
        else {
            if (viz_json_get(line, len, "reason", &v))
                viz_json_str(&v, a, sizeof a);
            snprintf(buf, cap, "%s %s -> %s dropped (%s)", type, n, to, a[0] ? a : "lost");
        }
        return;
    }
    case VIZ_EV_BOOT:
        snprintf(buf, cap, "%s boots", n);
        return;
    case VIZ_EV_TIMER:
        if (viz_json_get(line, len, "name", &v))
            viz_json_str(&v, a, sizeof a);
        snprintf(buf, cap, "%s: timer %s fires", n, a[0] ? a : "");
        return;
    case VIZ_EV_NOTE:
        if (viz_json_get(line, len, "text", &v))
            viz_json_str(&v, a, sizeof a);
        snprintf(buf, cap, "%s: %s", n, a);
        return;
    case VIZ_EV_STATE: {
        struct viz_nodeinfo in;
        viz_nodeinfo_read(s, i, &in);
        bool changed = e->ref < 0 || s->ev[e->ref].sub != e->sub;
        struct viz_nodeinfo before;
        viz_nodeinfo_read(s, e->ref, &before);
        if (!changed && in.role[0] && in.has_term && before.has_term && before.term != in.term)
            snprintf(buf, cap, "%s (%s) moves to %s %lld", n, in.role, epoch ? epoch : "term",
                     (long long)in.term);
        else if (changed && in.role[0] && in.has_term)
            snprintf(buf, cap, "%s becomes %s (%s %lld)", n, in.role, epoch ? epoch : "term",
                     (long long)in.term);
        else if (changed && in.role[0])
            snprintf(buf, cap, "%s becomes %s", n, in.role);
        else {
            viz_nodeinfo_text(s, i, a, sizeof a);
            snprintf(buf, cap, "%s: %s", n, a[0] ? a : "state changes");
        }
        return;
    }
    case VIZ_EV_INVOKE:
    case VIZ_EV_REQUEST:
    case VIZ_EV_REDIRECT:
    case VIZ_EV_RETRY:
    case VIZ_EV_COMPLETE: {
        char f[32] = "", type[16] = "";
        if (viz_json_get(line, len, "f", &v))
            viz_json_str(&v, f, sizeof f);
        if (viz_json_get(line, len, "type", &v))
            viz_json_str(&v, type, sizeof type);
        static const char *const what[] = {
            [VIZ_EV_INVOKE] = "sends", [VIZ_EV_REQUEST] = "request reaches",
            [VIZ_EV_REDIRECT] = "is redirected by", [VIZ_EV_RETRY] = "retries at",
            [VIZ_EV_COMPLETE] = "completes"};
        if (e->kind == VIZ_EV_COMPLETE)
            snprintf(buf, cap, "client %d: operation %s", (int)e->ref, type[0] ? type : "done");
        else if (e->kind == VIZ_EV_INVOKE)
            snprintf(buf, cap, "client %d %s %s to %s", (int)e->ref, what[e->kind], f[0] ? f : "an operation", n);
        else
            snprintf(buf, cap, "client: %s %s", what[e->kind], e->node >= 0 ? n : "a node");
        return;
    }
    case VIZ_EV_CAPTION:
        viz_caption_text(s, i, a, sizeof a);
        snprintf(buf, cap, "caption: \u201c%s\u201d", a);
        return;
    case VIZ_EV_END:
        snprintf(buf, cap, "the run ends");
        return;
    default:
        viz_describe_event(s, i, buf, cap);
        return;
    }
}

/* ---- narrated playback ---------------------------------------------------------------- */

/* The first caption line after time t (> t), or -1; a live run is extended
 * until one is on the tape or the run is over. */
static int32_t caption_after(struct viz_app *a, sim_time t)
{
    const struct viz_store *s = &a->tape.store;
    for (;;) {
        for (int32_t i = 0; i < s->captions.n; i++)
            if (s->ev[s->captions.ev[i]].t > t)
                return s->captions.ev[i];
        if (!a->has_live || viz_live_done(&a->live) || a->live.error)
            return -1;
        int32_t before = s->nev;
        if (viz_live_extend(&a->live, before + 4096) || s->nev == before)
            return -1;
    }
}

/* The last caption line before time t (< t), or -1. */
static int32_t caption_before(const struct viz_app *a, sim_time t)
{
    const struct viz_store *s = &a->tape.store;
    int32_t best = -1;
    for (int32_t i = 0; i < s->captions.n && s->ev[s->captions.ev[i]].t < t; i++)
        best = s->captions.ev[i];
    return best;
}

int viz_app_caption_seek(struct viz_app *a, int dir)
{
    int32_t ev = dir > 0 ? caption_after(a, a->cur.m.t) : caption_before(a, a->cur.m.t);
    if (ev < 0) {
        viz_app_toast(a, false, dir > 0 ? "no caption after this moment" : "no caption before this moment");
        return SIM_OK;
    }
    sim_time t = a->tape.store.ev[ev].t;
    a->ui.paused = true;
    return viz_app_seek(a, t);
}

void viz_app_set_narrate(struct viz_app *a, bool on)
{
    a->ui.narrate = on;
    viz_app_toast(a, false, on ? "narrated: playback stops at each caption (Space continues, N / P next / previous)"
                               : "narration off: playback runs through the captions");
}

bool viz_app_at_caption(const struct viz_app *a)
{
    int32_t ce = a->cur.m.caption_ev;
    return a->ui.narrate && a->ui.paused && ce >= 0 && a->tape.store.ev[ce].t == a->cur.m.t &&
           a->cur.m.t < viz_app_end(a);
}

int viz_app_narrate_stop(struct viz_app *a, sim_time t0, sim_time t1)
{
    if (!a->ui.narrate)
        return SIM_OK;
    const struct viz_store *s = &a->tape.store;
    for (int32_t i = 0; i < s->captions.n; i++) {
        sim_time ct = s->ev[s->captions.ev[i]].t;
        if (ct > t1)
            break;
        if (ct > t0) {
            a->ui.paused = true;
            a->frac_us = 0;
            return ct < t1 ? viz_app_seek(a, ct) : SIM_OK;
        }
    }
    return SIM_OK;
}
