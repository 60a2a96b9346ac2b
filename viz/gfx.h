/* gfx.h - shapes for the viewer, batched: filled and outlined circles,
 * thick lines, rectangles and polygons become triangles in one vertex buffer
 * and reach SDL in one SDL_RenderGeometry call per flush. Edges are
 * anti-aliased with a one-pixel feather (vertex alpha fading to zero). */
#ifndef FAULTLINE_VIZ_GFX_H
#define FAULTLINE_VIZ_GFX_H

#include <SDL.h>
#include <stdbool.h>

#include "viz/palette.h"

#define VIZ_GFX_SPRITES 8

struct viz_gfx {
    SDL_Renderer *r;   /* borrowed */
    SDL_Vertex *v;
    int *idx;
    int nv, capv, ni, capi;
    bool oom;          /* a shape was skipped for want of memory */
    /* anti-aliased white discs by radius, tinted per draw (message dots) */
    SDL_Texture *sprite[VIZ_GFX_SPRITES];
    float sprite_r[VIZ_GFX_SPRITES];
    int nsprites;
};

/* Binds a batch to renderer `r` (borrowed; it must outlive the batch). */
void viz_gfx_init(struct viz_gfx *g, SDL_Renderer *r);
/* Frees the buffers (not the renderer). */
void viz_gfx_free(struct viz_gfx *g);
/* Sends everything batched so far to the renderer, in order. Call before
 * drawing anything that does not go through this batch (text). */
void viz_gfx_flush(struct viz_gfx *g);

/* Each shape below appends to the batch (nothing is drawn until a flush)
 * and silently skips itself when memory runs out (g->oom says so). */
/* A filled axis-aligned rectangle (SDL fills these fast). */
void viz_gfx_rect(struct viz_gfx *g, float x, float y, float w, float h, struct viz_rgba c);
/* A rectangle with rounded corners of radius `rad`. */
void viz_gfx_round_rect(struct viz_gfx *g, float x, float y, float w, float h, float rad,
                        struct viz_rgba c);
/* A rectangle's outline, `width` pixels inside its edge. */
void viz_gfx_frame(struct viz_gfx *g, float x, float y, float w, float h, float width,
                   struct viz_rgba c);
/* A filled circle with an anti-aliased edge. */
void viz_gfx_circle(struct viz_gfx *g, float cx, float cy, float r, struct viz_rgba c);
/* A small filled disc, drawn as a blit of a cached anti-aliased sprite:
 * hundreds of message dots cost a few blits instead of thousands of
 * triangles. Flushes the batch first (it draws in order). */
void viz_gfx_dot(struct viz_gfx *g, float cx, float cy, float r, struct viz_rgba c);
/* A ring of the given width centred on radius r. */
void viz_gfx_ring(struct viz_gfx *g, float cx, float cy, float r, float width, struct viz_rgba c);
/* A line `width` pixels thick with anti-aliased sides. */
void viz_gfx_line(struct viz_gfx *g, float x0, float y0, float x1, float y1, float width,
                  struct viz_rgba c);
/* A one-pixel line without anti-aliasing (dense diagrams: far cheaper).
 * Flushes the batch first. */
void viz_gfx_hairline(struct viz_gfx *g, float x0, float y0, float x1, float y1,
                      struct viz_rgba c);
/* A dashed line: `dash` drawn, `gap` skipped, starting drawn at (x0, y0). */
void viz_gfx_dashed(struct viz_gfx *g, float x0, float y0, float x1, float y1, float width,
                    float dash, float gap, struct viz_rgba c);
/* A filled convex polygon (xy: n points, x then y). */
void viz_gfx_poly(struct viz_gfx *g, const float *xy, int n, struct viz_rgba c);
/* A filled triangle. */
void viz_gfx_tri(struct viz_gfx *g, float x0, float y0, float x1, float y1, float x2, float y2,
                 struct viz_rgba c);
/* A filled ring sector between angles a0 < a1 (radians, clockwise on
 * screen from +x) and radii r0 < r1. */
void viz_gfx_sector(struct viz_gfx *g, float cx, float cy, float r0, float r1, float a0,
                    float a1, struct viz_rgba c);
/* An arrowhead at (x, y) pointing along (dx, dy). */
void viz_gfx_arrowhead(struct viz_gfx *g, float x, float y, float dx, float dy, float size,
                       struct viz_rgba c);
/* An "x" centred at (x, y). */
void viz_gfx_cross(struct viz_gfx *g, float x, float y, float size, float width,
                   struct viz_rgba c);

#endif
