/* labels.c - the frame's record of placed labels: a label goes only where
 * no other label or obstacle is and inside its region (see labels.h). A
 * linear scan: a frame places at most a few hundred labels. */
#include "viz/labels.h"

#include <assert.h>
#include <stdio.h>

void viz_labels_reset(struct viz_labels *l, float w, float h)
{
    assert(l);
    l->window = (struct viz_rect){0, 0, w, h};
    l->n = 0;
    l->nobstacles = 0;
    l->refused = 0;
    l->has_tip = false;
}

bool viz_rect_overlaps(const struct viz_rect *a, const struct viz_rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

bool viz_rect_inside(const struct viz_rect *r, const struct viz_rect *within)
{
    /* half a pixel of slack: text boxes are rounded to whole pixels */
    return r->x >= within->x - 0.5f && r->y >= within->y - 0.5f &&
           r->x + r->w <= within->x + within->w + 0.5f &&
           r->y + r->h <= within->y + within->h + 0.5f;
}

void viz_labels_obstacle(struct viz_labels *l, struct viz_rect r)
{
    if (l->nobstacles < VIZ_OBSTACLES_MAX)
        l->obstacle[l->nobstacles++] = r;
}

bool viz_labels_fits(const struct viz_labels *l, const struct viz_rect *r,
                     const struct viz_rect *within)
{
    if (!viz_rect_inside(r, &l->window) || (within && !viz_rect_inside(r, within)))
        return false;
    for (int i = 0; i < l->n; i++)
        if (viz_rect_overlaps(r, &l->rect[i]))
            return false;
    for (int i = 0; i < l->nobstacles; i++)
        if (viz_rect_overlaps(r, &l->obstacle[i]))
            return false;
    return true;
}

bool viz_labels_place(struct viz_labels *l, struct viz_rect r, const struct viz_rect *within,
                      const char *text)
{
    if (l->n >= VIZ_LABELS_MAX || !viz_labels_fits(l, &r, within)) {
        l->refused++;
        return false;
    }
    l->rect[l->n] = r;
    snprintf(l->text[l->n], sizeof l->text[l->n], "%s", text ? text : "");
    l->n++;
    return true;
}

void viz_labels_tip(struct viz_labels *l, struct viz_rect *r, const struct viz_rect *within)
{
    const struct viz_rect *w = within ? within : &l->window;
    if (r->x + r->w > w->x + w->w)
        r->x = w->x + w->w - r->w;
    if (r->y + r->h > w->y + w->h)
        r->y = w->y + w->h - r->h;
    if (r->x < w->x)
        r->x = w->x;
    if (r->y < w->y)
        r->y = w->y;
    l->tip = *r;
    l->has_tip = true;
}
