/* draw_timeline.c - the timeline bar: the whole run end to end, how far we
 * are, fault markers above it (what kind by colour and shape), violations
 * as vermillion diamonds, captions below; faults and captions a live run has
 * not reached yet are drawn hollow. Dragging on it seeks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/draw.h"

/* The bar's horizontal extent. */
static void bar(const struct viz_layout *L, float *x0, float *w)
{
    float pad = 18 * L->s;
    *x0 = L->timeline.x + pad;
    *w = L->timeline.w - 2 * pad;
}

static float x_of(const struct viz_layout *L, sim_time duration, sim_time t)
{
    float x0, w;
    bar(L, &x0, &w);
    if (duration <= 0)
        return x0;
    double f = (double)t / (double)duration;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return x0 + w * (float)f;
}

sim_time viz_timeline_time_at(const struct viz_layout *L, sim_time duration, float x)
{
    float x0, w;
    bar(L, &x0, &w);
    double f = (x - x0) / w;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return (sim_time)llround(f * (double)duration);
}

static float track_y(const struct viz_layout *L)
{
    return L->timeline.y + 30 * L->s;
}

/* Marker colour by fault kind, never a role hue (those mean roles): a
 * crash black, what mends (recover, heal) blue, the network (cuts, loss,
 * duplication, a dropped message) vermillion like the cut links, clock and
 * slowness grey. */
struct viz_rgba viz_timeline_mark_color(uint8_t kind)
{
    switch (kind) {
    case VIZ_EV_CRASH: return VIZ_RGB(VIZ_INK);
    case VIZ_EV_RECOVER:
    case VIZ_EV_HEAL: return VIZ_RGB(VIZ_BLUE);
    case VIZ_EV_PARTITION:
    case VIZ_EV_ISOLATE:
    case VIZ_EV_CUT:
    case VIZ_EV_FLAP:
    case VIZ_EV_LOSS:
    case VIZ_EV_DUPLICATION:
    case VIZ_EV_DROP_MESSAGE: return VIZ_RGB(VIZ_BAD);
    case VIZ_EV_CLOCK:
    case VIZ_EV_SLOW:
    default: return VIZ_RGB(VIZ_INK_SOFT);
    }
}

static struct viz_rgba fault_kind_color(enum fault_kind k)
{
    static const uint8_t map[FAULT_KIND_COUNT] = {
        [FAULT_CRASH] = VIZ_EV_CRASH, [FAULT_RECOVER] = VIZ_EV_RECOVER,
        [FAULT_PARTITION] = VIZ_EV_PARTITION, [FAULT_ISOLATE] = VIZ_EV_ISOLATE,
        [FAULT_CUT] = VIZ_EV_CUT, [FAULT_HEAL] = VIZ_EV_HEAL, [FAULT_FLAP] = VIZ_EV_FLAP,
        [FAULT_CLOCK] = VIZ_EV_CLOCK, [FAULT_SLOW] = VIZ_EV_SLOW, [FAULT_DROP] = VIZ_EV_LOSS,
        [FAULT_DUPLICATE] = VIZ_EV_DUPLICATION, [FAULT_DROP_MESSAGE] = VIZ_EV_DROP_MESSAGE,
    };
    return viz_timeline_mark_color((unsigned)k < FAULT_KIND_COUNT ? map[k] : 0);
}

/* One unit per scale: a step of 100ms or more labels every tick in seconds,
 * with the decimals the step needs ("0.0s 0.5s 1.0s"; "0s 2s 4s"), a finer
 * one in milliseconds ("0ms 20ms 40ms"). */
void viz_timeline_tick_label(sim_time t, sim_time step, char *buf, size_t cap)
{
    if (step >= 100 * SIM_MS) {
        if (step % SIM_S == 0)
            snprintf(buf, cap, "%llds", (long long)(t / SIM_S));
        else
            snprintf(buf, cap, "%lld.%01llds", (long long)(t / SIM_S),
                     (long long)(t % SIM_S / (100 * SIM_MS)));
    } else if (step >= SIM_MS)
        snprintf(buf, cap, "%lldms", (long long)(t / SIM_MS));
    else
        snprintf(buf, cap, "%lldus", (long long)t);
}

