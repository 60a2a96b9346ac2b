/* draw_net.c - the network in the node view: links, partitions as neutral
 * grey slices of the circle named A, B... with a dashed wall between them,
 * cut links dashed in vermillion with a cross, flapping links; decoded from the fault lines in
 * force at this moment. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/draw.h"
#include "viz/jscan.h"

#define PI_F 3.14159265358979f


static void set_names(const struct viz_store *s, const struct viz_jval *arr, uint8_t *mask)
{
    struct viz_jiter it;
    struct viz_jval v;
    if (!viz_json_enter(&it, arr))
        return;
    while (viz_json_element(&it, &v) == 1) {
        int id = v.type == VIZ_J_STR ? viz_store_node(s, v.p, v.n) : -1;
        if (id >= 0)
            mask[id] = 1;
    }
}

int viz_net_decode(struct viz_draw *d)
{
    const struct viz_model *m = d->m;
    const struct viz_store *s = &d->tape->store;
    int n = m->nnodes;
    d->nblocks = 0;
    d->shade = NULL;
    d->shade_groups = 0;
    if (!m->nblocks)
        return SIM_OK;
    d->blocks = calloc((size_t)m->nblocks, sizeof *d->blocks);
    if (!d->blocks)
        return SIM_ENOMEM;
    for (int b = 0; b < m->nblocks; b++) {
        const struct viz_blockview *bv = &m->blocks[b];
        struct viz_netblock *nb = &d->blocks[d->nblocks++];
        nb->kind = bv->kind;
        nb->up = bv->up;
        nb->ev = bv->ev;
        const char *line = viz_store_line(s, bv->ev);
        size_t len = viz_store_len(s, bv->ev);
        struct viz_jval v, g;
        if (bv->kind == VIZ_BLOCK_PARTITION || bv->kind == VIZ_BLOCK_ISOLATE) {
            nb->group = malloc((size_t)n * sizeof *nb->group);
            if (!nb->group)
                return SIM_ENOMEM;
            if (bv->kind == VIZ_BLOCK_ISOLATE) {
                for (int i = 0; i < n; i++)
                    nb->group[i] = 0;
                int who = s->ev[bv->ev].node;
                if (who >= 0)
                    nb->group[who] = 1;
                nb->ngroups = 2;
            } else {
                for (int i = 0; i < n; i++)
                    nb->group[i] = -2;
                int gi = 0;
                if (viz_json_get(line, len, "groups", &v)) {
                    struct viz_jiter it;
                    viz_json_enter(&it, &v);
                    while (viz_json_element(&it, &g) == 1) {
                        struct viz_jiter gt;
                        struct viz_jval name;
                        if (!viz_json_enter(&gt, &g))
                            continue;
                        while (viz_json_element(&gt, &name) == 1) {
                            int id = name.type == VIZ_J_STR ? viz_store_node(s, name.p, name.n) : -1;
                            if (id >= 0)
                                nb->group[id] = gi;
                        }
                        gi++;
                    }
                }
                bool rest = false;
                for (int i = 0; i < n; i++)
                    if (nb->group[i] == -2) {
                        nb->group[i] = gi;
                        rest = true;
                    }
                if (viz_json_get(line, len, "bridge", &v) && v.type == VIZ_J_STR) {
                    int id = viz_store_node(s, v.p, v.n);
                    if (id >= 0)
                        nb->group[id] = -1;
                }
                nb->ngroups = gi + (rest ? 1 : 0);
            }
            d->shade = nb->group;
            d->shade_groups = nb->ngroups;
        } else {
            nb->from = calloc((size_t)n, 1);
            nb->to = calloc((size_t)n, 1);
            if (!nb->from || !nb->to)
                return SIM_ENOMEM;
            if (viz_json_get(line, len, "from", &v))
                set_names(s, &v, nb->from);
            if (viz_json_get(line, len, "to", &v))
                set_names(s, &v, nb->to);
            nb->both = bv->kind == VIZ_BLOCK_FLAP ||
                       (viz_json_get(line, len, "direction", &v) && viz_json_is(&v, "both"));
        }
    }
    return SIM_OK;
}

void viz_net_release(struct viz_draw *d)
{
    for (int b = 0; b < d->nblocks; b++) {
        free(d->blocks[b].group);
        free(d->blocks[b].from);
        free(d->blocks[b].to);
    }
    free(d->blocks);
    d->blocks = NULL;
    d->nblocks = 0;
    d->shade = NULL;
}

static bool block_cuts(const struct viz_netblock *b, int x, int y)
{
    if (b->group)
        return b->group[x] >= 0 && b->group[y] >= 0 && b->group[x] != b->group[y];
    if (b->kind == VIZ_BLOCK_FLAP && b->up)
        return false;
    return (b->from[x] && b->to[y]) || (b->both && b->from[y] && b->to[x]);
}

bool viz_net_blocked(const struct viz_draw *d, int a, int b)
{
    for (int i = 0; i < d->nblocks; i++)
        if (block_cuts(&d->blocks[i], a, b))
            return true;
    return false;
}

void viz_net_describe(const struct viz_draw *d, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < d->nblocks && used + 4 < cap; i++) {
        char line[200];
        viz_describe_event(&d->tape->store, d->blocks[i].ev, line, sizeof line);
        if (d->blocks[i].kind == VIZ_BLOCK_FLAP)
            snprintf(line + strlen(line), sizeof line - strlen(line), " (now %s)",
                     d->blocks[i].up ? "up" : "down");
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? "\n" : "", line);
    }
}

/* A link's end points on the rims of nodes a and b. */
static bool rim_points(const struct viz_layout *L, int a, int b, float *x0, float *y0, float *x1,
                       float *y1)
{
    float dx = L->nx[b] - L->nx[a], dy = L->ny[b] - L->ny[a];
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 2 * L->node_r + 1)
        return false;
    dx /= len;
    dy /= len;
    float r = L->node_r + 3 * L->s;
    *x0 = L->nx[a] + dx * r;
    *y0 = L->ny[a] + dy * r;
    *x1 = L->nx[b] - dx * r;
    *y1 = L->ny[b] - dy * r;
    return true;
}

