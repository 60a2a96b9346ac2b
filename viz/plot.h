/* plot.h - a line chart drawn with the viewer's renderer (gfx shapes,
 * SDL2_ttf text, offscreen surface, PNG through SDL2_image): series over
 * time with vertical markers, for `faultline compare --plot` (ok
 * operations completed over time for each protocol, the faults marked). */
#ifndef FAULTLINE_VIZ_PLOT_H
#define FAULTLINE_VIZ_PLOT_H

#include <stdbool.h>
#include <stddef.h>

struct viz_plot_series {
    const char *label;        /* legend text */
    const double *y;          /* n values at x0, x0 + dx, ... */
    int n;
};

struct viz_plot_marker {
    double x;                 /* where, in x units */
    const char *text;         /* short label, may be NULL; shown only when
                                 there are at most 12 markers */
    bool end;                 /* the end of something (a heal): drawn lighter */
};

struct viz_plot {
    const char *title;
    const char *subtitle;     /* may be NULL */
    const char *xlabel, *ylabel;
    double x0, dx;            /* x of point i: x0 + i * dx; the axis spans 0 (or x0,
                                 if below) to the last point */
    const struct viz_plot_series *series;
    int nseries;
    const struct viz_plot_marker *markers;
    int nmarkers;
    int w, h;                 /* 0: 1280 x 720 */
};

/* Line styles, combined with the eight Okabe-Ito colours so that up to 32
 * series stay apart: series i takes colour i % 8 and style (i + i / 8) % 4. */
enum viz_plot_style { VIZ_PLOT_SOLID, VIZ_PLOT_DASHED, VIZ_PLOT_DOTTED, VIZ_PLOT_DASH_DOT };

#define VIZ_PLOT_MAX_SWATCHES 64

/* Where viz_plot_png put the legend, in pixels, for callers that check
 * the picture (tests). */
struct viz_plot_layout {
    int legend_x, legend_y, legend_w, legend_h;  /* the box every entry lies in */
    int columns;                                 /* the legend wraps to this many */
    int nswatches;                               /* min(nseries, VIZ_PLOT_MAX_SWATCHES) */
    struct {
        int x0, x1, y;                           /* a sample of series i's line */
    } swatch[VIZ_PLOT_MAX_SWATCHES];
};

/* The colour (0xRRGGBB) and style of series `i`. */
unsigned viz_plot_series_rgb(int i);
enum viz_plot_style viz_plot_series_style(int i);

/* Draws the chart offscreen (no display needed) and writes it as a PNG at
 * `path`, atomically; fills *layout when it is not NULL. All inputs are
 * borrowed. Returns 0, SIM_EINVAL for an empty chart or a bad size,
 * SIM_EIO when fonts or the file fail, or SIM_ENOMEM; err says why. */
int viz_plot_png(const struct viz_plot *p, const char *path, struct viz_plot_layout *layout,
                 char *err, size_t errcap);

#endif
