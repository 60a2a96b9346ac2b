/* spacetime.c - the space-time (Lamport) diagram: one lane per node, time
 * running left to right over a window ending now, spaced by simulated time;
 * each message a line from its send to its receipt, a dropped one ending in
 * a cross; lanes coloured by role, grey and dashed while the node is down. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/draw.h"
#include "viz/jscan.h"

/* More lines than this make a grey blur, and cost frames: zoom in instead. */
#define MAX_LINES 1500

struct geom {
    float x0, x1, top, lane_h;
    sim_time t0, t1;
};

static float tx(const struct geom *g, sim_time t)
{
    if (t < g->t0)
        t = g->t0;
    if (t > g->t1)
        t = g->t1;
    return g->x0 + (g->x1 - g->x0) * (float)(t - g->t0) / (float)(g->t1 - g->t0);
}

static float ly(const struct geom *g, int node)
{
    return g->top + ((float)node + 0.5f) * g->lane_h;
}

/* The node's lane, coloured by its role through the window (walking its
 * state lines backwards from now). */
static void lane(struct viz_draw *d, const struct geom *g, int n, float width)
{
    const struct viz_store *st = &d->tape->store;
    float y = ly(g, n);
    sim_time end = g->t1;
    int32_t ev = d->m->nodes[n].state_ev;
    while (ev >= 0) {
        uint8_t role = st->ev[ev].sub;
        sim_time start = st->ev[ev].t;
        /* merge older lines that keep the same role */
        int32_t prev = st->ev[ev].ref;
        while (prev >= 0 && st->ev[prev].t > g->t0 && st->ev[prev].sub == role) {
            start = st->ev[prev].t;
            prev = st->ev[prev].ref;
        }
        if (start < g->t0)
            start = g->t0;
        if (end > start)
            viz_gfx_line(d->g, tx(g, start), y, tx(g, end), y, width, viz_role_color(st->roles[role]));
        if (start <= g->t0 || prev < 0)
            break;
        end = start;
        ev = prev;
    }
}

/* The header, fitted beside the zoom hint: the longest wording that fits. */
static void header(struct viz_draw *d, sim_time span, bool capped)
{
    const struct viz_rect *D = &d->L->diagram;
    float s = d->s;
    char a[32], b[4][128];
    scenario_format_duration(span, a, sizeof a);
    const char *more = capped ? "  \u00b7  newest " : "";
    char cap[16] = "";
    if (capped)
        snprintf(cap, sizeof cap, "%d", MAX_LINES);
    snprintf(b[0], sizeof b[0], "SPACE-TIME DIAGRAM  \u00b7  last %s%s%s%s", a, more, cap, capped ? " messages" : "");
    snprintf(b[1], sizeof b[1], "SPACE-TIME  \u00b7  last %s%s%s", a, more, cap);
    snprintf(b[2], sizeof b[2], "last %s%s%s", a, more, cap);
    snprintf(b[3], sizeof b[3], "last %s", a);
    const char *zoom = "[ ] zoom";
    float zx = D->x + D->w - 12 * s;
    bool zoomed = viz_label(d, VIZ_FONT_SMALL, zoom, zx, D->y + 6 * s, VIZ_RGB(VIZ_INK_SOFT), VIZ_RIGHT, D);
    float room = (zoomed ? zx - (float)viz_text_width(d->tx, VIZ_FONT_SMALL, zoom) - 16 * s : zx) - (D->x + 12 * s);
    for (int k = 0; k < 4; k++)
        if ((float)viz_text_width(d->tx, VIZ_FONT_SMALL, b[k]) <= room) {
            viz_label(d, VIZ_FONT_SMALL, b[k], D->x + 12 * s, D->y + 6 * s, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT, D);
            return;
        }
}

