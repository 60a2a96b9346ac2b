/* plot.c - the line chart of viz/plot.h: axes with round ticks, a light
 * grid, one anti-aliased polyline per series in the viewer's colour-blind
 * safe palette, markers as dashed verticals with their labels staggered so
 * they do not overlap, and a legend on the right. */
#include "viz/plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"
#include "viz/gfx.h"
#include "viz/offscreen.h"
#include "viz/palette.h"
#include "viz/text.h"

/* Series colours: Okabe-Ito without vermillion (kept for faults) and
 * yellow (too light on white). */
static const unsigned series_rgb[] = {VIZ_BLUE, VIZ_ORANGE, VIZ_GREEN, VIZ_SKY,
                                      VIZ_PURPLE, VIZ_INK,    0x8C6D00,  0x6A3D9A,
                                      0x2E8B57, 0x7F7F7F};
#define NCOLORS ((int)(sizeof series_rgb / sizeof series_rgb[0]))
#define MAX_LABELLED 12

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

int viz_plot_png(const struct viz_plot *p, const char *path, char *err, size_t errcap)
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
    struct viz_offscreen off;
    int rc = viz_offscreen_open(&off, w, h, err, errcap);
    if (rc)
        return rc;
    float scale = (float)h / 720.0f;
    struct viz_text *t;
    if ((rc = viz_text_open(&t, off.r, scale, err, errcap))) {
        viz_offscreen_close(&off);
        return rc;
    }
    struct viz_gfx g;
    viz_gfx_init(&g, off.r);
    struct viz_rgba bg = VIZ_RGB(VIZ_BG), ink = VIZ_RGB(VIZ_INK), soft = VIZ_RGB(VIZ_INK_SOFT),
                    bad = VIZ_RGB(VIZ_BAD);
    SDL_SetRenderDrawBlendMode(off.r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(off.r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(off.r);

    /* the legend's width decides the plot's right edge */
    int legend_w = 0;
    for (int s = 0; s < p->nseries; s++) {
        int tw = viz_text_width(t, VIZ_FONT_BODY, p->series[s].label ? p->series[s].label : "");
        if (tw > legend_w)
            legend_w = tw;
    }
    if (p->ylabel && viz_text_width(t, VIZ_FONT_BODY, p->ylabel) - (int)(32 * scale) > legend_w)
        legend_w = viz_text_width(t, VIZ_FONT_BODY, p->ylabel) - (int)(32 * scale);
    int max_legend = w / 4;
    if (legend_w > max_legend)
        legend_w = max_legend;
    struct frame f;
    f.left = 80 * scale;
    f.right = (float)w - (float)legend_w - 60 * scale;
    f.top = 130 * scale;
    f.bottom = (float)h - 70 * scale;
    f.xmin = p->x0 < 0 ? p->x0 : 0;
    f.xmax = p->x0 + (npoints - 1) * p->dx;
    if (f.xmax <= f.xmin)
        f.xmax = f.xmin + p->dx;
    double ys = tick_step(ymax > 0 ? ymax * 1.1 : 1, 6);
    f.ymax = ymax > 0 ? ceil(ymax * 1.08 / ys) * ys : 1;

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
        struct viz_rgba c = VIZ_RGB(series_rgb[s % NCOLORS]);
        for (int i = 1; i < se->n; i++) {
            double x0 = p->x0 + (i - 1) * p->dx, x1 = p->x0 + i * p->dx;
            viz_gfx_line(&g, px(&f, x0), py(&f, se->y[i - 1]), px(&f, x1), py(&f, se->y[i]),
                         2.5f * scale, c);
        }
        if (se->n == 1)
            viz_gfx_circle(&g, px(&f, p->x0), py(&f, se->y[0]), 3 * scale, c);
        float ly = f.top + (float)s * 26 * scale + 10 * scale;
        viz_gfx_line(&g, f.right + 20 * scale, ly, f.right + 44 * scale, ly, 4 * scale, c);
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
    if (p->ylabel) /* above the legend: the lines' unit */
        viz_text_draw(t, VIZ_FONT_BODY, p->ylabel, f.right + 20 * scale, f.top - 8 * scale, soft,
                      VIZ_LEFT | VIZ_BOTTOM);
    char buf[256];
    for (int s = 0; s < p->nseries; s++) {
        float ly = f.top + (float)s * 26 * scale + 10 * scale;
        viz_text_fit(t, VIZ_FONT_BODY, p->series[s].label ? p->series[s].label : "", legend_w, buf,
                     sizeof buf);
        viz_text_draw(t, VIZ_FONT_BODY, buf, f.right + 52 * scale, ly, ink, VIZ_LEFT | VIZ_MIDDLE);
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
        int room = (int)(f.right - x);
        if (room > (int)(260 * scale))
            room = (int)(260 * scale);
        viz_text_fit(t, VIZ_FONT_SMALL, mk->text, room, buf, sizeof buf);
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
    return rc;
}
