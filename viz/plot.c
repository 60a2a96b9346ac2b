/* plot.c - the line chart of viz/plot.h: axes with round ticks, a light
 * grid, one anti-aliased polyline per series in an Okabe-Ito colour and a
 * line style (solid, dashed, dotted, dash-dot), markers as dashed verticals
 * with their labels staggered so they do not overlap, and a legend on the
 * right that wraps to columns and always stays inside the image. */
#include "viz/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "viz/gfx.h"
#include "viz/offscreen.h"
#include "viz/palette.h"
#include "viz/text.h"

/* Okabe & Ito's eight, ordered so that the colours sharing a line style
 * (i and i + 4 among the first eight, see viz_plot_series_style) are far
 * apart: blue and orange solid, vermillion and sky dashed, green and purple
 * dotted, black and yellow dash-dot; yellow, the faintest on white, last
 * and drawn outlined. */
static const unsigned series_rgb[] = {VIZ_BLUE,   VIZ_VERMILLION, VIZ_GREEN,  0x000000,
                                      VIZ_ORANGE, VIZ_SKY,        VIZ_PURPLE, VIZ_YELLOW};
#define NCOLORS ((int)(sizeof series_rgb / sizeof series_rgb[0]))
#define NSTYLES 4
#define MAX_LABELLED 12

unsigned viz_plot_series_rgb(int i)
{
    return series_rgb[(i < 0 ? -i : i) % NCOLORS];
}

enum viz_plot_style viz_plot_series_style(int i)
{
    if (i < 0)
        i = -i;
    return (enum viz_plot_style)((i + i / NCOLORS) % NSTYLES);
}

/* One line style as on/off lengths in pixels at scale 1 (dots are drawn
 * as discs), walked along a polyline with the phase carried from segment
 * to segment so short segments keep the pattern. */
struct pen {
    struct viz_gfx *g;
    enum viz_plot_style style;
    struct viz_rgba c;
    float width, scale;
    int part;        /* index into the pattern */
    float left;      /* pixels left of the current part */
};

static const float dashed_pattern[] = {11, 6};
static const float dotted_pattern[] = {0, 6};        /* a dot, then a gap */
static const float dash_dot_pattern[] = {11, 5, 0, 5};

static const float *pattern_of(enum viz_plot_style st, int *n)
{
    switch (st) {
    case VIZ_PLOT_DASHED: *n = 2; return dashed_pattern;
    case VIZ_PLOT_DOTTED: *n = 2; return dotted_pattern;
    case VIZ_PLOT_DASH_DOT: *n = 4; return dash_dot_pattern;
    case VIZ_PLOT_SOLID: break;
    }
    *n = 0;
    return NULL;
}

static void pen_start(struct pen *pn)
{
    int n;
    const float *pat = pattern_of(pn->style, &n);
    pn->part = 0;
    pn->left = pat ? pat[0] * pn->scale : 0;
}

/* Strokes the segment (x0,y0)-(x1,y1) with the pen's pattern. */
static void pen_segment(struct pen *pn, float x0, float y0, float x1, float y1)
{
    int n;
    const float *pat = pattern_of(pn->style, &n);
    if (!pat) {
        viz_gfx_line(pn->g, x0, y0, x1, y1, pn->width, pn->c);
        return;
    }
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy), pos = 0;
    if (!(len > 0))
        return;
    while (pos < len) {
        bool on = pn->part % 2 == 0;
        if (on && pat[pn->part] == 0) { /* a dot where the pattern says so */
            viz_gfx_circle(pn->g, x0 + dx * pos / len, y0 + dy * pos / len, pn->width * 0.62f, pn->c);
            pn->part = (pn->part + 1) % n;
            pn->left = pat[pn->part] * pn->scale;
            continue;
        }
        float step = pn->left < len - pos ? pn->left : len - pos;
        if (on)
            viz_gfx_line(pn->g, x0 + dx * pos / len, y0 + dy * pos / len,
                         x0 + dx * (pos + step) / len, y0 + dy * (pos + step) / len, pn->width,
                         pn->c);
        pos += step;
        pn->left -= step;
        if (pn->left <= 1e-3f) {
            pn->part = (pn->part + 1) % n;
            pn->left = pat[pn->part] * pn->scale;
        }
    }
}

/* Series i's colour; yellow gets a darker outline drawn under it first,
 * else it would all but vanish on the light background. */
