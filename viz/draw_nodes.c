/* draw_nodes.c - the nodes: a disc in the colour of the node's role (a
 * double ring for leaders, so colour is never the only cue), grey with a
 * cross when crashed, badges for slow nodes and drifting clocks, and beside
 * each node its role, term, describe text and log strip with the commit
 * point - all read from the trace's "state" lines. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/draw.h"

#define PI_F 3.14159265358979f

static struct viz_rgba node_fill(const struct viz_draw *d, int i)
{
    if (!d->m->nodes[i].up)
        return VIZ_RGB(VIZ_DOWN);
    return viz_role_color(d->info[i].role);
}

void viz_draw_nodes(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    float s = d->s, r = L->node_r;
    struct viz_rgba ink = VIZ_RGB(VIZ_INK);
    for (int i = 0; i < L->nnodes; i++) {
        const struct viz_nodeview *nv = &d->m->nodes[i];
        float x = L->nx[i], y = L->ny[i];
        struct viz_rgba fill = node_fill(d, i);
        bool up = nv->up;
        if (up && viz_role_is_leader(d->info[i].role)) {
            viz_gfx_ring(d->g, x, y, r + 7 * s, 4 * s, fill);
            viz_gfx_ring(d->g, x, y, r + 7 * s, 1.2f * s, viz_alpha(ink, 160));
        }
        if (d->ui->hover_node == i)
            viz_gfx_circle(d->g, x, y, r + 5 * s, VIZ_RGBA(VIZ_INK, 40));
        if (r <= 20 * s) { /* many small nodes: two sprite blits each (see viz_gfx_dot) */
            float edge = r > 10 * s ? 2.5f * s : 1.2f * s;
            viz_gfx_dot(d->g, x, y, r + edge / 2, ink);
            viz_gfx_dot(d->g, x, y, r - edge / 2, fill);
        } else {
            viz_gfx_circle(d->g, x, y, r, fill);
            viz_gfx_ring(d->g, x, y, r, r > 10 * s ? 2.5f * s : 1.2f * s, ink);
        }
        if (!up && nv->booted) {
            float k = r * 0.62f;
            viz_gfx_cross(d->g, x, y, k, r > 10 * s ? 4 * s : 1.5f * s, VIZ_RGBA(VIZ_INK, 220));
        }
        if (nv->violation_ev >= 0) {
            /* blamed by an invariant violation: a vermillion warning triangle */
            float k = fmaxf(7 * s, r * 0.36f);
            float bx = x + r * 0.8f, by = y - r * 0.8f;
            viz_gfx_tri(d->g, bx, by - k * 1.25f, bx + k * 1.1f, by + k * 0.75f, bx - k * 1.1f,
                        by + k * 0.75f, VIZ_RGB(VIZ_BAD));
            viz_gfx_rect(d->g, bx - k * 0.11f, by - k * 0.55f, k * 0.22f, k * 0.7f, VIZ_RGB(0xFFFFFF));
            viz_gfx_rect(d->g, bx - k * 0.11f, by + k * 0.3f, k * 0.22f, k * 0.22f, VIZ_RGB(0xFFFFFF));
        }
        if (nv->drift_ppm != 0 || nv->offset != 0) {
            /* a small clock whose hand shows the node's own time */
            float cr = fmaxf(6 * s, r * 0.3f);
            float cx = x - r * 0.78f, cy = y + r * 0.78f;
            viz_gfx_circle(d->g, cx, cy, cr, VIZ_RGB(0xFFFFFF));
            viz_gfx_ring(d->g, cx, cy, cr, 1.5f * s, ink);
            sim_time local = viz_node_clock(nv, d->m->t);
            float a = -PI_F / 2 + 2 * PI_F * (float)((local % SIM_S + SIM_S) % SIM_S) / (float)SIM_S;
            viz_gfx_line(d->g, cx, cy, cx + cosf(a) * cr * 0.8f, cy + sinf(a) * cr * 0.8f,
                         1.8f * s, VIZ_RGB(VIZ_BAD));
        }
    }
}

