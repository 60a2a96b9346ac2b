/* draw_nodes.c - the nodes: a disc in the colour of the node's role (a
 * double ring for leaders, so colour is never the only cue), grey with a
 * cross when crashed, badges for slow nodes and drifting clocks, and beside
 * each node its role, epoch, describe text (wrapped, never cut) and log
 * strip with the commit point - all read from the trace's "state" lines,
 * every label placed where no other is (draw_label.c). */
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

/* The log strip: one cell per entry at the log's end (as many as fit, at
 * most 12) with its term written in it, neutral greys whose shade flips
 * where the term changes, filled when committed, hollow when not, a bar at
 * the commit point. Returns the width it takes (draws nothing when measure). */
static float log_strip(struct viz_draw *d, const struct viz_nodeinfo *in, float x, float y,
                       float maxw, bool dim, bool measure)
{
    float s = d->s, gap = 2.5f * s;
    float box_h = (float)viz_text_height(d->tx, VIZ_FONT_SMALL);
    float box = fmaxf(14 * s, (float)viz_text_width(d->tx, VIZ_FONT_SMALL, "00") + 4 * s);
    int n = in->tail_n < 12 ? in->tail_n : 12;
    while (n > 1 && (float)n * (box + gap) - gap > maxw)
        n--;
    if (n == 0)
        return 0;
    float w = (float)n * (box + gap) - gap;
    if (measure)
        return w;
    int skip = in->tail_n - n;
    int64_t first = in->log_len - n + 1; /* log index of the first cell */
    int shade = 0;
    for (int k = 0; k < n; k++) {
        if (k > 0 && in->tail[skip + k] != in->tail[skip + k - 1])
            shade ^= 1;
        struct viz_rgba c = viz_log_color(shade);
        if (dim)
            c = viz_shade(c, 0.5f);
        float bx = x + (float)k * (box + gap);
        if (first + k <= in->commit) {
            viz_gfx_rect(d->g, bx, y, box, box_h, c);
            viz_gfx_frame(d->g, bx, y, box, box_h, 1 * s, VIZ_RGBA(VIZ_INK, 140));
        } else {
            viz_gfx_rect(d->g, bx, y, box, box_h, VIZ_RGB(0xFFFFFF));
            viz_gfx_frame(d->g, bx, y, box, box_h, 2 * s, viz_shade(c, -0.25f));
        }
        if (first + k == in->commit && k + 1 < n) /* the commit point */
            viz_gfx_rect(d->g, bx + box + gap / 2 - 1 * s, y - 3 * s, 2 * s, box_h + 6 * s,
                         VIZ_RGB(VIZ_INK));
    }
    viz_gfx_flush(d->g);
    for (int k = 0; k < n; k++) {
        char t[24];
        snprintf(t, sizeof t, "%lld", (long long)in->tail[skip + k]);
        viz_text_draw(d->tx, VIZ_FONT_SMALL, t, x + (float)k * (box + gap) + box / 2, y + box_h / 2,
                      dim ? VIZ_RGB(VIZ_INK_SOFT) : VIZ_RGB(VIZ_INK), VIZ_CENTER | VIZ_MIDDLE);
    }
    return w;
}

/* A badge under a node: centred below it, or else shifted left or right,
 * or a row lower, wherever it covers no other label. Returns the height
 * used (0 when there was no room). */
static float chip(struct viz_draw *d, float x, float y, const char *text, struct viz_rgba bg)
{
    float s = d->s;
    int w = viz_text_width(d->tx, VIZ_FONT_SMALL, text);
    int h = viz_text_height(d->tx, VIZ_FONT_SMALL);
    float cw = (float)w + 10 * s, ch = (float)h + 2 * s;
    static const float shift[6][2] = {{0, 0}, {-0.5f, 0}, {0.5f, 0}, {0, 1}, {-0.5f, 1}, {0.5f, 1}};
    struct viz_rect r;
    int k = 0;
    for (; k < 6; k++) {
        r = (struct viz_rect){x - cw / 2 + shift[k][0] * cw, y + shift[k][1] * (ch + 3 * s), cw, ch};
        if (viz_label_box(d, r, &d->L->view, text))
            break;
    }
    if (k == 6)
        return 0;
    viz_gfx_round_rect(d->g, r.x, r.y, r.w, r.h, 5 * s, bg);
    viz_gfx_frame(d->g, r.x, r.y, r.w, r.h, 1 * s, VIZ_RGBA(VIZ_INK, 120));
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_SMALL, text, r.x + 5 * s, r.y + 1 * s, viz_ink_on(bg), VIZ_LEFT);
    return r.y + r.h + 4 * s - y;
}