static void draw_shading(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const int *g = d->shade;
    int n = L->nnodes;
    if (!g || n < 2)
        return;
    float s = d->s;
    float half = PI_F / (float)n;
    float outer = L->ring_r + L->node_r + 26 * s;
    /* start the walk at a boundary so every run is whole */
    int start = -1;
    for (int i = 0; i < n; i++)
        if (g[i] != g[(i + n - 1) % n]) {
            start = i;
            break;
        }
    if (start < 0)
        return; /* every node on one side: nothing cut */
    struct viz_rgba wall = VIZ_RGBA(VIZ_INK, 230);
    for (int k = 0; k < n;) {
        int i = (start + k) % n;
        int run = 1;
        while (k + run < n && g[(start + k + run) % n] == g[i])
            run++;
        float a0 = viz_layout_angle(L, i) - half;
        float a1 = viz_layout_angle(L, (start + k + run - 1) % n) + half;
        if (a1 < a0)
            a1 += 2 * PI_F;
        /* opaque neutral greys (no role hue): band edges that touch or
         * overlap leave no seams; the groups are named by letters */
        struct viz_rgba tint = viz_group_tint(g[i]);
        viz_gfx_sector(d->g, L->cx, L->cy, 0, outer, a0, a1, tint);
        k += run;
    }
    /* the walls: radial dashed lines where the group changes */
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        if (g[i] == g[j])
            continue;
        float a = viz_layout_angle(L, i) + half;
        float ca = cosf(a), sa = sinf(a);
        viz_gfx_dashed(d->g, L->cx + ca * 4 * s, L->cy + sa * 4 * s, L->cx + ca * outer,
                       L->cy + sa * outer, 5 * s, 14 * s, 7 * s, wall);
    }
    viz_gfx_circle(d->g, L->cx, L->cy, 6 * s, wall);
}

