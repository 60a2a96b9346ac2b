/* draw_msgs.c - messages in the node view: dots moving along their links
 * (each direction in its own lane); a dropped message
 * falls away and fades, hollow with a cross; a duplicate splits off its
 * original's path; labels on hover, or while paused one per group of dots
 * of a type (placed where no other label is); coloured by the sender's role. */
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
        struct viz_rgba c = viz_draw_msg_color(st, m);
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

void viz_msg_obstacles(struct viz_draw *d)
{
    if (!d->labels)
        return;
    float r = dot_radius(d) + 0.5f * d->s;
    for (int32_t k = 0; k < d->m->nlive && d->labels->nobstacles < VIZ_OBSTACLES_MAX; k++) {
        float x, y;
        double fall;
        if (viz_msg_screen(d, d->m->live[k], &x, &y, &fall) && fall == 0)
            viz_labels_obstacle(d->labels, (struct viz_rect){x - r, y - r, 2 * r, 2 * r});
    }
}

struct viz_rgba viz_draw_msg_color(const struct viz_store *st, const struct viz_msg *m)
{
    return viz_msg_color(m->role == VIZ_ROLE_NONE ? NULL : st->roles[m->role]);
}

/* Dots of one type close together, labelled once: "AppendEntries ×4". */
struct label_group {
    int32_t mi;
    int count;
    float x, y;
};

#define MAX_GROUPS 24

/* Groups the dots on screen; returns the number of groups, or -1 when
 * there are too many to label readably. */
static int group_dots(const struct viz_draw *d, struct label_group *grp)
{
    const struct viz_store *st = &d->tape->store;
    float reach = 48 * d->s;
    int ng = 0;
    for (int32_t k = 0; k < d->m->nlive; k++) {
        int32_t mi = d->m->live[k];
        float x, y;
        double fall;
        if (!viz_msg_screen(d, mi, &x, &y, &fall) || fall > 0 || mi == d->ui->hover_msg)
            continue;
        int j = 0;
        while (j < ng && !(st->msg[grp[j].mi].type == st->msg[mi].type &&
                           fabsf(grp[j].x - x) < reach && fabsf(grp[j].y - y) < reach))
            j++;
        if (j < ng) {
            grp[j].count++;
            continue;
        }
        if (ng == MAX_GROUPS)
            return -1;
        grp[ng++] = (struct label_group){mi, 1, x, y};
    }
    return ng;
}

/* Labels a group beside its first dot, on whichever side is free. */
static void group_label(struct viz_draw *d, const struct label_group *gr)
{
    const struct viz_store *st = &d->tape->store;
    float s = d->s;
    char text[64];
    if (gr->count > 1)
        snprintf(text, sizeof text, "%s \u00d7%d", st->types[st->msg[gr->mi].type], gr->count);
    else
        snprintf(text, sizeof text, "%s", st->types[st->msg[gr->mi].type]);
    static const float side[4][2] = {{1, -1}, {-1, -1}, {1, 1}, {-1, 1}};
    for (int k = 0; k < 8; k++) { /* near first, then a little farther out */
        float dx = side[k % 4][0], dy = side[k % 4][1], off = (k < 4 ? 10 : 20) * s;
        int align = (dx > 0 ? VIZ_LEFT : VIZ_RIGHT) | (dy < 0 ? VIZ_BOTTOM : VIZ_TOP);
        if (viz_label(d, VIZ_FONT_SMALL, text, gr->x + dx * off, gr->y + dy * off, VIZ_RGB(VIZ_INK),
                      align, &d->L->view))
            return;
    }
}

static void hover_tip(struct viz_draw *d, int32_t h, float x, float y, double fall)
{
    const struct viz_store *st = &d->tape->store;
    float s = d->s;
    const struct viz_msg *m = &st->msg[h];
    char l1[160], l2[300] = "", l3[160], sent[32], arrive[32];
    const char *role = m->role == VIZ_ROLE_NONE ? "" : st->roles[m->role];
    snprintf(l1, sizeof l1, "%s  n%d%s%s%s \u2192 n%d%s", st->types[m->type], m->from + 1,
             *role ? " (" : "", role, *role ? ")" : "", m->to + 1,
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
    struct viz_rect box = {x + 14 * s, y + 10 * s, (float)w + 16 * s,
                           (l2[0] ? 3.3f : 2.3f) * (float)lh + 12 * s};
    const struct viz_rect *view = &d->L->view;
    if (box.x + box.w > view->x + view->w)
        box.x = x - box.w - 10 * s;
    if (box.y + box.h > view->y + view->h)
        box.y = y - box.h - 10 * s;
    if (d->labels)
        viz_labels_tip(d->labels, &box, view);
    float tx = box.x, ty = box.y;
    viz_gfx_round_rect(d->g, tx, ty, box.w, box.h, 6 * s, VIZ_RGBA(0xFFFFFF, 245));
    viz_gfx_round_rect(d->g, tx, ty, box.w, 3 * s, 2 * s, viz_draw_msg_color(st, m));
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

void viz_draw_message_labels(struct viz_draw *d)
{
    const struct viz_store *st = &d->tape->store;
    /* while paused, name the dots (when there are few enough groups to read) */
    if (d->ui->paused) {
        struct label_group grp[MAX_GROUPS];
        int ng = group_dots(d, grp);
        for (int k = 0; k < ng; k++)
            group_label(d, &grp[k]);
    }
    int32_t h = d->ui->hover_msg;
    float x, y;
    double fall;
    if (h < 0 || h >= st->nmsg || !viz_msg_screen(d, h, &x, &y, &fall))
        return;
    hover_tip(d, h, x, y, fall);
}
