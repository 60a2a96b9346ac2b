/* draw_msgs.c - messages in the node view: dots moving along their links
 * (each direction in its own lane), coloured by type; a dropped message
 * falls away and fades, hollow with a cross; a duplicate splits off its
 * original's path; labels on hover, or on every dot while paused. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/draw.h"
#include "viz/jscan.h"

static float dot_radius(const struct viz_draw *d)
{
    float s = d->s;
    float r = d->L->node_r * 0.3f;
    float lo = d->m->nlive > 300 ? 2.5f * s : 4 * s, hi = 8 * s;
    return r < lo ? lo : r > hi ? hi : r;
}

bool viz_msg_screen(const struct viz_draw *d, int32_t mi, float *x, float *y, double *fall)
{
    const struct viz_store *st = &d->tape->store;
    const struct viz_msg *m = &st->msg[mi];
    const struct viz_layout *L = d->L;
    double p;
    if (!viz_msg_at(st, m, d->m->k, d->m->t, &p, fall))
        return false;
    float s = d->s;
    float ax = L->nx[m->from], ay = L->ny[m->from], bx = L->nx[m->to], by = L->ny[m->to];
    float dx = bx - ax, dy = by - ay;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f) {
        *x = ax;
        *y = ay;
        return true;
    }
    dx /= len;
    dy /= len;
    /* start and end just outside the node discs, so a dot is never hidden */
    float rim = L->node_r + dot_radius(d) + 2 * s;
    float span = len - 2 * rim;
    if (span < 0)
        span = 0;
    float along = rim + span * (float)p;
    /* each direction keeps to its own side of the link */
    float lane = fminf(fmaxf(L->node_r * 0.22f, 3 * s), 8 * s);
    if (m->flags & VIZ_MSG_DUP) {
        float k = (float)p * 5;
        lane += 10 * s * (k > 1 ? 1 : k); /* the copy splits off */
    }
    float nx = -dy, ny = dx;
    *x = ax + dx * along + nx * lane;
    *y = ay + dy * along + ny * lane;
    if (*fall > 0) {
        float f = (float)*fall;
        *y += f * f * 90 * s;
        *x += f * 10 * s;
    }
    return true;
}

void viz_draw_messages(struct viz_draw *d)
{
    const struct viz_store *st = &d->tape->store;
    float s = d->s, r = dot_radius(d);
    struct viz_rgba ink = VIZ_RGB(VIZ_INK);
    for (int32_t k = 0; k < d->m->nlive; k++) {
        int32_t mi = d->m->live[k];
        float x, y;
        double fall;
        if (!viz_msg_screen(d, mi, &x, &y, &fall))
            continue;
        const struct viz_msg *m = &st->msg[mi];
        struct viz_rgba c = viz_type_color(m->type);
        if (fall > 0) {
            uint8_t a = (uint8_t)(255 * (1 - fall));
            viz_gfx_ring(d->g, x, y, r, 2 * s, viz_alpha(VIZ_RGB(VIZ_BAD), a));
            viz_gfx_cross(d->g, x, y, r * 0.55f, 1.6f * s, viz_alpha(VIZ_RGB(VIZ_BAD), a));
            continue;
        }
        if (mi == d->ui->hover_msg)
            viz_gfx_circle(d->g, x, y, r + 5 * s, VIZ_RGBA(VIZ_INK, 50));
        viz_gfx_dot(d->g, x, y, r + 1.2f * s, viz_alpha(ink, 200));
        viz_gfx_dot(d->g, x, y, r, c);
        if (m->flags & VIZ_MSG_DUP)
            viz_gfx_ring(d->g, x, y, r + 3.5f * s, 1.3f * s, c);
    }
}

int32_t viz_msg_hit(const struct viz_draw *d, float x, float y)
{
    float reach = dot_radius(d) + 6 * d->s;
    int32_t best = -1;
    float best_d = reach * reach;
    for (int32_t k = 0; k < d->m->nlive; k++) {
        int32_t mi = d->m->live[k];
        float mx, my;
        double fall;
        if (!viz_msg_screen(d, mi, &mx, &my, &fall) || fall > 0)
            continue;
        float dd = (mx - x) * (mx - x) + (my - y) * (my - y);
        if (dd <= best_d) {
            best_d = dd;
            best = mi;
        }
    }
    return best;
}