sim_time viz_timeline_tick_step(const struct viz_layout *L, sim_time duration)
{
    /* a round step at least 70 pixels apart */
    static const sim_time steps[] = {1 * SIM_MS, 2 * SIM_MS, 5 * SIM_MS, 10 * SIM_MS, 20 * SIM_MS,
                                     50 * SIM_MS, 100 * SIM_MS, 200 * SIM_MS, 500 * SIM_MS, SIM_S,
                                     2 * SIM_S, 5 * SIM_S, 10 * SIM_S, 30 * SIM_S, 60 * SIM_S,
                                     120 * SIM_S, 300 * SIM_S, 600 * SIM_S, 1800 * SIM_S, 3600 * SIM_S};
    float x0, w;
    bar(L, &x0, &w);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (duration > 0 && w * (float)steps[i] / (float)duration >= 70 * L->s)
            return steps[i];
    return steps[sizeof steps / sizeof steps[0] - 1];
}

/* Each caption's first words under its mark, placed through the frame's
 * label record so none covers another: a label that would is shortened to
 * its first word, or left out (hovering its mark shows the whole caption). */
static void caption_labels(struct viz_draw *d, float y)
{
    const struct viz_layout *L = d->L;
    const struct viz_store *st = &d->tape->store;
    if (!L->caption_marks)
        return;
    int32_t upto = d->ui->live ? d->m->k : st->nev;
    for (int32_t i = 0; i < st->captions.n && st->captions.ev[i] < upto; i++) {
        int32_t ev = st->captions.ev[i];
        char text[400], label[64];
        viz_caption_text(st, ev, text, sizeof text);
        bool stale = viz_caption_stale(st, d->ui, ev);
        struct viz_rgba c = stale ? VIZ_RGB(VIZ_INK_SOFT) : VIZ_RGB(VIZ_BLUE);
        float x = x_of(L, st->hdr.duration, st->ev[ev].t);
        for (int words = 4; words > 0; words = words > 2 ? 2 : words - 1) {
            viz_caption_short(text, words, label, sizeof label);
            if (!label[0])
                break;
            if (viz_label(d, VIZ_FONT_SMALL, label, x, y, c, VIZ_CENTER, &L->timeline) ||
                viz_label(d, VIZ_FONT_SMALL, label, x - 4 * d->s, y, c, VIZ_LEFT, &L->timeline) ||
                viz_label(d, VIZ_FONT_SMALL, label, x + 4 * d->s, y, c, VIZ_RIGHT, &L->timeline))
                break;
        }
    }
}