static void stroke_polyline(struct viz_gfx *g, const float *xs, const float *ys, int n, int series,
                            float width, float scale)
{
    struct viz_rgba c = VIZ_RGB(viz_plot_series_rgb(series));
    enum viz_plot_style st = viz_plot_series_style(series);
    for (int pass = viz_plot_series_rgb(series) == VIZ_YELLOW ? 0 : 1; pass < 2; pass++) {
        struct pen pn = {g, st, pass ? c : viz_shade(c, -0.5f), pass ? width : width + 1.2f * scale,
                         scale, 0, 0};
        pen_start(&pn);
        for (int i = 1; i < n; i++)
            pen_segment(&pn, xs[i - 1], ys[i - 1], xs[i], ys[i]);
    }
}

/* A round tick step (1, 2 or 5 times a power of ten) giving about `want`
 * ticks over `span`. */
static double tick_step(double span, int want)
{
    if (!(span > 0))
        return 1;
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void format_tick(double v, double step, char *buf, size_t cap)
{
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, cap, "%.*f", decimals > 6 ? 6 : decimals, v);
}

struct frame {
    float left, top, right, bottom;   /* the plot area */
    double xmin, xmax, ymax;
};

static float px(const struct frame *f, double x)
{
    return f->left + (float)((x - f->xmin) / (f->xmax - f->xmin)) * (f->right - f->left);
}

static float py(const struct frame *f, double y)
{
    return f->bottom - (float)(y / f->ymax) * (f->bottom - f->top);
}

static void axes(struct viz_gfx *g, struct viz_text *t, const struct frame *f, bool text)
{
    struct viz_rgba ink = VIZ_RGB(VIZ_INK), soft = VIZ_RGB(VIZ_INK_SOFT), rule = VIZ_RGB(VIZ_RULE);
    double xs = tick_step(f->xmax - f->xmin, 10), ys = tick_step(f->ymax, 6);
    char buf[32];
    for (double x = ceil(f->xmin / xs) * xs; x <= f->xmax + xs * 1e-6; x += xs) {
        if (!text)
            viz_gfx_line(g, px(f, x), f->top, px(f, x), f->bottom, 1, viz_alpha(rule, 140));
        else {
            format_tick(x, xs, buf, sizeof buf);
            viz_text_draw(t, VIZ_FONT_SMALL, buf, px(f, x), f->bottom + 6, soft, VIZ_CENTER | VIZ_TOP);
        }
    }
    for (double y = 0; y <= f->ymax + ys * 1e-6; y += ys) {
        if (!text)
            viz_gfx_line(g, f->left, py(f, y), f->right, py(f, y), 1, viz_alpha(rule, 140));
        else {
            format_tick(y, ys, buf, sizeof buf);
            viz_text_draw(t, VIZ_FONT_SMALL, buf, f->left - 8, py(f, y), soft, VIZ_RIGHT | VIZ_MIDDLE);
        }
    }
    if (!text) {
        viz_gfx_line(g, f->left, f->bottom, f->right, f->bottom, 1.5f, ink);
        viz_gfx_line(g, f->left, f->top, f->left, f->bottom, 1.5f, ink);
    }
}

/* The legend's grid: entries top to bottom, then the next column. */
struct legend {
    float x, y, row_h, col_w, col_gap, swatch, gap;
    int rows, cols, label_w;
};

static void legend_entry(const struct legend *lg, int s, float *x, float *y)
{
    *x = lg->x + (float)(s / lg->rows) * (lg->col_w + lg->col_gap);
    *y = lg->y + (float)(s % lg->rows) * lg->row_h + lg->row_h / 2;
}

