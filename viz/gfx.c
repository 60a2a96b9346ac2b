/* gfx.c - the batched shape renderer: every shape appends triangles with
 * per-vertex colour; a one-pixel rim whose alpha falls to zero smooths each
 * edge, so circles and slanted lines look clean on a projector without any
 * multisampling. */
#include "viz/gfx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI_F 3.14159265358979f
#define MAX_BATCH (1 << 20)

void viz_gfx_init(struct viz_gfx *g, SDL_Renderer *r)
{
    memset(g, 0, sizeof *g);
    g->r = r;
}

void viz_gfx_free(struct viz_gfx *g)
{
    free(g->v);
    free(g->idx);
    for (int i = 0; i < g->nsprites; i++)
        SDL_DestroyTexture(g->sprite[i]);
    memset(g, 0, sizeof *g);
}

void viz_gfx_flush(struct viz_gfx *g)
{
    if (g->ni > 0)
        SDL_RenderGeometry(g->r, NULL, g->v, g->nv, g->idx, g->ni);
    g->nv = 0;
    g->ni = 0;
}

/* Makes room for nv more vertices and ni more indices; false when it cannot. */
static bool reserve(struct viz_gfx *g, int nv, int ni)
{
    if (g->nv + nv > MAX_BATCH || g->ni + ni > MAX_BATCH * 3)
        viz_gfx_flush(g);
    if (g->nv + nv > g->capv) {
        int cap = g->capv ? g->capv : 4096;
        while (cap < g->nv + nv)
            cap *= 2;
        SDL_Vertex *v = realloc(g->v, (size_t)cap * sizeof *v);
        if (!v) {
            g->oom = true;
            return false;
        }
        g->v = v;
        g->capv = cap;
    }
    if (g->ni + ni > g->capi) {
        int cap = g->capi ? g->capi : 8192;
        while (cap < g->ni + ni)
            cap *= 2;
        int *idx = realloc(g->idx, (size_t)cap * sizeof *idx);
        if (!idx) {
            g->oom = true;
            return false;
        }
        g->idx = idx;
        g->capi = cap;
    }
    return true;
}

static int vert(struct viz_gfx *g, float x, float y, struct viz_rgba c)
{
    SDL_Vertex *v = &g->v[g->nv];
    v->position.x = x;
    v->position.y = y;
    v->color.r = c.r;
    v->color.g = c.g;
    v->color.b = c.b;
    v->color.a = c.a;
    v->tex_coord.x = 0;
    v->tex_coord.y = 0;
    return g->nv++;
}

static void tri(struct viz_gfx *g, int a, int b, int c)
{
    g->idx[g->ni++] = a;
    g->idx[g->ni++] = b;
    g->idx[g->ni++] = c;
}

static void quad(struct viz_gfx *g, int a, int b, int c, int d)
{
    tri(g, a, b, c);
    tri(g, a, c, d);
}

void viz_gfx_rect(struct viz_gfx *g, float x, float y, float w, float h, struct viz_rgba c)
{
    if (w <= 0 || h <= 0 || !reserve(g, 4, 6))
        return;
    int a = vert(g, x, y, c), b = vert(g, x + w, y, c), d = vert(g, x + w, y + h, c),
        e = vert(g, x, y + h, c);
    quad(g, a, b, d, e);
}

void viz_gfx_frame(struct viz_gfx *g, float x, float y, float w, float h, float width,
                   struct viz_rgba c)
{
    viz_gfx_rect(g, x, y, w, width, c);
    viz_gfx_rect(g, x, y + h - width, w, width, c);
    viz_gfx_rect(g, x, y + width, width, h - 2 * width, c);
    viz_gfx_rect(g, x + w - width, y + width, width, h - 2 * width, c);
}

/* A convex shape from its outline (points with outward unit normals), as a
 * fan from (cx, cy) plus a feathered rim. */
static void convex_aa(struct viz_gfx *g, float cx, float cy, const float *pts, const float *nrm,
                      int n, struct viz_rgba c)
{
    if (n < 3 || !reserve(g, 2 * n + 1, 9 * n))
        return;
    struct viz_rgba clear = viz_alpha(c, 0);
    int centre = vert(g, cx, cy, c);
    int first = g->nv;
    for (int i = 0; i < n; i++) {
        float x = pts[2 * i], y = pts[2 * i + 1], nx = nrm[2 * i], ny = nrm[2 * i + 1];
        vert(g, x - 0.5f * nx, y - 0.5f * ny, c);
        vert(g, x + 0.5f * nx, y + 0.5f * ny, clear);
    }
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        int ii = first + 2 * i, jj = first + 2 * j;
        tri(g, centre, ii, jj);
        quad(g, ii, ii + 1, jj + 1, jj);
    }
}