void viz_draw_timeline(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const struct viz_store *st = &d->tape->store;
    const struct viz_rect *r = &L->timeline;
    float s = d->s;
    sim_time dur = st->hdr.duration;
    viz_gfx_rect(d->g, r->x, r->y, r->w, r->h, VIZ_RGB(VIZ_PANEL));
    viz_gfx_rect(d->g, r->x, r->y, r->w, 1 * s, VIZ_RGB(VIZ_RULE));
    float x0, w;
    bar(L, &x0, &w);
    float ty = track_y(L), th = 9 * s;
    float now_x = x_of(L, dur, d->m->t);
    viz_gfx_round_rect(d->g, x0, ty, w, th, th / 2, VIZ_RGB(0xD6D6CF));
    viz_gfx_round_rect(d->g, x0, ty, now_x - x0 > th ? now_x - x0 : th, th, th / 2, VIZ_RGB(VIZ_BLUE));
    sim_time step = viz_timeline_tick_step(L, dur);
    for (sim_time t = 0; t <= dur && step > 0; t += step) {
        float x = x_of(L, dur, t);
        viz_gfx_rect(d->g, x - 0.5f * s, ty + th, 1 * s, 3 * s, VIZ_RGB(VIZ_INK_SOFT));
    }
    /* markers: faults above the track, violations larger, captions below.
     * Live, only what has happened (the rest of the plan is drawn hollow),
     * so a frame depends on its moment alone. */
    float my = ty - 3 * s;
    int32_t upto = d->ui->live ? d->m->k : st->nev;
    for (int32_t i = 0; i < st->faults.n && st->faults.ev[i] < upto; i++) {
        int32_t ev = st->faults.ev[i];
        const struct viz_event *e = &st->ev[ev];
        float x = x_of(L, dur, e->t);
        float k = (e->flags & VIZ_EVF_NEMESIS) ? 5 * s : 7 * s;
        struct viz_rgba c = viz_timeline_mark_color(e->kind);
        if (e->kind == VIZ_EV_FAULT_SKIPPED)
            c = VIZ_RGB(VIZ_RULE);
        viz_gfx_tri(d->g, x - k, my - 1.6f * k, x + k, my - 1.6f * k, x, my, c);
    }
    for (int32_t i = 0; i < st->violations.n && st->violations.ev[i] < upto; i++) {
        float x = x_of(L, dur, st->ev[st->violations.ev[i]].t);
        float k = 7.5f * s, cy = ty - 11 * s;
        float xy[8] = {x, cy - k, x + k, cy, x, cy + k, x - k, cy};
        viz_gfx_poly(d->g, xy, 4, VIZ_RGB(VIZ_BAD));
    }
    for (int32_t i = 0; i < st->captions.n && st->captions.ev[i] < upto; i++) {
        float x = x_of(L, dur, st->ev[st->captions.ev[i]].t);
        struct viz_rgba c = viz_caption_stale(st, d->ui, st->captions.ev[i]) ? VIZ_RGB(VIZ_RULE)
                                                                               : VIZ_RGB(VIZ_BLUE);
        viz_gfx_round_rect(d->g, x - 4 * s, ty + th + 4 * s, 8 * s, 8 * s, 2 * s, c);
    }
    /* live: what the scenario still has in store, hollow */
    const struct scenario *sc = d->ui->sc;
    if (d->ui->live && sc) {
        for (int i = 0; i < sc->fault_count; i++) {
            if (sc->faults[i].at <= d->m->t || sc->faults[i].at > dur)
                continue;
            float x = x_of(L, dur, sc->faults[i].at), k = 7 * s;
            struct viz_rgba c = fault_kind_color(sc->faults[i].kind);
            viz_gfx_line(d->g, x - k, my - 1.6f * k, x + k, my - 1.6f * k, 2 * s, c);
            viz_gfx_line(d->g, x - k, my - 1.6f * k, x, my, 2 * s, c);
            viz_gfx_line(d->g, x + k, my - 1.6f * k, x, my, 2 * s, c);
        }
        for (int i = 0; i < d->ui->nsession; i++) {
            const struct fault *f = &d->ui->session[i];
            if (f->at <= d->m->t || f->at > dur)
                continue;
            float x = x_of(L, dur, f->at), k = 7 * s;
            struct viz_rgba c = fault_kind_color(f->kind);
            viz_gfx_line(d->g, x - k, my - 1.6f * k, x + k, my - 1.6f * k, 2 * s, c);
            viz_gfx_line(d->g, x - k, my - 1.6f * k, x, my, 2 * s, c);
            viz_gfx_line(d->g, x + k, my - 1.6f * k, x, my, 2 * s, c);
        }
        for (int i = 0; i < sc->caption_count; i++) {
            /* a triggered caption has no time until its event comes */
            if (sc->captions[i].on.kind != TRIG_NONE || sc->captions[i].at <= d->m->t ||
                sc->captions[i].at > dur)
                continue;
            float x = x_of(L, dur, sc->captions[i].at);
            /* after a clicked-in fault it belongs to the original run: dimmed */
            bool stale = d->ui->diverge_at != SIM_TIME_NEVER && sc->captions[i].at >= d->ui->diverge_at;
            viz_gfx_frame(d->g, x - 4 * s, ty + th + 4 * s, 8 * s, 8 * s, 1.5f * s,
                          stale ? VIZ_RGB(VIZ_INK_SOFT) : VIZ_RGB(VIZ_BLUE));
        }
    }
    /* the cursor */
    viz_gfx_rect(d->g, now_x - 1 * s, ty - 24 * s, 2 * s, th + 28 * s, VIZ_RGBA(VIZ_INK, 150));
    viz_gfx_circle(d->g, now_x, ty + th / 2, 8 * s, VIZ_RGB(0xFFFFFF));
    viz_gfx_ring(d->g, now_x, ty + th / 2, 8 * s, 3 * s, VIZ_RGB(VIZ_BLUE));
    viz_gfx_flush(d->g);
    char lab[32];
    for (sim_time t = 0; t <= dur && step > 0; t += step) {
        viz_timeline_tick_label(t, step, lab, sizeof lab);
        viz_text_draw(d->tx, VIZ_FONT_SMALL, lab, x_of(L, dur, t), ty + th + 13 * s,
                      VIZ_RGB(VIZ_INK_SOFT), t == 0 ? VIZ_LEFT : VIZ_CENTER);
    }
    caption_labels(d, ty + th + 13 * s + (float)viz_text_height(d->tx, VIZ_FONT_SMALL));
    /* hover: what the marker is, wrapped (never cut), kept inside the window */
    int32_t h = d->ui->hover_mark;
    if (h >= 0 && h < st->nev) {
        char text[1200], when[32], line[1300], lines[12][160];
        if (st->ev[h].kind == VIZ_EV_CAPTION) {
            viz_caption_text(st, h, text, sizeof text);
            if (viz_caption_stale(st, d->ui, h)) {
                size_t n = strlen(text);
                snprintf(text + n, sizeof text - n, " (from the original run: may no longer hold)");
            }
        } else
            viz_describe_event(st, h, text, sizeof text);
        scenario_format_time(st->ev[h].t, when, sizeof when);
        snprintf(line, sizeof line, "%s  %s", when, text);
        int maxw = (int)(L->w * 0.6f), lh = viz_text_height(d->tx, VIZ_FONT_BODY);
        int n = viz_text_break(d->tx, VIZ_FONT_BODY, line, maxw, lines, 12, NULL);
        int tw = 0;
        for (int i = 0; i < n; i++) {
            int lw = viz_text_width(d->tx, VIZ_FONT_BODY, lines[i]);
            tw = lw > tw ? lw : tw;
        }
        struct viz_rect box = {x_of(L, dur, st->ev[h].t) - (float)tw / 2 - 8 * s, 0,
                               (float)tw + 16 * s, (float)(n * lh) + 10 * s};
        box.y = r->y - box.h - 8 * s;
        struct viz_rect inside = {4 * s, 4 * s, (float)L->w - 8 * s, (float)L->h - 8 * s};
        if (d->labels)
            viz_labels_tip(d->labels, &box, &inside);
        else {
            box.x = box.x < inside.x ? inside.x : box.x;
            if (box.x + box.w > inside.x + inside.w)
                box.x = inside.x + inside.w - box.w;
        }
        viz_gfx_round_rect(d->g, box.x, box.y, box.w, box.h, 6 * s, VIZ_RGBA(0x222222, 240));
        viz_gfx_flush(d->g);
        struct viz_rgba c = st->ev[h].kind == VIZ_EV_VIOLATION ? VIZ_RGB(0xFFB07A) : VIZ_RGB(0xFFFFFF);
        for (int i = 0; i < n; i++)
            viz_text_draw(d->tx, VIZ_FONT_BODY, lines[i], box.x + 8 * s, box.y + 5 * s + (float)(i * lh),
                          c, VIZ_LEFT);
    }
}