/* The log strip: one box per entry at the log's end (at most 12), coloured
 * by term, filled when committed, hollow when not, with a bar at the commit
 * point. Returns the width it takes. */
static float log_strip(struct viz_draw *d, const struct viz_nodeinfo *in, float x, float y,
                       bool dim, bool measure)
{
    float s = d->s, box = 12 * s, gap = 2.5f * s;
    int n = in->tail_n < 12 ? in->tail_n : 12;
    if (n == 0)
        return 0;
    float w = (float)n * (box + gap) - gap;
    if (measure)
        return w;
    int skip = in->tail_n - n;
    int64_t first = in->log_len - n + 1; /* log index of the first box */
    for (int k = 0; k < n; k++) {
        struct viz_rgba c = viz_type_color((int)in->tail[skip + k]);
        if (dim)
            c = viz_shade(c, 0.55f);
        float bx = x + (float)k * (box + gap);
        bool committed = first + k <= in->commit;
        if (committed) {
            viz_gfx_rect(d->g, bx, y, box, box, c);
            viz_gfx_frame(d->g, bx, y, box, box, 1 * s, VIZ_RGBA(VIZ_INK, 140));
        } else {
            viz_gfx_rect(d->g, bx, y, box, box, VIZ_RGB(0xFFFFFF));
            viz_gfx_frame(d->g, bx, y, box, box, 2 * s, c);
        }
        if (first + k == in->commit && k + 1 < n) /* the commit point */
            viz_gfx_rect(d->g, bx + box + gap / 2 - 1 * s, y - 3 * s, 2 * s, box + 6 * s,
                         VIZ_RGB(VIZ_INK));
    }
    return w;
}

static void chip(struct viz_draw *d, float x, float y, const char *text, struct viz_rgba bg,
                 int align)
{
    float s = d->s;
    int w = viz_text_width(d->tx, VIZ_FONT_SMALL, text);
    int h = viz_text_height(d->tx, VIZ_FONT_SMALL);
    float bx = x;
    if ((align & 3) == VIZ_RIGHT)
        bx = x - (float)w - 10 * s;
    else if ((align & 3) == VIZ_CENTER)
        bx = x - ((float)w + 10 * s) / 2;
    viz_gfx_round_rect(d->g, bx, y, (float)w + 10 * s, (float)h + 2 * s, 5 * s, bg);
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_SMALL, text, bx + 5 * s, y + 1 * s, viz_ink_on(bg), VIZ_LEFT);
}