static int segments_for(float r)
{
    int n = (int)(r * 0.9f) + 10;
    return n < 12 ? 12 : n > 96 ? 96 : n;
}

void viz_gfx_circle(struct viz_gfx *g, float cx, float cy, float r, struct viz_rgba c)
{
    if (r <= 0)
        return;
    float pts[2 * 96], nrm[2 * 96];
    int n = segments_for(r);
    for (int i = 0; i < n; i++) {
        float a = 2 * PI_F * (float)i / (float)n;
        nrm[2 * i] = cosf(a);
        nrm[2 * i + 1] = sinf(a);
        pts[2 * i] = cx + r * nrm[2 * i];
        pts[2 * i + 1] = cy + r * nrm[2 * i + 1];
    }
    convex_aa(g, cx, cy, pts, nrm, n, c);
}

/* The white disc sprite of radius r (made on first use), or NULL. */
static SDL_Texture *sprite(struct viz_gfx *g, float r, int *size)
{
    *size = (int)ceilf(2 * r + 3);
    for (int i = 0; i < g->nsprites; i++)
        if (fabsf(g->sprite_r[i] - r) < 0.01f)
            return g->sprite[i];
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, *size, *size, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surf)
        return NULL;
    float c = (float)*size / 2;
    for (int y = 0; y < *size; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)surf->pixels + y * surf->pitch);
        for (int x = 0; x < *size; x++) {
            float dx = (float)x + 0.5f - c, dy = (float)y + 0.5f - c;
            float cover = r + 0.5f - sqrtf(dx * dx + dy * dy); /* pixel coverage, roughly */
            cover = cover < 0 ? 0 : cover > 1 ? 1 : cover;
            row[x] = (Uint32)(cover * 255 + 0.5f) << 24 | 0xFFFFFFu;
        }
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(g->r, surf);
    SDL_FreeSurface(surf);
    if (!t)
        return NULL;
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    if (g->nsprites == VIZ_GFX_SPRITES) { /* full: forget the oldest */
        SDL_DestroyTexture(g->sprite[0]);
        memmove(g->sprite, g->sprite + 1, (VIZ_GFX_SPRITES - 1) * sizeof g->sprite[0]);
        memmove(g->sprite_r, g->sprite_r + 1, (VIZ_GFX_SPRITES - 1) * sizeof g->sprite_r[0]);
        g->nsprites--;
    }
    g->sprite[g->nsprites] = t;
    g->sprite_r[g->nsprites++] = r;
    return t;
}