/* The words: header, lane names, the window's ends. */
static void words(struct viz_draw *d, const struct geom *g, float bottom, bool capped)
{
    const struct viz_rect *D = &d->L->diagram;
    float s = d->s;
    int n = d->m->nnodes, lh = viz_text_height(d->tx, VIZ_FONT_SMALL);
    header(d, g->t1 - g->t0, capped);
    if (g->lane_h >= (float)lh * 0.9f || n <= 16)
        for (int i = 0; i < n; i++) {
            char name[16];
            snprintf(name, sizeof name, "n%d", i + 1);
            if (g->lane_h >= (float)lh * 0.9f || i % ((int)((float)lh / g->lane_h) + 1) == 0)
                viz_label(d, VIZ_FONT_SMALL, name, D->x + 36 * s, ly(g, i), VIZ_RGB(VIZ_INK),
                          VIZ_RIGHT | VIZ_MIDDLE, D);
        }
    char a[32];
    scenario_format_time(g->t0 > 0 ? g->t0 : 0, a, sizeof a);
    viz_label(d, VIZ_FONT_SMALL, a, g->x0, bottom + 4 * s, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT, D);
    viz_label(d, VIZ_FONT_SMALL, "now", g->x1, bottom + 4 * s, VIZ_RGB(VIZ_INK_SOFT), VIZ_RIGHT, D);
}

