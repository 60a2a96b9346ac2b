/* offscreen.h - drawing without a display: a software renderer into a
 * memory surface, and PNG files written with SDL2_image, atomically. */
#ifndef FAULTLINE_VIZ_OFFSCREEN_H
#define FAULTLINE_VIZ_OFFSCREEN_H

#include <SDL.h>
#include <stddef.h>

struct viz_offscreen {
    SDL_Surface *surf;   /* ARGB8888, w x h */
    SDL_Renderer *r;     /* draws into surf */
};

/* Creates a w x h surface and a software renderer on it. Needs no video
 * driver. Returns 0 or SIM_ENOMEM with `err`. */
int viz_offscreen_open(struct viz_offscreen *o, int w, int h, char *err, size_t errcap);
/* Destroys the renderer and the surface (close the app drawing with them first). */
void viz_offscreen_close(struct viz_offscreen *o);
/* The colour at (x, y) of what was drawn, as 0xRRGGBB. */
uint32_t viz_offscreen_pixel(const struct viz_offscreen *o, int x, int y);

/* Writes `surf` as a PNG at `path` via a temporary file in the same
 * directory and a rename, so `path` is never half-written. Returns 0 or
 * SIM_EIO with `err`. */
int viz_png_write(SDL_Surface *surf, const char *path, char *err, size_t errcap);

#endif