void viz_gfx_dot(struct viz_gfx *g, float cx, float cy, float r, struct viz_rgba c)
{
    int size;
    SDL_Texture *t = sprite(g, r, &size);
    if (!t) {
        viz_gfx_circle(g, cx, cy, r, c);
        return;
    }
    viz_gfx_flush(g);
    SDL_SetTextureColorMod(t, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(t, c.a);
    SDL_FRect dst = {cx - (float)size / 2, cy - (float)size / 2, (float)size, (float)size};
    SDL_RenderCopyF(g->r, t, NULL, &dst);
}

void viz_gfx_ring(struct viz_gfx *g, float cx, float cy, float r, float width, struct viz_rgba c)
{
    if (r <= 0 || width <= 0)
        return;
    if (width < 1) {
        c.a = (uint8_t)(c.a * width);
        width = 1;
    }
    int n = segments_for(r + width);
    if (!reserve(g, 4 * n, 18 * n))
        return;
    struct viz_rgba clear = viz_alpha(c, 0);
    float radii[4] = {r - width / 2 - 0.5f, r - width / 2 + 0.5f, r + width / 2 - 0.5f,
                      r + width / 2 + 0.5f};
    if (radii[0] < 0)
        radii[0] = 0;
    int first = g->nv;
    for (int i = 0; i < n; i++) {
        float a = 2 * PI_F * (float)i / (float)n, ca = cosf(a), sa = sinf(a);
        for (int k = 0; k < 4; k++)
            vert(g, cx + radii[k] * ca, cy + radii[k] * sa, k == 0 || k == 3 ? clear : c);
    }
    for (int i = 0; i < n; i++) {
        int a = first + 4 * i, b = first + 4 * ((i + 1) % n);
        for (int k = radii[0] > 0 ? 0 : 1; k < 3; k++)
            quad(g, a + k, a + k + 1, b + k + 1, b + k);
    }
}

/* One straight piece of a line (see viz_gfx_line). */
static void line_piece(struct viz_gfx *g, float x0, float y0, float x1, float y1, float nx,
                       float ny, float in, float out, struct viz_rgba c)
{
    if (!reserve(g, 8, 18))
        return;
    struct viz_rgba clear = viz_alpha(c, 0);
    int a[4], b[4];
    float off[4] = {-out, -in, in, out};
    for (int k = 0; k < 4; k++) {
        struct viz_rgba col = k == 0 || k == 3 ? clear : c;
        a[k] = vert(g, x0 + off[k] * nx, y0 + off[k] * ny, col);
        b[k] = vert(g, x1 + off[k] * nx, y1 + off[k] * ny, col);
    }
    for (int k = 0; k < 3; k++)
        if (k != 1 || in > 0) /* no zero-width core: see viz_gfx_sector */
            quad(g, a[k], a[k + 1], b[k + 1], b[k]);
}

void viz_gfx_line(struct viz_gfx *g, float x0, float y0, float x1, float y1, float width,
                  struct viz_rgba c)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f || width <= 0)
        return;
    if (width < 1) {
        c.a = (uint8_t)(c.a * width);
        width = 1;
    }
    dx /= len;
    dy /= len;
    float in = width / 2 - 0.5f, out = width / 2 + 0.5f;
    /* SDL's software renderer tests every pixel of a triangle's bounding
     * box: a long slanted line is cut into short pieces so that its boxes
     * stay small (a 500-pixel diagonal would otherwise cost 250 000 tests). */
    int pieces = (int)(len / 24) + 1;
    for (int i = 0; i < pieces; i++) {
        float a = len * (float)i / (float)pieces, b = len * (float)(i + 1) / (float)pieces;
        line_piece(g, x0 + dx * a, y0 + dy * a, x0 + dx * b, y0 + dy * b, -dy, dx, in, out, c);
    }
}

void viz_gfx_hairline(struct viz_gfx *g, float x0, float y0, float x1, float y1,
                      struct viz_rgba c)
{
    viz_gfx_flush(g);
    SDL_SetRenderDrawColor(g->r, c.r, c.g, c.b, c.a);
    SDL_RenderDrawLineF(g->r, x0, y0, x1, y1);
}

void viz_gfx_dashed(struct viz_gfx *g, float x0, float y0, float x1, float y1, float width,
                    float dash, float gap, struct viz_rgba c)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f || dash <= 0)
        return;
    dx /= len;
    dy /= len;
    for (float s = 0; s < len; s += dash + gap) {
        float e = s + dash < len ? s + dash : len;
        viz_gfx_line(g, x0 + dx * s, y0 + dy * s, x0 + dx * e, y0 + dy * e, width, c);
    }
}

void viz_gfx_poly(struct viz_gfx *g, const float *xy, int n, struct viz_rgba c)
{
    if (n < 3 || !reserve(g, n, 3 * (n - 2)))
        return;
    int first = g->nv;
    for (int i = 0; i < n; i++)
        vert(g, xy[2 * i], xy[2 * i + 1], c);
    for (int i = 1; i + 1 < n; i++)
        tri(g, first, first + i, first + i + 1);
}

void viz_gfx_tri(struct viz_gfx *g, float x0, float y0, float x1, float y1, float x2, float y2,
                 struct viz_rgba c)
{
    float xy[6] = {x0, y0, x1, y1, x2, y2};
    viz_gfx_poly(g, xy, 3, c);
}

/* A quarter disc at corner centre (cx, cy) between angles a0 and a0 + 90°,
 * with a feathered rim. */