void viz_draw_spacetime(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const struct viz_store *st = &d->tape->store;
    const struct viz_model *m = d->m;
    const struct viz_rect *D = &L->diagram;
    float s = d->s;
    int n = m->nnodes;
    viz_gfx_rect(d->g, D->x, D->y, D->w, D->h, VIZ_RGB(0xFFFFFF));
    viz_gfx_rect(d->g, D->x, D->y, 1 * s, D->h, VIZ_RGB(VIZ_RULE));
    int lh = viz_text_height(d->tx, VIZ_FONT_SMALL);
    struct geom g;
    g.t1 = m->t;
    g.t0 = m->t - (d->ui->diagram_window > 0 ? d->ui->diagram_window : 500 * SIM_MS);
    g.x0 = D->x + 44 * s;
    g.x1 = D->x + D->w - 16 * s;
    g.top = D->y + (float)lh + 14 * s;
    float bottom = D->y + D->h - (float)lh - 10 * s;
    g.lane_h = (bottom - g.top) / (float)(n > 0 ? n : 1);
    if (g.x1 <= g.x0 + 10 || g.lane_h <= 0.5f)
        return;
    SDL_Rect clip = {(int)D->x, (int)D->y, (int)D->w, (int)D->h};
    SDL_RenderSetClipRect(d->g->r, &clip);
    float lane_w = fminf(fmaxf(g.lane_h * 0.18f, 1 * s), 5 * s);
    /* lanes */
    for (int i = 0; i < n; i++) {
        viz_gfx_line(d->g, g.x0, ly(&g, i), g.x1, ly(&g, i), 1 * s, VIZ_RGB(VIZ_RULE));
        lane(d, &g, i, lane_w);
    }
    /* crashes and recoveries in the window: down stretches grey */
    int32_t f0 = viz_marks_lower(&st->faults, viz_store_count_until(st, g.t0));
    int32_t f1 = viz_marks_lower(&st->faults, m->k);
    for (int i = 0; i < n; i++) {
        bool up = m->nodes[i].up;
        sim_time until = g.t1;
        for (int32_t f = f1 - 1; f >= f0 - 1; f--) {
            const struct viz_event *e = f >= f0 ? &st->ev[st->faults.ev[f]] : NULL;
            if (e && e->node != i)
                continue;
            if (e && e->kind != VIZ_EV_CRASH && e->kind != VIZ_EV_RECOVER)
                continue;
            sim_time from = e ? e->t : g.t0;
            if (!up && until > from) {
                float y = ly(&g, i);
                viz_gfx_line(d->g, tx(&g, from), y, tx(&g, until), y, lane_w + 2 * s,
                             VIZ_RGB(0xFFFFFF));
                viz_gfx_dashed(d->g, tx(&g, from), y, tx(&g, until), y, lane_w, 4 * s, 4 * s,
                               VIZ_RGB(VIZ_DOWN));
            }
            if (!e)
                break;
            if (e->kind == VIZ_EV_CRASH) {
                viz_gfx_cross(d->g, tx(&g, e->t), ly(&g, i), 5 * s, 2 * s, VIZ_RGB(VIZ_INK));
                up = true; /* before the crash it was up */
            } else {
                viz_gfx_circle(d->g, tx(&g, e->t), ly(&g, i), 4 * s, VIZ_RGB(VIZ_BLUE));
                up = false;
            }
            until = e->t;
        }
    }
    /* messages */
    int32_t last = viz_store_msgs_until(st, g.t1);
    int32_t first = viz_store_msgs_until(st, g.t0 - 1);
    first = first > 2000 ? first - 2000 : 0; /* long flights that started earlier */
    bool capped = last - first > MAX_LINES;
    if (capped)
        first = last - MAX_LINES;
    float dot = fminf(fmaxf(g.lane_h * 0.12f, 1.5f * s), 3.5f * s);
    bool dots = last - viz_store_msgs_until(st, g.t0) <= 300; /* sparse enough for detail */
    for (int32_t i = first; i < last; i++) {
        const struct viz_msg *msg = &st->msg[i];
        if (msg->send_ev >= m->k)
            break;
        sim_time lost = SIM_TIME_NEVER, end;
        if (msg->cut_ev < m->k)
            lost = st->ev[msg->cut_ev].t;
        else if (msg->end_ev < m->k && msg->end_kind == VIZ_END_DROP)
            lost = msg->end;
        bool done = msg->end_ev < m->k && msg->end_kind == VIZ_END_RECV;
        end = lost != SIM_TIME_NEVER ? lost : done ? msg->end : g.t1;
        if (end < g.t0)
            continue;
        float ya = ly(&g, msg->from), yb = ly(&g, msg->to);
        if (msg->flags & VIZ_MSG_AT_SEND) { /* it never left: a stub and a cross */
            float xs = tx(&g, msg->sent), ys = ya + (yb - ya) * 0.12f;
            viz_gfx_line(d->g, xs, ya, xs + 3 * s, ys, 1.6f * s, VIZ_RGB(VIZ_BAD));
            viz_gfx_cross(d->g, xs + 3 * s, ys, 3 * s, 1.4f * s, VIZ_RGB(VIZ_BAD));
            continue;
        }
        double span = (double)(msg->arrive - msg->sent);
        double p = span > 0 ? (double)(end - msg->sent) / span : 1;
        if (done)
            p = 1;
        p = p < 0 ? 0 : p > 1 ? 1 : p;
        float xs = tx(&g, msg->sent), xe = tx(&g, end);
        float ye = ya + (yb - ya) * (float)p;
        /* clip the part before the window by interpolating along the line */
        float ys = ya;
        if (msg->sent < g.t0 && end > msg->sent) {
            float k = (float)(g.t0 - msg->sent) / (float)(end - msg->sent);
            ys = ya + (ye - ya) * k;
        }
        struct viz_rgba c = viz_draw_msg_color(st, msg);
        if (!dots) { /* dense: plain one-pixel lines */
            viz_gfx_hairline(d->g, xs, ys, xe, ye, lost != SIM_TIME_NEVER ? VIZ_RGB(VIZ_BAD) : c);
            continue;
        }
        if (lost != SIM_TIME_NEVER) {
            viz_gfx_dashed(d->g, xs, ys, xe, ye, 1.6f * s, 4 * s, 3 * s, VIZ_RGB(VIZ_BAD));
            viz_gfx_cross(d->g, xe, ye, 3.5f * s, 1.6f * s, VIZ_RGB(VIZ_BAD));
        } else {
            viz_gfx_line(d->g, xs, ys, xe, ye, 1.6f * s, c);
            if (done)
                viz_gfx_arrowhead(d->g, xe, ye, xe - xs, ye - ys, 6 * s, c);
            else if (dots)
                viz_gfx_circle(d->g, xe, ye, dot, c);
        }
        if (dots && msg->sent >= g.t0)
            viz_gfx_circle(d->g, xs, ys, dot * 0.8f, c);
    }
    /* violations: a vermillion tick on the lane (or across all lanes) */
    int32_t v0 = viz_marks_lower(&st->violations, viz_store_count_until(st, g.t0));
    int32_t v1 = viz_marks_lower(&st->violations, m->k);
    for (int32_t i = v0; i < v1; i++) {
        const struct viz_event *e = &st->ev[st->violations.ev[i]];
        float x = tx(&g, e->t);
        if (e->node >= 0)
            viz_gfx_line(d->g, x, ly(&g, e->node) - g.lane_h * 0.4f, x,
                         ly(&g, e->node) + g.lane_h * 0.4f, 3 * s, VIZ_RGB(VIZ_BAD));
        else
            viz_gfx_line(d->g, x, g.top, x, bottom, 2 * s, VIZ_RGBA(VIZ_BAD, 160));
    }
    viz_gfx_line(d->g, g.x1, g.top - 4 * s, g.x1, bottom, 2 * s, VIZ_RGBA(VIZ_INK, 160));
    viz_gfx_flush(d->g);
    words(d, &g, bottom, capped);
    SDL_RenderSetClipRect(d->g->r, NULL);
}