/* Role, term, text and log beside node i, away from the circle's centre. */
static void detail_block(struct viz_draw *d, int i)
{
    const struct viz_layout *L = d->L;
    const struct viz_nodeview *nv = &d->m->nodes[i];
    const struct viz_nodeinfo *in = &d->info[i];
    float s = d->s;
    float a = L->nnodes > 1 ? viz_layout_angle(L, i) : 0;
    float ca = cosf(a), sa = sinf(a);
    bool side = fabsf(ca) >= 0.35f || L->nnodes <= 6;
    int align = !side ? VIZ_CENTER : ca < -0.35f ? VIZ_RIGHT : VIZ_LEFT;
    float gapr = L->node_r + 14 * s;
    float block_h = VIZ_BLOCK_H * s, maxw = VIZ_BLOCK_W * s;
    float x, y;
    if (!side) {
        x = L->nx[i];
        y = sa < 0 ? L->ny[i] - L->node_r - 12 * s - block_h : L->ny[i] + L->node_r + 12 * s;
    } else {
        x = (align & 3) == VIZ_RIGHT ? L->nx[i] - gapr : L->nx[i] + gapr;
        y = L->ny[i] - block_h / 2;
    }
    int lh_l = viz_text_height(d->tx, VIZ_FONT_LARGE), lh_s = viz_text_height(d->tx, VIZ_FONT_SMALL);
    bool up = nv->up;
    struct viz_rgba ink = up ? VIZ_RGB(VIZ_INK) : VIZ_RGB(VIZ_INK_SOFT);
    /* line 1: ROLE · term */
    char role[40], line[200];
    (void)line;
    if (up)
        snprintf(role, sizeof role, "%s", in->role);
    else
        snprintf(role, sizeof role, nv->booted ? "DOWN" : "not started");
    for (char *p = role; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    /* the role big, the term after it smaller: "PRIMARY  term 2" */
    char term[40] = "";
    if (in->has_term)
        snprintf(term, sizeof term, "  term %lld", (long long)in->term);
    int rw = viz_text_width(d->tx, VIZ_FONT_LARGE, role);
    int tw = viz_text_width(d->tx, VIZ_FONT_BODY, term);
    if ((float)(rw + tw) > maxw)
        tw = 0, term[0] = '\0';
    float total = (float)(rw + tw);
    float x0 = (align & 3) == VIZ_LEFT ? x : (align & 3) == VIZ_RIGHT ? x - total : x - total / 2;
    char fit[256];
    viz_text_draw(d->tx, VIZ_FONT_LARGE, viz_text_fit(d->tx, VIZ_FONT_LARGE, role, (int)maxw, fit, sizeof fit),
                  x0, y, ink, VIZ_LEFT);
    if (term[0])
        viz_text_draw(d->tx, VIZ_FONT_BODY, term, x0 + (float)rw,
                      y + (float)(lh_l - viz_text_height(d->tx, VIZ_FONT_BODY)) * 0.7f,
                      VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    y += (float)lh_l + 1 * s;
    /* lines 2-3: the protocol's own words */
    char text[256];
    viz_nodeinfo_text(&d->tape->store, nv->state_ev, text, sizeof text);
    if (up && text[0])
        viz_text_wrap(d->tx, VIZ_FONT_SMALL, text, x, y, (int)maxw, 2, VIZ_RGB(VIZ_INK_SOFT), align);
    else if (!up && nv->booted) {
        char since[32];
        scenario_format_time(nv->since, since, sizeof since);
        snprintf(line, sizeof line, "crashed at %s", since);
        viz_text_draw(d->tx, VIZ_FONT_SMALL, line, x, y, VIZ_RGB(VIZ_BAD), align);
    }
    y += 2.0f * (float)lh_s + 5 * s;
    /* line 4: the log strip */
    if (in->has_log) {
        float w = log_strip(d, in, 0, 0, false, true);
        float lx = (align & 3) == VIZ_LEFT ? x : (align & 3) == VIZ_RIGHT ? x - w : x - w / 2;
        log_strip(d, in, lx, y, !up, false);
        viz_gfx_flush(d->g);
    }
}

void viz_draw_node_labels(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    float s = d->s, r = L->node_r;
    for (int i = 0; i < L->nnodes; i++) {
        const struct viz_nodeview *nv = &d->m->nodes[i];
        char name[16];
        snprintf(name, sizeof name, "n%d", i + 1);
        struct viz_rgba fill = node_fill(d, i);
        if (r >= 13 * s)
            viz_text_draw(d->tx, r >= 24 * s ? VIZ_FONT_LARGE : VIZ_FONT_BOLD, name, L->nx[i],
                          L->ny[i], viz_ink_on(fill), VIZ_CENTER | VIZ_MIDDLE);
        else if (L->nnodes <= 64) {
            float a = viz_layout_angle(L, i);
            viz_text_draw(d->tx, VIZ_FONT_SMALL, name, L->nx[i] + cosf(a) * (r + 10 * s),
                          L->ny[i] + sinf(a) * (r + 10 * s), VIZ_RGB(VIZ_INK),
                          VIZ_CENTER | VIZ_MIDDLE);
        }
        if (L->details)
            detail_block(d, i);
        /* badges under the node: gray failure and clock faults */
        float by = L->ny[i] + r + 4 * s;
        if (!L->details && L->nnodes > 24)
            continue;
        if (nv->slow > 0 && nv->up) {
            char t[48], dur[24];
            scenario_format_duration(nv->slow, dur, sizeof dur);
            snprintf(t, sizeof t, "slow +%s", dur);
            chip(d, L->nx[i], by, t, VIZ_RGB(VIZ_YELLOW), VIZ_CENTER);
            by += (float)viz_text_height(d->tx, VIZ_FONT_SMALL) + 4 * s;
        }
        if (nv->drift_ppm != 0 || nv->offset != 0) {
            char t[64], off[24];
            sim_time o = viz_node_clock(nv, d->m->t) - d->m->t;
            scenario_format_duration(o, off, sizeof off);
            snprintf(t, sizeof t, "clock %+.1f%% %s%s", (double)nv->drift_ppm / 1e4,
                     o >= 0 ? "+" : "", off);
            chip(d, L->nx[i], by, t, VIZ_RGB(0xFFFFFF), VIZ_CENTER);
        }
    }
    /* hover: everything about one node, whatever the layout */
    int h = d->ui->hover_node;
    if (h >= 0 && h < L->nnodes && !d->ui->drag_partition) {
        const struct viz_nodeview *nv = &d->m->nodes[h];
        const struct viz_nodeinfo *in = &d->info[h];
        char text[256], l1[128], l2[300], l3[128];
        viz_nodeinfo_text(&d->tape->store, nv->state_ev, text, sizeof text);
        snprintf(l1, sizeof l1, "n%d  %s%s", h + 1, nv->up ? in->role : "DOWN",
                 in->has_term ? "" : "");
        if (in->has_term)
            snprintf(l1 + strlen(l1), sizeof l1 - strlen(l1), "  ·  term %lld", (long long)in->term);
        snprintf(l2, sizeof l2, "%s", nv->up ? text : "crashed: volatile state lost, stable storage kept");
        if (d->ui->live)
            snprintf(l3, sizeof l3, "click: %s", nv->up ? "crash it (shift: losing unsynced writes)" : "recover it");
        else
            l3[0] = '\0';
        const char *lines[3] = {l1, l2, l3};
        float tx = d->ui->mouse_x + 16 * s, ty = d->ui->mouse_y + 12 * s;
        int lh = viz_text_height(d->tx, VIZ_FONT_SMALL);
        int w = 0;
        for (int k = 0; k < 3; k++) {
            int lw = viz_text_width(d->tx, k == 0 ? VIZ_FONT_BOLD : VIZ_FONT_SMALL, lines[k]);
            if (lw > w)
                w = lw;
        }
        if (w > (int)(420 * s))
            w = (int)(420 * s);
        float bw = (float)w + 16 * s, bh = 3.4f * (float)lh + 14 * s;
        if (tx + bw > L->view.x + L->view.w)
            tx = d->ui->mouse_x - bw - 8 * s;
        if (ty + bh > L->view.y + L->view.h)
            ty = d->ui->mouse_y - bh - 8 * s;
        viz_gfx_round_rect(d->g, tx, ty, bw, bh, 6 * s, VIZ_RGBA(0xFFFFFF, 245));
        viz_gfx_flush(d->g);
        viz_gfx_round_rect(d->g, tx, ty, bw, 3 * s, 2 * s, node_fill(d, h));
        viz_gfx_flush(d->g);
        char fit[300];
        viz_text_draw(d->tx, VIZ_FONT_BOLD, viz_text_fit(d->tx, VIZ_FONT_BOLD, l1, w, fit, sizeof fit),
                      tx + 8 * s, ty + 6 * s, VIZ_RGB(VIZ_INK), VIZ_LEFT);
        viz_text_draw(d->tx, VIZ_FONT_SMALL, viz_text_fit(d->tx, VIZ_FONT_SMALL, l2, w, fit, sizeof fit),
                      tx + 8 * s, ty + 8 * s + 1.2f * (float)lh, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
        viz_text_draw(d->tx, VIZ_FONT_SMALL, l3, tx + 8 * s, ty + 8 * s + 2.3f * (float)lh,
                      VIZ_RGB(VIZ_BLUE), VIZ_LEFT);
    }
}