void viz_draw_message_labels(struct viz_draw *d)
{
    const struct viz_store *st = &d->tape->store;
    float s = d->s;
    /* while paused, name every dot (when there are few enough to read) */
    if (d->ui->paused) {
        int shown = 0;
        for (int32_t k = 0; k < d->m->nlive; k++) {
            float x, y;
            double fall;
            if (viz_msg_screen(d, d->m->live[k], &x, &y, &fall) && fall == 0)
                shown++;
        }
        if (shown <= 24)
            for (int32_t k = 0; k < d->m->nlive; k++) {
                int32_t mi = d->m->live[k];
                float x, y;
                double fall;
                if (!viz_msg_screen(d, mi, &x, &y, &fall) || fall > 0 || mi == d->ui->hover_msg)
                    continue;
                viz_text_draw(d->tx, VIZ_FONT_SMALL, st->types[st->msg[mi].type], x + 9 * s,
                              y - 9 * s, VIZ_RGB(VIZ_INK), VIZ_LEFT | VIZ_BOTTOM);
            }
    }
    int32_t h = d->ui->hover_msg;
    float x, y;
    double fall;
    if (h < 0 || h >= st->nmsg || !viz_msg_screen(d, h, &x, &y, &fall))
        return;
    const struct viz_msg *m = &st->msg[h];
    char l1[160], l2[300] = "", l3[160], sent[32], arrive[32];
    snprintf(l1, sizeof l1, "%s  n%d \u2192 n%d%s", st->types[m->type], m->from + 1, m->to + 1,
             (m->flags & VIZ_MSG_DUP) ? "  (duplicate)" : "");
    struct viz_jval v;
    if (viz_json_get(viz_store_line(st, m->send_ev), viz_store_len(st, m->send_ev), "info", &v))
        viz_json_str(&v, l2, sizeof l2);
    scenario_format_time(m->sent, sent, sizeof sent);
    scenario_format_time(m->arrive, arrive, sizeof arrive);
    snprintf(l3, sizeof l3, "#%llu · sent %s · arrives %s%s", (unsigned long long)m->id, sent,
             arrive, d->ui->live && fall == 0 ? " · click: drop it" : "");
    const char *lines[3] = {l1, l2, l3};
    int lh = viz_text_height(d->tx, VIZ_FONT_SMALL);
    int w = 0;
    for (int k = 0; k < 3; k++) {
        int lw = viz_text_width(d->tx, k ? VIZ_FONT_SMALL : VIZ_FONT_BOLD, lines[k]);
        w = lw > w ? lw : w;
    }
    float bw = (float)w + 16 * s, bh = (l2[0] ? 3.3f : 2.3f) * (float)lh + 12 * s;
    float tx = x + 14 * s, ty = y + 10 * s;
    const struct viz_rect *view = &d->L->view;
    if (tx + bw > view->x + view->w)
        tx = x - bw - 10 * s;
    if (ty + bh > view->y + view->h)
        ty = y - bh - 10 * s;
    viz_gfx_round_rect(d->g, tx, ty, bw, bh, 6 * s, VIZ_RGBA(0xFFFFFF, 245));
    viz_gfx_round_rect(d->g, tx, ty, bw, 3 * s, 2 * s, viz_type_color(m->type));
    viz_gfx_flush(d->g);
    float ly = ty + 6 * s;
    viz_text_draw(d->tx, VIZ_FONT_BOLD, l1, tx + 8 * s, ly, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    ly += 1.15f * (float)lh;
    if (l2[0]) {
        viz_text_draw(d->tx, VIZ_FONT_SMALL, l2, tx + 8 * s, ly, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
        ly += (float)lh;
    }
    viz_text_draw(d->tx, VIZ_FONT_SMALL, l3, tx + 8 * s, ly, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
}
