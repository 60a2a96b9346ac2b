/* draw_log.c - the event log, "What happened": the protocol's notes, role
 * changes with the protocol's epoch ("n2 becomes leader (term 3)"), faults,
 * violations and captions up to the moment shown, the newest at the bottom.
 * Every entry is wrapped whole or left out, never cut; its lines go through
 * the frame's label record. */
#include <stdio.h>
#include <string.h>

#include "viz/draw.h"

#define ENTRY_LINES 32

static struct viz_rgba entry_colour(const struct viz_draw *d, int32_t ev)
{
    const struct viz_store *st = &d->tape->store;
    switch (st->ev[ev].kind) {
    case VIZ_EV_VIOLATION:
        return VIZ_RGB(VIZ_BAD);
    case VIZ_EV_CAPTION:
        return viz_caption_stale(st, d->ui, ev) ? VIZ_RGB(VIZ_INK_SOFT) : VIZ_RGB(VIZ_BLUE);
    case VIZ_EV_NOTE:
        return VIZ_RGB(VIZ_INK_SOFT);
    default:
        return VIZ_RGB(VIZ_INK);
    }
}

void viz_draw_log(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const struct viz_store *st = &d->tape->store;
    const struct viz_rect *r = &L->log;
    float s = d->s;
    if (r->w <= 0 || r->h <= 0)
        return;
    viz_gfx_rect(d->g, r->x, r->y, r->w, r->h, VIZ_RGB(VIZ_PANEL));
    viz_gfx_rect(d->g, r->x, r->y, 1 * s, r->h, VIZ_RGB(VIZ_RULE));
    viz_gfx_flush(d->g);
    float x = r->x + 12 * s, w = r->w - 22 * s;
    float top = r->y + 8 * s;
    viz_label(d, VIZ_FONT_SMALL, "WHAT HAPPENED  \u00b7  E hides", x, top, VIZ_RGB(VIZ_INK_SOFT),
              VIZ_LEFT, r);
    top += (float)viz_text_height(d->tx, VIZ_FONT_SMALL) + 4 * s;
    viz_gfx_rect(d->g, x, top, w, 1 * s, VIZ_RGB(VIZ_RULE));
    viz_gfx_flush(d->g);
    top += 4 * s;
    int lh = viz_text_height(d->tx, VIZ_FONT_SMALL);
    char longest[32];
    scenario_format_time(st->hdr.duration, longest, sizeof longest);
    float time_w = (float)viz_text_width(d->tx, VIZ_FONT_SMALL, longest) + 8 * s;
    float text_x = x + time_w, text_w = w - time_w;
    float bottom = r->y + r->h - 8 * s;
    const char *epoch = d->epoch ? d->epoch : "term";
    int32_t upto = viz_marks_lower(&st->log, d->m->k);
    if (upto == 0) {
        viz_label(d, VIZ_FONT_SMALL, "nothing yet", x, top, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT, r);
        return;
    }
    for (int32_t i = upto - 1; i >= 0; i--) {
        int32_t ev = st->log.ev[i];
        char words[1200], when[32], lines[ENTRY_LINES][160];
        viz_event_words(st, ev, epoch, words, sizeof words);
        if (viz_caption_stale(st, d->ui, ev)) {
            size_t n = strlen(words);
            snprintf(words + n, sizeof words - n, " (from the original run)");
        }
        bool more = false;
        int n = viz_text_break(d->tx, VIZ_FONT_SMALL, words, (int)text_w, lines, ENTRY_LINES, &more);
        float h = (float)(n * lh) + 3 * s;
        if (bottom - h < top)
            break; /* the next entry would not fit whole: the log stops here */
        bottom -= h;
        scenario_format_time(st->ev[ev].t, when, sizeof when);
        viz_label(d, VIZ_FONT_SMALL, when, x, bottom, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT, r);
        struct viz_rgba c = entry_colour(d, ev);
        for (int k = 0; k < n; k++)
            viz_label(d, VIZ_FONT_SMALL, lines[k], text_x, bottom + (float)(k * lh), c, VIZ_LEFT, r);
    }
}
