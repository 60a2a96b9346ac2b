/* draw_label.c - text drawn only where viz/labels.c lets it go: every label
 * of the node view and the diagram goes through here, so no two overlap and
 * none leaves its region or the window. */
#include "viz/draw.h"

struct viz_rect viz_label_rect(struct viz_draw *d, enum viz_font f, const char *text, float x,
                               float y, int align)
{
    float w = (float)viz_text_width(d->tx, f, text), h = (float)viz_text_height(d->tx, f);
    float x0 = (align & 3) == VIZ_CENTER ? x - w / 2 : (align & 3) == VIZ_RIGHT ? x - w : x;
    float y0 = (align & VIZ_MIDDLE) ? y - h / 2 : (align & VIZ_BOTTOM) ? y - h : y;
    return (struct viz_rect){x0, y0, w, h};
}

bool viz_label(struct viz_draw *d, enum viz_font f, const char *text, float x, float y,
               struct viz_rgba c, int align, const struct viz_rect *within)
{
    if (!text || !*text)
        return true;
    struct viz_rect r = viz_label_rect(d, f, text, x, y, align);
    if (d->labels && !viz_labels_place(d->labels, r, within, text))
        return false;
    viz_text_draw(d->tx, f, text, r.x, r.y, c, VIZ_LEFT | VIZ_TOP);
    return true;
}

bool viz_label_box(struct viz_draw *d, struct viz_rect r, const struct viz_rect *within,
                   const char *what)
{
    return !d->labels || viz_labels_place(d->labels, r, within, what);
}