static void corner(struct viz_gfx *g, float cx, float cy, float rad, float a0, struct viz_rgba c)
{
    enum { PER = 7 };
    if (!reserve(g, 2 * PER + 1, 9 * PER))
        return;
    struct viz_rgba clear = viz_alpha(c, 0);
    int centre = vert(g, cx, cy, c), first = g->nv;
    for (int i = 0; i < PER; i++) {
        float a = a0 + (PI_F / 2) * (float)i / (PER - 1), ca = cosf(a), sa = sinf(a);
        vert(g, cx + (rad - 0.5f) * ca, cy + (rad - 0.5f) * sa, c);
        vert(g, cx + (rad + 0.5f) * ca, cy + (rad + 0.5f) * sa, clear);
    }
    for (int i = 0; i + 1 < PER; i++) {
        int ii = first + 2 * i, jj = ii + 2;
        tri(g, centre, ii, jj);
        quad(g, ii, ii + 1, jj + 1, jj);
    }
}

void viz_gfx_round_rect(struct viz_gfx *g, float x, float y, float w, float h, float rad,
                        struct viz_rgba c)
{
    if (w <= 0 || h <= 0)
        return;
    if (rad > w / 2)
        rad = w / 2;
    if (rad > h / 2)
        rad = h / 2;
    if (rad < 1) {
        viz_gfx_rect(g, x, y, w, h, c);
        return;
    }
    /* rectangles for the body (SDL fills those fast), quarter discs for the
     * corners: no long thin triangles (see viz_gfx_line) */
    viz_gfx_rect(g, x + rad, y, w - 2 * rad, h, c);
    viz_gfx_rect(g, x, y + rad, rad, h - 2 * rad, c);
    viz_gfx_rect(g, x + w - rad, y + rad, rad, h - 2 * rad, c);
    corner(g, x + w - rad, y + h - rad, rad, 0, c);
    corner(g, x + rad, y + h - rad, rad, PI_F / 2, c);
    corner(g, x + rad, y + rad, rad, PI_F, c);
    corner(g, x + w - rad, y + rad, rad, 3 * PI_F / 2, c);
}

void viz_gfx_sector(struct viz_gfx *g, float cx, float cy, float r0, float r1, float a0,
                    float a1, struct viz_rgba c)
{
    if (a1 <= a0 || r1 <= r0)
        return;
    /* In bands about 24 pixels deep and pieces about 20 pixels wide, so no
     * triangle has a big bounding box (see viz_gfx_line). No degenerate
     * triangles either: SDL's software renderer takes some pairs of them
     * for rectangles and fills the wrong area. */
    int bands = (int)((r1 - r0) / 24) + 1;
    /* every band cut at the same angles: shared vertices, no T-junctions,
     * so no hairline gaps between the bands */
    int n = (int)((a1 - a0) * r1 / 20) + 2;
    for (int band = 0; band < bands; band++) {
        float ra = r0 + (r1 - r0) * (float)band / (float)bands;
        float rb = r0 + (r1 - r0) * (float)(band + 1) / (float)bands;
        if (ra < 0.5f) {
            if (!reserve(g, n + 2, 3 * n))
                return;
            int centre = vert(g, cx, cy, c);
            for (int i = 0; i <= n; i++) {
                float a = a0 + (a1 - a0) * (float)i / (float)n;
                vert(g, cx + rb * cosf(a), cy + rb * sinf(a), c);
            }
            for (int i = 0; i < n; i++)
                tri(g, centre, centre + 1 + i, centre + 2 + i);
            continue;
        }
        if (!reserve(g, 2 * (n + 1), 6 * n))
            return;
        int first = g->nv;
        for (int i = 0; i <= n; i++) {
            float a = a0 + (a1 - a0) * (float)i / (float)n;
            vert(g, cx + ra * cosf(a), cy + ra * sinf(a), c);
            vert(g, cx + rb * cosf(a), cy + rb * sinf(a), c);
        }
        for (int i = 0; i < n; i++) {
            int a = first + 2 * i;
            quad(g, a, a + 1, a + 3, a + 2);
        }
    }
}

void viz_gfx_arrowhead(struct viz_gfx *g, float x, float y, float dx, float dy, float size,
                       struct viz_rgba c)
{
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-6f)
        return;
    dx /= len;
    dy /= len;
    float bx = x - dx * size, by = y - dy * size;
    float nx = -dy * size * 0.55f, ny = dx * size * 0.55f;
    viz_gfx_tri(g, x, y, bx + nx, by + ny, bx - nx, by - ny, c);
}

void viz_gfx_cross(struct viz_gfx *g, float x, float y, float size, float width,
                   struct viz_rgba c)
{
    viz_gfx_line(g, x - size, y - size, x + size, y + size, width, c);
    viz_gfx_line(g, x - size, y + size, x + size, y - size, width, c);
}
