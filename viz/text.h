/* text.h - text for the viewer: DejaVu Sans (Debian's fonts-dejavu-core)
 * found with fontconfig, rendered with SDL2_ttf, sized for a projector, and
 * kept as textures in a cache so a frame redraws its labels without
 * rasterising them again. */
#ifndef FAULTLINE_VIZ_TEXT_H
#define FAULTLINE_VIZ_TEXT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "viz/palette.h"

enum viz_font {
    VIZ_FONT_SMALL,    /* details: describe text, tooltips, ticks */
    VIZ_FONT_BODY,     /* panel text */
    VIZ_FONT_BOLD,     /* panel headings, node names */
    VIZ_FONT_LARGE,    /* titles, roles */
    VIZ_FONT_HUGE,     /* the clock */
    VIZ_FONT_CAPTION,  /* lesson narration */
    VIZ_FONT_COUNT
};

/* Alignment of the point given to viz_text_draw. */
enum {
    VIZ_LEFT = 0, VIZ_CENTER = 1, VIZ_RIGHT = 2,
    VIZ_TOP = 0, VIZ_MIDDLE = 4, VIZ_BOTTOM = 8,
};

struct viz_text;

/* Finds the fonts (FAULTLINE_FONT and FAULTLINE_FONT_BOLD override the
 * fontconfig match for "DejaVu Sans") and opens them at sizes for UI scale
 * `scale` (1.0 for 1280x720). Returns 0 and *out (free with viz_text_close);
 * SIM_EIO when no usable font is found (err says what to install);
 * SIM_ENOMEM. `r` is borrowed and must outlive the text. */
int viz_text_open(struct viz_text **out, SDL_Renderer *r, float scale, char *err, size_t errcap);
/* Closes the fonts and frees the cached textures (before their renderer
 * goes); NULL is allowed. */
void viz_text_close(struct viz_text *t);
/* Reopens the fonts for a new scale (window resized). Returns 0 or SIM_EIO. */
int viz_text_rescale(struct viz_text *t, float scale);

/* Draws UTF-8 text at (x, y) aligned by `align` (VIZ_LEFT|VIZ_TOP...).
 * Returns the width drawn in pixels (0 for empty text or on failure). */
int viz_text_draw(struct viz_text *t, enum viz_font f, const char *s, float x, float y,
                  struct viz_rgba c, int align);
/* Width of `s` in font f, in pixels. */
int viz_text_width(struct viz_text *t, enum viz_font f, const char *s);
/* Line height of font f, in pixels. */
int viz_text_height(struct viz_text *t, enum viz_font f);
/* Copies into buf the longest prefix of `s` that fits `maxw` pixels, with
 * "…" when cut. Returns buf. */
const char *viz_text_fit(struct viz_text *t, enum viz_font f, const char *s, int maxw, char *buf,
                         size_t cap);
/* Draws `s` word-wrapped into width maxw from (x, y) downwards, at most
 * max_lines lines (the last one cut with "…"), each line aligned on x by
 * `align` (VIZ_LEFT, VIZ_CENTER, VIZ_RIGHT). Returns the height used. */
int viz_text_wrap(struct viz_text *t, enum viz_font f, const char *s, float x, float y, int maxw,
                  int max_lines, struct viz_rgba c, int align);
/* How many lines viz_text_wrap would draw. */
int viz_text_wrap_lines(struct viz_text *t, enum viz_font f, const char *s, int maxw,
                        int max_lines);
/* Breaks `s` into lines of at most maxw pixels (at spaces, or inside a word
 * longer than a line), never cutting or adding "…": at most max_lines
 * lines of at most 159 bytes each go into lines[]. Returns the number of
 * lines; *more (may be NULL) is set when text was left over. */
int viz_text_break(struct viz_text *t, enum viz_font f, const char *s, int maxw,
                   char lines[][160], int max_lines, bool *more);
/* Ends a frame: textures unused for a while are released. */
void viz_text_frame_end(struct viz_text *t);

#endif