void viz_draw_network(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    int n = L->nnodes;
    float s = d->s;
    draw_shading(d);
    /* links: every pair while the cluster is small enough to read them */
    if (n <= 10)
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                float x0, y0, x1, y1;
                if (rim_points(L, a, b, &x0, &y0, &x1, &y1))
                    viz_gfx_line(d->g, x0, y0, x1, y1, 1.5f * s, VIZ_RGBA(VIZ_RULE, 200));
            }
    /* cut links */
    if (d->nblocks && n <= 16) {
        struct viz_rgba bad = VIZ_RGB(VIZ_BAD);
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                bool ab = viz_net_blocked(d, a, b), ba = viz_net_blocked(d, b, a);
                if (!ab && !ba)
                    continue;
                float x0, y0, x1, y1;
                if (!rim_points(L, a, b, &x0, &y0, &x1, &y1))
                    continue;
                viz_gfx_dashed(d->g, x0, y0, x1, y1, 2.5f * s, 8 * s, 6 * s, bad);
                float mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
                viz_gfx_circle(d->g, mx, my, 9 * s, VIZ_RGB(VIZ_BG));
                viz_gfx_cross(d->g, mx, my, 5 * s, 3 * s, bad);
                if (ab != ba) { /* one way: show which direction is cut */
                    float dx = x1 - x0, dy = y1 - y0;
                    if (ba) {
                        dx = -dx;
                        dy = -dy;
                    }
                    viz_gfx_arrowhead(d->g, mx + dx * 0.25f, my + dy * 0.25f, dx, dy, 11 * s, bad);
                }
            }
    }
    /* flapping links: grey while up, dashed vermillion (cut) while down */
    for (int i = 0; i < d->nblocks; i++) {
        const struct viz_netblock *b = &d->blocks[i];
        if (b->kind != VIZ_BLOCK_FLAP)
            continue;
        int x = -1, y = -1;
        for (int k = 0; k < n; k++) {
            if (b->from[k] && x < 0)
                x = k;
            else if (b->to[k] && y < 0)
                y = k;
        }
        float x0, y0, x1, y1;
        if (x < 0 || y < 0 || !rim_points(L, x, y, &x0, &y0, &x1, &y1))
            continue;
        if (b->up)
            viz_gfx_dashed(d->g, x0, y0, x1, y1, 3 * s, 14 * s, 3 * s, VIZ_RGB(VIZ_INK_SOFT));
        else
            viz_gfx_dashed(d->g, x0, y0, x1, y1, 3 * s, 5 * s, 5 * s, VIZ_RGB(VIZ_BAD));
    }
    viz_gfx_flush(d->g);
}

/* Group letters: "A" at the middle of each run of one group's slices,
 * "bridge" for a bridge node's; inside the circle where it is free. */
static void group_letters(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const int *g = d->shade;
    int n = L->nnodes;
    for (int i = 0; i < n; i++) {
        int prev = (i + n - 1) % n, len = 0;
        if (g[i] == g[prev])
            continue; /* not the first of a run */
        while (len < n && g[(i + len) % n] == g[i])
            len++;
        float a = (viz_layout_angle(L, i) + viz_layout_angle(L, (i + len - 1) % n)) / 2;
        if (viz_layout_angle(L, (i + len - 1) % n) < viz_layout_angle(L, i))
            a += PI_F;
        char word[16];
        snprintf(word, sizeof word, g[i] < 0 ? "bridge" : "%c", 'A' + g[i] % 26);
        static const float at[3] = {0.6f, 0.4f, 0.75f};
        for (int k = 0; k < 3; k++)
            if (viz_label(d, VIZ_FONT_LARGE, word, L->cx + cosf(a) * L->ring_r * at[k],
                          L->cy + sinf(a) * L->ring_r * at[k], VIZ_RGB(0x7A7A74),
                          VIZ_CENTER | VIZ_MIDDLE, &L->view))
                break;
    }
}

void viz_draw_network_words(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    int n = L->nnodes;
    float s = d->s;
    /* a word at the hub of the walls, so nobody has to guess what the
     * dashes mean */
    if (d->shade && n >= 2) {
        bool cut = false;
        for (int i = 0; i < n && !cut; i++)
            cut = d->shade[i] != d->shade[(i + 1) % n];
        if (cut) {
            const char *word = "partition";
            float w = (float)viz_text_width(d->tx, VIZ_FONT_SMALL, word) + 12 * s;
            float h = (float)viz_text_height(d->tx, VIZ_FONT_SMALL) + 4 * s;
            float y = L->cy + 12 * s;
            if (viz_label_box(d, (struct viz_rect){L->cx - w / 2, y, w, h}, &L->view, word)) {
                viz_gfx_round_rect(d->g, L->cx - w / 2, y, w, h, h / 2, VIZ_RGBA(0xFFFFFF, 235));
                viz_gfx_flush(d->g);
                viz_text_draw(d->tx, VIZ_FONT_SMALL, word, L->cx, y + 2 * s, VIZ_RGB(VIZ_INK), VIZ_CENTER);
            }
            group_letters(d);
        }
    }
}