/* One row of a node's detail block: up to two pieces of text side by side. */
struct row {
    char text[2][160];
    enum viz_font font[2];
    struct viz_rgba color[2];
    float w, h;
};

#define MAX_ROWS 9

/* A node's detail block, laid out before it is placed: rows of text, then
 * the log strip. Text never gets cut: it wraps onto more rows. */
struct block {
    struct row row[MAX_ROWS];
    int n;
    float w, h, log_w, log_h;
};

static void add_row(struct block *b, struct viz_draw *d, enum viz_font f, const char *text,
                    struct viz_rgba c)
{
    if (b->n == MAX_ROWS)
        return;
    struct row *r = &b->row[b->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->text[0], sizeof r->text[0], "%s", text);
    r->font[0] = f;
    r->color[0] = c;
    r->w = (float)viz_text_width(d->tx, f, text);
    r->h = (float)viz_text_height(d->tx, f);
}

/* ROLE and the epoch ("LEADER  term 4"); the epoch on a row of its own
 * when both do not fit. */
static void role_rows(struct block *b, struct viz_draw *d, int i, float maxw)
{
    const struct viz_nodeview *nv = &d->m->nodes[i];
    const struct viz_nodeinfo *in = &d->info[i];
    char role[40], term[48] = "";
    snprintf(role, sizeof role, "%s", nv->up ? in->role : nv->booted ? "down" : "not started");
    for (char *p = role; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    struct viz_rgba ink = nv->up ? VIZ_RGB(VIZ_INK) : VIZ_RGB(VIZ_INK_SOFT);
    enum viz_font rf = viz_text_width(d->tx, VIZ_FONT_LARGE, role) <= (int)maxw ? VIZ_FONT_LARGE : VIZ_FONT_BOLD;
    add_row(b, d, rf, role, ink);
    if (!in->has_term)
        return;
    snprintf(term, sizeof term, "%s %lld", d->epoch ? d->epoch : "term", (long long)in->term);
    struct row *r = &b->row[b->n - 1];
    float tw = (float)viz_text_width(d->tx, VIZ_FONT_BODY, term) + 10 * d->s;
    if (r->w + tw <= maxw) {
        snprintf(r->text[1], sizeof r->text[1], "%s", term);
        r->font[1] = VIZ_FONT_BODY;
        r->color[1] = VIZ_RGB(VIZ_INK_SOFT);
        r->w += tw;
    } else
        add_row(b, d, VIZ_FONT_BODY, term, VIZ_RGB(VIZ_INK_SOFT));
}

static void build_block(struct block *b, struct viz_draw *d, int i, float maxw)
{
    const struct viz_nodeview *nv = &d->m->nodes[i];
    memset(b, 0, sizeof *b);
    role_rows(b, d, i, maxw);
    char text[256], lines[MAX_ROWS][160];
    viz_nodeinfo_text(&d->tape->store, nv->state_ev, text, sizeof text);
    if (nv->up && text[0]) {
        int n = viz_text_break(d->tx, VIZ_FONT_SMALL, text, (int)maxw, lines, MAX_ROWS - b->n, NULL);
        for (int k = 0; k < n; k++)
            add_row(b, d, VIZ_FONT_SMALL, lines[k], VIZ_RGB(VIZ_INK_SOFT));
    } else if (!nv->up && nv->booted) {
        char since[32];
        scenario_format_time(nv->since, since, sizeof since);
        snprintf(text, sizeof text, "crashed at %s", since);
        add_row(b, d, VIZ_FONT_SMALL, text, VIZ_RGB(VIZ_BAD));
    }
    for (int k = 0; k < b->n; k++) {
        b->w = fmaxf(b->w, b->row[k].w);
        b->h += b->row[k].h;
    }
    if (d->info[i].has_log) {
        b->log_w = log_strip(d, &d->info[i], 0, 0, maxw, false, true);
        b->log_h = b->log_w > 0 ? (float)viz_text_height(d->tx, VIZ_FONT_SMALL) + 8 * d->s : 0;
        b->w = fmaxf(b->w, b->log_w);
        b->h += b->log_h;
    }
}

/* x of a piece w wide aligned on x by align. */
static float aligned(float x, float w, int align)
{
    return (align & 3) == VIZ_LEFT ? x : (align & 3) == VIZ_RIGHT ? x - w : x - w / 2;
}

/* Draws the block's rows from (x, y) down, each placed as a label; stops at
 * the first row that has no room (the rest is dropped, never cut). */
static void draw_block(struct viz_draw *d, const struct block *b, int i, float x, float y, int align)
{
    const struct viz_rect *view = &d->L->view;
    for (int k = 0; k < b->n; k++) {
        const struct row *r = &b->row[k];
        float x0 = aligned(x, r->w, align);
        struct viz_rect box = {x0, y, r->w, r->h};
        char what[200];
        snprintf(what, sizeof what, "%s%s%s", r->text[0], r->text[1][0] ? " " : "", r->text[1]);
        if (!viz_label_box(d, box, view, what))
            return;
        int w0 = viz_text_draw(d->tx, r->font[0], r->text[0], x0, y, r->color[0], VIZ_LEFT);
        if (r->text[1][0]) /* the smaller second piece sits on the first's baseline */
            viz_text_draw(d->tx, r->font[1], r->text[1], x0 + (float)w0 + 10 * d->s,
                          y + (r->h - (float)viz_text_height(d->tx, r->font[1])) * 0.7f, r->color[1],
                          VIZ_LEFT);
        y += r->h;
    }
    if (b->log_w > 0) {
        y += 4 * d->s;
        struct viz_rect box = {aligned(x, b->log_w, align), y - 3 * d->s, b->log_w, b->log_h};
        if (viz_label_box(d, box, view, "log"))
            log_strip(d, &d->info[i], box.x, y, b->log_w + 1, !d->m->nodes[i].up, false);
    }
}

/* Role, epoch, text and log beside node i, away from the circle's centre,
 * kept inside the view. */
static void detail_block(struct viz_draw *d, int i)
{
    const struct viz_layout *L = d->L;
    float s = d->s;
    float a = L->nnodes > 1 ? viz_layout_angle(L, i) : 0;
    float ca = cosf(a), sa = sinf(a);
    bool side = fabsf(ca) >= 0.35f || L->nnodes <= 6;
    int align = !side ? VIZ_CENTER : ca < -0.35f ? VIZ_RIGHT : VIZ_LEFT;
    float gapr = L->node_r + 14 * s, maxw = VIZ_BLOCK_W * s;
    struct block b;
    build_block(&b, d, i, maxw);
    float x, y;
    if (!side) {
        x = L->nx[i];
        y = sa < 0 ? L->ny[i] - L->node_r - 12 * s - b.h : L->ny[i] + L->node_r + 12 * s;
    } else {
        x = (align & 3) == VIZ_RIGHT ? L->nx[i] - gapr : L->nx[i] + gapr;
        y = L->ny[i] - fminf(b.h, VIZ_BLOCK_H * s) / 2;
    }
    /* inside the view: slide the block in rather than lose its edge */
    const struct viz_rect *v = &L->view;
    float left = aligned(x, b.w, align);
    if (left < v->x + 2 * s)
        x += v->x + 2 * s - left;
    else if (left + b.w > v->x + v->w - 2 * s)
        x -= left + b.w - (v->x + v->w - 2 * s);
    if (y + b.h > v->y + v->h - 2 * s)
        y = v->y + v->h - 2 * s - b.h;
    if (y < v->y + 2 * s)
        y = v->y + 2 * s;
    draw_block(d, &b, i, x, y, align);
}

/* Node discs (with a leader's ring) are not to be covered by labels. */
static void node_obstacles(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    if (!d->labels)
        return;
    float r = L->node_r + (L->node_r > 10 * d->s ? 9 * d->s : 2 * d->s);
    for (int i = 0; i < L->nnodes && i < VIZ_OBSTACLES_MAX; i++)
        viz_labels_obstacle(d->labels, (struct viz_rect){L->nx[i] - r, L->ny[i] - r, 2 * r, 2 * r});
}

/* Badges under node i: gray failure and clock faults. */
static void badges(struct viz_draw *d, int i)
{
    const struct viz_layout *L = d->L;
    const struct viz_nodeview *nv = &d->m->nodes[i];
    float s = d->s, r = L->node_r;
    float by = L->ny[i] + r + (r > 10 * s ? 10 * s : 3 * s);
    if (nv->slow > 0 && nv->up) {
        char t[48], dur[24];
        scenario_format_duration(nv->slow, dur, sizeof dur);
        snprintf(t, sizeof t, "slow +%s", dur);
        by += chip(d, L->nx[i], by, t, VIZ_RGB(0xFFFFFF));
    }
    if (nv->drift_ppm != 0 || nv->offset != 0) {
        char t[64], off[24];
        sim_time o = viz_node_clock(nv, d->m->t) - d->m->t;
        scenario_format_duration(o, off, sizeof off);
        snprintf(t, sizeof t, "clock %+.1f%% %s%s", (double)nv->drift_ppm / 1e4, o >= 0 ? "+" : "", off);
        chip(d, L->nx[i], by, t, VIZ_RGB(0xFFFFFF));
    }
}

/* Hover: everything about one node, whatever the layout, in a box kept
 * inside the view; its text wraps rather than being cut. */
static void hover_tip(struct viz_draw *d, int h)
{
    const struct viz_layout *L = d->L;
    const struct viz_nodeview *nv = &d->m->nodes[h];
    const struct viz_nodeinfo *in = &d->info[h];
    float s = d->s;
    char text[256], l1[128], l3[128], lines[4][160];
    viz_nodeinfo_text(&d->tape->store, nv->state_ev, text, sizeof text);
    snprintf(l1, sizeof l1, "n%d  %s", h + 1, nv->up ? in->role : "DOWN");
    if (in->has_term)
        snprintf(l1 + strlen(l1), sizeof l1 - strlen(l1), "  ·  %s %lld", d->epoch ? d->epoch : "term",
                 (long long)in->term);
    if (d->ui->live)
        snprintf(l3, sizeof l3, "click: %s", nv->up ? "crash it (shift: losing unsynced writes)" : "recover it");
    else
        l3[0] = '\0';
    int maxw = (int)(420 * s);
    int nl = viz_text_break(d->tx, VIZ_FONT_SMALL,
                            nv->up ? text : "crashed: volatile state lost, stable storage kept", maxw,
                            lines, 4, NULL);
    int lh = viz_text_height(d->tx, VIZ_FONT_SMALL);
    int w = viz_text_width(d->tx, VIZ_FONT_BOLD, l1);
    w = w > viz_text_width(d->tx, VIZ_FONT_SMALL, l3) ? w : viz_text_width(d->tx, VIZ_FONT_SMALL, l3);
    for (int k = 0; k < nl; k++)
        w = w > viz_text_width(d->tx, VIZ_FONT_SMALL, lines[k]) ? w : viz_text_width(d->tx, VIZ_FONT_SMALL, lines[k]);
    struct viz_rect box = {d->ui->mouse_x + 16 * s, d->ui->mouse_y + 12 * s, (float)w + 16 * s,
                           (float)(nl + (l3[0] ? 2 : 1)) * (float)lh + 0.4f * (float)lh + 14 * s};
    if (box.x + box.w > L->view.x + L->view.w)
        box.x = d->ui->mouse_x - box.w - 8 * s;
    if (box.y + box.h > L->view.y + L->view.h)
        box.y = d->ui->mouse_y - box.h - 8 * s;
    if (d->labels)
        viz_labels_tip(d->labels, &box, &L->view);
    viz_gfx_round_rect(d->g, box.x, box.y, box.w, box.h, 6 * s, VIZ_RGBA(0xFFFFFF, 245));
    viz_gfx_flush(d->g);
    viz_gfx_round_rect(d->g, box.x, box.y, box.w, 3 * s, 2 * s, node_fill(d, h));
    viz_gfx_flush(d->g);
    float tx = box.x + 8 * s, ty = box.y + 6 * s;
    viz_text_draw(d->tx, VIZ_FONT_BOLD, l1, tx, ty, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    ty += 2 * s + 1.2f * (float)lh;
    for (int k = 0; k < nl; k++, ty += (float)lh)
        viz_text_draw(d->tx, VIZ_FONT_SMALL, lines[k], tx, ty, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    viz_text_draw(d->tx, VIZ_FONT_SMALL, l3, tx, ty, VIZ_RGB(VIZ_BLUE), VIZ_LEFT);
}

void viz_draw_node_labels(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    float s = d->s, r = L->node_r;
    node_obstacles(d);
    for (int i = 0; i < L->nnodes; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i + 1);
        struct viz_rgba fill = node_fill(d, i);
        if (r >= 13 * s) /* inside the disc: its own place, no label to collide with */
            viz_text_draw(d->tx, r >= 24 * s ? VIZ_FONT_LARGE : VIZ_FONT_BOLD, name, L->nx[i],
                          L->ny[i], viz_ink_on(fill), VIZ_CENTER | VIZ_MIDDLE);
        else if (L->nnodes <= 64) {
            float a = viz_layout_angle(L, i);
            viz_label(d, VIZ_FONT_SMALL, name, L->nx[i] + cosf(a) * (r + 12 * s),
                      L->ny[i] + sinf(a) * (r + 12 * s), VIZ_RGB(VIZ_INK), VIZ_CENTER | VIZ_MIDDLE,
                      &L->view);
        }
    }
    for (int i = 0; i < L->nnodes; i++) {
        if (L->details)
            detail_block(d, i);
        if (L->details || L->nnodes <= 24)
            badges(d, i);
    }
    int h = d->ui->hover_node;
    if (h >= 0 && h < L->nnodes && !d->ui->drag_partition)
        hover_tip(d, h);
}