int viz_plot_png(const struct viz_plot *p, const char *path, struct viz_plot_layout *layout,
                 char *err, size_t errcap)
{
    int w = p->w > 0 ? p->w : 1280, h = p->h > 0 ? p->h : 720;
    if (w < 320 || h < 240 || w > 8192 || h > 8192) {
        snprintf(err, errcap, "a chart must be 320x240 to 8192x8192 pixels, not %dx%d", w, h);
        return SIM_EINVAL;
    }
    int npoints = 0;
    double ymax = 0;
    for (int s = 0; s < p->nseries; s++) {
        if (p->series[s].n > npoints)
            npoints = p->series[s].n;
        for (int i = 0; i < p->series[s].n; i++)
            if (p->series[s].y[i] > ymax)
                ymax = p->series[s].y[i];
    }
    if (p->nseries == 0 || npoints == 0 || !(p->dx > 0)) {
        snprintf(err, errcap, "nothing to plot");
        return SIM_EINVAL;
    }
    float *xy = malloc(2 * (size_t)npoints * sizeof *xy);
    if (!xy) {
        snprintf(err, errcap, "out of memory drawing the chart");
        return SIM_ENOMEM;
    }
    struct viz_offscreen off;
    int rc = viz_offscreen_open(&off, w, h, err, errcap);
    if (rc) {
        free(xy);
        return rc;
    }
    float scale = (float)h / 720.0f;
    struct viz_text *t;
    if ((rc = viz_text_open(&t, off.r, scale, err, errcap))) {
        viz_offscreen_close(&off);
        free(xy);
        return rc;
    }
    struct viz_gfx g;
    viz_gfx_init(&g, off.r);
    struct viz_rgba bg = VIZ_RGB(VIZ_BG), ink = VIZ_RGB(VIZ_INK), soft = VIZ_RGB(VIZ_INK_SOFT),
                    bad = VIZ_RGB(VIZ_BAD);
    SDL_SetRenderDrawBlendMode(off.r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(off.r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(off.r);

    /* The legend, right of the plot: as many entries to a column as the
     * plot's height holds, then more columns; labels are cut to keep the
     * whole legend within 40% of the width and inside the image. */
    float top = 130 * scale, bottom = (float)h - 70 * scale, margin = 12 * scale;
    struct legend lg = {.row_h = 24 * scale, .col_gap = 18 * scale, .swatch = 40 * scale,
                        .gap = 8 * scale};
    lg.y = top;
    lg.rows = (int)((bottom - top) / lg.row_h);
    if (lg.rows < 1)
        lg.rows = 1;
    lg.cols = (p->nseries + lg.rows - 1) / lg.rows;
    lg.label_w = 0;
    for (int s = 0; s < p->nseries; s++) {
        int tw = viz_text_width(t, VIZ_FONT_BODY, p->series[s].label ? p->series[s].label : "");
        if (tw > lg.label_w)
            lg.label_w = tw;
    }
    float room = 0.4f * (float)w - (float)(lg.cols - 1) * lg.col_gap;
    int max_label = (int)(room / (float)lg.cols - lg.swatch - lg.gap);
    if (max_label < (int)(24 * scale))
        max_label = (int)(24 * scale);
    if (lg.label_w > max_label)
        lg.label_w = max_label;
    lg.col_w = lg.swatch + lg.gap + (float)lg.label_w;
    float legend_w = (float)lg.cols * lg.col_w + (float)(lg.cols - 1) * lg.col_gap;
    lg.x = (float)w - margin - legend_w;
    struct frame f;
    f.left = 80 * scale;
    f.right = lg.x - 28 * scale;
    f.top = top;
    f.bottom = bottom;
    f.xmin = p->x0 < 0 ? p->x0 : 0;
    f.xmax = p->x0 + (npoints - 1) * p->dx;
    if (f.xmax <= f.xmin)
        f.xmax = f.xmin + p->dx;
    double ys = tick_step(ymax > 0 ? ymax * 1.1 : 1, 6);
    f.ymax = ymax > 0 ? ceil(ymax * 1.08 / ys) * ys : 1;
    if (layout) {
        memset(layout, 0, sizeof *layout);
        layout->legend_x = (int)floorf(lg.x);
        layout->legend_y = (int)floorf(lg.y);
        layout->legend_w = (int)ceilf(legend_w);
        layout->legend_h = (int)ceilf((float)(p->nseries < lg.rows ? p->nseries : lg.rows) * lg.row_h);
        layout->columns = lg.cols;
    }

    axes(&g, t, &f, false);
    /* markers behind the lines */
    for (int m = 0; m < p->nmarkers; m++) {
        double x = p->markers[m].x;
        if (x < f.xmin || x > f.xmax)
            continue;
        struct viz_rgba c = p->markers[m].end ? viz_alpha(VIZ_RGB(VIZ_GREEN), 170) : viz_alpha(bad, 200);
        viz_gfx_dashed(&g, px(&f, x), f.top - 4 * scale, px(&f, x), f.bottom, 1.5f * scale,
                       6 * scale, 4 * scale, c);
    }
    for (int s = 0; s < p->nseries; s++) {
        const struct viz_plot_series *se = &p->series[s];
        float *xs = xy, *yv = xy + npoints;
        for (int i = 0; i < se->n; i++) {
            xs[i] = px(&f, p->x0 + i * p->dx);
            yv[i] = py(&f, se->y[i]);
        }
        stroke_polyline(&g, xs, yv, se->n, s, 2.5f * scale, scale);
        if (se->n == 1)
            viz_gfx_circle(&g, xs[0], yv[0], 3 * scale, VIZ_RGB(viz_plot_series_rgb(s)));
        float lx, ly;
        legend_entry(&lg, s, &lx, &ly);
        float sx[2] = {lx, lx + lg.swatch}, sy[2] = {ly, ly};
        stroke_polyline(&g, sx, sy, 2, s, 4 * scale, scale);
        if (layout && s < VIZ_PLOT_MAX_SWATCHES) {
            layout->swatch[s].x0 = (int)ceilf(lx);
            layout->swatch[s].x1 = (int)floorf(lx + lg.swatch);
            layout->swatch[s].y = (int)lroundf(ly);
            layout->nswatches = s + 1;
        }
    }
    viz_gfx_flush(&g);

    /* text on top */
    axes(&g, t, &f, true);
    viz_text_draw(t, VIZ_FONT_LARGE, p->title ? p->title : "", 24 * scale, 18 * scale, ink,
                  VIZ_LEFT | VIZ_TOP);
    if (p->subtitle)
        viz_text_draw(t, VIZ_FONT_SMALL, p->subtitle, 24 * scale, 52 * scale, soft, VIZ_LEFT | VIZ_TOP);
    if (p->xlabel)
        viz_text_draw(t, VIZ_FONT_BODY, p->xlabel, (f.left + f.right) / 2, (float)h - 8 * scale, soft,
                      VIZ_CENTER | VIZ_BOTTOM);
    char buf[256];
    if (p->ylabel) { /* above the legend: the lines' unit */
        viz_text_fit(t, VIZ_FONT_BODY, p->ylabel, (int)((float)w - margin - lg.x), buf, sizeof buf);
        viz_text_draw(t, VIZ_FONT_BODY, buf, lg.x, f.top - 8 * scale, soft, VIZ_LEFT | VIZ_BOTTOM);
    }
    for (int s = 0; s < p->nseries; s++) {
        float lx, ly;
        legend_entry(&lg, s, &lx, &ly);
        viz_text_fit(t, VIZ_FONT_BODY, p->series[s].label ? p->series[s].label : "", lg.label_w, buf,
                     sizeof buf);
        viz_text_draw(t, VIZ_FONT_BODY, buf, lx + lg.swatch + lg.gap, ly, ink, VIZ_LEFT | VIZ_MIDDLE);
    }
    /* marker labels: staggered over three rows above the plot, each cut to
     * the room before the next marker of its row; past a dozen markers
     * (a nemesis) labels would only be noise, and the lines say enough */
    float row_end[3] = {-1e9f, -1e9f, -1e9f};
    for (int m = 0; m < p->nmarkers && p->nmarkers <= MAX_LABELLED; m++) {
        const struct viz_plot_marker *mk = &p->markers[m];
        if (!mk->text || mk->x < f.xmin || mk->x > f.xmax)
            continue;
        float x = px(&f, mk->x);
        int row = 0;
        while (row < 3 && row_end[row] > x - 2)
            row++;
        if (row == 3)
            continue; /* too crowded: the dashed line alone says it */
        int fit = (int)(f.right - x);
        if (fit > (int)(260 * scale))
            fit = (int)(260 * scale);
        viz_text_fit(t, VIZ_FONT_SMALL, mk->text, fit, buf, sizeof buf);
        int tw = viz_text_draw(t, VIZ_FONT_SMALL, buf, x + 3 * scale,
                               f.top - 8 * scale - (float)row * 17 * scale,
                               mk->end ? VIZ_RGB(VIZ_GREEN) : bad, VIZ_LEFT | VIZ_BOTTOM);
        row_end[row] = x + (float)tw + 10 * scale;
    }
    viz_gfx_flush(&g);
    SDL_RenderPresent(off.r);
    rc = g.oom ? SIM_ENOMEM : SIM_OK;
    if (rc)
        snprintf(err, errcap, "out of memory drawing the chart");
    else
        rc = viz_png_write(off.surf, path, err, errcap);
    viz_gfx_free(&g);
    viz_text_close(t);
    viz_offscreen_close(&off);
    free(xy);
    return rc;
}