int32_t viz_timeline_mark_at(const struct viz_draw *d, float x, float y)
{
    const struct viz_layout *L = d->L;
    const struct viz_store *st = &d->tape->store;
    if (!viz_rect_has(&L->timeline, x, y))
        return -1;
    float s = d->s, ty = track_y(L);
    sim_time dur = st->hdr.duration;
    const struct viz_marks *lists[3] = {&st->violations, &st->faults, &st->captions};
    float rows[3] = {ty - 11 * s, ty - 10 * s, ty + 17 * s};
    /* the caption labels' row (below the ticks) counts as the captions' row */
    float small_h = d->tx ? (float)viz_text_height(d->tx, VIZ_FONT_SMALL) : 16 * s;
    float label_y = ty + 9 * s + 13 * s + small_h + small_h / 2;
    float reach = 9 * s;
    if (L->caption_marks && fabsf(y - label_y) <= small_h / 2 + 2 * s) {
        y = rows[2];
        reach = 70 * s; /* a label is wider than its mark */
    }
    int32_t best = -1;
    float best_d = reach;
    for (int l = 0; l < 3; l++) {
        if (fabsf(y - rows[l]) > 12 * s)
            continue;
        int32_t upto = d->ui->live ? d->m->k : st->nev;
        for (int32_t i = 0; i < lists[l]->n && lists[l]->ev[i] < upto; i++) {
            int32_t ev = lists[l]->ev[i];
            float dx = fabsf(x_of(L, dur, st->ev[ev].t) - x);
            if (dx < best_d) {
                best_d = dx;
                best = ev;
            }
        }
        if (best >= 0)
            return best;
    }
    return best;
}
